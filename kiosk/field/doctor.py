"""``kiosk doctor``: is this machine fit to be a kiosk? Each check ok, warn or fail, with why.

The configuration, the card readers (pcscd), that the test-only vsmartcard-vpcd is absent, the
printer, the cash devices, fonts for every language, audio, the center (a catalog call; for https
the TLS certificates' expiry), the clock and the journal's disk. A table for people, ``--json`` for
machines; the exit status is 1 when any check fails. Each check runs under a time limit, so a
hung daemon is a failed check, not a hung doctor.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from kiosk.config import DEFAULT_PATH, Config, ConfigError, load_config

if TYPE_CHECKING:
    from kiosk.vocabulary.ports import CenterPort

OK, WARN, FAIL = "ok", "warn", "fail"
CHECK_SECONDS = 20.0
TLS_WARN_DAYS = 30
DISK_WARN, DISK_FAIL = 1_000_000_000, 100_000_000
CLOCK_FLOOR = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class Check:
    name: str
    status: str  # ok, warn or fail
    detail: str


@dataclass
class Context:
    config: Config | None  # None: the configuration does not load
    lab: bool  # a test machine: the lab's tools are only a warning


Result = tuple[str, str]


# --- the checks --------------------------------------------------------------------------------
def check_config(path: Path | None) -> Result:
    from kiosk.field.config_check import check_file

    if path is None:
        return WARN, f"no {DEFAULT_PATH}: the embedded demo defaults"
    problems = check_file(path)
    if not problems:
        return OK, str(path)
    more = f" (and {len(problems) - 1} more: kiosk config check)" if len(problems) > 1 else ""
    return FAIL, problems[0].format(str(path)) + more


def check_card_readers(ctx: Context) -> Result:
    """pcscd, its readers, and what a card on one is (kind, algorithm; no PIN)."""
    from kiosk.field.doctor_card import check_card_readers as readers

    return readers(ctx.config)


def check_cash(ctx: Context) -> Result:
    """The cash devices of ``payment.unit = "serial"``, asked how they are (no money taken)."""
    from kiosk.field.doctor_cash import check_cash as devices

    return devices(ctx.config)


def check_vpcd(ctx: Context) -> Result:
    if shutil.which("dpkg-query") is None:
        return WARN, "cannot tell: no dpkg-query"
    run = subprocess.run(["dpkg-query", "-W", "-f", "${Status} ${Version}", "vsmartcard-vpcd"],
                         capture_output=True, text=True, timeout=10, check=False)
    if run.returncode != 0 or "ok installed" not in run.stdout:
        return OK, "vsmartcard-vpcd is not installed"
    version = run.stdout.split()[-1]
    if ctx.lab:
        return WARN, f"vsmartcard-vpcd {version} is installed (a test machine: --lab)"
    return FAIL, (f"vsmartcard-vpcd {version} is installed: a virtual card reader, never on a "
                  "production kiosk")


def check_printer(ctx: Context) -> Result:
    if ctx.config is None:
        return WARN, "not checked: the configuration does not load"
    uri = ctx.config.printer.uri
    scheme, _, where = uri.partition(":")
    if scheme == "cups":
        from drivers.printer.cups import CupsPrinter

        problem = CupsPrinter(where).ready()
        return (FAIL, f"{uri}: {problem}") if problem else (OK, f"{uri}: ready")
    folder = Path(where).absolute()
    existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("/"))
    try:
        with tempfile.TemporaryFile(dir=existing):  # really writable (root passes os.access)
            pass
    except OSError:
        return FAIL, f"{uri}: {existing} is not writable"
    made = "" if existing == folder else f" (will be made in {existing})"
    return OK, f"{uri}: writable{made}"


def _catalog_texts(lang: str) -> list[str]:
    from babel.messages.pofile import read_po

    from kiosk.i18n import DOMAIN, catalog_path

    path = catalog_path(lang)
    if path is None:
        return []
    with path.open("rb") as fh:
        catalog = read_po(fh, domain=DOMAIN)
    texts: list[str] = []
    for message in catalog:
        string = message.string
        strings = string if isinstance(string, tuple | list) else (string,)
        texts += [s for s in strings if s]
    return texts


def check_fonts(ctx: Context) -> Result:
    from kiosk.i18n import available_languages
    from screens.fonts import FontNotFound, missing_glyphs
    from screens.texts import LANGUAGE_NAMES

    languages = available_languages()
    if not languages:
        return FAIL, "no language catalog found"
    bad = []
    try:
        for lang in languages:
            text = "".join({LANGUAGE_NAMES.get(lang, ""), *_catalog_texts(lang)})
            missing = missing_glyphs(text, lang) | missing_glyphs(text, lang, bold=True)
            if missing:
                sample = "".join(sorted(missing)[:5])
                bad.append(f"{lang} ({len(missing)} characters, e.g. {sample!r})")
    except FontNotFound as exc:
        return FAIL, str(exc)
    if bad:
        return FAIL, "tofu in " + ", ".join(bad)
    return OK, f"{len(languages)} languages draw without tofu"


def check_audio(ctx: Context) -> Result:
    import pygame

    driver = os.environ.get("SDL_AUDIODRIVER", "")
    try:
        pygame.mixer.init()
    except pygame.error as exc:
        return FAIL, f"the mixer cannot start (SDL_AUDIODRIVER={driver or 'unset'}): {exc}"
    try:
        freq, _size, channels = pygame.mixer.get_init()
    finally:
        pygame.mixer.quit()
    detail = f"SDL_AUDIODRIVER={driver or 'default'}, {freq} Hz, {channels} channels"
    if driver == "dummy":
        return WARN, detail + ": no sound (alarms and prompts are silent)"
    return OK, detail


def _client(config: Config) -> tuple[CenterPort, str]:
    """A CenterClient through the configured transport, and what it talks to."""
    from kiosk.app import load_document_key
    from kiosk.center.client import CenterClient
    from kiosk.center.transport import TransportOptions, open_transport
    from kiosk.clock import SystemClock

    clock = SystemClock()
    if config.center.uri == "local:":
        from kiosk.lab.center.center import ReferenceCenter
        from kiosk.lab.center.local import LocalTransport

        center = ReferenceCenter.for_world(config.center.world or None, clock)
        return (CenterClient(LocalTransport(center, config.kiosk.id),
                             center.keys.public_key_bytes()), "the in-process reference center")
    transport = open_transport(config.center.uri,
                               TransportOptions(config.kiosk.id, config.center.transport, clock))
    key = load_document_key(config.center.document_key)
    return CenterClient(transport, key), config.center.uri


def lab_parts(config: Config) -> list[str]:
    """The lab's parts a configuration names: never on a kiosk in the field."""
    named = []
    if config.center.uri == "local:":
        named.append("center.uri = local: (the in-process reference center)")
    if config.card.reader == "emulated":
        named.append("card.reader = emulated (the demo's emulated reader)")
    if config.card.vpcd:
        named.append("card.vpcd (vsmartcard-vpcd: anyone who reaches it inserts a card)")
    if "cash" in config.payment.methods and config.payment.unit == "simulated":
        named.append("payment.unit = simulated (the simulated cash unit)")
    if "emoney" in config.payment.methods and config.payment.emoney_terminal == "simulated":
        named.append("payment.emoney_terminal = simulated")
    if config.tray.sensor == "simulated":
        named.append("tray.sensor = simulated")
    if config.printer.uri.startswith("spool:"):
        named.append("printer.uri = spool: (PDFs into a folder, no paper)")
    return named


def check_lab_parts(ctx: Context) -> Result:
    if ctx.config is None:
        return WARN, "not checked: the configuration does not load"
    named = lab_parts(ctx.config)
    if not named:
        return OK, "no lab parts: a field configuration"
    detail = "the lab's parts: " + "; ".join(named)
    return (WARN, detail + " (a test machine: --lab)") if ctx.lab else (FAIL, detail)


def check_center(ctx: Context) -> Result:
    if ctx.config is None:
        return WARN, "not checked: the configuration does not load"
    from kiosk.center.transport import TransportError
    from kiosk.vocabulary.reasons import KioskError

    try:
        client, where = _client(ctx.config)
        start = time.perf_counter()
        catalog = client.catalog()
        ms = (time.perf_counter() - start) * 1000
    except (ConfigError, TransportError, KioskError, OSError) as exc:
        return FAIL, f"{ctx.config.center.uri}: {exc}"
    detail = (f"{where}: catalog of {len(catalog.municipalities)} municipalities "
              f"in {ms:.0f} ms")
    if ctx.config.center.uri == "local:" and not ctx.lab:
        return WARN, detail + " (local: is the demo's, not a real center)"
    return OK, detail


def _days_left(not_after: datetime) -> int:
    return int((not_after - datetime.now(UTC)).total_seconds() // 86400)


def check_center_tls(ctx: Context) -> Result:
    if ctx.config is None:
        return WARN, "not checked: the configuration does not load"
    uri = urlparse(ctx.config.center.uri)
    if uri.scheme != "https":
        return OK, f"no TLS: the center is {ctx.config.center.uri}"
    from cryptography import x509

    t = ctx.config.center.transport
    context = ssl.create_default_context(cafile=t.get("ca") or None)
    if t.get("cert"):
        context.load_cert_chain(t["cert"], t.get("key"))
    port = uri.port or 443
    try:
        with socket.create_connection((uri.hostname, port), timeout=float(
                t.get("connect_timeout", 5.0))) as raw, \
                context.wrap_socket(raw, server_hostname=uri.hostname) as tls:
            der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError) as exc:
        return FAIL, f"{uri.hostname}:{port}: TLS handshake failed: {exc}"
    if der is None:
        return FAIL, f"{uri.hostname}:{port}: the center showed no certificate"
    days = {"center": _days_left(x509.load_der_x509_certificate(der).not_valid_after_utc)}
    if t.get("cert"):
        mine = x509.load_pem_x509_certificate(Path(t["cert"]).read_bytes())
        days["kiosk"] = _days_left(mine.not_valid_after_utc)
    detail = ", ".join(f"{who} certificate: {n} days left" for who, n in days.items())
    if min(days.values()) < 0:
        return FAIL, detail + " (expired)"
    return (WARN if min(days.values()) < TLS_WARN_DAYS else OK), detail


def check_clock(ctx: Context) -> Result:
    now = datetime.now(UTC)
    if now < CLOCK_FLOOR:
        return FAIL, f"the system time {now:%Y-%m-%d} is before 2024-01-01"
    if shutil.which("timedatectl") is None:
        return WARN, f"{now:%Y-%m-%d %H:%M} UTC; NTP unknown (no timedatectl)"
    run = subprocess.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"],
                         capture_output=True, text=True, timeout=10, check=False)
    synced = run.stdout.strip()
    if run.returncode != 0 or synced not in ("yes", "no"):
        said = (run.stderr or run.stdout).strip().splitlines() or ["no answer"]
        return WARN, f"{now:%Y-%m-%d %H:%M} UTC; NTP unknown (timedatectl: {said[-1]})"
    if synced == "no":
        return WARN, f"{now:%Y-%m-%d %H:%M} UTC; not synchronized by NTP"
    return OK, f"{now:%Y-%m-%d %H:%M} UTC; synchronized by NTP"


def _size(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def check_disk(ctx: Context) -> Result:
    journal = Path(ctx.config.journal.path if ctx.config else Config().journal.path).absolute()
    folder = next((p for p in journal.parents if p.exists()), Path("/"))
    free = shutil.disk_usage(folder).free
    detail = f"{_size(free)} free for the journal ({folder})"
    if free < DISK_FAIL:
        return FAIL, detail
    return (WARN if free < DISK_WARN else OK), detail


CHECKS: list[tuple[str, Callable[[Context], Result]]] = [
    ("lab_parts", check_lab_parts), ("card_readers", check_card_readers), ("vpcd", check_vpcd),
    ("printer", check_printer), ("cash", check_cash),
    ("fonts", check_fonts), ("audio", check_audio), ("center", check_center),
    ("center_tls", check_center_tls), ("clock", check_clock), ("disk", check_disk)]


def _guarded(name: str, fn: Callable[[], Result], seconds: float = CHECK_SECONDS) -> Check:
    """Run one check in a daemon thread: an exception or no answer in time is a failure."""
    box: list[Result] = []

    def run() -> None:
        try:
            box.append(fn())
        except Exception as exc:  # a check that breaks reports, the others still run
            box.append((FAIL, f"{type(exc).__name__}: {exc}"))

    thread = threading.Thread(target=run, name=f"doctor-{name}", daemon=True)
    thread.start()
    thread.join(seconds)
    if not box:
        return Check(name, FAIL, f"no answer in {seconds:.0f} s")
    return Check(name, *box[0])


def diagnose(config_path: Path | None, lab: bool = False) -> list[Check]:
    """Every check, in order; ``config_path`` None means the default file if it exists."""
    if config_path is None and DEFAULT_PATH.is_file():
        config_path = DEFAULT_PATH
    checks = [_guarded("config", lambda: check_config(config_path))]
    try:
        config: Config | None = load_config(config_path)
    except ConfigError:
        config = None
    ctx = Context(config, lab)
    for name, fn in CHECKS:
        checks.append(_guarded(name, partial(fn, ctx)))
    return checks


def render_table(checks: list[Check]) -> str:
    width = max(len(c.name) for c in checks)
    return "\n".join(f"{c.name:<{width}}  {c.status.upper():<4}  {c.detail}" for c in checks)


# --- the command ----------------------------------------------------------------------------
def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    doctor = sub.add_parser("doctor", help="check that this machine is fit to be a kiosk")
    doctor.add_argument("--config", type=Path, help=f"kiosk.toml (default: {DEFAULT_PATH})")
    doctor.add_argument("--json", action="store_true", help="JSON for machines")
    doctor.add_argument("--lab", action="store_true",
                        help="a test machine: the lab's tools (vsmartcard-vpcd) only warn")


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # fonts need no window
    checks = diagnose(args.config, args.lab)
    ok = all(c.status != FAIL for c in checks)
    if args.json:
        print(json.dumps({"checks": [asdict(c) for c in checks], "ok": ok},
                         ensure_ascii=False, indent=2))
    else:
        print(render_table(checks))
        failed = sum(c.status == FAIL for c in checks)
        print("\nall checks pass" if ok else f"\n{failed} check{'s' if failed > 1 else ''} "
              "failed", file=sys.stdout)
    return 0 if ok else 1
