"""A legitimate kiosk's call latency while hostile connections stall the reference center.

    .venv/bin/python tests/bench/bench_center_hostile.py [--hostile 200] [--calls 200]

Serves a fresh center (``kiosk center serve --lab``, a worker per core) on loopback, opens
``--hostile`` connections that never make a request and keeps them open (an attacker opens a
new one whenever the center closes one), in four kinds of equal share:

- idle: a TCP connection that never starts the TLS handshake;
- hello: the first bytes of a TLS ClientHello, then nothing;
- tls-idle: a whole handshake with a kiosk's client certificate, then no request;
- trickle: a handshake with a certificate, then a request's headers one byte a second.

Then a legitimate kiosk (the real https transport, no retries) makes ``--calls`` calls
(catalog and challenge in turn, ``--interval`` s apart), first each on a new connection, then
on one kept-alive connection, and prints p50/p99/max per mode and how many calls failed.
Bounded: every attacker stops at the end (or after ``--deadline`` s per mode), every call has a
timeout, and nothing but 127.0.0.1 is contacted. Target: p99 < 1 s with 200 hostile connections.

The attackers (``Hostile``) are also used by tests/test_center_hostile.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kiosk.app import load_document_key
from kiosk.center.client import CenterClient
from kiosk.center.https import HttpsSettings, HttpsTransport
from kiosk.clock import JST, VirtualClock

WHEN = datetime(2026, 11, 20, 11, 0, tzinfo=JST)  # a Friday morning: the center is open
KINDS = ("idle", "hello", "tls-idle", "trickle")
# The start of a TLS record carrying a ClientHello (type 0x16, TLS 1.0 record version, a length
# of 512), the handshake header and the client version: the server waits for the rest.
PARTIAL_HELLO = bytes.fromhex("1603010200010001fc0303")
TRICKLE = (b"POST /v1/call HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"X-Padding: " + b"a" * 4000)


@dataclass
class Hostile:
    """Connections that hold the center without making a request, kept up in a thread of their
    own (asyncio). Each attacker reconnects when the center closes it, until ``stop``."""

    port: int
    kiosk_dir: Path  # a kiosk's client certificate: the authenticated attackers use it
    kinds: dict[str, int]
    trickle_every: float = 1.0  # seconds between two bytes of a trickled header
    max_reconnects: int = 200  # per attacker: bounded even against a center that closes at once
    opened: Counter[str] = field(default_factory=Counter)  # connections made, per kind
    closed: Counter[str] = field(default_factory=Counter)  # closed by the center, per kind
    failed: Counter[str] = field(default_factory=Counter)  # could not connect / handshake
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _stopping: asyncio.Event | None = None

    def start(self, settle: float = 10.0) -> None:
        """Start every attacker; return when each has connected once (or after ``settle`` s)."""
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline and self.connected() < sum(self.kinds.values()):
            time.sleep(0.05)
        ready.wait(timeout=max(0.0, deadline - time.monotonic()))

    def connected(self) -> int:
        return sum(self.opened.values())

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self, ready: threading.Event) -> None:
        asyncio.run(self._main(ready))

    async def _main(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        tls.check_hostname = False
        tls.verify_mode = ssl.CERT_NONE  # an attacker does not care who answers
        tls.load_cert_chain(self.kiosk_dir / "client.pem", self.kiosk_dir / "client-key.pem")
        tasks = [asyncio.create_task(self._attacker(kind, tls))
                 for kind, n in self.kinds.items() for _ in range(n)]
        ready.set()
        await self._stopping.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _attacker(self, kind: str, tls: ssl.SSLContext) -> None:
        assert self._stopping is not None
        for _ in range(self.max_reconnects):
            if self._stopping.is_set():
                return
            writer: asyncio.StreamWriter | None = None
            try:
                if kind in ("tls-idle", "trickle"):
                    connect = asyncio.open_connection("127.0.0.1", self.port, ssl=tls,
                                                      ssl_handshake_timeout=60)
                else:
                    connect = asyncio.open_connection("127.0.0.1", self.port)
                reader, writer = await asyncio.wait_for(connect, timeout=60)
                self.opened[kind] += 1
                if kind == "hello":
                    writer.write(PARTIAL_HELLO)
                if kind == "trickle":
                    await self._trickle(reader, writer)
                else:
                    await reader.read(65536)  # until the center closes it (or sends garbage)
                self.closed[kind] += 1
            except (TimeoutError, OSError, ssl.SSLError, EOFError):
                self.failed[kind] += 1
                await asyncio.sleep(0.2)
            finally:
                if writer is not None:
                    writer.close()
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(writer.wait_closed(), timeout=1)

    async def _trickle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """A byte of the headers every ``trickle_every`` s until the center answers or closes."""
        for byte in TRICKLE:
            writer.write(bytes([byte]))
            await writer.drain()
            try:
                await asyncio.wait_for(reader.read(65536), self.trickle_every)
                return  # closed by the center, or an answer (an error) before it closes
            except TimeoutError:
                continue
        await reader.read(65536)


def kiosk_client(data: Path, port: int, kiosk_id: str = "store-0001",
                 timeout: float = 10.0) -> CenterClient:
    """The real kiosk transport, one attempt per call (a retry would hide the wait)."""
    where = data / "kiosks" / kiosk_id
    transport = HttpsTransport(f"https://127.0.0.1:{port}", HttpsSettings(
        str(where / "client.pem"), str(where / "client-key.pem"), str(data / "tls" / "ca.pem"),
        connect_timeout=timeout, read_timeout=timeout, retries=0, lab_clock=True),
        VirtualClock(WHEN))
    key = load_document_key(str(data / "center" / "document-key.pub.pem"))
    return CenterClient(transport, key)


def legit_calls(data: Path, port: int, calls: int, fresh: bool, deadline: float,
                timeout: float = 10.0, interval: float = 0.0) -> tuple[list[float], int]:
    """Seconds per call (a failed call counts with the time it took) and the failures."""
    times: list[float] = []
    failures = 0
    end = time.monotonic() + deadline
    client = kiosk_client(data, port, timeout=timeout)
    for i in range(calls):
        if time.monotonic() > end:
            break
        time.sleep(interval)
        if fresh:
            client._transport.close()  # type: ignore[attr-defined]  # a new TLS connection
        t0 = time.perf_counter()
        try:
            client.catalog() if i % 2 == 0 else client.challenge()
        except Exception:  # counted and reported: the run goes on
            failures += 1
        times.append(time.perf_counter() - t0)
    client._transport.close()  # type: ignore[attr-defined]
    return times, failures


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def summary(times: list[float], failures: int, calls: int) -> str:
    if not times:
        return f"no call made ({calls} asked)"
    q = statistics.quantiles(times, n=100) if len(times) > 1 else [times[0]] * 99
    return (f"p50 {statistics.median(times) * 1000:7.1f} ms  p99 {q[98] * 1000:7.1f} ms  "
            f"max {max(times) * 1000:7.1f} ms  ({len(times)} of {calls} calls made, "
            f"{failures} failed)")


def main() -> int:
    logging.disable(logging.WARNING)  # the client's log of each failed call: counted instead
    parser = argparse.ArgumentParser()
    parser.add_argument("--hostile", type=int, default=200, help="hostile connections")
    parser.add_argument("--calls", type=int, default=200, help="legitimate calls per mode")
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds per mode at most")
    parser.add_argument("--interval", type=float, default=0.05,
                        help="seconds between two legitimate calls (the run outlasts the "
                             "center's timeouts: attackers are cut off and come back meanwhile)")
    parser.add_argument("--serve-args", default="", help="more `kiosk center serve` options")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "center"
        port = free_port()
        subprocess.run([sys.executable, "-m", "kiosk", "center", "init", str(data), "--port",
                        str(port)], check=True, capture_output=True)
        log_path = Path(tmp) / "center.log"
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "kiosk", "center", "serve", "--data", str(data), "--port",
                 str(port), "--lab", "--workers", str(args.workers), *args.serve_args.split()],
                stdout=log, stderr=subprocess.STDOUT)
            try:
                return run(data, port, args)
            finally:
                server.terminate()
                server.wait(timeout=30)
                text = log_path.read_text(errors="replace")
                print(f"  center log: {len(text.splitlines())} lines, "
                      f"{text.count('Traceback')} tracebacks")
                if os.environ.get("CENTER_LOG"):
                    Path(os.environ["CENTER_LOG"]).write_text(text)


def run(data: Path, port: int, args: argparse.Namespace) -> int:
    for _ in range(100):  # the center is up when a catalog call answers
        try:
            kiosk_client(data, port, timeout=2).catalog()
            break
        except Exception:
            time.sleep(0.1)
    share, extra = divmod(args.hostile, len(KINDS))
    kinds = {kind: share + (1 if i < extra else 0) for i, kind in enumerate(KINDS)}
    hostile = Hostile(port, data / "kiosks" / "office-0001", kinds)
    hostile.start()
    try:
        mix = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
        print(f"{args.hostile} hostile connections ({mix}), {hostile.connected()} connected; "
              f"{os.cpu_count()} cores:")
        worst = 0.0
        for fresh in (True, False):
            times, failures = legit_calls(data, port, args.calls, fresh, args.deadline,
                                          interval=args.interval)
            mode = "new connection per call" if fresh else "kept-alive connection  "
            print(f"  {mode}  {summary(times, failures, args.calls)}", flush=True)
            if times:
                worst = max(worst, statistics.quantiles(times, n=100)[98]
                            if len(times) > 1 else times[0])
            if failures or len(times) < args.calls:
                worst = float("inf")
        print(f"  attackers: opened {dict(hostile.opened)}, closed by the center "
              f"{dict(hostile.closed)}, failed {dict(hostile.failed)}")
    finally:
        hostile.stop()
    return 0 if worst < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
