"""What a job's answer says about the world: the printer's, the center's and the e-money
terminal's state, and whether the PIN or the typed text was right."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.record.lines import Line, printer_state
from kiosk.services.certificates import OrderMade
from kiosk.services.forms_jobs import FaceRead, FormPrinted
from kiosk.services.honseki import Applied, TownsListed
from kiosk.session import jobs
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.reasons import CenterError, DocumentRejected, PrinterError, Reason

# Where the world's answer to a job is written: before the line that asked (a resident's action),
# at the time of the tick before the one that asked, or (None) now.
Context = Line | float | None

CENTER_JOBS: tuple[type[ev.JobResult], ...] = (
    jobs.SignedIn, OrderMade, jobs.OrderCompleted, jobs.OrderVoided, TownsListed, Applied)
PRINTER_JOBS: tuple[type[ev.JobResult], ...] = (jobs.DocumentPrinted, jobs.TestPrinted,
                                                 FormPrinted)
EMONEY = {Reason.EMONEY_DECLINED: "decline", Reason.EMONEY_TIMEOUT: "timeout"}


@dataclass(frozen=True)
class Observed:
    """The world lines an answer implies, and what it says of the resident's typing."""

    world: tuple[tuple[str, str], ...] = ()
    pin_wrong: bool = False
    text_wrong: bool = False


def observe_result(event: ev.WorkDone | ev.WorkFailed) -> Observed:
    if isinstance(event, ev.WorkDone):
        return _done(event.result)
    return _failed(event)


def _done(result: ev.JobResult) -> Observed:
    if isinstance(result, jobs.PrinterChecked):
        problem = result.problem
        return Observed((("printer", "ok" if problem is None else
                          printer_state(problem, job_failed=False)),))
    if isinstance(result, PRINTER_JOBS):
        return Observed((("printer", "ok"),))
    if isinstance(result, jobs.EmoneyCharged):
        return Observed((("emoney", "approve"),))
    if isinstance(result, CENTER_JOBS):
        return Observed((("center", "ok"),))
    return Observed()


def _failed(event: ev.WorkFailed) -> Observed:
    job, reason, error = event.job, event.reason, event.error
    if isinstance(error, PrinterError):  # a print job, or a job that looked at the printer first
        return Observed((("printer", printer_state(str(error), job_failed=job in PRINTER_JOBS)),))
    if job is jobs.EmoneyCharged and reason in EMONEY:
        return Observed((("emoney", EMONEY[reason]),))
    if job is FaceRead:  # the text-helper AP's PIN (the forms service)
        return Observed(pin_wrong=reason in (Reason.PIN_WRONG, Reason.PIN_LOCKED))
    if job not in CENTER_JOBS:
        return Observed()
    pin_wrong = job is jobs.SignedIn and reason in (Reason.PIN_WRONG, Reason.PIN_LOCKED)
    text_wrong = job is Applied and reason is Reason.REGISTRATION_MISMATCH
    if isinstance(error, DocumentRejected):
        return Observed((("center", "wrong-document"),))
    if reason is Reason.CENTER_UNAVAILABLE:
        return Observed((("center", "down"),))
    if isinstance(error, CenterError):  # the center answered: a refusal is the world's rule
        return Observed((("center", "ok"),), text_wrong=text_wrong)
    return Observed(pin_wrong=pin_wrong, text_wrong=text_wrong)
