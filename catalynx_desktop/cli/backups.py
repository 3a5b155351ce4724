"""`backup` and `restore`: the database's backups from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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
    target = take_backup(paths, reason="on-demand", keep=args.keep)  # the runner holds the lock
    print(f"backed up {paths.database} to {target}")
    return 0


def restore_command(args: argparse.Namespace) -> int:
    from catalynx_desktop.services.backups import list_backups, newest_good_backup, restore_backup

    paths = resolve_paths(args.data_dir).ensure()
    skipped: list[str] = []
    if args.backup:
        backup = Path(args.backup)
    elif not list_backups(paths):
        print(f"restore: no backups in {paths.backups_dir}", file=sys.stderr)
        return 2
    else:
        good, skipped = newest_good_backup(paths)  # each checked with PRAGMA integrity_check
        if good is None:
            print(
                f"restore: no good backup in {paths.backups_dir}: all {len(skipped)} failed the "
                f"check (the newest: {skipped[0]}). Nothing was changed.",
                file=sys.stderr,
            )
            return 1
        backup = good
    try:  # cli/runner.py holds the data directory's lock: no window or command has it open
        kept = restore_backup(paths, backup)
    except ValueError as error:
        print(f"restore: {error}. Nothing was changed.", file=sys.stderr)
        return 1
    print(
        f"restored {backup} into {paths.database}"
        + (f" (the newest good backup; skipped {_damaged(skipped)})" if skipped else "")
        + (f"; the previous database is kept as {kept}" if kept else "")
    )
    return 0


def _damaged(skipped: list[str]) -> str:
    """ "1 newer one that failed the check" / "3 newer ones that failed the check"."""
    return f"{len(skipped)} newer {'one' if len(skipped) == 1 else 'ones'} that failed the check"
