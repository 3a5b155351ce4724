"""The checks before Qt starts: no display, or a missing system library of Qt's xcb platform, give
one line with what to do (exit 1) instead of Qt's abort (exit 134) with the wrong advice."""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import sys
from pathlib import Path

from catalynx_desktop import qt_preflight
from catalynx_desktop.qt_preflight import (
    LIBRARY_PACKAGES,
    NO_DISPLAY,
    diagnose,
    install_advice,
    missing_from_ldd,
    platform_plugin,
)

ROOT = Path(__file__).resolve().parents[1]

# `ldd .../PySide6/Qt/plugins/platforms/libqxcb.so` on a Debian 12 machine without libxcb-icccm4
# and libxcb-keysyms1 (shortened): ldd lists a library once per object that needs it.
LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd4a5f2000)
\tlibQt6XcbQpa.so.6 => /venv/lib/python3.11/site-packages/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f1)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f2)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x00007f3)
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f4)
"""


def never_called() -> list[str]:
    raise AssertionError("the xcb libraries were checked for a platform that does not use them")


def test_platform_is_what_qt_would_try_first():
    assert platform_plugin({}) is None
    assert platform_plugin({"DISPLAY": ":0"}) == "xcb"
    assert platform_plugin({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}) == "wayland"
    assert platform_plugin({"QT_QPA_PLATFORM": "offscreen"}) == "offscreen"
    assert platform_plugin({"QT_QPA_PLATFORM": "xcb:nograb;wayland", "WAYLAND_DISPLAY": "w"}) == "xcb"


def test_ldd_output_gives_each_missing_library_once():
    assert missing_from_ldd(LDD_OUTPUT) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert missing_from_ldd("\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x1)\n") == []


def test_missing_libraries_map_to_their_debian_packages():
    assert LIBRARY_PACKAGES["libxcb-icccm.so.4"] == "libxcb-icccm4"
    assert LIBRARY_PACKAGES["libxcb-keysyms.so.1"] == "libxcb-keysyms1"
    assert LIBRARY_PACKAGES["libxcb-cursor.so.0"] == "libxcb-cursor0"
    assert LIBRARY_PACKAGES["libxkbcommon-x11.so.0"] == "libxkbcommon-x11-0"
    line = install_advice(["libxcb-icccm.so.4", "libxcb-keysyms.so.1"])
    assert "\n" not in line
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in line
    assert line.endswith("sudo apt install libxcb-icccm4 libxcb-keysyms1")
    assert "libxcb-cursor0" not in line  # Qt's own advice names it even when it is installed


def test_a_library_without_a_known_package_is_named_with_how_to_find_it():
    line = install_advice(["libxcb-icccm.so.4", "libfancy.so.3"])
    assert "sudo apt install libxcb-icccm4" in line
    assert "apt-file search libfancy.so.3" in line


def test_every_qt_library_package_ci_installs_is_in_the_map():
    """.ci/run installs what the map names: a package added there without its library here (or
    the reverse) would give advice that no longer matches what CI proves."""
    script = (ROOT / ".ci" / "run").read_text()
    listed = re.search(r'QT_PACKAGES="([^"]*)"', script)
    assert listed is not None
    assert set(listed.group(1).split()) <= set(LIBRARY_PACKAGES.values())


def test_no_display_is_one_line_that_says_how_to_run_headless():
    assert diagnose({}, "linux", never_called) == NO_DISPLAY
    assert diagnose({"QT_QPA_PLATFORM": "xcb"}, "linux", never_called) == NO_DISPLAY
    assert "\n" not in NO_DISPLAY
    assert "QT_QPA_PLATFORM=offscreen" in NO_DISPLAY and "--self-test" in NO_DISPLAY


def test_xcb_is_checked_only_when_qt_will_use_it():
    assert diagnose({"QT_QPA_PLATFORM": "offscreen"}, "linux", never_called) is None
    assert diagnose({"WAYLAND_DISPLAY": "wayland-0"}, "linux", never_called) is None
    assert diagnose({}, "win32", never_called) is None
    assert diagnose({}, "darwin", never_called) is None
    assert diagnose({"DISPLAY": ":0"}, "linux", list) is None
    problem = diagnose({"DISPLAY": ":0"}, "linux", lambda: missing_from_ldd(LDD_OUTPUT))
    assert problem == install_advice(["libxcb-icccm.so.4", "libxcb-keysyms.so.1"])


def test_self_test_uses_offscreen_when_there_is_no_display(monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.setenv(name, "")  # so that monkeypatch restores each one afterwards
        monkeypatch.delenv(name)
    assert qt_preflight.qt_can_start(offscreen_without_display=True)
    assert os.environ["QT_QPA_PLATFORM"] == "offscreen"


def test_missing_libraries_found_on_this_machine_really_cannot_be_loaded():
    """ldd on PySide6's real xcb plugin: whatever it reports missing, the loader cannot load."""
    for name in qt_preflight.missing_xcb_libraries():
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        raise AssertionError(f"{name} was reported missing but loads")


def headless_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["CATALYNX_HOME"] = str(tmp_path / "home")
    return env


def test_the_app_without_a_display_says_so_in_one_line_and_exits_1(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "catalynx_desktop"],
        capture_output=True,
        text=True,
        timeout=120,
        env=headless_env(tmp_path),
    )
    assert out.returncode == 1, out.stderr
    assert out.stderr.splitlines() == [NO_DISPLAY]
    assert out.stdout == ""
    assert not (tmp_path / "home").exists()  # stopped before anything was created


def test_self_test_passes_without_a_display_or_a_platform_setting(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "catalynx_desktop", "--self-test"],
        capture_output=True,
        text=True,
        timeout=180,
        env=headless_env(tmp_path),
    )
    assert out.returncode == 0, out.stderr
    assert "self-test passed" in out.stdout
