"""The ``kiosk`` command: demo, replay (more subcommands arrive with their issues)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from kiosk.config import ConfigError
from kiosk.field import config_check, doctor
from kiosk.journal import cli as journal_cli
from kiosk.lab import center_cli, fleet_cli

SAMPLE_SESSIONS = Path(__file__).resolve().parents[1] / "tests" / "sessions"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Certificate kiosk for copiers.")
    parser.add_argument("--log-level", default=os.environ.get("KIOSK_LOG_LEVEL", "WARNING"),
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the kiosk on its embedded default")
    demo.add_argument("--headless", action="store_true",
                      help="no window: replay the sample sessions, write screenshots and PDFs")
    demo.add_argument("--out", type=Path, default=Path("demo-out"))
    demo.add_argument("--config", type=Path, help="a kiosk.toml instead of the defaults")

    card = sub.add_parser("card", help="card tools").add_subparsers(dest="card_command",
                                                                     required=True)
    emulate = card.add_parser("emulate", help="be a resident's card on a vsmartcard-vpcd slot")
    emulate.add_argument("--vpcd", default="127.0.0.1:35963", metavar="HOST:PORT")
    emulate.add_argument("--resident", required=True,
                         help="a resident id of the world (r001 …), or transit")
    emulate.add_argument("--world", type=Path, help="a world file (default: the sample)")
    emulate.add_argument("--state", type=Path, help="keep the test CA and PIN counters here")

    cash = sub.add_parser("cash", help="cash hardware tools").add_subparsers(dest="cash_command",
                                                                             required=True)
    cash_emulate = cash.add_parser("emulate", help="be a cash device on a pseudo-terminal: "
                                                   "id003, cctalk-coins or cctalk-hopper")
    cash_emulate.add_argument("--device", required=True, metavar="NAME",
                              help="id003, cctalk-coins or cctalk-hopper")
    cash_emulate.add_argument("--link", required=True, type=Path, metavar="PATH",
                              help="link this path to the device end (the driver's port)")
    cash_lab = cash.add_parser("lab", help="the whole cash set emulated: an ID-003 validator "
                                           "and a ccTalk bus of coins and four hoppers")
    cash_lab.add_argument("--dir", required=True, type=Path, metavar="DIR",
                          help="links, hands sockets and cash.toml go here")
    cash_lab.add_argument("--hopper-coins", type=int, default=200, metavar="N",
                          help="coins in each hopper at start (default 200)")

    run = sub.add_parser("run", help="run the kiosk as a service (systemd Type=notify)")
    run.add_argument("--config", type=Path, help="the kiosk's kiosk.toml")

    record = sub.add_parser("record", help="run the kiosk and write what happens as session "
                                           "files that replay it")
    record.add_argument("--out", type=Path, required=True,
                        help="FILE.jsonl: one file for the whole run; a DIR: a file per visit")
    record.add_argument("--config", type=Path, help="a kiosk.toml instead of the defaults")
    record.add_argument("--run", action="store_true",
                        help="record the kiosk in service (as kiosk run; default: the demo "
                             "window)")

    center_cli.add_parsers(sub)
    fleet_cli.add_parsers(sub)
    journal_cli.add_parsers(sub)
    config_check.add_parsers(sub)
    doctor.add_parsers(sub)

    operator = sub.add_parser("operator", help="operator mode").add_subparsers(
        dest="operator_command", required=True)
    operator.add_parser("hash-pin", help="print the [operator] pin_hash line for a PIN")
    sub.add_parser("counter", add_help=False,
                   help="the counter's staff console (らくらく窓口): serve, hash-password")
    sub.add_parser("fuzz", add_help=False,
                   help="random residents and faults through the replay harness, checking the "
                        "money, paper and PIN invariants after every line")
    sub.add_parser("screenshots", add_help=False,
                   help="every screen of every state, per language: PNGs and index.html")
    voice = sub.add_parser("voice", help="spoken prompts").add_subparsers(dest="voice_command",
                                                                          required=True)
    voice.add_parser("build", help="generate the prompts with espeak-ng", add_help=False)

    rp = sub.add_parser("replay", help="play session files and check their expectations")
    rp.add_argument("files", nargs="+", type=Path)
    rp.add_argument("--out", type=Path, help="write report.json (and screenshots, PDFs) here")
    rp.add_argument("--screenshots", action="store_true", help="a PNG of every screen visited")
    rp.add_argument("--config", type=Path, help="kiosk.toml to start from")
    rp.add_argument("--journal", type=Path, help="keep the journal here across runs")
    rp.add_argument("--printer", help="printer URI: spool:DIR or cups:QUEUE")
    rp.add_argument("--printer-lab", action="store_true",
                    help="print through CUPS to a lab printer (ippeveprinter) whose faults the "
                         "sessions' printer lines set; cupsd must be running")
    rp.add_argument("--pace", type=_pace, default=0.0, metavar="SECONDS",
                    help="wait this long (real time) after each line (fault-injection tests)")
    rp.add_argument("--pcsc", action="store_true",
                    help="cards through pcscd and pyscard, the emulator on vsmartcard-vpcd")
    rp.add_argument("--vpcd", default="127.0.0.1:35963", metavar="HOST:PORT",
                    help="the vpcd slot the emulated cards connect to (with --pcsc)")
    rp.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                    help="spread the files over N processes (one report; not with "
                         "--printer-lab, --pcsc or --journal)")
    rp.add_argument("--resident", metavar="ID",
                    help="the world's resident who stands in for a field recording's card")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # SDL (pygame's display and mixer) would take SIGINT and SIGTERM for itself, and a kiosk or
    # a replay then no longer stops when told to: the signals stay Python's.
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
    if argv[:2] == ["voice", "build"]:  # its own options: drivers/audio/voice.py
        from drivers.audio.voice import main_build_voice

        return main_build_voice(argv[2:])
    if argv[:2] == ["operator", "hash-pin"]:  # reads the PIN without echo: kiosk/operator.py
        from kiosk.field.operator_pin import main_hash_pin

        return main_hash_pin(argv[2:])
    if argv[:1] == ["counter"]:  # its own options: kiosk/counter/serve.py
        from kiosk.counter.serve import main as counter

        return counter(argv[1:])
    if argv[:1] == ["fuzz"]:  # its own options: kiosk/replay/fuzz.py
        _headless()
        from kiosk.replay.fuzz import main as fuzz

        return fuzz(argv[1:])
    if argv[:1] == ["screenshots"]:  # its own options: kiosk/replay/screenshots.py
        _headless()
        from kiosk.replay.screenshots import main as screenshots

        return screenshots(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    from kiosk.field.logs import install_logging

    install_logging(args.log_level)  # redacting: PINs, individual numbers; names when known
    try:
        if args.command == "replay":
            return _replay(args)
        if args.command == "demo":
            return _demo(args)
        if args.command == "run":
            return _run(args)
        if args.command == "record":
            return _record(args)
        if args.command == "center":
            return center_cli.run(args)
        if args.command == "fleet":
            return fleet_cli.run(args)
        if args.command == "journal":
            return journal_cli.run(args)
        if args.command == "config":
            return config_check.run(args)
        if args.command == "doctor":
            return doctor.run(args)
        if args.command == "card":
            from kiosk.lab.card_emulate import emulate

            return emulate(args.vpcd, args.resident, args.world, args.state)
        if args.command == "cash" and args.cash_command == "lab":
            from kiosk.lab.cash.cash_set import run_lab

            return run_lab(args.dir, args.hopper_coins)
        if args.command == "cash":
            from kiosk.lab.cash.emulate import emulate as emulate_cash

            return emulate_cash(args.device, args.link)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    parser.error(f"unknown command {args.command}")  # exits 2


def _pace(text: str) -> float:
    """--pace: real seconds after each line, 0 to 60."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value <= 60:  # NaN fails this too
        raise argparse.ArgumentTypeError("must be 0 to 60 seconds")
    return value


def _headless() -> None:
    """No window and no speaker needed: SDL's dummy drivers unless told otherwise."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


def _replay(args: argparse.Namespace) -> int:
    _headless()
    from kiosk.replay.harness import load_config_data, replay
    from kiosk.replay.result import Options

    if args.screenshots and args.out is None:
        print("--screenshots needs --out DIR", file=sys.stderr)
        return 2
    if args.printer and not args.printer.startswith(("spool:", "cups:")):
        print("--printer: spool:DIR or cups:QUEUE", file=sys.stderr)
        return 2
    from kiosk.replay.parallel import MAX_JOBS

    if not 1 <= args.jobs <= MAX_JOBS:
        print(f"-j: 1 to {MAX_JOBS} processes", file=sys.stderr)
        return 2
    if args.jobs > 1 and (args.printer_lab or args.pcsc or args.journal):
        print("-j: one printer lab, vpcd slot or journal cannot serve several processes at "
              "once: leave out -j, or --printer-lab, --pcsc and --journal", file=sys.stderr)
        return 2
    config = load_config_data(args.config) if args.config else {}
    if args.jobs > 1 and config.get("payment", {}).get("unit") == "serial":
        print("-j: one set of cash devices cannot serve several processes at once: leave out "
              "-j with payment.unit = \"serial\"", file=sys.stderr)
        return 2
    options = Options(out=args.out, screenshots=args.screenshots, config=config,
                      journal=args.journal, printer=args.printer,
                      vpcd=args.vpcd if args.pcsc else None, pace=args.pace,
                      resident=args.resident)
    if not args.printer_lab:
        return replay(args.files, options, jobs=args.jobs)
    from drivers.printer.lab import LabError, PrinterLab

    with tempfile.TemporaryDirectory(prefix="kiosk-printer-lab-") as tmp:
        lab = PrinterLab(Path(tmp))
        try:
            lab.start()
        except LabError as exc:
            print(f"--printer-lab: {exc}", file=sys.stderr)
            return 2
        try:
            options.printer_lab = lab
            return replay(args.files, options)
        finally:
            lab.stop()


def _record(args: argparse.Namespace) -> int:
    """``kiosk record``: the demo window, or the kiosk in service, with a recorder."""
    out: Path = args.out
    folder = out.parent if out.suffix == ".jsonl" else out
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        print(f"--out: {folder} cannot be written: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if args.run:
        from kiosk.field.service import run_service

        return run_service(args.config, record=out)
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
            or os.environ.get("SDL_VIDEODRIVER")):
        print("kiosk record: the demo window needs a display (or --run for the kiosk in "
              "service)", file=sys.stderr)
        return 2
    from kiosk.lab.demo import run_window

    return run_window(args.config, record=out)


def _run(args: argparse.Namespace) -> int:
    from kiosk.field.service import run_service

    return run_service(args.config)


def _demo(args: argparse.Namespace) -> int:
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if args.headless or not has_display:
        return _demo_headless(args.out, args.config)
    from kiosk.lab.demo import run_window

    return run_window(args.config)


def _demo_headless(out: Path, config: Path | None = None) -> int:
    from kiosk.replay.harness import load_config_data, replay
    from kiosk.replay.result import Options

    _headless()
    files = sorted(SAMPLE_SESSIONS.glob("*.jsonl"))
    if not files:
        print(f"no sample sessions in {SAMPLE_SESSIONS}", file=sys.stderr)
        return 2
    print(f"No display (or --headless): replaying {len(files)} sample sessions.")
    data = load_config_data(config) if config else {}  # e.g. kiosk cash lab's cash.toml
    code = replay(files, Options(out=out, screenshots=True, config=data))
    pdfs = sorted(out.glob("*/printed/*.pdf"))
    pngs = sorted(out.glob("*/screens/*.png"))
    print(f"Wrote {len(pngs)} screenshots and {len(pdfs)} printed PDFs under {out.resolve()}/ "
          f"(report: {out.resolve() / 'report.json'})")
    return code


if __name__ == "__main__":
    sys.exit(main())
