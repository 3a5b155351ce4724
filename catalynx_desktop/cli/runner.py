"""Run one parsed command; the environment's failures become one message and exit code 1.

Every command writes into its data directory unless it is named in READ_ONLY: it then holds
the data directory's lock (instance_lock.py) for as long as it runs, so it never writes beside
an open window or another command; a command that finds the lock held is refused with exit 2.
A new command gets this by default.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from catalynx_desktop.app_logging import has_log_file
from catalynx_desktop.cli import deadlines, dossier

log = logging.getLogger("catalynx_desktop")

READ_ONLY = frozenset({"paths"})  # commands that never write into the data directory


def writes_data_dir(args: argparse.Namespace) -> bool:
    """Whether the command may write (the database, backups, demo markers): `backup --list` reads."""
    return args.command not in READ_ONLY and not (args.command == "backup" and args.list)


def run_command(args: argparse.Namespace) -> int:
    from catalynx_desktop.domain.errors import ErrorKind, StorageError
    from catalynx_desktop.storage.errors import classify

    try:
        if not writes_data_dir(args):
            return _dispatch(args)
        return _run_holding_the_lock(args)
    except (StorageError, OSError) as error:
        # The environment's fault (read-only or full disk, damaged or newer database, ...): one
        # message that says what to do, not a traceback. Anything else is a bug and propagates.
        problem = classify(error)
        if problem.kind is not ErrorKind.ENVIRONMENT:
            raise
        # The details go to the log file only: without one (the log folder is the unwritable
        # one) the traceback would reach the terminal through logging's stderr fallback.
        log.log(
            logging.ERROR if has_log_file() else logging.DEBUG,
            "%s failed: %s",
            args.command,
            problem,
            exc_info=error,
        )
        print(f"{args.command}: {problem.user_message}", file=sys.stderr)
        return 1


def _run_holding_the_lock(args: argparse.Namespace) -> int:
    from catalynx_desktop.instance_lock import acquire_instance_lock, lock_holder
    from catalynx_desktop.paths import resolve_paths

    paths = resolve_paths(args.data_dir).ensure()
    lock = acquire_instance_lock(paths, holder=f"the {args.command} command")
    if lock is None:
        print(
            f"{args.command}: {paths.data_dir} is open in {lock_holder(paths)}; close it first "
            "(nothing was changed)",
            file=sys.stderr,
        )
        return 2
    try:
        return _dispatch(args)
    finally:
        lock.unlock()


def _dispatch(args: argparse.Namespace) -> int:
    # Each command group imports what it needs only when it runs (start-up time of the others).
    if args.command == "demo":
        from catalynx_desktop.cli.demo import demo_command

        if args.profiles < 1 or args.opportunities < 0:
            print("demo: --profiles must be at least 1 and --opportunities at least 0", file=sys.stderr)
            return 2
        return asyncio.run(demo_command(args))
    if args.command == "backup":
        from catalynx_desktop.cli.backups import backup_command

        return backup_command(args)
    if args.command == "restore":
        from catalynx_desktop.cli.backups import restore_command

        return restore_command(args)
    if args.command == "discover":
        from catalynx_desktop.cli.discover import discover_command

        return asyncio.run(discover_command(args))
    if args.command == "import":
        from catalynx_desktop.cli.import_files import import_command

        return asyncio.run(import_command(args))
    if args.command == "profile":
        from catalynx_desktop.cli.profiles import profile_command

        return asyncio.run(profile_command(args))
    if args.command in ("matches", "evaluate-matching"):
        from catalynx_desktop.cli.matches import evaluate_command, matches_command

        return asyncio.run(matches_command(args) if args.command == "matches" else evaluate_command(args))
    if args.command in (deadlines.COMMAND, dossier.COMMAND):
        return deadlines.run(args) if args.command == deadlines.COMMAND else dossier.run(args)
    if args.command == "funder":
        from catalynx_desktop.cli.funder import funder_command

        return asyncio.run(funder_command(args))
    if args.command == "paths":
        from catalynx_desktop.cli.paths import paths_command

        return paths_command(args)
    raise ValueError(f"unknown command {args.command!r}")
