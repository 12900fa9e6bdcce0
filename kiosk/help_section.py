"""The configuration's ``[help]`` section: the "call staff" button (see README, "Calling staff")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk import schema

MAX_REPEAT = 3600  # seconds: a call stands at most an hour
MAX_WEBHOOK_SECONDS = 30


@dataclass
class HelpSection:
    """``[help]``: the "call staff" button. A store shows ``phone``; an office or counter kiosk
    alerts staff, and POSTs a small JSON (no personal data) to ``webhook`` when it is set."""

    phone: str = ""  # the help desk's number a store kiosk shows, e.g. "0120-123-456"
    webhook: str = ""  # http(s)://host[:port]/path called when staff are called ("": none)
    timeout: float = 5.0  # seconds the webhook may take (a failure only logs)
    repeat_seconds: float = 60.0  # a second call within this long is the same call

    def check(self) -> None:
        if self.phone and not re.fullmatch(r"\+?[0-9][0-9-]{5,19}", self.phone):
            raise schema.SchemaError("phone", "must be a telephone number of digits and "
                                     "hyphens, e.g. \"0120-123-456\"")
        if self.webhook and not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+(/[!-~]*)?",
                                             self.webhook):
            raise schema.SchemaError("webhook", "must be empty or an http:// or https:// URL "
                                     "without spaces")
        if not 0 < self.timeout <= MAX_WEBHOOK_SECONDS:
            raise schema.SchemaError("timeout", "must be more than 0 and at most 30 seconds")
        if not 1 <= self.repeat_seconds <= MAX_REPEAT:
            raise schema.SchemaError("repeat_seconds", f"must be 1 to {MAX_REPEAT} seconds")
