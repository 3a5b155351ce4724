"""Composition root and entry point: the GUI start (QApplication + qasync loop, database, main
window, the installer's self-test) and `main()`, which hands a subcommand to the command line.

`open_main_window(data_dir)` is the seam tests and benchmarks use to drive the real app
in-process; `main()` is the console entry point (`catalynx-desktop`). Logging and the crash hook
live in app_logging.py, the one-app-per-data-directory lock in instance_lock.py, the commands in
cli/.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from catalynx_desktop import APP_NAME, __version__
from catalynx_desktop.app_logging import configure_logging, install_crash_reporting
from catalynx_desktop.instance_lock import acquire_instance_lock, lock_holder
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.qt_preflight import qt_can_start
from catalynx_desktop.runtime_tuning import tune_for_responsive_ui

if TYPE_CHECKING:  # Qt is imported lazily: --help and the CLI commands start without it
    from PySide6.QtGui import QIcon

    from catalynx_desktop.ui.main_window import MainWindow

log = logging.getLogger("catalynx_desktop")


# -- GUI ---------------------------------------------------------------------------------------
async def open_main_window(data_dir: str | Path | None = None) -> MainWindow:  # Qt imported lazily
    """Open the database in `data_dir` (created and migrated if needed), show the main window and
    return it once its first page of opportunities (or its empty state) is on screen.

    Needs a QApplication and a running qasync loop (see run_gui, or tests/conftest.py).
    """
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from catalynx_desktop.services import AppServices
    from catalynx_desktop.ui.main_window import MainWindow
    from catalynx_desktop.ui.theme import apply_theme

    paths = resolve_paths(data_dir).ensure()
    services = await AppServices.open(paths)
    window = None
    try:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, services.settings.theme)
        settings = QSettings(str(paths.config_dir / "ui.ini"), QSettings.Format.IniFormat)
        window = MainWindow(services, settings)
        window.setWindowIcon(app_icon())
        window.show()
        await window.reload()
        await window.first_rows_shown.wait()
        window.check_database_in_background()  # after the first rows: it must not delay them
    except BaseException:
        # Close what was opened: the database threads would otherwise keep the process alive.
        if window is not None:
            await close_main_window(window)
        else:
            await services.close()
        raise
    tune_for_responsive_ui()  # GC, allocator and GIL hand-off set for a responsive UI thread
    return window


def app_icon() -> QIcon:
    """The application icon at every size we ship (resources/icons)."""
    from PySide6.QtGui import QIcon

    from catalynx_desktop.resources import icon_paths

    icon = QIcon()
    for path in icon_paths():
        icon.addFile(str(path))
    return icon


async def close_main_window(window: MainWindow) -> None:
    """Close the window, stop its background tasks and close the database."""
    window.close()
    await window.shutdown()


def run_gui(data_dir: str | None) -> int:
    if not qt_can_start():  # no display or a missing system library: one line, not Qt's abort
        return 1
    import qasync
    from PySide6.QtWidgets import QApplication, QMessageBox

    from catalynx_desktop.domain.errors import StorageError

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    # We end the session ourselves after the database is closed, not when the window goes.
    app.setQuitOnLastWindowClosed(False)
    try:
        paths = resolve_paths(data_dir).ensure()
        log_file = configure_logging(paths)
        lock = acquire_instance_lock(paths)
    except StorageError as error:  # e.g. a read-only data directory: one message, nothing touched
        log.error("cannot start: %s", error)
        QMessageBox.critical(None, APP_NAME, error.user_message)
        return 1
    if lock is None:
        QMessageBox.warning(
            None,
            APP_NAME,
            f"{paths.data_dir} is open in {lock_holder(paths)}.\n"
            "Switch to that window (or wait for the command to finish), or start with --data-dir "
            "to open another data directory.",
        )
        return 2
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    install_crash_reporting(log_file)

    async def session() -> int:
        closed = asyncio.Event()
        app.lastWindowClosed.connect(closed.set)
        try:
            window = await open_main_window(paths.data_dir)
        except StorageError as error:
            log.error("cannot open %s: %s", paths.database, error)
            QMessageBox.critical(None, APP_NAME, f"{error.user_message}\n\nLog: {log_file}")
            return 1
        await closed.wait()
        await window.shutdown()
        return 0

    with loop:
        code: int = loop.run_until_complete(session())
    lock.unlock()
    return code


def run_self_test() -> int:
    """Open a temporary database (created + migrated), load a small demo, render the main window
    with its first page, close everything; exit 0 only if all of that worked. Used by the
    installer's smoke test on the frozen app."""
    import shutil
    import tempfile

    if not qt_can_start(offscreen_without_display=True):  # headless works without a setting
        return 1
    import qasync
    from PySide6.QtWidgets import QApplication

    from catalynx_desktop.services import AppServices
    from catalynx_desktop.workflows.demo.generator import DemoPlan

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        home = Path(tempfile.mkdtemp(prefix="catalynx-self-test-"))
    except OSError as error:
        print(f"self-test FAILED: cannot create a temporary data directory ({error})", file=sys.stderr)
        return 1

    async def check() -> str:
        services = await AppServices.open(resolve_paths(home))
        try:
            demo = await services.load_demo(DemoPlan(profiles=2, opportunities=2_000, seed=1))
        finally:
            await services.close()
        window = await open_main_window(home)
        try:
            rows = window.table_model.rowCount()
            image = window.grab().toImage()
            if rows != 1_000 or image.isNull() or window.table_model.index(0, 0).data() in (None, ""):
                raise RuntimeError(f"main window did not show the demo (rows={rows})")
            return (
                f"{len(demo.profile_ids)} profiles, {rows:,} rows on screen, {image.width()}x{image.height()}"
            )
        finally:
            await close_main_window(window)

    try:
        with loop:
            summary = loop.run_until_complete(check())
    except Exception as error:
        print(f"self-test FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print(f"self-test passed: {summary}")
    return 0


# -- entry point -------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    import multiprocessing

    from catalynx_desktop.cli import build_parser, run_command

    multiprocessing.freeze_support()  # Discover's scoring workers in a frozen (PyInstaller) build
    args = build_parser().parse_args(argv)
    if args.self_test:
        return run_self_test()
    if args.command is None:
        return run_gui(args.data_dir)
    return run_command(args)


if __name__ == "__main__":
    raise SystemExit(main())
