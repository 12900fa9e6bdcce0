"""``kiosk journal check | recover | report``: the journal by hand, for staff and auditors."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import sys
from pathlib import Path

from kiosk.clock import SystemClock
from kiosk.journal.opening import JournalError, writable
from kiosk.journal.store import SqliteJournal
from kiosk.journal.tickets import counter_report_lines, counter_totals

FULL_BYTES = 64 * 1024  # less than this free beside the journal: it cannot take a visit


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    journal = sub.add_parser("journal", help="check, recover and report the journal")
    verbs = journal.add_subparsers(dest="journal_command", required=True)
    for name, text in (("check", "verify the invariants; exit 1 naming the first broken one"),
                       ("recover", "apply the power-cut recovery rules now"),
                       ("report", "the settlement per municipality and certificate type"),
                       ("settle", "send a day's settlement to the center")):
        verb = verbs.add_parser(name, help=text)
        verb.add_argument("--journal", type=Path, required=True)
        if name in ("recover", "settle"):
            verb.add_argument("--config", type=Path, help="the kiosk's config (its drivers)")
        if name == "settle":
            verb.add_argument("--day", required=True, help="YYYY-MM-DD")
        if name == "report":
            verb.add_argument("--day", help="YYYY-MM-DD (default: every day)")
            form = verb.add_mutually_exclusive_group()
            form.add_argument("--json", action="store_true")
            form.add_argument("--csv", action="store_true")


def run(args: argparse.Namespace) -> int:
    if not args.journal.exists():
        print(f"kiosk journal: no journal at {args.journal}", file=sys.stderr)
        return 2
    try:
        return _run(args)
    except JournalError as exc:
        print(f"kiosk journal: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.journal_command == "recover":
        return _recover(args)
    if args.journal_command == "settle":
        return _settle(args)
    journal = SqliteJournal(args.journal, SystemClock(), read_only=True)  # reading never writes
    try:
        if args.journal_command == "check":
            problems = journal.check()
            unwritable = writable(args.journal)
            if unwritable:  # sound records the kiosk cannot add to are no sound journal
                problems.insert(0, f"the kiosk cannot write it: {unwritable}")
            if journal.room() < FULL_BYTES:
                problems.insert(0, f"its filesystem is full ({journal.room()} bytes free)")
            if problems:
                print(f"journal broken: {problems[0]}")
                for more in problems[1:]:
                    print(f"  also: {more}")
                return 1
            print("journal sound: every invariant holds")
            return 0
        return _report(journal, args)
    finally:
        journal.close()


def _recover(args: argparse.Namespace) -> int:
    from kiosk.app import build_kiosk
    from kiosk.config import load_config

    overrides = {"journal": {"path": str(args.journal)}}
    config = load_config(args.config, overrides)
    kiosk = build_kiosk(config, SystemClock(), inline=True)  # recovery runs as it starts
    try:
        report = kiosk.journal.report()
    finally:
        kiosk.close()
    print(f"recovered; outstanding now ¥{report.totals.outstanding}")
    return 0


def _settle(args: argparse.Namespace) -> int:
    from kiosk.app import build_center_client
    from kiosk.center.protocol import SettlementLine, SettlementReport
    from kiosk.config import load_config
    from kiosk.vocabulary.reasons import CenterError

    # Only read the journal and talk to the center: the kiosk itself may be running on this
    # journal (the daily timer), so nothing here recovers, prints or dispenses.
    config = load_config(args.config, {"journal": {"path": str(args.journal)}})
    clock = SystemClock()
    _, _, client = build_center_client(config, clock, config.kiosk.id)
    journal = SqliteJournal(args.journal, clock, read_only=True)
    try:
        report = journal.report(args.day)
        lines = [SettlementLine(x.municipality, x.certificate, x.count, x.fees)
                 for x in report.lines]
        ack = client.settle(SettlementReport(args.day, lines))
        counter_lines = counter_report_lines(journal, args.day)
    except CenterError as exc:
        print(f"kiosk journal settle: the center did not take it: {exc.reason} {exc}")
        return 1
    finally:
        journal.close()
    print(f"settled {args.day}: {ack.certificates} certificates, fees ¥{ack.fees:,}, store "
          f"commission ¥{ack.commission:,}")
    for line in counter_lines:  # of these, what the counter took (cash at the counter)
        print(f"  {line}")
    for line in ack.discrepancies:
        print(f"  differs: {line}")
    return 1 if ack.discrepancies else 0


def _report(journal: SqliteJournal, args: argparse.Namespace) -> int:
    report = journal.report(args.day)
    if args.json:
        data = dataclasses.asdict(report)
        data["counter"] = counter_totals(journal, report.day)  # らくらく窓口: apart
        print(json.dumps(data, ensure_ascii=False, indent=2))
    elif args.csv:
        out = csv.writer(sys.stdout)
        out.writerow(["municipality", "certificate", "count", "fees"])
        for line in report.lines:
            out.writerow([line.municipality, line.certificate, line.count, line.fees])
    else:
        print(f"settlement {report.day or '(every day)'}")
        for line in report.lines:
            print(f"  {line.municipality} {line.certificate:<15} {line.count:>4}  ¥{line.fees:,}")
        t = report.totals
        print(f"money in ¥{t.money_in:,}  fees ¥{t.fees_collected:,}  change ¥{t.change:,}  "
              f"refunded ¥{t.refunded:,} (vouchers ¥{t.vouchers:,})  outstanding "
              f"¥{t.outstanding:,}")
        for counter in counter_report_lines(journal, report.day):
            print(counter)
        if t.practice_visits:
            print(f"practice visits {t.practice_visits} (no fee, no order: samples marked 見本)")
    return 0
