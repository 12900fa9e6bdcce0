"""Every **never** of architecture.md, checked in a clean interpreter: the directions of import,
and that ``kiosk run`` with a field configuration loads no lab module."""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import drivers

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_SESSION = ("pygame", "smartcard", "requests", "cups")
# The center's implementations: the session reaches the center only through the CenterPort.
CENTER_IMPLEMENTATIONS = ("kiosk.center.client", "kiosk.center.https", "kiosk.center.transport",
                          "kiosk.lab")
# The lab: the reference center, the card emulator and emulated reader, the printer lab, the
# simulated cash unit, e-money terminal and tray, the spool printer, the demo's hands, the harness.
LAB_MODULES = ("kiosk.lab", "kiosk.replay", "drivers.card.emulator", "drivers.card.inprocess",
               "drivers.printer.lab", "drivers.printer.spool", "drivers.payment.cash_unit",
               "drivers.payment.emoney", "drivers.sensors.tray")


def modules_loaded_by(code: str, env: dict[str, str] | None = None) -> set[str]:
    """Every module name in sys.modules after running ``code`` in a fresh interpreter."""
    script = f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=ROOT, env={**os.environ, **(env or {})}).stdout
    return set(json.loads(out.splitlines()[-1]))


def under(loaded: set[str], prefixes: tuple[str, ...]) -> set[str]:
    return {m for m in loaded if any(m == p or m.startswith(p + ".") for p in prefixes)}


def test_the_session_imports_no_pygame_pyscard_requests_cups_or_center_implementation() -> None:
    loaded = modules_loaded_by(
        "import kiosk.session.machine, kiosk.services.certificates, kiosk.services.honseki\n"
        "from kiosk.services.registry import installed_services; installed_services()")
    assert not under(loaded, FORBIDDEN_IN_SESSION)
    assert not under(loaded, CENTER_IMPLEMENTATIONS)
    assert not under(loaded, ("drivers", "screens"))
    assert "kiosk.center.protocol" in loaded  # the protocol's types, through the ports


def test_screens_never_import_drivers() -> None:
    loaded = modules_loaded_by("import screens, screens.ui")
    assert not under(loaded, ("drivers",))
    assert len(under(loaded, ("screens",))) > 28  # every screen of the state table was loaded


def test_drivers_import_neither_session_nor_screens() -> None:
    names = [m.name for m in pkgutil.walk_packages(drivers.__path__, "drivers.")]
    loaded = modules_loaded_by("\n".join(f"import {name}" for name in names))
    assert set(names) <= loaded
    assert not under(loaded, ("kiosk.session", "kiosk.services", "screens"))


def test_the_center_imports_no_drivers_or_screens() -> None:
    loaded = modules_loaded_by(
        "import kiosk.center.client, kiosk.center.https, kiosk.center.protocol\n"
        "import kiosk.lab.center.center, kiosk.lab.center.server, kiosk.lab.center.local")
    assert not under(loaded, ("drivers", "screens", "kiosk.session", "kiosk.services"))


def field_config(tmp_path: Path) -> Path:
    """A kiosk in the field: an HTTPS center, readers through pcscd, CUPS, the fee waived."""
    for name in ("kiosk.crt", "kiosk.key", "ca.crt"):
        (tmp_path / name).write_text("not read until the first call\n")
    key = Ed25519PrivateKey.generate().public_key()
    (tmp_path / "center.pub").write_bytes(key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    config = tmp_path / "kiosk.toml"
    config.write_text(f"""\
[center]
uri = "https://127.0.0.1:1/"
document_key = "center.pub"
transport = {{ cert = "kiosk.crt", key = "kiosk.key", ca = "ca.crt" }}

[card]
reader = "pcsc"

[printer]
uri = "cups:kiosk-field"

[payment]
methods = ["free"]
unit = "none"

[tray]
sensor = "none"

[journal]
path = "{tmp_path / 'journal.sqlite'}"
""")
    return config


def test_kiosk_run_with_a_field_configuration_loads_no_lab_module(tmp_path: Path) -> None:
    config = field_config(tmp_path)
    # what `kiosk run` does before its main loop: build the live kiosk, draw the first screen
    loaded = modules_loaded_by(
        "from kiosk.config import load_config\n"
        "from kiosk.field.live import LiveKiosk\n"
        f"live = LiveKiosk(load_config({str(config)!r}))\n"
        "live.step(); live.close()",
        env={"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"})
    assert "kiosk.session.machine" in loaded and "kiosk.field.live" in loaded
    assert "kiosk.services.honseki" in loaded  # the services came through their entry points
    assert not under(loaded, LAB_MODULES), under(loaded, LAB_MODULES)


def test_the_demo_configuration_does_load_the_lab(tmp_path: Path) -> None:
    """The other side of the test above: the check would see the lab if it were loaded."""
    overrides = {"journal": {"path": str(tmp_path / "j.sqlite")},
                 "printer": {"uri": f"spool:{tmp_path}"}}
    loaded = modules_loaded_by(
        "from kiosk.clock import SystemClock\n"
        "from kiosk.config import load_config\n"
        "from kiosk.app import build_kiosk\n"
        f"k = build_kiosk(load_config(None, {overrides!r}), SystemClock(), inline=True)\n"
        "k.close()")
    assert {"kiosk.lab.center.center", "drivers.card.inprocess",
            "drivers.payment.cash_unit"} <= loaded
