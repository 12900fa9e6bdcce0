"""Shared fixtures: headless SDL, and a kiosk assembled from its real parts on a virtual clock."""

from __future__ import annotations

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
