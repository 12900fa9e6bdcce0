"""The ``https://`` transport: requests with mutual TLS, timeouts and retries.

The kiosk presents its client certificate and trusts only the center's CA (pinned, not the
system's). Every call carries its idempotency key in the message, so a retry after a timeout or
a broken connection gets the first reply again: a retried order is never a second order.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from kiosk import schema
from kiosk.center.transport import TransportError, TransportOptions
from kiosk.clock import Clock

log = logging.getLogger(__name__)

CALL_PATH = "/v1/call"
FAULT_PATH = "/lab/fault"
APPROVE_PATH = "/lab/approve-registrations"
LAB_TIME = "X-Kiosk-Lab-Time"
MAX_TIMEOUT = 120.0  # seconds a call may wait for the center
MAX_BACKOFF = 10.0  # seconds before the first retry (it doubles: 3 retries wait at most 70 s)
RETRY_STATUS = {409, 500, 502, 503, 504}  # 409: the same key is still being answered


class AttemptFailed(Exception):
    """One attempt at a call failed in a way a retry may mend (the text says how)."""


@dataclass
class HttpsSettings:
    """The ``[center.transport]`` table of the config for an https:// center."""

    cert: str
    key: str
    ca: str
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    retries: int = 3  # more attempts after the first
    backoff: float = 0.2  # seconds before the first retry, doubling, with jitter
    lab_clock: bool = False  # send the kiosk's time (replay): a center served with --lab uses it

    def check(self) -> None:
        for name in ("cert", "key", "ca"):
            if not Path(getattr(self, name)).is_file():
                raise schema.SchemaError(name, f"no such file: {getattr(self, name)}")
        for name in ("connect_timeout", "read_timeout"):
            if not 0 < getattr(self, name) <= MAX_TIMEOUT:
                raise schema.SchemaError(name, f"must be more than 0 and at most {MAX_TIMEOUT} s")
        if not 0 <= self.backoff <= MAX_BACKOFF:
            raise schema.SchemaError("backoff", f"must be 0 to {MAX_BACKOFF} seconds")
        if not 0 <= self.retries <= 10:
            raise schema.SchemaError("retries", "must be 0 to 10")


class HttpsTransport:
    """Transport to a center over HTTPS; one kept-alive connection pool per kiosk."""

    def __init__(self, base: str, settings: HttpsSettings, clock: Clock | None = None) -> None:
        self.base = base.rstrip("/")
        self.settings = settings
        self._clock = clock if settings.lab_clock else None
        self._session = requests.Session()
        # The environment must not replace the pinned CA (REQUESTS_CA_BUNDLE would) nor send
        # the kiosk through a proxy: the center's CA and address are the configuration's alone.
        self._session.trust_env = False
        self._session.cert = (settings.cert, settings.key)
        self._session.verify = settings.ca
        self._session.headers["Content-Type"] = "application/json"
        self.attempts = 0  # every HTTP request sent, retries included

    def send(self, request: bytes) -> bytes:
        s = self.settings
        delay = s.backoff
        problem = ""
        for attempt in range(s.retries + 1):
            if attempt:
                time.sleep(delay * (0.5 + random.random()))
                delay *= 2
            self.attempts += 1
            headers = {LAB_TIME: self._clock.now().isoformat()} if self._clock else {}
            try:
                status, content = self._post(CALL_PATH, request, headers)
            except AttemptFailed as exc:
                problem = str(exc)
                log.info("center call attempt %d failed: %s", attempt + 1, problem)
                continue
            if status == 200:
                return content
            problem = f"HTTP {status}"
            if status not in RETRY_STATUS:
                break
            log.info("center call attempt %d: %s", attempt + 1, problem)
        raise TransportError(f"the center did not answer: {problem}")

    def _post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """One HTTP POST of ``body`` to ``path`` → (status, reply body). AttemptFailed for what
        a retry may mend (a timeout, a broken connection), TransportError for what it cannot
        (TLS: the wrong center, or a certificate it refuses)."""
        try:
            reply = self._session.post(self.base + path, data=body, headers=headers,
                                       timeout=(self.settings.connect_timeout,
                                                self.settings.read_timeout))
        except requests.exceptions.SSLError as exc:
            raise TransportError(f"TLS with the center failed: {brief(exc)}") from None
        except requests.exceptions.RequestException as exc:
            raise AttemptFailed(brief(exc)) from None
        return reply.status_code, reply.content

    def _lab_post(self, path: str, body: dict[str, object], what: str) -> bytes:
        """One call of the lab's control (a center served with --lab) → its reply body."""
        try:
            status, content = self._post(path, json.dumps(body).encode(), {})
        except AttemptFailed as exc:
            raise TransportError(f"the center's lab control failed: {exc}") from None
        if status != 200:
            raise TransportError(f"the center refused the {what} ({status}): is it "
                                 "served with --lab?")
        return content

    def set_fault(self, mode: str, times: int = 0) -> None:
        """The lab's fault control (a center served with --lab): for this kiosk only."""
        self._lab_post(FAULT_PATH, {"mode": mode, "times": times}, "fault")

    def approve_registrations(self) -> int:
        """The lab's 本籍地 (a center served with --lab): approve every pending registration;
        returns how many."""
        reply = self._lab_post(APPROVE_PATH, {}, "approval")
        try:
            return int(json.loads(reply)["approved"])
        except (ValueError, KeyError, TypeError):
            raise TransportError("the center's lab control answered garbage") from None

    def close(self) -> None:
        self._session.close()


def brief(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) < 200 else text[:200] + "…"


def open_https(uri: str, options: TransportOptions) -> HttpsTransport:
    """The transport factory for https:// URIs (``[center.transport]``: cert, key, ca, …)."""
    settings: Any = options.extra
    try:
        parsed = schema.load(HttpsSettings, settings, "center.transport")
    except schema.SchemaError as exc:
        raise TransportError(str(exc)) from None
    return HttpsTransport(uri, parsed, options.clock)
