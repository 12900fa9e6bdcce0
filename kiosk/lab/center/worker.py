"""The center's gunicorn worker: gevent's, with a deadline on every wait a client can cause.

gunicorn's threaded worker (gthread) gives each new connection a thread for its TLS handshake and
its request's head, and a blocking read holds that thread as long as the client likes: a few
idle or trickling connections kept every kiosk out (issue 12, finding 3). Under gevent a
connection that waits costs a greenlet (a few kilobytes), not a thread, and the event loop
serves whoever is ready; and each wait ends:

- the TLS handshake (client certificate required) within ``handshake_timeout`` of the accept,
  done here rather than in gevent's server, where it has no deadline and its failures (no
  certificate, a foreign CA, not TLS at all) come out as tracebacks;
- a request's head within gunicorn's ``keepalive`` seconds of the handshake or of the previous
  reply (gevent's worker reads every head under that timeout; ``serve`` sets it to the header
  timeout);
- the body: ``CenterApp`` reads it against its own deadline (a late one fails the read, and
  gunicorn closes); one it refuses unread (over 1 MiB, chunked, a bad length) closes the
  connection instead of being drained for a next request.

At most ``worker_connections`` connections per worker; past that gevent stops accepting until
one ends, which the deadlines bound. A worker makes the documents' shared parts before it serves
(the first order waits for no font), and sends each reply's head and body as one write.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable
from typing import Any, ClassVar

import gevent  # type: ignore[import-untyped]  # gevent ships no type information
from gunicorn.http import Request
from gunicorn.workers.ggevent import GeventWorker

from kiosk.lab.center.documents import warm_up
from kiosk.lab.center.limits import body_refusal


class DeferredHandshake:
    """The SSL context gunicorn hands gevent's server: it wraps an accepted connection without
    its handshake, which the worker then does under a deadline."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.context = context

    def wrap_socket(self, sock: Any, server_side: bool = True, **options: Any) -> Any:
        options["do_handshake_on_connect"] = False
        return self.context.wrap_socket(sock, server_side=server_side, **options)


def deferred_handshake(config: Any, factory: Callable[[], ssl.SSLContext]) -> DeferredHandshake:
    """gunicorn's ``ssl_context`` hook: its context (certificate, CA, CERT_REQUIRED), deferred."""
    return DeferredHandshake(factory())


class Wait:
    """A wait a client causes (its handshake, its request's head) under a gevent timeout; while
    it lasts the connection is idle, and a stopping worker ends it at once (``wake``) instead of
    waiting out the timeout. ``quiet``: the timeout ends the wait silently (gunicorn then sees no
    request and closes), else it raises ``gevent.Timeout``."""

    def __init__(self, waits: dict[Any, Wait], seconds: float, quiet: bool) -> None:
        self.waits = waits
        self.timer = gevent.Timeout(seconds, False if quiet else None)
        self.greenlet: Any = None

    def __enter__(self) -> Wait:
        self.timer.start()
        self.greenlet = gevent.getcurrent()
        self.waits[self.greenlet] = self
        return self

    def __exit__(self, *exc: Any) -> bool:
        self.waits.pop(self.greenlet, None)
        self.timer.close()
        return exc[1] is self.timer and self.timer.exception is False

    def wake(self) -> None:
        """In the hub (a callback): end the wait now, as its timeout would, if it still is."""
        if self.waits.get(self.greenlet) is self:
            self.greenlet.throw(self.timer)


class CenterWorker(GeventWorker):
    handshake_timeout: ClassVar[float] = 5.0  # seconds from the accept to a finished handshake
    waits: dict[Any, Wait]

    @classmethod
    def configured(cls, handshake_timeout: float) -> type[CenterWorker]:
        """This worker with its handshake deadline (set in the master, inherited by the fork)."""
        return type("CenterWorker", (cls,), {"handshake_timeout": handshake_timeout})

    def init_process(self) -> None:
        self.waits = {}
        warm_up()  # the font and the documents' shared parts, before the first order waits
        super().init_process()

    def timeout_ctx(self) -> Any:
        """gevent's worker reads each request's head within this: ``keepalive`` seconds."""
        return Wait(self.waits, self.cfg.keepalive, quiet=True)

    def notify(self) -> None:
        """The heartbeat, every second; once stopping, idle connections are closed (an open
        request is served to its end, within gunicorn's graceful timeout)."""
        super().notify()
        if not self.alive:
            for wait in list(self.waits.values()):
                gevent.get_hub().loop.run_callback(wait.wake)

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        # A stopping worker has closed its listener: it takes no new connection's requests.
        # (From this check to gunicorn's use of the listener nothing yields: it stays open.)
        if self._handshake(client, addr) and self.alive:
            super().handle(listener, client, addr)
        # else gevent's server closes the connection

    def _handshake(self, client: Any, addr: Any) -> bool:
        handshake = getattr(client, "do_handshake", None)
        if handshake is None:  # not TLS (the center always is)
            return True
        try:
            with Wait(self.waits, self.handshake_timeout, quiet=False):
                handshake()
            return True
        except gevent.Timeout:
            self.log.debug("TLS handshake from %s not done in %.1f s (or stopping): closed",
                           addr, self.handshake_timeout)
        except OSError as exc:  # SSLError: no certificate, a foreign CA, not TLS; a reset
            self.log.debug("TLS handshake from %s failed: %s", addr, exc)
        return False

    def handle_request(self, listener_name: Any, req: Request, sock: Any, addr: Any) -> bool:
        headers = dict(req.headers)
        if body_refusal(headers.get("CONTENT-LENGTH"), headers.get("TRANSFER-ENCODING")):
            req.must_close = True  # the app refuses it unread: never drain it for a next request
        _cork(sock, True)
        try:
            return super().handle_request(listener_name, req, sock, addr)
        finally:
            _cork(sock, False)


def _cork(sock: Any, on: bool) -> None:
    """Hold the reply's writes (its head, then its body) and send them as one when uncorked:
    the kiosk is woken once per reply, not once for the head and again for the body."""
    if _TCP_CORK is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, _TCP_CORK, int(on))
        except OSError:  # closed by now, or not TCP
            pass


_TCP_CORK: int | None = getattr(socket, "TCP_CORK", None)  # Linux
