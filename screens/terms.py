"""The short terms of use, and "I agree"."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens.common import intro
from screens.layout import NO_UI, Frame, Layout, UiState
from screens.widgets import label


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Terms of use"), ui=ui)
    area = intro(frame, "terms", tr._("Please read and agree to the following."))
    points = (
        tr._("Certificates are issued by your municipality through the Certificate Issuance "
             "Center."),
        tr._("You need your My Number card and its 4-digit PIN for user authentication."),
        tr._("Pay the fee in cash at this kiosk. Change is returned."),
        tr._("Your PIN and the contents of your certificates are not stored on this kiosk."),
        tr._("Do not forget your card, your certificate or your change."),
    )
    frame.add(label("terms.text", area, "\n".join("• " + p for p in points), tone="card",
                    align="top-left"))
    frame.primary("terms.agree", tr._("I agree"), events.Agree(True))
    return frame.layout()
