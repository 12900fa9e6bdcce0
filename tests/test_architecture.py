"""The direction of imports architecture.md asks for, checked in a clean interpreter."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN_IN_SESSION = ("pygame", "smartcard", "requests", "cups")


def modules_loaded_by(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return {name.split(".")[0] for name in out.split()}


def test_the_session_imports_no_pygame_pyscard_requests_or_cups() -> None:
    loaded = modules_loaded_by("kiosk.session")
    assert not loaded & set(FORBIDDEN_IN_SESSION), loaded & set(FORBIDDEN_IN_SESSION)


def test_screens_never_import_drivers() -> None:
    assert "drivers" not in modules_loaded_by("screens.ui")
