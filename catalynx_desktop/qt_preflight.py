"""Checks made before Qt starts: is there a display, and can Qt's X11 (xcb) platform plugin load?

Without them Qt aborts the process (SIGABRT, exit 134) with a paragraph whose advice names the
wrong package (it asks for libxcb-cursor0 even when that is installed and libxcb-icccm4 is what is
missing). Here the user gets one line that says what is missing and how to install it.

Only Linux (and the other X11 systems) need this; on Windows and macOS Qt ships what it loads.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

# The shared libraries Qt's xcb platform plugin (libqxcb.so and libQt6XcbQpa) loads from the
# system, and the Debian/Ubuntu package of each (the same list .ci/run installs).
LIBRARY_PACKAGES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}

PROGRAM = "catalynx-desktop"


def platform_plugin(env: Mapping[str, str]) -> str | None:
    """The platform Qt will try first: QT_QPA_PLATFORM's first choice ("xcb:opts;wayland" → xcb),
    else what Qt picks on its own (Wayland when a Wayland display is set, else X11), or None when
    neither display is set and Qt would have nothing to pick."""
    chosen = env.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.split(";")[0].split(":")[0].strip()
    if env.get("WAYLAND_DISPLAY"):
        return "wayland"
    if env.get("DISPLAY"):
        return "xcb"
    return None


def missing_from_ldd(output: str) -> list[str]:
    """The libraries `ldd` reports as "not found", each once, in its order."""
    missing: list[str] = []
    for line in output.splitlines():
        name, arrow, target = line.strip().partition("=>")
        if arrow and target.strip() == "not found" and name.strip() not in missing:
            missing.append(name.strip())
    return missing


def install_advice(missing: list[str]) -> str:
    """One line: what is missing and the apt command that installs it."""
    packages = list(dict.fromkeys(LIBRARY_PACKAGES[name] for name in missing if name in LIBRARY_PACKAGES))
    unknown = [name for name in missing if name not in LIBRARY_PACKAGES]
    advice = []
    if packages:
        advice.append(f"on Debian/Ubuntu install them with: sudo apt install {' '.join(packages)}")
    if unknown:
        advice.append(f"find the package of {', '.join(unknown)} with: apt-file search {unknown[0]}")
    return (
        f"{PROGRAM}: Qt cannot open a window: the system libraries of its X11 (xcb) platform are "
        f"missing: {', '.join(missing)}; " + "; ".join(advice)
    )


NO_DISPLAY = (
    f"{PROGRAM}: there is no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is "
    "set); start it in a desktop session, or without a screen with QT_QPA_PLATFORM=offscreen, "
    f"or check the installation with: {PROGRAM} --self-test"
)


def diagnose(env: Mapping[str, str], system: str, missing_xcb: Callable[[], list[str]]) -> str | None:
    """The one line that explains why Qt would abort here, or None when it can start.

    `missing_xcb` is asked only when Qt will use X11 (it runs ldd)."""
    if not system.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    plugin = platform_plugin(env)
    if plugin is None or (plugin == "xcb" and not env.get("DISPLAY")):
        return NO_DISPLAY
    if plugin != "xcb":
        return None
    missing = missing_xcb()
    return install_advice(missing) if missing else None


def _xcb_plugin_file() -> Path | None:
    """PySide6's libqxcb.so (in site-packages or a frozen bundle), if there is one. Found without
    importing Qt: only ui/ and app.py import Qt."""
    spec = importlib.util.find_spec("PySide6")
    folders = [Path(part) for part in os.environ.get("QT_PLUGIN_PATH", "").split(os.pathsep) if part]
    if spec is not None and spec.origin:
        folders.append(Path(spec.origin).parent / "Qt" / "plugins")
    for folder in folders:
        candidate = folder / "platforms" / "libqxcb.so"
        if candidate.is_file():
            return candidate
    return None


def missing_xcb_libraries() -> list[str]:
    """The system libraries the xcb plugin cannot find: from ldd on the plugin (it follows every
    dependency, ~40 ms), else by loading each library of LIBRARY_PACKAGES."""
    plugin = _xcb_plugin_file()
    ldd = shutil.which("ldd")
    if plugin is not None and ldd is not None:
        try:
            result = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.SubprocessError):
            pass
        else:
            return missing_from_ldd(result.stdout)
    missing = []
    for name in LIBRARY_PACKAGES:
        try:
            ctypes.CDLL(name)
        except OSError:
            missing.append(name)
    return missing


def qt_can_start(*, offscreen_without_display: bool = False) -> bool:
    """True when Qt can start; else print the one line that says why not and return False.

    `offscreen_without_display`: with no display and no platform chosen, use Qt's offscreen
    platform instead of failing (the self-test needs no screen)."""
    env = os.environ
    if offscreen_without_display and not (
        env.get("QT_QPA_PLATFORM") or env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
    ):
        env["QT_QPA_PLATFORM"] = "offscreen"
    problem = diagnose(env, sys.platform, missing_xcb_libraries)
    if problem is not None:
        print(problem, file=sys.stderr)
        return False
    return True
