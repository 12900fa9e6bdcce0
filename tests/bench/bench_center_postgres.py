"""The PostgreSQL two-host run: two ``kiosk center serve --store postgresql://…`` hosts over one
database answer one fleet.

    .venv/bin/python tests/bench/bench_center_postgres.py [--kiosks 20] [--seconds 20]
        [--accounting-kiosks 8] [--sessions 12] [--workers 1]

Starts a throwaway PostgreSQL (initdb + pg_ctl in a temporary directory, as the tests do),
makes a center data directory whose world has the kiosks, serves it twice on two loopback ports
with ``--store`` on one database, then:

1. the fleet: ``kiosk.lab.fleet.run_fleet`` (Locust, every kiosk its own client certificate)
   with its faults mixed in, kiosks spread over both hosts for ``--seconds``: sessions/s, p50
   and p99 per call, documents for the wrong order;
2. the accounting: ``--accounting-kiosks`` kiosks in threads, each call of a session on the
   other host than the one before (the challenge on one, its answer on the other, the order on
   one, its completion on the other), a quarter of the orders voided; then each kiosk's
   settlement, sent to one host and asked again of the other: both must answer the kiosk's own
   tally of what it completed, and the database's;
3. from the database: orders no idempotency key accounts for (an order issued twice for one
   key would be one), which must be 0.

Every wait is bounded (request timeouts, the fleet's deadline, thread joins); the servers and
PostgreSQL are stopped at the end, whatever happened. Exit 1 if a check fails.
"""

from __future__ import annotations

import argparse
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

import psycopg
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: pg_server
import pg_server  # noqa: E402

from kiosk.app import load_document_key  # noqa: E402
from kiosk.center import protocol as p  # noqa: E402
from kiosk.center.client import CenterClient  # noqa: E402
from kiosk.center.https import HttpsSettings, HttpsTransport  # noqa: E402
from kiosk.clock import JST, VirtualClock  # noqa: E402
from kiosk.lab.center.cards import CardState  # noqa: E402
from kiosk.lab.fleet.served import stop_servers  # noqa: E402
from kiosk.vocabulary.reasons import CenterError  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[2] / "kiosk" / "lab" / "center" / "sample-world.toml"
VISITS = [("r001", "131130", "juminhyo"), ("r002", "141305", "inkan"),
          ("r003", "132047", "juminhyo"), ("r010", "141305", "tax-income")]
WHEN = datetime(2026, 11, 20, 11, 0, tzinfo=JST)  # a Friday morning: everything is open
CALLS = ("challenge", "authenticate", "order", "complete", "cancel", "settlement")


def free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in ports:
            ports.append(port)
    return ports


class Timed:
    """A transport that records how long each call takes."""

    def __init__(self, inner: HttpsTransport, times: dict[str, list[float]],
                 lock: threading.Lock) -> None:
        self.inner, self.times, self.lock = inner, times, lock

    def send(self, request: bytes) -> bytes:
        call = re.search(rb'"call": "([a-z_]+)"', request)
        started = time.perf_counter()
        reply = self.inner.send(request)
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.times[call.group(1).decode() if call else "?"].append(elapsed)
        return reply


class Hosts:
    """The two served hosts of one data directory, and the kiosks' clients for each."""

    def __init__(self, data: Path, ports: list[int]) -> None:
        self.data, self.ports = data, ports
        self.key = load_document_key(str(data / "center" / "document-key.pub.pem"))
        self.times: dict[str, list[float]] = defaultdict(list)
        self.lock = threading.Lock()

    def url(self, host: int) -> str:
        return f"https://127.0.0.1:{self.ports[host]}"

    def client(self, kiosk_id: str, host: int) -> CenterClient:
        where = self.data / "kiosks" / kiosk_id
        transport = HttpsTransport(self.url(host), HttpsSettings(
            str(where / "client.pem"), str(where / "client-key.pem"),
            str(self.data / "tls" / "ca.pem"), connect_timeout=10, read_timeout=60, retries=10,
            backoff=0.1, lab_clock=True), VirtualClock(WHEN))
        return CenterClient(Timed(transport, self.times, self.lock), self.key)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of processes and all their children (the gunicorn masters and workers,
    the postmaster and its backends)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, list(pids)
    while todo:
        pid = todo.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, IndexError, ValueError):
            continue
    return total


def world_file(path: Path, kiosks: int, accounting: int) -> list[str]:
    """The sample world plus the fleet's kiosks, then the accounting's (their ids)."""
    ids = [f"acct-{i:04d}" for i in range(accounting)]
    extra = "".join(f'\n[[kiosk]]\nid = "{k}"\nkind = "store"\nname = "{k}"\n'
                    for k in [f"load-{i:04d}" for i in range(kiosks)] + ids)
    path.write_text(SAMPLE.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return ids


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kiosks", type=int, default=20, help="the Locust fleet's kiosks")
    parser.add_argument("--seconds", type=float, default=20.0, help="the Locust fleet's run")
    parser.add_argument("--accounting-kiosks", type=int, default=8)
    parser.add_argument("--sessions", type=int, default=12, help="per accounting kiosk")
    parser.add_argument("--workers", type=int, default=1, help="worker processes per host")
    args = parser.parse_args()
    reason = pg_server.missing()
    if reason is not None:
        print(f"bench_center_postgres: {reason}")
        return 2
    with pg_server.running() as pg, tempfile.TemporaryDirectory() as tmp:
        uri = pg.create_database("bench")
        data = Path(tmp) / "center"
        ids = world_file(Path(tmp) / "world.toml", args.kiosks, args.accounting_kiosks)
        ports = free_ports(2)
        subprocess.run([sys.executable, "-m", "kiosk", "center", "init", str(data), "--world",
                        str(Path(tmp) / "world.toml"), "--port", str(ports[0])], check=True,
                       capture_output=True, timeout=300)
        logs = [open(Path(tmp) / f"host-{n}.log", "w") for n in range(2)]
        servers = [subprocess.Popen(
            [sys.executable, "-m", "kiosk", "center", "serve", "--data", str(data), "--port",
             str(port), "--lab", "--workers", str(args.workers), "--store", uri],
            stdout=logs[n], stderr=subprocess.STDOUT) for n, port in enumerate(ports)]
        try:
            postmaster = int((pg.base / "data" / "postmaster.pid").read_text().split()[0])
            return run(Hosts(data, ports), uri, ids, args, servers, postmaster)
        finally:
            stop_servers(servers)
            for log in logs:
                log.close()


def wait_up(hosts: Hosts, kiosk_id: str, servers: list[subprocess.Popen[bytes]]) -> None:
    for host, server in enumerate(servers):
        for _ in range(600):
            try:
                hosts.client(kiosk_id, host).catalog()
                break
            except CenterError:
                if server.poll() is not None:
                    raise SystemExit(f"host {host} exited ({server.returncode})") from None
                time.sleep(0.1)
        else:
            raise SystemExit(f"host {host} did not come up in 60 s")


def fleet(hosts: Hosts, args: argparse.Namespace) -> tuple[bool, int]:
    """The Locust fleet over both hosts: False if it found a wrong document or a failure; its
    sessions."""
    try:
        from kiosk.lab.fleet import FleetError, FleetPlan, run_fleet
    except ImportError as exc:
        print(f"  (the Locust fleet is not available: {exc}; only the accounting run)")
        return True, 0
    plan = FleetPlan(hosts.data, centers=(hosts.url(0), hosts.url(1)), users=args.kiosks,
                     run_time=args.seconds, workers=0, faults=True)
    try:
        report = run_fleet(plan)
    except FleetError as exc:
        print(f"  the fleet did not run: {exc}")
        return False, 0
    print("1. the Locust fleet, kiosks round-robin over both hosts, faults mixed in:")
    for line in report.lines():
        print(f"  {line}")
    return report.wrong_documents == 0 and report.failures == 0, report.sessions


Tally = dict[str, dict[tuple[str, str], list[int]]]  # kiosk → (town, certificate) → count, fees


def accounting(hosts: Hosts, ids: list[str], args: argparse.Namespace) -> tuple[bool, Tally]:
    """Kiosks in threads, every call on the other host than the one before; their tallies."""
    pki = CardState(hosts.data).pki()
    cards = {r: pki.issue_card(r, "valid", WHEN) for r, _, _ in VISITS}
    lock = threading.Lock()
    tally: Tally = {k: defaultdict(lambda: [0, 0]) for k in ids}  # what each completed
    wrong, failures, sessions = [0], [0], [0]

    def kiosk(n: int, kiosk_id: str) -> None:
        clients = (hosts.client(kiosk_id, 0), hosts.client(kiosk_id, 1))
        for i in range(args.sessions):
            one, other = clients if (n + i) % 2 == 0 else clients[::-1]
            resident, town, cert = VISITS[(n + i) % len(VISITS)]
            creds = cards[resident]
            try:
                challenge = one.challenge()
                signature = creds.key.sign(p.auth_message(challenge.nonce, kiosk_id),
                                           padding.PKCS1v15(), hashes.SHA256())
                auth = other.authenticate(creds.cert_der, signature, challenge.nonce)
                copies = 1 + i % 2
                order = one.order(auth.token, town, cert, {}, copies)  # binding checked inside
                bad = sum(1 for d in order.documents if d.order_id != order.order_id)
                if i % 4 == 3:
                    other.cancel(order.order_id)
                else:
                    other.complete(order.order_id, copies)
                with lock:
                    wrong[0] += bad
                    sessions[0] += 1
                    if i % 4 != 3:
                        tally[kiosk_id][(town, cert)][0] += copies
                        tally[kiosk_id][(town, cert)][1] += order.fee
            except Exception as exc:  # counted and reported: the run goes on
                with lock:
                    failures[0] += 1
                    if failures[0] <= 3:
                        print(f"  session failed: {type(exc).__name__}: {exc}", file=sys.stderr)

    hosts.times.clear()
    threads = [threading.Thread(target=kiosk, args=(n, k), daemon=True)
               for n, k in enumerate(ids)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=900)
    elapsed = time.perf_counter() - started
    stuck = sum(t.is_alive() for t in threads)
    total = len(ids) * args.sessions
    print(f"2. the accounting run: {len(ids)} kiosks x {args.sessions} sessions, each call on "
          "the other host than the one before:")
    print(f"  {sessions[0]} of {total} sessions in {elapsed:.1f} s = "
          f"{sessions[0] / elapsed:.1f} sessions/s; {failures[0]} failed, {stuck} stuck")
    print(f"  documents for the wrong order: {wrong[0]}")
    return wrong[0] == 0 and failures[0] == 0 and stuck == 0, tally


def settle(hosts: Hosts, uri: str, tally: Tally) -> bool:
    """Each kiosk's settlement at one host, asked again at the other: the kiosk's tally, the
    database's completed orders and both hosts' answers must be one number."""
    ok = True
    with psycopg.connect(uri, connect_timeout=10) as db:
        rows = db.execute("SELECT kiosk, SUM(copies), SUM(fee) FROM kiosk_center.orders "
                          "WHERE state = 'completed' GROUP BY kiosk").fetchall()
    stored = {str(k): [int(c), int(f)] for k, c, f in rows}
    certificates = total_fees = 0
    for n, (kiosk_id, mine) in enumerate(sorted(tally.items())):
        lines = [p.SettlementLine(town, cert, c, f) for (town, cert), (c, f) in mine.items()]
        count, fees = sum(c for c, _ in mine.values()), sum(f for _, f in mine.values())
        certificates, total_fees = certificates + count, total_fees + fees
        acks = [hosts.client(kiosk_id, (n + h) % 2).settle(
            p.SettlementReport(WHEN.date().isoformat(), lines)) for h in range(2)]
        answers = {(a.certificates, a.fees) for a in acks}
        differ = [d for a in acks for d in a.discrepancies]
        if answers != {(count, fees)} or stored.get(kiosk_id, [0, 0]) != [count, fees] or differ:
            ok = False
            print(f"  {kiosk_id}: kiosk {count}, ¥{fees}; hosts {sorted(answers)}; database "
                  f"{stored.get(kiosk_id)}; {differ[:2]}")
    print(f"  settlement: {len(tally)} kiosks completed {certificates} certificates, "
          f"¥{total_fees:,}; both hosts' settlement totals and the database's the same, no "
          f"discrepancy: {'yes' if ok else 'NO'}")
    return ok


def run(hosts: Hosts, uri: str, ids: list[str], args: argparse.Namespace,
        servers: list[subprocess.Popen[bytes]], postmaster: int) -> int:
    wait_up(hosts, ids[0], servers)
    cpu = cpu_seconds([s.pid for s in servers]), cpu_seconds([postmaster])
    print(f"the PostgreSQL two-host run: 2 hosts x {args.workers} gevent workers over one "
          f"PostgreSQL 15, loopback, on {os.cpu_count()} cores shared with the load")
    fleet_ok, fleet_sessions = fleet(hosts, args)
    accounting_ok, tally = accounting(hosts, ids, args)
    hosts_cpu = cpu_seconds([s.pid for s in servers]) - cpu[0]
    pg_cpu = cpu_seconds([postmaster]) - cpu[1]
    sessions = max(1, fleet_sessions + len(ids) * args.sessions)
    settled = settle(hosts, uri, tally)
    for call in CALLS:
        values = hosts.times.get(call, [])
        if len(values) >= 2:
            q = statistics.quantiles(values, n=100)
            print(f"  {call:<13} p50 {statistics.median(values):7.1f} ms   p99 {q[98]:7.1f} ms"
                  f"   ({len(values)} calls)")
    with psycopg.connect(uri, connect_timeout=10) as db:
        orders = db.execute("SELECT COUNT(*) FROM kiosk_center.orders").fetchone()
        orphans = db.execute(
            "SELECT COUNT(*) FROM kiosk_center.orders o WHERE NOT EXISTS (SELECT 1 FROM "
            "kiosk_center.idempotency i WHERE i.order_id = o.order_id)").fetchone()
    twice = int(orphans[0]) if orphans else -1
    print(f"  CPU per session, both runs: the hosts {hosts_cpu / sessions * 1000:.1f} ms, "
          f"PostgreSQL {pg_cpu / sessions * 1000:.1f} ms")
    print(f"3. the database: {orders[0] if orders else '?'} orders, each its idempotency "
          f"key's one; orders issued twice for one key: {twice}")
    return 0 if fleet_ok and accounting_ok and settled and twice == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
