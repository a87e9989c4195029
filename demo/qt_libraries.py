"""Before a kiosk window opens on a desktop: are the system libraries of Qt's xcb platform plugin there?

Without them the kiosk cannot open its window, and Qt's own message names another library than the one
that is missing. ``ldd`` on the plugin lists every library it needs, its own and those of the Qt libraries
it loads, with ``not found`` for the missing ones; this names the Debian/Ubuntu package of each.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

# soname -> Debian/Ubuntu package, from `ldd` on PySide6 6.11's libqxcb.so (Debian 12); the README lists them
PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$", re.MULTILINE)


def wants_a_window(environ: Mapping[str, str]) -> bool:
    """True where the kiosk would open a real window: a display is set and no other Qt platform asked for."""
    platform = environ.get("QT_QPA_PLATFORM", "")
    has_display = bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))
    return has_display and platform in ("", "xcb")


def xcb_plugin() -> Path | None:
    """PySide6's xcb platform plugin, found without importing Qt into the demo."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = Path(next(iter(spec.submodule_search_locations))) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.exists() else None


def missing_in(ldd_output: str) -> list[str]:
    """The sonames ``ldd`` could not find, each once, in its order."""
    return list(dict.fromkeys(_NOT_FOUND.findall(ldd_output)))


def missing_libraries(plugin: Path | None = None) -> list[str]:
    """The sonames the xcb plugin needs and the system lacks; empty when all are there or nothing can tell."""
    plugin = plugin or xcb_plugin()
    ldd = shutil.which("ldd")
    if plugin is None or ldd is None:
        return []
    result = subprocess.run(
        [ldd, str(plugin)], capture_output=True, text=True, timeout=30, env={**os.environ, "LC_ALL": "C"}
    )
    return missing_in(result.stdout)


def packages_for(sonames: list[str]) -> list[str]:
    """The packages to install for ``sonames`` (a soname we know no package for stands for itself)."""
    return list(dict.fromkeys(PACKAGES.get(soname, soname) for soname in sonames))


def advice(sonames: list[str]) -> list[str]:
    """What the demo says when libraries are missing: what, how to install them, and how to go on without."""
    packages = packages_for(sonames)
    return [
        f"the kiosk window needs system libraries that are missing: {', '.join(sonames)}",
        f"install them (Debian/Ubuntu): sudo apt-get install {' '.join(packages)}",
        "or run without a window: QT_QPA_PLATFORM=offscreen scripts/demo (the kiosk saves a screenshot instead)",
    ]
