"""Start-up times of the frozen app next to the same app run from the checkout (same machine, same run).

    python3 packaging/measure_start.py [BUNDLE_EXECUTABLE] [--runs N]

BUNDLE_EXECUTABLE defaults to dist/catalynx-desktop/catalynx-desktop. Linux with Xvfb (the xvfb package):
  * `--version`: process start to exit (imports only argparse and the package);
  * to window: process start until the main window (title "Catalynx Desktop …") is mapped on an
    Xvfb screen, on a new empty data directory (database created and migrated on the way);
  * `--self-test` (offscreen): temporary database, migrations, 2,000-row demo, window and dashboard.
Every run is a new process; the files are in the page cache (a first start after boot reads them from disk).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class _XWindowAttributes(ctypes.Structure):
    _fields_ = [
        ("x", ctypes.c_int),
        ("y", ctypes.c_int),
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("border_width", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("visual", ctypes.c_void_p),
        ("root", ctypes.c_ulong),
        ("class_", ctypes.c_int),
        ("bit_gravity", ctypes.c_int),
        ("win_gravity", ctypes.c_int),
        ("backing_store", ctypes.c_int),
        ("backing_planes", ctypes.c_ulong),
        ("backing_pixel", ctypes.c_ulong),
        ("save_under", ctypes.c_int),
        ("colormap", ctypes.c_ulong),
        ("map_installed", ctypes.c_int),
        ("map_state", ctypes.c_int),
        ("all_event_masks", ctypes.c_long),
        ("your_event_mask", ctypes.c_long),
        ("do_not_propagate_mask", ctypes.c_long),
        ("override_redirect", ctypes.c_int),
        ("screen", ctypes.c_void_p),
    ]


class _XTextProperty(ctypes.Structure):
    _fields_ = [
        ("value", ctypes.c_void_p),
        ("encoding", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("nitems", ctypes.c_ulong),
    ]


class XScreen:
    """An Xvfb server and just enough Xlib (ctypes) to see whether a titled window is mapped."""

    def __init__(self) -> None:
        read, write = os.pipe()
        self.server = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
            pass_fds=(write,),
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read) as pipe:
            self.display = f":{pipe.readline().strip()}"
        self.x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
        self.x11.XOpenDisplay.restype = ctypes.c_void_p
        self.x11.XDefaultRootWindow.restype = ctypes.c_ulong
        self.x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self.x11.XQueryTree.argtypes = [
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
            ctypes.POINTER(ctypes.c_uint),
        ]
        self.x11.XGetWMName.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(_XTextProperty)]
        self.x11.XGetWindowAttributes.argtypes = [
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.POINTER(_XWindowAttributes),
        ]
        self.x11.XFree.argtypes = [ctypes.c_void_p]
        self.x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
        # Windows come and go while we walk the tree: ignore X errors (the default handler exits).
        self._on_error = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(lambda _d, _e: 0)
        self.x11.XSetErrorHandler(self._on_error)
        self.conn = self.x11.XOpenDisplay(self.display.encode())
        if not self.conn:
            raise RuntimeError(f"cannot open display {self.display}")

    def mapped_window(self, title_prefix: str) -> bool:
        root, parent = ctypes.c_ulong(), ctypes.c_ulong()
        children, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        stack = [self.x11.XDefaultRootWindow(self.conn)]
        while stack:
            window = stack.pop()
            name = _XTextProperty()  # WM_NAME as set (Qt: UTF8_STRING), the prefix we look for is ASCII
            if self.x11.XGetWMName(self.conn, window, ctypes.byref(name)) and name.value:
                title = ctypes.string_at(name.value, name.nitems).decode(errors="replace")
                self.x11.XFree(name.value)
                attributes = _XWindowAttributes()
                self.x11.XGetWindowAttributes(self.conn, window, ctypes.byref(attributes))
                if title.startswith(title_prefix) and attributes.map_state == 2 and attributes.width > 1:
                    return True  # IsViewable; width 1 is Qt's hidden client-leader window
            if self.x11.XQueryTree(
                self.conn,
                window,
                ctypes.byref(root),
                ctypes.byref(parent),
                ctypes.byref(children),
                ctypes.byref(count),
            ):
                stack.extend(children[i] for i in range(count.value))
                if children:
                    self.x11.XFree(children)
        return False

    def close(self) -> None:
        self.x11.XCloseDisplay(self.conn)
        self.server.terminate()
        self.server.wait()


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=300)
    return time.perf_counter() - started


def to_window(command: list[str], screen: XScreen, env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory(prefix="catalynx-start-") as data_dir:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [*command, "--data-dir", data_dir],
            env={**env, "DISPLAY": screen.display, "QT_QPA_PLATFORM": "xcb"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while not screen.mapped_window("Catalynx Desktop"):
                if proc.poll() is not None or time.perf_counter() - started > 60:
                    raise RuntimeError(f"{command} exited or showed no window (exit code {proc.returncode})")
                time.sleep(0.005)
            return time.perf_counter() - started
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def main() -> None:
    args = sys.argv[1:]
    runs = 5
    if "--runs" in args:
        runs = int(args.pop(args.index("--runs") + 1))
        args.remove("--runs")
    frozen = Path(args[0] if args else ROOT / "dist" / "catalynx-desktop" / "catalynx-desktop").resolve()
    env = {key: value for key, value in os.environ.items() if key not in ("CATALYNX_HOME", "DISPLAY")}
    offscreen = {**env, "QT_QPA_PLATFORM": "offscreen"}
    commands = {
        "frozen bundle": [str(frozen)],
        "checkout (python3 -m catalynx_desktop)": [sys.executable, "-m", "catalynx_desktop"],
    }
    screen = XScreen()
    rows = []
    try:
        for label, command in commands.items():
            version = [timed([*command, "--version"], env) for _ in range(runs)]
            window = [to_window(command, screen, env) for _ in range(runs)]
            self_test = [timed([*command, "--self-test"], offscreen) for _ in range(runs)]
            rows.append((label, version, window, self_test))
    finally:
        screen.close()

    def cell(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:,.0f} / {max(values) * 1000:,.0f} ms"

    print(
        f"Start-up, median / max of {runs} new processes ({os.cpu_count()} cores, load "
        f"{os.getloadavg()[0]:.1f}):\n"
    )
    print("| | `--version` | to window (Xvfb, empty data dir) | `--self-test` (offscreen) |")
    print("| --- | --- | --- | --- |")
    for label, version, window, self_test in rows:
        print(f"| {label} | {cell(version)} | {cell(window)} | {cell(self_test)} |")


if __name__ == "__main__":
    main()
