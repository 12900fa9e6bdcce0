"""Shared fixtures: headless SDL, and a kiosk assembled from its real parts on a virtual clock."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk.app import Kiosk, build_kiosk  # noqa: E402
from kiosk.clock import JST, VirtualClock  # noqa: E402
from kiosk.config import from_data  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SESSIONS = ROOT / "tests" / "sessions"
FIXTURES = ROOT / "tests" / "fixtures"


def make_kiosk(tmp_path: Path, start: datetime | None = None, **overrides: object) -> Kiosk:
    data = {"printer": {"uri": f"spool:{tmp_path / 'printed'}"},
            "journal": {"path": str(tmp_path / "journal.sqlite")}}
    data.update(overrides)
    clock = VirtualClock(start or datetime(2026, 11, 21, 10, 0, tzinfo=JST))
    return build_kiosk(from_data(data), clock, inline=True)


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    k = make_kiosk(tmp_path)
    yield k
    k.close()


@pytest.fixture(scope="session")
def pcscd() -> Iterator[object]:
    """A running pcscd with the vpcd reader; tests may stop and start it."""
    from pcscd_control import Pcscd

    daemon = Pcscd()
    daemon.start()
    yield daemon
    daemon.start()  # leave it running for whoever comes next


def make_pcsc_kiosk(tmp_path: Path, start: datetime | None = None) -> Kiosk:
    """A kiosk whose cards go through pcscd and pyscard to emulated cards on vpcd."""
    return make_kiosk(tmp_path, start, card={"reader": "pcsc", "vpcd": "127.0.0.1:35963",
                                             "reader_pattern": "Virtual PCD 00 00"})


# --- `kiosk center` in-process: its parser, an initialised data directory, serve not run --------
def center_args(*argv: str) -> argparse.Namespace:
    """``kiosk center ARGV…`` parsed as the command line would be."""
    from kiosk.lab import center_cli

    parser = argparse.ArgumentParser()
    center_cli.add_parsers(parser.add_subparsers(dest="command"))
    return parser.parse_args(["center", *argv])


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``kiosk center init`` directory (one per test module)."""
    from kiosk.lab import center_cli

    root = tmp_path_factory.mktemp("center") / "data"
    assert center_cli.run(center_args("init", str(root))) == 0
    return root


@pytest.fixture
def no_gunicorn(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """``serve`` recorded instead of run: a refused start never gets there."""
    from kiosk.lab.center import server

    started: list[object] = []
    monkeypatch.setattr(server, "serve", lambda options: started.append(options) or 0)
    return started
