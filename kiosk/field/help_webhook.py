"""The "call staff" webhook: a small JSON POSTed to the URL of ``[help] webhook``.

The body is the kiosk's id, the screen's name and the time: nothing about the resident. It is
called from the session's worker (never the UI thread); a failure is a KioskError the session
logs, and the visit goes on. The URL is never logged (it may carry a token).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import requests

from kiosk.vocabulary.reasons import KioskError, Reason

log = logging.getLogger(__name__)


class StaffCallFailed(KioskError):
    """The webhook did not take the call (refused, unreachable, too slow)."""

    reason = Reason.CENTER_UNAVAILABLE


class WebhookStaffAlert:
    """A StaffAlertPort that POSTs to a webhook."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self.sent = 0  # calls the webhook took (for the operator and tests)

    def alert(self, kiosk: str, screen: str, at: str) -> None:
        body = {"event": "staff-call", "kiosk": kiosk, "screen": screen, "at": at}
        try:
            answer = requests.post(self.url, json=body, timeout=self.timeout,
                                   allow_redirects=False)
        except requests.Timeout:
            raise StaffCallFailed(f"the help webhook did not answer within "
                                  f"{self.timeout:g} s") from None
        except requests.RequestException as exc:
            raise StaffCallFailed(f"the help webhook cannot be reached "
                                  f"({type(exc).__name__})") from None
        if not 200 <= answer.status_code < 300:
            raise StaffCallFailed(f"the help webhook answered HTTP {answer.status_code}")
        self.sent += 1
        log.info("staff called through the help webhook")


def staff_alert(config: Config) -> WebhookStaffAlert | None:
    """The ``[help] webhook`` of an office or counter kiosk (None: none, or a store's)."""
    if not config.help.webhook or config.kiosk.mode == "store":
        return None
    return WebhookStaffAlert(config.help.webhook, config.help.timeout)


if TYPE_CHECKING:  # mypy holds WebhookStaffAlert to StaffAlertPort: a drift fails here
    from kiosk.config import Config
    from kiosk.vocabulary.ports import StaffAlertPort

    def _conforms(alert: WebhookStaffAlert) -> StaffAlertPort:
        return alert
