"""The fleet on Locust: a center served with --lab, a Locust master and two worker processes
on this machine, a few seconds of whole visits with faults mixed in. Bounded (hard timeouts on
every subprocess); never asserts a speed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.lab.fleet import FleetError, FleetPlan, run_fleet
from kiosk.lab.fleet.served import init_center, serve_center

CALLS = ("challenge", "authenticate", "order", "complete", "cancel")
FAULTED = ("order [down, retried]", "order [resent]", "order [wrong-document]")
KIOSKS = 6


@pytest.fixture(scope="module")
def center_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    data = tmp_path_factory.mktemp("fleet") / "center"
    return data, init_center(data, KIOSKS)


def test_fleet_master_and_two_workers(center_data: tuple[Path, int], tmp_path: Path) -> None:
    data, port = center_data
    with serve_center(data, port, workers=1, log=tmp_path / "center.log") as center:
        report = run_fleet(FleetPlan(data, (center.url,), users=KIOSKS, run_time=6.0,
                                     workers=2, timeout=240.0))
    text = "\n".join(report.lines())
    assert report.users == KIOSKS, text
    assert report.completed > 0, text
    assert report.wrong_documents == 0, text
    assert report.failures == 0, text
    for name in CALLS:
        call = report.call(name)
        assert call is not None and call.requests > 0 and call.failures == 0, (name, text)
    assert all(c.failures == 0 for c in report.calls), text
    # every kind of visit came round at least once on some kiosk (each starts elsewhere in
    # the mix of twenty), and each fault was handled as it should be
    assert report.refused > 0 and report.cancelled > 0 and report.faults_handled > 0, text
    assert any(report.call(name) for name in FAULTED), text


def test_fleet_refuses_a_plan_that_cannot_run(center_data: tuple[Path, int],
                                              tmp_path: Path) -> None:
    data, _ = center_data
    with pytest.raises(FleetError, match="store kiosks"):
        run_fleet(FleetPlan(data, users=KIOSKS + 5, run_time=1.0))
    with pytest.raises(FleetError, match="not a `kiosk center init` directory"):
        run_fleet(FleetPlan(tmp_path, users=1, run_time=1.0))
    with pytest.raises(FleetError, match="https://"):
        run_fleet(FleetPlan(data, ("http://127.0.0.1:1",), users=1, run_time=1.0))


@pytest.mark.parametrize("argv, says", [
    (["--users", "0"], "--users: must be 1 to 10000, not '0'"),
    (["--run-time", "nan"], "--run-time: must be 1 to 86400"),
    (["--worker"], "--worker needs --master-host HOST"),
    (["--center", "http://127.0.0.1:1"], "a center is an https:// URL"),
    (["--users", "99"], "one kiosk per user"),
    (["--client", "curl"], "client must be one of fast, requests, not 'curl'"),
])
def test_kiosk_fleet_says_what_is_wrong_in_one_line(center_data: tuple[Path, int],
                                                     argv: list[str], says: str) -> None:
    data, _ = center_data
    done = subprocess.run([sys.executable, "-m", "kiosk", "fleet", "--data", str(data), *argv],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done
    assert says in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert len([line for line in done.stderr.splitlines() if "kiosk fleet" in line]) == 1


def test_kiosk_fleet_refuses_a_directory_that_is_not_a_center(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "kiosk", "fleet", "--data", str(tmp_path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done
    assert "not a `kiosk center init` directory" in done.stderr
