"""The town hall's sample views for ``kiosk screenshots``: the "call staff" notices on a few
screens (staff coming; a store's help desk number), a practice visit's banner, and the
operator menu once practice is armed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from kiosk.vocabulary.view import OperatorView, View

if TYPE_CHECKING:
    from kiosk.replay.screenshots import Sample

PHONE = "0120-123-456"


def town_hall_samples(b: dict[str, View], sample: type[Sample]) -> Iterator[Sample]:
    """Each notice on a waiting screen, a screen with the alarm banner, and in large text."""
    yield sample("idle-help_coming", replace(b["idle"], help="coming"))
    yield sample("choose_certificate-help_coming", replace(b["choose_certificate"],
                                                           help="coming"))
    yield sample("collect-help_coming", replace(b["collect"], help="coming",
                                                alarm="forgotten-paper"))
    yield sample("pin_entry-help_phone", replace(b["pin_entry"], help="phone",
                                                 help_phone=PHONE), pin_length=1)
    yield sample("payment-help_phone_large_text", replace(b["payment"], help="phone",
                                                          help_phone=PHONE), large_text=True)
    yield sample("error-help_coming", replace(b["error"], help="coming"))
    yield sample("idle-practice", replace(b["idle"], practice=True))
    yield sample("confirm-practice_help_coming", replace(b["confirm"], practice=True,
                                                         help="coming"))
    yield sample("collect-practice_large_text", replace(b["collect"], practice=True),
                 large_text=True)
    yield sample("idle-no_help_desk", replace(b["idle"], help_offered=False))
    yield sample("maintenance-practice_armed", replace(b["maintenance"], operator=OperatorView(
        False, ("printer: ready", "in service: yes", "staff alerts: 0"), (),
        "次の利用は練習です（見本・無料） / Next visit: practice (sample, no fee)")))
