"""The recorder: watches a live kiosk's events and writes session files that replay it.

Every event the session handles passes ``before`` and ``after``. A resident's or staff's action
becomes its line, after an ``expect`` of the screen it was taken on; what the world did is
learnt from the jobs' answers (the printer, the center, the e-money terminal) and the journal's
faults, and written as a world line placed before whatever asked: the line that submitted the
job, or the clock tick before the one that did. So the replay meets the same world at the same
moment. Per visit (``--out DIR``) or one file for the whole run (``--out FILE``).
"""

from __future__ import annotations

import json
import logging
import os
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.app import Kiosk
from kiosk.journal.store import Totals
from kiosk.record.lines import ACTIONS, FIELD, Line, header_config
from kiosk.record.observe import Context, Observed, observe_result
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.reasons import Reason

log = logging.getLogger(__name__)

SETTLED = ("idle", "closed", "out_of_service")  # where a visit has ended
DEFAULT_WORLD = {"printer": "ok", "center": "ok", "emoney": "approve", "disk": "ok",
                 "reader": "back"}
END_KEYS = ("printed_documents", "printed_pages", "paid", "change", "refunded",
            "orders_completed", "orders_voided", "registrations", "tickets")


@dataclass
class Segment:
    """One file being recorded: from ``origin``, its lines, and the totals it started from."""

    origin: datetime
    totals: Totals
    lines: list[Line] = field(default_factory=list)
    texts: list[Line] = field(default_factory=list)  # text lines waiting for the 本籍地's answer


class Recorder:
    """Records ``kiosk`` into ``out``: a directory (a file per visit) or one file."""

    def __init__(self, kiosk: Kiosk, out: Path, per_visit: bool) -> None:
        self.kiosk = kiosk
        self.out = out
        self.per_visit = per_visit
        self.field = kiosk.center is None  # a center elsewhere: the world is not known here
        self.world = dict(DEFAULT_WORLD)
        self.segment: Segment | None = None if per_visit else self._segment()
        self.pending: dict[type[ev.JobResult], deque[Context]] = defaultdict(deque)
        self.context: Context = None  # where what the current event reveals is written
        self.last_tick: float | None = None  # virtual seconds of the tick before this one
        self.last_expect: str = ""
        self.operator_used = False
        self.written: list[Path] = []
        self._faults_before: set[str] = set()
        self._placed: dict[str, Line] = {}  # the line each world key's last line went before
        self._state_before = ""
        kiosk.observers.append(self)
        kiosk.worker.submitted.append(self._submitted)
        kiosk.session.listeners.append(self._entered)

    # ------------------------------------------------------------------ segments
    def _segment(self) -> Segment:
        return Segment(self.kiosk.clock.now(), self.kiosk.journal.totals())

    def _at(self) -> float:
        seg = self.segment
        if seg is None:
            return 0.0
        at = round((self.kiosk.clock.now() - seg.origin).total_seconds(), 3)
        last = seg.lines[-1]["at"] if seg.lines else 0.0
        return max(at, last, 0.0)

    def _append(self, line: Line) -> Line:
        assert self.segment is not None
        line = {"at": self._at(), **line}
        self.segment.lines.append(line)
        return line

    def _open_visit(self) -> None:
        """A visit starts: its own file, which first states the world as it stands."""
        self.segment = self._segment()
        self.last_expect = ""
        self.last_tick = None  # a tick of the last file is not on this one's clock
        for key, state in self.world.items():
            if state != DEFAULT_WORLD[key]:
                self._append({key: state})

    # ------------------------------------------------------------------ events
    def before(self, event: ev.Event) -> None:
        session = self.kiosk.session
        self._faults_before = set(session.faults)
        self._state_before = session.state
        if isinstance(event, ev.Tick):
            self.context = self.last_tick
            return
        if isinstance(event, ev.WorkDone | ev.WorkFailed):
            job = type(event.result) if isinstance(event, ev.WorkDone) else event.job
            queue = self.pending.get(job)
            self.context = queue.popleft() if queue else None
            return
        if (self.per_visit and self.segment is None and isinstance(event, ev.Start)
                and session.state == "idle"):
            self._open_visit()
        line = self._action(event)
        self.context = line
        if line is None or self.segment is None:
            return
        if not isinstance(event, ev.ReaderChanged):  # a fact of the world, not a resident's
            self._expect_screen()
        self.context = self._append(line)
        if "text" in line:
            self.segment.texts.append(self.context)

    def _action(self, event: ev.Event) -> Line | None:
        """The line of an action (None: not one, or one the world already stands at)."""
        if isinstance(event, ev.EnterPin):
            return {"pin": "right"}  # until the card (or operator mode) answers otherwise
        if isinstance(event, ev.SetText):
            return {"text": {name: "right" for name in event.fields}}
        if isinstance(event, ev.CardPlaced):
            placed, self.kiosk.placed = self.kiosk.placed, None
            return {"card": "place", "resident": placed or FIELD}
        if isinstance(event, ev.ReaderChanged):
            state = "back" if event.available else "gone"
            if self.world["reader"] == state:
                return None
            self.world["reader"] = state
        if isinstance(event, ev.MoneyRejected) and not event.yen:
            return None  # a coin the acceptor refused, of a value it could not tell
        make = ACTIONS.get(type(event))
        return make(event) if make is not None else None

    def _expect_screen(self) -> None:
        """The screen the action is taken on (not a busy one: a replay passes those at once)."""
        session = self.kiosk.session
        state = session.state
        if state == self.last_expect or session.states[state].busy:
            return
        self.last_expect = state
        self._append({"expect": {"screen": state}})

    def after(self, event: ev.Event) -> None:
        session = self.kiosk.session
        if (isinstance(event, ev.Start) and self.per_visit and self.segment is not None
                and session.state in SETTLED):
            self.segment = None  # the kiosk did not start a visit: nothing to record
        if isinstance(event, ev.Tick):
            self.last_tick = self._at()
        elif isinstance(event, ev.WorkDone | ev.WorkFailed):
            self._observed(observe_result(event))
        elif isinstance(event, ev.EnterPin) and self._state_before == "maintenance":
            self.operator_used = True
            operator = session.operator
            if isinstance(self.context, dict) and not (operator and operator.authorized):
                self.context["pin"] = "wrong"
        elif (isinstance(event, ev.EnterPin | ev.SetText) and isinstance(self.context, dict)
              and session.visit.message == Reason.PIN_MISMATCH):
            self._mistyped(self.context)  # a new PIN's second entry differed from the first
        faults = set(session.faults)
        if "journal" in faults - self._faults_before:
            self._world("disk", "full")
        elif "journal" in self._faults_before - faults:
            self._world("disk", "ok")

    def _observed(self, seen: Observed) -> None:
        for key, state in seen.world:
            self._world(key, state)
        ctx = self.context
        if seen.pin_wrong and isinstance(ctx, dict) and "pin" in ctx:
            ctx["pin"] = "wrong"
        if seen.text_wrong and self.segment is not None:
            for line in self.segment.texts:
                line["text"] = {name: "wrong" for name in line["text"]}
            self.segment.texts.clear()

    @staticmethod
    def _mistyped(line: Line) -> None:
        """A new PIN's (or signing password's) second entry, not the first one again."""
        if "pin" in line:
            line["pin"] = "wrong"
        elif isinstance(line.get("text"), dict):
            line["text"] = {name: "wrong" for name in line["text"]}

    def _world(self, key: str, state: str) -> None:
        """The world stands at ``state`` since whatever asked it: write that line there."""
        if self.world[key] == state:
            return
        self.world[key] = state
        seg = self.segment
        if seg is None:
            return  # between visits: the next visit's file states it first
        ctx = self.context
        if isinstance(ctx, dict) and any(line is ctx for line in seg.lines):
            index = next(i for i, line in enumerate(seg.lines) if line is ctx)
            if self._placed.get(key) is ctx:  # a later job of the same line: it changed
                index += 1                     # after the line's first job, so after it
            self._placed[key] = ctx
            seg.lines.insert(index, {"at": ctx["at"], key: state})
        elif isinstance(ctx, float):  # a tick asked: just before it, after the lines till then
            index = next((i for i, line in enumerate(seg.lines) if line["at"] > ctx),
                         len(seg.lines))
            seg.lines.insert(index, {"at": ctx, key: state})
        else:
            self._append({key: state})

    def hand(self, line: dict[str, str]) -> None:
        """The lab's hand in the world (the 本籍地's approval): written as it happens."""
        if self.segment is not None:
            self._append(dict(line))

    def _submitted(self, job: type[ev.JobResult]) -> None:
        """A job was handed to the worker: its answer is written where this event's is."""
        ctx = self.context
        self.pending[job].append(ctx)

    def _entered(self, state: str) -> None:
        if self.per_visit and self.segment is not None and state in SETTLED:
            self._finish(state)

    # ------------------------------------------------------------------ files
    def _finish(self, state: str) -> None:
        """The end of a file: the screen it ends on and what happened, written now."""
        seg = self.segment
        assert seg is not None
        self._append({"expect": {"screen": state}})
        totals = self.kiosk.journal.totals().minus(seg.totals)
        end: dict[str, Any] = {key: getattr(totals, key) for key in END_KEYS}
        end["screen"] = state
        path = self.out / f"{seg.origin:%Y%m%dT%H%M%S}-{len(self.written) + 1:03d}.jsonl" \
            if self.per_visit else self.out
        self._write(path, seg, end)
        self.segment = None

    def _header(self, seg: Segment) -> Line:
        config = self.kiosk.config
        kiosk_id = config.kiosk.id
        world = "sample"
        if not self.field and config.center.world:
            world = str(Path(config.center.world).resolve())
        name = f"recorded at {kiosk_id}, {seg.origin:%Y-%m-%d %H:%M:%S}"
        if self.field:  # the sample world's store kiosk stands in (and a card read here is
            name += " (a center elsewhere; field cards: replay with --resident ID)"
            kiosk_id = "store-0001"  # "field", for a stand-in of the world's residents)
        return {"kiosk_session": 1, "name": name, "world": world, "kiosk": kiosk_id,
                "start": seg.origin.isoformat(timespec="milliseconds"),
                "config": header_config(config, self.operator_used)}

    def _write(self, path: Path, seg: Segment, end: dict[str, Any]) -> None:
        rows = [self._header(seg), *_timed(seg.lines), {"expect_end": end}]
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
        self.written.append(path)
        log.info("recorded %d lines to %s", len(seg.lines), path)

    def close(self) -> None:
        """The kiosk stops: a whole-run file ends here; a visit cut short is not written."""
        if not self.per_visit and self.segment is not None:
            state = self.kiosk.session.state
            if self.kiosk.session.states[state].busy:
                log.warning("recording ends in %s, a busy screen", state)
            self._finish(state)
        elif self.segment is not None:
            log.warning("the visit in progress when the kiosk stopped is not recorded")
        self.kiosk.observers.remove(self)


def _timed(lines: list[Line]) -> list[Line]:
    """The lines as written: ``at`` only where time has moved since the line before (a line
    without one follows at once, with no tick of the clock between)."""
    rows, last = [], 0.0
    for line in lines:
        at = line["at"]
        rows.append(line if at != last else {k: v for k, v in line.items() if k != "at"})
        last = at
    return rows
