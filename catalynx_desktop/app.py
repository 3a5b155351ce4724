"""Composition root: command line, QApplication + qasync loop, database, main window.

`open_main_window(data_dir)` is the seam tests and benchmarks use to drive the real app
in-process; `main()` is the console entry point (`catalynx-desktop`).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
import time
from collections.abc import Sequence
from logging.handlers import RotatingFileHandler
from pathlib import Path

from catalynx_desktop import APP_NAME, __version__, cli_deadlines, cli_dossier
from catalynx_desktop.memory import keep_large_frees_returnable
from catalynx_desktop.paths import AppPaths, resolve_paths

log = logging.getLogger("catalynx_desktop")


class _LogFileHandler(RotatingFileHandler):
    """The rotating log file; when it cannot be written (a full disk) the record is dropped
    quietly: logging's default prints a traceback per record to stderr, burying the one message
    the user needs ("the disk ... is full") under dozens of them."""

    write_failures = 0

    def handleError(self, record: logging.LogRecord) -> None:
        self.write_failures += 1


def configure_logging(paths: AppPaths, verbose: bool = False) -> Path:
    """Rotating log file in the platform log directory (5 x 2 MB); stderr if it cannot be written."""
    log_file = paths.log_dir / "catalynx.log"
    root = logging.getLogger()
    if not any(isinstance(h, RotatingFileHandler) for h in root.handlers):
        formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        try:
            paths.log_dir.mkdir(parents=True, exist_ok=True)
            handler: logging.Handler = _LogFileHandler(
                log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
            )
        except OSError as error:  # a read-only or full log folder must not stop the app
            handler = logging.StreamHandler(sys.stderr)
            handler.setLevel(logging.WARNING)
            log.warning(
                "cannot write the log file %s (%s); logging warnings to stderr",
                log_file,
                error.strerror or error,
            )
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    return log_file


# -- GUI ---------------------------------------------------------------------------------------
async def open_main_window(data_dir: str | Path | None = None):  # -> MainWindow (Qt imported lazily)
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
        apply_theme(QApplication.instance(), services.settings.theme)
        settings = QSettings(str(paths.config_dir / "ui.ini"), QSettings.Format.IniFormat)
        window = MainWindow(services, settings)
        window.setWindowIcon(app_icon())
        window.show()
        await window.reload()
        await window.first_rows_shown.wait()
    except BaseException:
        # Close what was opened: the database threads would otherwise keep the process alive.
        if window is not None:
            await close_main_window(window)
        else:
            await services.close()
        raise
    # Start-up objects live as long as the app: keep them out of the cyclic GC's full passes,
    # which otherwise pause the UI thread for tens of ms on a large heap.
    gc.collect()
    gc.freeze()
    # Large temporaries freed later go back to the OS instead of staying in the heap.
    keep_large_frees_returnable()
    # Worker threads (SQLite hops, parsers) hand the GIL back to the UI thread sooner.
    sys.setswitchinterval(0.002)
    return window


def app_icon():
    """The application icon at every size we ship (resources/icons)."""
    from PySide6.QtGui import QIcon

    from catalynx_desktop.resources import icon_paths

    icon = QIcon()
    for path in icon_paths():
        icon.addFile(str(path))
    return icon


async def close_main_window(window) -> None:
    """Close the window, stop its background tasks and close the database."""
    window.close()
    await window.shutdown()


def install_crash_reporting(log_file: Path) -> None:
    """Unhandled exceptions (Qt slots, asyncio callbacks) are logged and shown once with the log
    path, instead of silently killing the app. Data is safe: every write is a committed
    transaction or rolled back, so nothing half-written can remain."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    showing = False

    def show(summary: str) -> None:
        nonlocal showing
        if showing:
            return
        showing = True
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            APP_NAME,
            f"Something went wrong: {summary}\n\nYour data is safe. The details are in {log_file}; "
            "please include that file when you report this.",
        )
        box.finished.connect(lambda _code: _reset())
        box.open()

    def _reset() -> None:
        nonlocal showing
        showing = False

    def excepthook(kind, error, tb) -> None:
        log.critical("unhandled exception", exc_info=(kind, error, tb))
        QTimer.singleShot(0, lambda: show(f"{kind.__name__}: {error}"))

    sys.excepthook = excepthook

    def loop_handler(loop, context) -> None:
        error = context.get("exception")
        log.error("unhandled error in the event loop: %s", context.get("message"), exc_info=error)
        if error is not None and not isinstance(error, asyncio.CancelledError):
            QTimer.singleShot(0, lambda: show(f"{type(error).__name__}: {error}"))

    asyncio.get_event_loop().set_exception_handler(loop_handler)


def _acquire_instance_lock(paths: AppPaths):
    """Refuse a second app on the same data directory (a stale lock of a dead process is taken over).

    None if another app holds the lock; DataDirectoryError if the lock file cannot be written."""
    from PySide6.QtCore import QLockFile

    from catalynx_desktop.paths import DataDirectoryError

    lock = QLockFile(str(paths.data_dir / "catalynx.lock"))
    lock.setStaleLockTime(0)
    if not lock.tryLock(200):
        if lock.error() == QLockFile.LockError.LockFailedError:
            return None
        problem = paths.data_dir_problem() or f"its lock file cannot be written ({lock.error().name})"
        raise DataDirectoryError(paths.data_dir, "data directory", problem)
    return lock


def run_gui(data_dir: str | None) -> int:
    import qasync
    from PySide6.QtWidgets import QApplication, QMessageBox

    from catalynx_desktop.storage.errors import StorageError

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    # We end the session ourselves after the database is closed, not when the window goes.
    app.setQuitOnLastWindowClosed(False)
    try:
        paths = resolve_paths(data_dir).ensure()
        log_file = configure_logging(paths)
        lock = _acquire_instance_lock(paths)
    except StorageError as error:  # e.g. a read-only data directory: one message, nothing touched
        log.error("cannot start: %s", error)
        QMessageBox.critical(None, APP_NAME, error.user_message)
        return 1
    if lock is None:
        QMessageBox.warning(
            None,
            APP_NAME,
            f"{APP_NAME} is already open on {paths.data_dir}.\n"
            "Switch to that window, or start with --data-dir to open another data directory.",
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
        code = loop.run_until_complete(session())
    lock.unlock()
    return code


# -- command line ------------------------------------------------------------------------------
def _print_progress(label: str, done: int, total: int, started: float) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    rate = done / max(time.perf_counter() - started, 1e-6)
    sys.stdout.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} ({rate:,.0f}/s)")
    sys.stdout.flush()


async def _follow_run(handle, label: str):
    """Print a run's progress as a text bar until it ends; Ctrl+C cancels it (committed work stays)."""
    width = 30

    def show(snapshot) -> None:
        filled = int(width * snapshot.fraction)
        sys.stdout.write(
            f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {snapshot.fraction:6.1%} "
            f"{snapshot.message[:60]:60}"
        )
        sys.stdout.flush()

    handle.subscribe(show)
    try:
        result = await handle.wait()
    except KeyboardInterrupt:
        handle.cancel("interrupted from the keyboard")
        result = await handle.wait()
    print()
    return result


async def _discover_command(args: argparse.Namespace) -> int:
    from catalynx_desktop.services import AppServices
    from catalynx_desktop.workflows.discover import ScoringSettings, start_discover
    from catalynx_desktop.workflows.runs import RunStatus

    paths = resolve_paths(args.data_dir).ensure()
    configure_logging(paths)
    services = await AppServices.open(paths)
    try:
        profile = await services.profiles.get(args.profile)
        if profile is None:
            print(
                f"discover: there is no profile {args.profile} (see the profile list in the app)",
                file=sys.stderr,
            )
            return 2
        handle = await start_discover(
            services.engine,
            services.db,
            args.profile,
            threshold=services.settings.discover_threshold,
            settings=ScoringSettings(weights=services.settings.scoring_weights()),
        )
        result = await _follow_run(handle, f"discover {profile.name}")
        print(f"{result.status.value}: {result.counts}" + (f" — {result.error}" if result.error else ""))
        return 0 if result.status is RunStatus.SUCCEEDED else 1
    finally:
        await services.close()


def _run_error(result) -> str:
    """What went wrong in a run, for a person: the failed step's own message (a full disk says
    so and what to do) rather than the engine's "step 'x' failed: SomeError: ..." summary."""
    for outcome in result.steps.values():
        if outcome.status.value == "failed" and outcome.error:
            kind, _, message = outcome.error.partition(": ")
            return message if kind in ("StorageError", "DataDirectoryError", "FormatError") else outcome.error
    return result.error


async def _import_command(args: argparse.Namespace) -> int:
    """Import files as workflow runs (persisted like the window's), with a text progress bar."""
    from catalynx_desktop.services import AppServices
    from catalynx_desktop.sources.base import FormatError
    from catalynx_desktop.workflows.import_workflow import start_import
    from catalynx_desktop.workflows.runs import RunStatus

    paths = resolve_paths(args.data_dir).ensure()
    configure_logging(paths)
    services = await AppServices.open(paths)
    worst = 0
    try:
        for name in args.files:
            file = Path(name)
            if not file.is_file():
                print(f"import: {file}: no such file", file=sys.stderr)
                worst = max(worst, 2)
                continue
            handle = await start_import(
                services.engine, services.db, file, fmt=args.format, parse_cache=services.cache
            )
            result = await _follow_run(handle, file.name)
            output = result.output("import") if result.status is RunStatus.SUCCEEDED else None
            if output:
                print(output["summary"])
                for line in output["first_errors"]:
                    print(f"  rejected: {line}")
                if output["rejects_csv"]:
                    print(f"  all rejected records: {output['rejects_csv']}")
            else:
                print(f"{file.name}: {result.status.value}: {_run_error(result)}", file=sys.stderr)
                worst = max(worst, 1)
    except FormatError as error:
        print(f"import: {error}", file=sys.stderr)
        worst = 2
    finally:
        await services.close()
    return worst


def run_self_test() -> int:
    """Open a temporary database (created + migrated), load a small demo, render the main window
    with its first page, close everything; exit 0 only if all of that worked. Used by the
    installer's smoke test on the frozen app."""
    import shutil
    import tempfile

    import qasync
    from PySide6.QtWidgets import QApplication

    from catalynx_desktop.services import AppServices
    from catalynx_desktop.sources.demo import DemoPlan

    app = QApplication.instance() or QApplication(sys.argv[:1])
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


def _backup_command(args: argparse.Namespace) -> int:
    import sqlite3

    from catalynx_desktop.storage.backup import backup_database, list_backups

    paths = resolve_paths(args.data_dir)
    if not paths.database.exists():
        print(f"backup: there is no database at {paths.database}", file=sys.stderr)
        return 2
    if args.list:
        for backup in list_backups(paths.backups_dir):
            print(backup)
        return 0
    with sqlite3.connect(paths.database) as conn:  # the online backup API: safe while the app runs
        target = backup_database(conn, paths.backups_dir, reason="on-demand", keep=args.keep)
    print(f"backed up {paths.database} to {target}")
    return 0


def _restore_command(args: argparse.Namespace) -> int:
    from catalynx_desktop.storage.backup import list_backups, restore_backup
    from catalynx_desktop.storage.migrations import LATEST_VERSION

    paths = resolve_paths(args.data_dir).ensure()
    backups = list_backups(paths.backups_dir)
    backup = Path(args.backup) if args.backup else (backups[0] if backups else None)
    if backup is None:
        print(f"restore: no backups in {paths.backups_dir}", file=sys.stderr)
        return 2
    lock = _acquire_instance_lock(paths)
    if lock is None:
        print(f"restore: {APP_NAME} is open on {paths.data_dir}; close it first", file=sys.stderr)
        return 2
    try:
        kept = restore_backup(backup, paths.database, paths.backups_dir, LATEST_VERSION)
    except ValueError as error:
        print(f"restore: {error}. Nothing was changed.", file=sys.stderr)
        return 1
    finally:
        lock.unlock()
    print(
        f"restored {backup} into {paths.database}"
        + (f"; the previous database is kept as {kept}" if kept else "")
    )
    return 0


async def _demo_command(args: argparse.Namespace) -> int:
    from catalynx_desktop.services import AppServices
    from catalynx_desktop.sources.demo import DemoPlan

    paths = resolve_paths(args.data_dir).ensure()
    configure_logging(paths)
    services = await AppServices.open(paths)
    started = time.perf_counter()
    try:
        plan = DemoPlan(profiles=args.profiles, opportunities=args.opportunities, seed=args.seed)
        result = await services.load_demo(
            plan, lambda done, total: _print_progress("demo", done, total, started)
        )
    finally:
        await services.close()
    print(
        f"\nloaded {len(result.profile_ids)} profiles, {result.funders:,} funders and "
        f"{result.opportunities:,} opportunities into {paths.database} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    data_dir_help = "use this data directory instead of the platform default (also: $CATALYNX_HOME)"
    parser = argparse.ArgumentParser(prog="catalynx-desktop", description=f"{APP_NAME} {__version__}")
    parser.add_argument("--data-dir", help=data_dir_help)
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="create a temporary database, load a small demo, render the window, exit 0 if all worked",
    )
    # Subcommands accept --data-dir too (after the subcommand); SUPPRESS keeps the top-level value.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS, help=data_dir_help)
    commands = parser.add_subparsers(dest="command")
    demo = commands.add_parser(
        "demo", parents=[common], help="generate demo profiles, funders and opportunities"
    )
    demo.add_argument("--profiles", type=int, default=5)
    demo.add_argument("--opportunities", type=int, default=50_000)
    demo.add_argument("--seed", type=int, default=20261123)
    importer = commands.add_parser(
        "import",
        parents=[common],
        help="import IRS BMF CSVs, Grants.gov extracts (.zip/.xml) or grantor lists",
    )
    importer.add_argument("files", nargs="+", metavar="FILE")
    importer.add_argument(
        "--format",
        choices=["irs_bmf", "grants_gov", "user_csv", "user_xlsx"],
        help="the format the file should have (default: detected)",
    )
    discover = commands.add_parser(
        "discover",
        parents=[common],
        help="match a profile against all imported records (the Discover workflow)",
    )
    discover.add_argument("--profile", type=int, required=True, help="the profile's id")
    backup = commands.add_parser(
        "backup", parents=[common], help="back up the database now (SQLite backup API)"
    )
    backup.add_argument("--keep", type=int, default=10, help="how many backups to keep (default 10)")
    backup.add_argument("--list", action="store_true", help="list the backups, newest first")
    restore = commands.add_parser(
        "restore",
        parents=[common],
        help="replace the database with a backup (the newest unless one is named)",
    )
    restore.add_argument("backup", nargs="?", help="a backup file (see: backup --list)")
    commands.add_parser("paths", parents=[common], help="print where the app keeps its files")
    cli_deadlines.add_parser(commands, common)
    cli_dossier.add_parser(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # Discover's scoring workers in a frozen (PyInstaller) build
    args = build_parser().parse_args(argv)
    if args.self_test:
        return run_self_test()
    if args.command is None:
        return run_gui(args.data_dir)
    from catalynx_desktop.storage.errors import ErrorKind, StorageError, classify

    try:
        return _run_command(args)
    except (StorageError, OSError) as error:
        # The environment's fault (read-only or full disk, damaged or newer database, ...): one
        # message that says what to do, not a traceback. Anything else is a bug and propagates.
        problem = classify(error)
        if problem.kind is not ErrorKind.ENVIRONMENT:
            raise
        # The details go to the log file only: without one (the log folder is the unwritable
        # one) the traceback would reach the terminal through logging's stderr fallback.
        has_log_file = any(isinstance(h, RotatingFileHandler) for h in logging.getLogger().handlers)
        log.log(
            logging.ERROR if has_log_file else logging.DEBUG,
            "%s failed: %s",
            args.command,
            problem,
            exc_info=error,
        )
        print(f"{args.command}: {problem.user_message}", file=sys.stderr)
        return 1


def _run_command(args: argparse.Namespace) -> int:
    if args.command == "demo":
        if args.profiles < 1 or args.opportunities < 0:
            print("demo: --profiles must be at least 1 and --opportunities at least 0", file=sys.stderr)
            return 2
        return asyncio.run(_demo_command(args))
    if args.command == "backup":
        return _backup_command(args)
    if args.command == "restore":
        return _restore_command(args)
    if args.command == "discover":
        return asyncio.run(_discover_command(args))
    if args.command == "import":
        return asyncio.run(_import_command(args))
    if args.command == cli_deadlines.COMMAND:
        return cli_deadlines.run(args)
    if args.command == cli_dossier.COMMAND:
        return cli_dossier.run(args)
    if args.command == "paths":
        paths = resolve_paths(args.data_dir)
        for name in ("data_dir", "database", "cache_dir", "log_dir", "config_dir"):
            print(f"{name:11} {getattr(paths, name)}")
        problem = paths.data_dir_problem()
        if problem is not None:  # only a report: say so, but print the locations all the same
            print(
                f"paths: warning: the data directory {paths.data_dir} is not writable ({problem}); "
                f"{APP_NAME} cannot open it until it is",
                file=sys.stderr,
            )
        return 0
    raise ValueError(f"unknown command {args.command!r}")


if __name__ == "__main__":
    raise SystemExit(main())
