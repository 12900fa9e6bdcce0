"""``kiosk counter serve``: the staff console on its own port (waitress), and ``kiosk counter
hash-password``: the ``[counter] password_hash`` line for a password (scrypt, never stored).

The console opens the counter kiosk's journal (the same file: it runs on the terminal's host),
the center as the kiosk reaches it, and the counter's printer (``[counter] printer``). At the
closing time (``[counter] closes``) it voids the tickets not yet printed, refunding a fee taken.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import threading
from dataclasses import replace
from pathlib import Path

from kiosk.clock import Clock, SystemClock
from kiosk.config import Config, ConfigError, load_config
from kiosk.counter.console import Console
from kiosk.field.operator_pin import hash_pin
from kiosk.journal.opening import JournalError
from kiosk.journal.store import SqliteJournal

log = logging.getLogger(__name__)

CLOSING_CHECK_SECONDS = 60.0
MIN_PASSWORD = 8


def build_console(config: Config, clock: Clock) -> Console:
    """The console over the counter kiosk's journal, center and the counter's printer."""
    from kiosk import parts
    from kiosk.app import build_center_client

    try:
        journal = SqliteJournal(config.journal.path, clock,
                                durability=config.journal.durability)
    except JournalError as exc:
        raise ConfigError(f"journal.path: {exc}") from None
    _, _, client = build_center_client(config, clock, config.kiosk.id)
    uri = config.counter.printer or config.printer.uri
    printing = replace(config, printer=replace(config.printer, uri=uri))
    printer = parts.printer(parts.DriverContext(printing, lambda event: None))
    return Console(journal, client, printer, clock)


def closing_watch(console: Console, closes: str, stop: threading.Event) -> None:
    """Every minute: at or after the closing time, void the tickets not yet printed."""
    while not stop.wait(CLOSING_CHECK_SECONDS):
        try:
            for done in console.close_day(closes):
                log.warning("closing time: %s", done.message)
        except JournalError as exc:
            log.error("closing time: the journal cannot be written: %s", exc)


def serve(config: Config, listen: str | None) -> int:
    import waitress

    from kiosk.counter.web import create_app

    if config.kiosk.mode != "counter":
        raise ConfigError("kiosk.mode: the staff console serves a counter kiosk "
                          "(mode = \"counter\")")
    if not config.counter.password_hash:
        raise ConfigError("counter.password_hash: set it with `kiosk counter hash-password`")
    console = build_console(config, SystemClock())
    host, _, port = (listen or config.counter.listen).rpartition(":")
    app = create_app(console, config.counter.password_hash, config.counter.closes)
    stop = threading.Event()
    threading.Thread(target=closing_watch, args=(console, config.counter.closes, stop),
                     daemon=True, name="closing-time").start()
    log.warning("staff console on http://%s:%s/", host, port)
    try:
        waitress.serve(app, host=host.strip("[]"), port=int(port), threads=4, ident="kiosk")
    finally:
        stop.set()
    return 0


def main_hash_password() -> int:
    password = (getpass.getpass("counter password: ") if sys.stdin.isatty()
                else sys.stdin.readline().rstrip("\n"))
    if len(password) < MIN_PASSWORD:
        print(f"the counter's password is at least {MIN_PASSWORD} characters", file=sys.stderr)
        return 2
    print(f'password_hash = "{hash_pin(password)}"')
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kiosk counter",
                                     description="the counter's staff console (らくらく窓口)")
    sub = parser.add_subparsers(dest="what", required=True)
    s = sub.add_parser("serve", help="serve the staff console")
    s.add_argument("--config", type=Path, help="the counter kiosk's kiosk.toml")
    s.add_argument("--listen", metavar="HOST:PORT", help="instead of [counter] listen")
    sub.add_parser("hash-password", help="print the [counter] password_hash line")
    args = parser.parse_args(argv)
    if args.what == "hash-password":
        return main_hash_password()
    from kiosk.field.logs import install_logging

    install_logging("WARNING")
    try:
        return serve(load_config(args.config), args.listen)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
