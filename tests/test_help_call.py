"""Issue 16.3, "call staff": at an office kiosk the call is journaled for the staff console,
counted, and POSTed to the webhook (a real HTTP server on loopback) while the visit goes on; a
webhook that fails or hangs never stops the visit; a store kiosk shows the help desk's number;
100 presses are one call; bad [help] values are one clear config error."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pytest  # noqa: E402
from conftest import SESSIONS  # noqa: E402

from kiosk.clock import SystemClock  # noqa: E402
from kiosk.config import ConfigError, from_data  # noqa: E402
from kiosk.field.help_webhook import StaffCallFailed, WebhookStaffAlert  # noqa: E402
from kiosk.journal.staff_calls import open_calls  # noqa: E402
from kiosk.journal.store import SqliteJournal  # noqa: E402
from kiosk.replay.format import parse_session  # noqa: E402
from kiosk.replay.result import Options, Result  # noqa: E402
from kiosk.replay.runner import Player  # noqa: E402

OFFICE = SESSIONS / "help-call-office.jsonl"
RESIDENT_WORDS = ("r001", "山田", "1234", "131130")  # nothing of the resident may leave


class Hook:
    """A webhook on loopback: it keeps what it was sent and answers ``status`` (after
    ``delay`` seconds)."""

    def __init__(self, status: int = 204, delay: float = 0.0) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[str] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", "0"))
                hook.bodies.append(json.loads(self.rfile.read(length)))
                hook.headers.append(self.headers.get("Content-Type", ""))
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.end_headers()
                except OSError:
                    pass  # the kiosk gave up waiting

            def log_message(self, *args: object) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/staff-call"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook()
    yield h
    h.close()


def play(path: Path, workdir: Path, **help_config: object) -> tuple[Result, Player]:
    player = Player(parse_session(path), Options(config={"help": help_config}), workdir)
    return player.play(), player


def staff_calls(workdir: Path) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(workdir / "journal.sqlite")
    try:
        return db.execute("SELECT * FROM staff_calls").fetchall()
    finally:
        db.close()


def test_an_office_kiosk_tells_staff_and_the_visit_goes_on(hook: Hook, tmp_path: Path) -> None:
    result, player = play(OFFICE, tmp_path, webhook=hook.url, timeout=5)
    assert result.passed, [f.text(str(OFFICE)) for f in result.failures]
    assert result.totals is not None and result.totals.help_calls == 1
    assert result.totals.orders_completed == 1  # the visit went on to its certificate
    assert hook.bodies == [{"event": "staff-call", "kiosk": "office-0001",
                            "screen": "choose_municipality",
                            "at": "2026-11-20T10:00:20+09:00"}]
    assert hook.headers == ["application/json"]
    text = json.dumps(hook.bodies, ensure_ascii=False)
    assert not any(word in text for word in RESIDENT_WORDS)
    calls = staff_calls(tmp_path)
    assert calls == [("2026-11-20T10:00:20+09:00", "office-0001", "choose_municipality", 0)]
    journal = SqliteJournal(tmp_path / "journal.sqlite", SystemClock(), read_only=True)
    try:  # what the staff console reads: the calls no clerk has answered yet
        assert open_calls(journal) == [calls[0][:3]]
    finally:
        journal.close()
    metrics = player.kiosk.session.ports.metrics
    assert metrics is not None
    assert metrics.registry.get_sample_value("kiosk_help_calls_total") == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("status,delay", [(500, 0.0), (204, 3.0)], ids=["http-500", "hangs"])
def test_a_webhook_that_fails_or_hangs_never_stops_the_visit(
        tmp_path: Path, status: int, delay: float, caplog: pytest.LogCaptureFixture) -> None:
    bad = Hook(status, delay)
    try:
        started = time.monotonic()
        result, _ = play(OFFICE, tmp_path, webhook=bad.url, timeout=0.5)
        took = time.monotonic() - started
    finally:
        bad.close()
    assert result.passed, [f.text(str(OFFICE)) for f in result.failures]
    assert result.totals is not None and result.totals.help_calls == 1
    assert len(staff_calls(tmp_path)) == 1  # the console still shows the call
    assert took < 30
    failed = [r.getMessage() for r in caplog.records if "help webhook" in r.getMessage()]
    assert failed and ("HTTP 500" in failed[0] or "did not answer" in failed[0])
    assert "127.0.0.1" not in " ".join(failed)  # the URL (it may carry a token) is not logged


def test_an_unreachable_webhook_is_a_clear_error() -> None:
    alert = WebhookStaffAlert("http://127.0.0.1:9/nowhere", 0.5)
    with pytest.raises(StaffCallFailed, match="cannot be reached"):
        alert.alert("office-0001", "idle", "2026-11-20T10:00:00+09:00")
    assert alert.sent == 0


def test_a_store_kiosk_shows_the_help_desk_number_and_alerts_no_one(
        hook: Hook, tmp_path: Path) -> None:
    path = SESSIONS / "help-call-store.jsonl"
    result, player = play(path, tmp_path, phone="0120-123-456", webhook=hook.url)
    assert result.passed, [f.text(str(path)) for f in result.failures]
    assert hook.bodies == [] and staff_calls(tmp_path) == []


def test_a_hundred_presses_are_one_call(hook: Hook, tmp_path: Path) -> None:
    lines = OFFICE.read_text(encoding="utf-8").splitlines()
    presses = [json.dumps({"at": 20, "help": "call"})] * 100
    at = lines.index('{"at": 20, "help": "call"}')
    path = tmp_path / "hundred.jsonl"
    path.write_text("\n".join([*lines[:at], *presses, *lines[at + 1:]]) + "\n",
                    encoding="utf-8")
    result, _ = play(path, tmp_path / "work", webhook=hook.url)
    assert result.passed, [f.text(str(path)) for f in result.failures]
    assert len(hook.bodies) == 1 and len(staff_calls(tmp_path / "work")) == 1


@pytest.mark.parametrize("key,value,words", [
    ("phone", "call us!", "telephone number"),
    ("phone", "0120 123 456", "telephone number"),
    ("webhook", "ftp://staff.example/", "http:// or https://"),
    ("webhook", "https://staff.example/a b", "http:// or https://"),
    ("timeout", 0, "at most 30"),
    ("timeout", 600, "at most 30"),
    ("repeat_seconds", 0, "1 to 3600"),
])
def test_bad_help_values_are_one_clear_config_error(key: str, value: object, words: str
                                                    ) -> None:
    with pytest.raises(ConfigError) as caught:
        from_data({"help": {key: value}}, "kiosk.toml")
    assert f"help.{key}" in str(caught.value) and words in str(caught.value)


def test_good_help_values_load() -> None:
    config = from_data({"help": {"phone": "0120-123-456", "webhook": "https://staff.example:8443"
                                 "/hooks/kiosk?token=abc", "timeout": 2.5}})
    assert config.help.phone == "0120-123-456" and config.help.timeout == 2.5


def test_the_keypads_help_key_calls_staff_after_waking_the_voice() -> None:
    from test_screens import SIZE, view_of

    from kiosk.config import UiSection
    from kiosk.vocabulary import events
    from screens.ui import KioskUI

    ui = KioskUI.headless(SIZE, UiSection())
    ui.show(view_of("choose_certificate", "en"))
    assert ui.key("help") is None  # the first key wakes the voice and does nothing else
    assert ui.key("help") == events.HelpCall()  # then: the screen read again, staff called
    layout = ui.layout_for()
    button = layout.find("ui.call_staff")
    assert button is not None and button.action == events.HelpCall()
    assert layout.find("frame.help") is None  # no notice before the session has a call


def test_a_call_on_a_full_disk_still_tells_staff_and_the_visit_goes_on(
        hook: Hook, tmp_path: Path) -> None:
    lines = OFFICE.read_text(encoding="utf-8").splitlines()
    at = lines.index('{"at": 20, "help": "call"}')
    path = tmp_path / "full.jsonl"  # the disk fills just before the call, empties after it
    path.write_text("\n".join([*lines[:at], '{"disk": "full"}', lines[at], '{"disk": "ok"}',
                               *lines[at + 1:]]) + "\n", encoding="utf-8")
    result, _ = play(path, tmp_path / "work", webhook=hook.url)
    assert len(hook.bodies) == 1  # staff were told
    assert result.totals is not None and result.totals.orders_completed == 1
    assert staff_calls(tmp_path / "work") == []  # the row could not be written
