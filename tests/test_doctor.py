"""``kiosk doctor`` and ``kiosk config check``: every check by name, every bad key by line."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

from kiosk.field import doctor
from kiosk.field.config_check import check_text, key_lines, line_of

NAMES = ["config", "lab_parts", "card_readers", "vpcd", "printer", "cash", "fonts", "audio",
         "center", "center_tls", "clock", "disk"]
BAD = """\
[kiosk]
id = "store-0001"
language = "xx"
screen = [1280, "800"]
colour = "red"

[ui]
dpi = 10

[payment]
methods = ["cash", "bitcoin"]
change = { "10" = 50, "25" = 3 }

[timeouts]
terms = -1
await_card = "soon"

[[extra]]
x = 1

[printer]
uri = "lpr:foo"
"""


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SDL_AUDIODRIVER=os.environ.get("SDL_AUDIODRIVER", "dummy"))
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True,
                          env=env, timeout=120, cwd=ROOT)


def doctor_json(*args: str) -> tuple[dict, int]:
    run = kiosk("doctor", "--json", *args)
    return json.loads(run.stdout), run.returncode


def vpcd_installed() -> bool:
    run = subprocess.run(["dpkg-query", "-W", "-f", "${Status}", "vsmartcard-vpcd"],
                         capture_output=True, text=True, check=False)
    return "ok installed" in run.stdout


# --- kiosk doctor -------------------------------------------------------------------------------
def test_doctor_json_reports_every_check_and_its_exit_code_matches() -> None:
    report, code = doctor_json()
    assert [c["name"] for c in report["checks"]] == NAMES
    for check in report["checks"]:
        assert set(check) == {"name", "status", "detail"}
        assert check["status"] in ("ok", "warn", "fail") and check["detail"]
    assert report["ok"] == all(c["status"] != "fail" for c in report["checks"])
    assert code == (0 if report["ok"] else 1)
    vpcd = next(c for c in report["checks"] if c["name"] == "vpcd")
    assert vpcd["status"] == ("fail" if vpcd_installed() else "ok"), vpcd


def test_lab_downgrades_vpcd_to_a_warning() -> None:
    report, code = doctor_json("--lab")
    vpcd = next(c for c in report["checks"] if c["name"] == "vpcd")
    assert vpcd["status"] == ("warn" if vpcd_installed() else "ok"), vpcd
    assert code == (0 if report["ok"] else 1)


def test_the_table_is_for_people() -> None:
    run = kiosk("doctor", "--lab")
    lines = run.stdout.splitlines()
    for name in NAMES:
        assert any(line.split()[:1] == [name] and line.split()[1] in ("OK", "WARN", "FAIL")
                   for line in lines), name
    assert run.returncode in (0, 1)


def test_a_broken_config_names_the_problem(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(BAD)
    report, code = doctor_json("--config", str(config), "--lab")
    checks = {c["name"]: c for c in report["checks"]}
    assert code == 1 and report["ok"] is False
    assert checks["config"]["status"] == "fail"
    assert f"{config}:3: kiosk.language" in checks["config"]["detail"]
    assert "more" in checks["config"]["detail"]
    assert checks["printer"]["detail"].startswith("not checked")


def test_a_missing_config_file_fails(tmp_path: Path) -> None:
    report, code = doctor_json("--config", str(tmp_path / "nowhere.toml"))
    assert code == 1
    assert "no such file" in report["checks"][0]["detail"]


def test_card_readers_without_pcscd(monkeypatch: pytest.MonkeyPatch) -> None:
    from smartcard import scard

    from kiosk.config import from_data

    monkeypatch.setattr(scard, "SCardEstablishContext",
                        lambda scope: (scard.SCARD_E_NO_SERVICE, 0))
    pcsc = doctor.Context(from_data({"card": {"reader": "pcsc"}}), lab=False)
    emulated = doctor.Context(from_data({}), lab=False)
    assert doctor.check_card_readers(pcsc) == ("fail", "pcscd is not running")
    assert doctor.check_card_readers(emulated)[0] == "warn"


def test_disk_and_printer_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk.config import from_data

    ctx = doctor.Context(from_data({"journal": {"path": str(tmp_path / "j.sqlite")},
                                    "printer": {"uri": f"spool:{tmp_path / 'out'}"}}), False)
    assert doctor.check_printer(ctx)[0] == "ok"
    monkeypatch.setattr(doctor.shutil, "disk_usage",
                        lambda p: type("U", (), {"free": 50_000_000})())
    assert doctor.check_disk(ctx)[0] == "fail"
    monkeypatch.setattr(doctor.shutil, "disk_usage",
                        lambda p: type("U", (), {"free": 500_000_000})())
    assert doctor.check_disk(ctx)[0] == "warn"
    locked = doctor.Context(from_data({"printer": {"uri": "spool:/proc/kiosk-out"}}), False)
    assert doctor.check_printer(locked)[0] == "fail"


def test_a_hung_check_fails_in_time() -> None:
    check = doctor._guarded("slow", lambda: time.sleep(5) or ("ok", ""), seconds=0.2)
    assert (check.status, check.detail) == ("fail", "no answer in 0 s")
    broken = doctor._guarded("broken", lambda: 1 / 0)
    assert broken.status == "fail" and "ZeroDivisionError" in broken.detail


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def center(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A reference center served over HTTPS; yields a kiosk.toml pointing at it."""
    data = tmp_path_factory.mktemp("center")
    port = free_port()
    init = kiosk("center", "init", str(data), "--port", str(port))
    assert init.returncode == 0, init.stdout + init.stderr
    server = subprocess.Popen([sys.executable, "-m", "kiosk", "center", "serve", "--data",
                               str(data), "--port", str(port), "--workers", "1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, "the center did not start"
                time.sleep(0.1)
        yield data / "kiosks" / "store-0001" / "kiosk.toml"
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_an_https_center_is_reached_and_its_certificates_have_days_left(center: Path) -> None:
    report, _ = doctor_json("--config", str(center), "--lab")
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["config"]["status"] == "ok", checks["config"]
    assert checks["center"]["status"] == "ok", checks["center"]
    assert "catalog of" in checks["center"]["detail"]
    assert checks["center_tls"]["status"] == "ok", checks["center_tls"]
    assert "center certificate:" in checks["center_tls"]["detail"]
    assert "days left" in checks["center_tls"]["detail"]


def test_an_unreachable_center_fails(center: Path, tmp_path: Path) -> None:
    text = center.read_text()
    uri = next(line for line in text.splitlines() if line.startswith("uri = \"https"))
    moved = tmp_path / "kiosk.toml"
    moved.write_text(text.replace(uri, f'uri = "https://127.0.0.1:{free_port()}"')
                     .replace('"../../', f'"{center.parent.parent.parent}/')
                     .replace('"client', f'"{center.parent}/client')
                     .replace('state = "../.."', f'state = "{center.parent.parent.parent}"'))
    report, code = doctor_json("--config", str(moved), "--lab")
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["config"]["status"] == "ok", checks["config"]
    assert checks["center"]["status"] == "fail" and checks["center_tls"]["status"] == "fail"
    assert code == 1


# --- kiosk config check -------------------------------------------------------------------------
def test_config_check_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(BAD)
    run = kiosk("config", "check", str(config))
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    expected = [(3, "kiosk.language"), (4, "kiosk.screen[1]"), (5, "kiosk.colour"), (8, "ui.dpi"),
                (11, "payment.methods"), (12, "payment.change.25"), (15, "timeouts.terms"),
                (16, "timeouts.await_card"), (18, "extra"), (22, "printer.uri")]
    assert [line.split(": ")[0:2] for line in lines] == [
        [f"{config}:{n}", path] for n, path in expected]
    assert "is not a known key" in lines[2] and "is not a known section" in lines[8]


def test_config_check_accepts_a_good_file(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[kiosk]\nid = "store-0001"\n\n[payment]\nmethods = ["cash", "emoney"]\n'
                      'change = { "10" = 5 }\n[timeouts]\nterms = 30\n')
    run = kiosk("config", "check", str(config))
    assert (run.returncode, run.stdout.strip()) == (0, "config OK")


def test_config_check_names_the_line_of_a_syntax_error(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[kiosk]\nid = "a"\nlanguage = \n')
    run = kiosk("config", "check", str(config))
    assert run.returncode == 1
    assert run.stdout.startswith(f"{config}:3: not valid TOML")


def test_a_remote_center_needs_its_transport_settings() -> None:
    problems = check_text('[center]\nuri = "https://c.example/"\n\n[center.transport]\n'
                          'cert = "c.pem"\nretries = 99\n')
    found = {(p.line, p.path) for p in problems}
    assert (2, "center.uri") not in found
    assert {(1, "center.document_key"), (4, "center.transport.key"),
            (4, "center.transport.ca")} <= found
    assert check_text('[center]\nuri = "ftp://x"\ndocument_key = "/etc/hostname"\n')[0].path \
        == "center.uri"


def test_lines_of_dotted_keys_inline_tables_and_arrays() -> None:
    text = ('a = 1\n[x]\n"q.k" = 2\nb.c = 3\nd = { e = 1 }\nm = """\nz = 1\n"""\n'
            '[[arr]]\nk = 1\n')
    lines = key_lines(text)
    assert lines[("a",)] == 1 and lines[("x", "q.k")] == 3 and lines[("x", "b", "c")] == 4
    assert line_of("x.d.e", lines) == 5 and line_of("arr[0].k", lines) == 10
    assert ("x", "z") not in lines  # inside a multi-line string
