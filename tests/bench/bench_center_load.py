"""Load on the reference center over HTTPS: many kiosks at once, each running whole sessions.

    .venv/bin/python tests/bench/bench_center_load.py [--kiosks 50] [--sessions 100]

Makes a center data directory whose world has that many kiosks (each its own client
certificate), serves it with ``kiosk center serve`` (gunicorn, a worker per core) on loopback,
and runs every kiosk in a thread of this process: challenge → the card's signature (the
resident's key from the test CA) → authenticate → order (one certificate, a real PDF) → the
binding check → complete. Bounded: it stops after kiosks × sessions, and every request has a
timeout. Prints sessions/s, p50/p99 per call, and the number of documents that arrived for
another order (must be 0). Targets: >= 200 sessions/s on this 2-core machine, p99 < 100 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from kiosk.app import load_document_key
from kiosk.center import protocol as p
from kiosk.center.client import CenterClient
from kiosk.center.https import HttpsSettings, HttpsTransport
from kiosk.clock import JST, VirtualClock
from kiosk.lab.center.cards import CardState
from kiosk.lab.center.world import load_world

SAMPLE = Path(__file__).resolve().parents[2] / "kiosk" / "lab" / "center" / \
    "sample-world.toml"
RESIDENTS = [("r001", "131130", "juminhyo"), ("r002", "141305", "inkan"),
             ("r003", "132047", "juminhyo"), ("r010", "141305", "tax-income")]
WHEN = datetime(2026, 11, 20, 11, 0, tzinfo=JST)  # a Friday morning: everything is open


class Timed:
    """A transport that records how long each call takes."""

    def __init__(self, inner: HttpsTransport, times: dict[str, list[float]],
                 lock: threading.Lock) -> None:
        self.inner, self.times, self.lock = inner, times, lock

    def send(self, request: bytes) -> bytes:
        call = re.search(rb'"call": "([a-z]+)"', request)
        t0 = time.perf_counter()
        reply = self.inner.send(request)
        elapsed = (time.perf_counter() - t0) * 1000
        with self.lock:
            self.times[call.group(1).decode() if call else "?"].append(elapsed)
        return reply


def load_world_file(kiosks: int, path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    extra = "".join(f'\n[[kiosk]]\nid = "load-{i:04d}"\nkind = "store"\nname = "Load {i}"\n'
                    for i in range(kiosks))
    path.write_text(text + extra, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kiosks", type=int, default=50)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "center"
        world_file = Path(tmp) / "world.toml"
        load_world_file(args.kiosks, world_file)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        subprocess.run([sys.executable, "-m", "kiosk", "center", "init", str(data), "--world",
                        str(world_file), "--port", str(port)], check=True, capture_output=True)
        server = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "center", "serve", "--data", str(data), "--port",
             str(port), "--lab", "--workers", str(args.workers), "--threads", "64"],
            stdout=subprocess.DEVNULL, stderr=open(os.environ.get("CENTER_LOG", os.devnull), "w"))
        try:
            return run(data, port, args, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the gunicorn master and workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pids.extend(int(c) for c in children)
        except (OSError, IndexError, ValueError):
            continue
    return total


def run(data: Path, port: int, args: argparse.Namespace, server_pid: int) -> int:
    world = load_world(data / "world.toml")
    pki = CardState(data).pki()
    cards = {r: pki.issue_card(r, "valid", WHEN) for r, _, _ in RESIDENTS}
    key = load_document_key(str(data / "center" / "document-key.pub.pem"))
    times: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()
    wrong, failures, done = [0], [0], [0]

    def client_for(kiosk_id: str) -> CenterClient:
        where = data / "kiosks" / kiosk_id
        transport = HttpsTransport(f"https://127.0.0.1:{port}", HttpsSettings(
            str(where / "client.pem"), str(where / "client-key.pem"),
            str(data / "tls" / "ca.pem"), read_timeout=30, lab_clock=True), VirtualClock(WHEN))
        return CenterClient(Timed(transport, times, lock), key)

    for _ in range(100):  # the server is up when a catalog call answers
        try:
            client_for(world.kiosks[0].id).catalog()
            break
        except Exception:
            time.sleep(0.1)
    times.clear()

    def kiosk(kiosk_id: str, n: int) -> None:
        client = client_for(kiosk_id)
        for i in range(args.sessions):
            resident, town, cert = RESIDENTS[(n + i) % len(RESIDENTS)]
            creds = cards[resident]
            try:
                challenge = client.challenge()
                message = p.auth_message(challenge.nonce, kiosk_id)
                signature = creds.key.sign(message, padding.PKCS1v15(), hashes.SHA256())
                auth = client.authenticate(creds.cert_der, signature, challenge.nonce)
                order = client.order(auth.token, town, cert, {}, 1)  # binding checked inside
                for doc in order.documents:
                    if doc.order_id != order.order_id or \
                            hashlib.sha256(doc.pdf).hexdigest() != doc.sha256:
                        with lock:
                            wrong[0] += 1
                client.complete(order.order_id, len(order.documents))
                with lock:
                    done[0] += 1
            except Exception as exc:  # counted and reported: the load run goes on
                with lock:
                    failures[0] += 1
                    if failures[0] <= 3:
                        print(f"  session failed: {type(exc).__name__}: {exc}", file=sys.stderr)

    kiosk_ids = [k.id for k in world.kiosks if k.id.startswith("load-")][: args.kiosks]
    threads = [threading.Thread(target=kiosk, args=(kid, n)) for n, kid in enumerate(kiosk_ids)]
    started = time.perf_counter()
    client_cpu, server_cpu = time.process_time(), cpu_seconds(server_pid)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    client_cpu, server_cpu = (time.process_time() - client_cpu,
                              cpu_seconds(server_pid) - server_cpu)
    total = len(kiosk_ids) * args.sessions
    print(f"{len(kiosk_ids)} kiosks x {args.sessions} sessions over HTTPS with client "
          f"certificates, {os.cpu_count()} cores shared by server and clients:")
    print(f"  {done[0]} of {total} sessions completed in {elapsed:.1f} s = "
          f"{done[0] / elapsed:.1f} sessions/s; {failures[0]} failed")
    print(f"  documents for the wrong order: {wrong[0]}")
    per = max(done[0], 1)
    print(f"  CPU per session: server {server_cpu / per * 1000:.1f} ms, load clients "
          f"{client_cpu / per * 1000:.1f} ms (wall {elapsed:.1f} s on {os.cpu_count()} cores)")
    for call in ("challenge", "authenticate", "order", "complete"):
        values = times[call]
        if values:
            q = statistics.quantiles(values, n=100)
            print(f"  {call:<13} p50 {statistics.median(values):7.1f} ms   p99 {q[98]:7.1f} ms"
                  f"   ({len(values)} calls)")
    return 0 if wrong[0] == 0 and failures[0] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
