"""``kiosk center serve``: the reference center over HTTPS with client certificates.

Served by gunicorn: pre-forked worker processes use every core (one Python process is held to
one by its GIL), and TLS with client-certificate verification is built in. Each worker is
gevent's (``worker.CenterWorker``): a connection that waits — for its handshake, its request's
head, its body — costs a greenlet, not a thread, and every such wait has a deadline, so hundreds
of idle or trickling connections do not keep a kiosk out. The workers share the center's state
through its store: the data directory's SQLite file, or PostgreSQL (``--store``), which several
hosts can share. Each worker opens its store after the fork. A kiosk is known by the common
name of its client certificate (issued by the center's TLS CA), never by anything in a request
body.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.clock import LabClock, SystemClock
from kiosk.lab.center.center import ReferenceCenter, check_fault
from kiosk.lab.center.datadir import DataDir
from kiosk.lab.center.limits import body_refusal, read_body
from kiosk.lab.center.store import redact

log = logging.getLogger(__name__)

CALL_PATH = "/v1/call"
FAULT_PATH = "/lab/fault"
APPROVE_PATH = "/lab/approve-registrations"
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


@dataclass
class ServeOptions:
    data: Path
    world: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8443
    workers: int = 0  # 0: one per core
    threads: int = 32  # unused: gevent's workers need no thread per connection (old scripts)
    lab: bool = False  # allow the per-kiosk fault control (tests, the lab; never production)
    handshake_timeout: float = 5.0  # seconds from the accept to a finished TLS handshake
    header_timeout: int = 10  # to a request's whole head, after the handshake or a reply
    body_timeout: float = 10.0  # to its whole body, after the head
    connections: int = 1000  # at once per worker (capped by the open-file limit)
    store: str | None = None  # the state's URI (store.open_store); None: the data dir's SQLite


def kiosk_of(environ: dict[str, Any]) -> str | None:
    """The kiosk id: the common name of the verified client certificate."""
    sock = environ.get("gunicorn.socket")
    getpeercert = getattr(sock, "getpeercert", None)  # an ssl.SSLSocket or gevent's
    cert = getpeercert() if callable(getpeercert) else None
    subject = cert.get("subject", ()) if cert else ()
    for rdn in subject if isinstance(subject, tuple) else ():
        for pair in rdn:
            if pair[0] == "commonName":
                return str(pair[1])
    return None


class CenterApp:
    """The WSGI application; one ReferenceCenter per worker process, made after the fork."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self._center: ReferenceCenter | None = None
        self._pid = 0

    @property
    def center(self) -> ReferenceCenter:
        if self._center is None or self._pid != os.getpid():
            data = DataDir(self.options.data)
            self._center = data.center(LabClock() if self.options.lab else SystemClock(),
                                       self.options.world, self.options.store)
            self._pid = os.getpid()
        return self._center

    def __call__(self, environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        kiosk_id = kiosk_of(environ)
        if kiosk_id is None or self.center.world.kiosk(kiosk_id) is None:
            return _reply(start, "403 Forbidden", b'{"error": "unknown kiosk"}')
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        refusal = body_refusal(environ.get("CONTENT_LENGTH") or None,
                               environ.get("HTTP_TRANSFER_ENCODING"))
        if refusal is not None:
            return _reply(start, *refusal)
        if method != "POST":
            return _reply(start, "400 Bad Request", b'{"error": "POST a JSON body"}')
        body = read_body(environ, int(environ.get("CONTENT_LENGTH") or 0),
                         self.options.body_timeout)
        if body is None:
            return _reply(start, "408 Request Timeout", b'{"error": "the body came too slowly"}')
        if path == FAULT_PATH and self.options.lab:
            return self._set_fault(kiosk_id, body, start)
        if path == APPROVE_PATH and self.options.lab:
            approved = self.center.approve_registrations()
            log.info("lab: %d registrations approved (asked by %s)", approved, kiosk_id)
            return _reply(start, "200 OK", json.dumps({"approved": approved}).encode())
        if path != CALL_PATH:
            return _reply(start, "404 Not Found", b'{"error": "no such path"}')
        lab_time = environ.get("HTTP_X_KIOSK_LAB_TIME") if self.options.lab else None
        try:
            when = datetime.fromisoformat(lab_time) if lab_time else None
        except ValueError:
            return _reply(start, "400 Bad Request", b'{"error": "bad lab time"}')
        token = LabClock.at(when)
        try:
            return self._call(kiosk_id, body, start)
        finally:
            LabClock.reset(token)

    def _call(self, kiosk_id: str, body: bytes, start: StartResponse) -> Iterable[bytes]:
        center = self.center
        fault = center.take_fault(kiosk_id)
        if fault == "down":
            return _reply(start, "503 Service Unavailable", b'{"error": "center down"}')
        if fault == "5xx":
            return _reply(start, "500 Internal Server Error", b'{"error": "lab fault"}')
        reply = center.handle(kiosk_id, body, fault)
        if fault is not None and fault.startswith("slow:"):
            time.sleep(float(fault.partition(":")[2]))  # the reply is made, and sent late
        if fault == "malformed-json":
            reply = reply[: len(reply) // 2]
        busy = reply.startswith(b'{"v": 1, "ok": false, "error": {"reason": "busy"')
        return _reply(start, "409 Conflict" if busy else "200 OK", reply)

    def _set_fault(self, kiosk_id: str, body: bytes, start: StartResponse) -> Iterable[bytes]:
        try:
            request = json.loads(body)
            mode = str(request["mode"])
            check_fault(mode)
            times = int(request.get("times", 0))
        except (ValueError, KeyError, TypeError) as exc:
            return _reply(start, "400 Bad Request", json.dumps({"error": str(exc)}).encode())
        self.center.set_fault(kiosk_id, mode, times)
        log.info("lab: center fault for %s: %s", kiosk_id, mode)
        return _reply(start, "200 OK", b'{"ok": true}')


def _reply(start: StartResponse, status: str, body: bytes) -> list[bytes]:
    start(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def open_files(wanted: int) -> int:
    """The open-file limit, raised toward its hard limit where allowed (a sandbox may not): each
    connection is a file."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (OSError, ValueError):
            pass
    return wanted if soft == resource.RLIM_INFINITY else soft


def serve(options: ServeOptions) -> int:
    """Run gunicorn in this process until it is stopped."""
    from gunicorn.app.base import BaseApplication

    from kiosk.lab.center.worker import CenterWorker, deferred_handshake

    data = DataDir(options.data)
    data.check()
    app = CenterApp(options)
    workers = options.workers or max(2, os.cpu_count() or 1)
    # a worker's own files (its socket, the store, logs) and its connections
    connections = max(1, min(options.connections, open_files(options.connections + 64) - 64))

    class Gunicorn(BaseApplication):
        def load_config(self) -> None:
            settings = {
                "bind": f"{options.host}:{options.port}",
                "workers": workers,
                "worker_class": CenterWorker.configured(options.handshake_timeout),
                "worker_connections": connections,
                "keepalive": options.header_timeout,  # gevent's worker: the wait for a head
                "timeout": 60,
                "certfile": str(data.tls_server_cert),
                "keyfile": str(data.tls_server_key),
                "ca_certs": str(data.tls_ca),
                "cert_reqs": ssl.CERT_REQUIRED,
                "ssl_context": deferred_handshake,
                "post_worker_init": lambda worker: app.center,  # made before the first call
                "accesslog": None,
                "loglevel": "warning",
                "proc_name": "kiosk-center",
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> CenterApp:  # type: ignore[override]  # a WSGI app: the stub's union
            return app

    state = redact(options.store) if options.store else data.state
    print(f"center serving https://{options.host}:{options.port}{CALL_PATH} with {workers} "
          f"workers of {connections} connections (data {options.data}, state {state})",
          flush=True)
    Gunicorn().run()
    return 0
