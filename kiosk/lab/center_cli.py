"""``kiosk center init | serve | verify``: the reference center as a lab service."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from kiosk.lab.center.world import WorldError


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    center = sub.add_parser("center", help="the reference Certificate Issuance Center")
    verbs = center.add_subparsers(dest="center_command", required=True)
    init = verbs.add_parser("init", help="make a data directory: CAs, keys, kiosk configs")
    init.add_argument("dir", type=Path)
    init.add_argument("--world", type=Path, help="a world file (default: the sample)")
    init.add_argument("--port", type=int, default=8443, help="the port the kiosk.toml files use")
    serve = verbs.add_parser("serve", help="serve the center over HTTPS with client certificates")
    serve.add_argument("--data", type=Path, required=True)
    serve.add_argument("--world", type=Path, help="another world than DIR/world.toml")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8443)
    serve.add_argument("--workers", type=int, default=0, help="processes (default: per core)")
    serve.add_argument("--threads", type=int, default=32,
                       help="ignored: the workers are gevent's (kept for old command lines)")
    serve.add_argument("--connections", type=_positive(int), default=1000,
                       help="connections each process serves at once (default 1000)")
    serve.add_argument("--handshake-timeout", type=_positive(float), default=5.0, metavar="S",
                       help="seconds a new connection has to finish its TLS handshake (5)")
    serve.add_argument("--header-timeout", type=_positive(int), default=10, metavar="S",
                       help="seconds to a request's whole head, after the handshake or the "
                            "previous reply (10; also how long an idle connection is kept)")
    serve.add_argument("--body-timeout", type=_positive(float), default=10.0, metavar="S",
                       help="seconds to a request's whole body, after its head (10)")
    serve.add_argument("--store", metavar="URI",
                       help="where the center keeps its state: sqlite:PATH, or "
                            "postgresql://USER@HOST:PORT/DBNAME, which several hosts serving "
                            "one fleet share (default: DIR/center/state.sqlite)")
    serve.add_argument("--lab", action="store_true",
                       help="allow each kiosk to set its own fault mode (tests; never in service)")
    verify = verbs.add_parser("verify", help="decode a certificate's back, check its front")
    verify.add_argument("pdf", type=Path)
    verify.add_argument("--data", type=Path,
                        help="the center's data directory (default: the demo center's key)")


def _positive(kind: type[int] | type[float]) -> Callable[[str], float]:
    """An argparse type: a number of ``kind`` above 0."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
        return value

    return parse


def run(args: argparse.Namespace) -> int:
    if args.center_command == "init":
        return _init(args)
    if args.center_command == "serve":
        return _serve(args)
    return _verify(args)


def _init(args: argparse.Namespace) -> int:
    from kiosk.lab.center.datadir import DataDir, DataDirError

    try:
        world = DataDir(args.dir).init(args.world, args.port)
    except (WorldError, DataDirError) as exc:
        print(f"kiosk center init: {exc}")
        return 2
    print(f"center data in {args.dir}: TLS CA {args.dir / 'tls' / 'ca.pem'}, test JPKI CA in "
          f"{args.dir / 'pki'}, and a kiosk.toml for each of "
          f"{', '.join(k.id for k in world.kiosks)} under {args.dir / 'kiosks'}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from kiosk.clock import SystemClock
    from kiosk.lab.center import server
    from kiosk.lab.center.datadir import DataDir, DataDirError
    from kiosk.lab.center.store import StoreError

    try:  # every worker makes this center: one that cannot is refused here, before "serving"
        DataDir(args.data).validate(SystemClock(), args.world, args.store)
        return server.serve(server.ServeOptions(
            args.data, args.world, args.host, args.port, args.workers, args.threads,
            lab=args.lab, handshake_timeout=args.handshake_timeout,
            header_timeout=args.header_timeout, body_timeout=args.body_timeout,
            connections=args.connections, store=args.store))
    except (DataDirError, WorldError, StoreError) as exc:
        print(f"kiosk center serve: {exc}")
        return 2


def _verify(args: argparse.Namespace) -> int:
    from kiosk.lab.center.scramble import ScrambleError, load_scramble_key
    from kiosk.lab.center.verify import verify_pdf

    try:
        pdf = args.pdf.read_bytes()
        key = load_scramble_key(args.data / "center" if args.data else None)
    except (OSError, ScrambleError, ValueError) as exc:
        print(f"kiosk center verify: {exc}")
        return 2
    result = verify_pdf(pdf, key)
    if result.ok:
        print(f"{args.pdf}: genuine — the back decodes to the front "
              f"(document {result.document_id}, {len(result.lines)} lines)")
        return 0
    print(f"{args.pdf}: NOT verified")
    for problem in result.problems:
        print(f"  - {problem}")
    return 1
