"""`backup` and `restore`: the database's backups from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from catalynx_desktop import APP_NAME
from catalynx_desktop.instance_lock import acquire_instance_lock
from catalynx_desktop.paths import resolve_paths


def backup_command(args: argparse.Namespace) -> int:
    from catalynx_desktop.services.backups import list_backups, take_backup

    paths = resolve_paths(args.data_dir)
    if not paths.database.exists():
        print(f"backup: there is no database at {paths.database}", file=sys.stderr)
        return 2
    if args.list:
        for backup in list_backups(paths):
            print(backup)
        return 0
    target = take_backup(paths, reason="on-demand", keep=args.keep)  # safe while the app runs
    print(f"backed up {paths.database} to {target}")
    return 0


def restore_command(args: argparse.Namespace) -> int:
    from catalynx_desktop.services.backups import list_backups, restore_backup

    paths = resolve_paths(args.data_dir).ensure()
    backups = list_backups(paths)
    backup = Path(args.backup) if args.backup else (backups[0] if backups else None)
    if backup is None:
        print(f"restore: no backups in {paths.backups_dir}", file=sys.stderr)
        return 2
    lock = acquire_instance_lock(paths)
    if lock is None:
        print(f"restore: {APP_NAME} is open on {paths.data_dir}; close it first", file=sys.stderr)
        return 2
    try:
        kept = restore_backup(paths, backup)
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
