"""``kiosk center init | serve | verify``: the reference center as a lab service."""

from __future__ import annotations

import argparse
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
    serve.add_argument("--threads", type=int, default=32, help="connections each process serves")
    serve.add_argument("--lab", action="store_true",
                       help="allow each kiosk to set its own fault mode (tests; never in service)")
    verify = verbs.add_parser("verify", help="decode a certificate's back, check its front")
    verify.add_argument("pdf", type=Path)
    verify.add_argument("--data", type=Path,
                        help="the center's data directory (default: the demo center's key)")


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
    from kiosk.lab.center.datadir import DataDirError
    from kiosk.lab.center.server import ServeOptions, serve

    try:
        return serve(ServeOptions(args.data, args.world, args.host, args.port, args.workers,
                                  args.threads, lab=args.lab))
    except (DataDirError, WorldError) as exc:
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
