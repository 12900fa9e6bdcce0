"""The fleet's kiosks speak HTTPS through geventhttpclient, Locust's fast HTTP client.

A fleet kiosk is the kiosk's own center client and its own ``HttpsTransport`` (mutual TLS, the
pinned CA, timeouts, retries with the same idempotency key); only each single POST goes through
geventhttpclient (what Locust's ``FastHttpUser`` uses) instead of ``requests``, whose per-call
machinery costs a load process more than the center's own work on a shared machine. The field
kiosk keeps ``requests`` (architecture.md): this module is the lab's, imported only by load
processes, which gevent patches anyway.
"""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit

from geventhttpclient import HTTPClient
from geventhttpclient.response import HTTPParseError

from kiosk.center.https import AttemptFailed, HttpsSettings, HttpsTransport, brief
from kiosk.center.transport import TransportError
from kiosk.clock import Clock

RETRYABLE_TLS = (ssl.SSLEOFError, ssl.SSLZeroReturnError)  # a connection cut, not refused


class FastHttpsTransport(HttpsTransport):
    """``HttpsTransport`` with one geventhttpclient connection (kept alive) per kiosk."""

    def __init__(self, base: str, settings: HttpsSettings, clock: Clock | None = None) -> None:
        super().__init__(base, settings, clock)
        self._session.close()  # requests' pool stays unused: every POST goes below
        url = urlsplit(self.base)
        if url.scheme != "https" or not url.hostname:
            raise TransportError(f"not an https:// center: {base}")
        context = ssl.create_default_context(cafile=settings.ca)  # the pinned CA alone
        context.load_cert_chain(settings.cert, settings.key)
        self._prefix = url.path
        self._client = HTTPClient(
            url.hostname, url.port or 443, ssl=True, ssl_context_factory=lambda: context,
            ssl_options={"ca_certs": settings.ca}, connection_timeout=settings.connect_timeout,
            network_timeout=settings.read_timeout, concurrency=1,
            headers={"Content-Type": "application/json"})

    def _post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        try:
            response = self._client.request("POST", self._prefix + path, body=body,
                                            headers=headers)
            try:
                return int(response.status_code), bytes(response.read())
            finally:
                response.release()
        except RETRYABLE_TLS as exc:
            raise AttemptFailed(brief(exc)) from None
        except ssl.SSLError as exc:
            raise TransportError(f"TLS with the center failed: {brief(exc)}") from None
        except (OSError, HTTPParseError) as exc:  # timeouts and broken connections included
            raise AttemptFailed(brief(exc) or type(exc).__name__) from None

    def close(self) -> None:
        self._client.close()
        super().close()
