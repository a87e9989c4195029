"""The Qt-free core stays Qt-free (import-linter contract in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_qt_free_packages_do_not_import_qt():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is part of the test extras"
    result = subprocess.run([lint_imports], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_importing_the_core_starts_nothing_and_loads_no_qt():
    code = (
        "import sys, threading; import bus.link, device.presence, bus.codec, config, central.settings, "
        "kiosk.settings, device.i18n, kiosk.session, kiosk.calls, device.health, hardware.camera, video.session; "
        "assert 'PySide6' not in sys.modules, 'Qt loaded'; "
        "assert threading.active_count() == 1, 'a thread started at import'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
