"""Every command and option of `catalynx-desktop`, in one place."""

from __future__ import annotations

import argparse

from catalynx_desktop import APP_NAME, __version__
from catalynx_desktop.cli import deadlines, dossier
from catalynx_desktop.cli.profile_options import add_matching_commands, add_profile_commands


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
        help="import IRS BMF CSVs, Grants.gov extracts (.zip/.xml), grantor lists, or IRS 990 returns "
        "(a return, a folder of them, a TEOS zip with or without its index CSV)",
    )
    importer.add_argument(
        "files", nargs="+", metavar="FILE", help="files or folders; a 990 index with its zip"
    )
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
    add_profile_commands(commands, common)
    add_matching_commands(commands, common)
    backup = commands.add_parser(
        "backup", parents=[common], help="back up the database now (SQLite backup API)"
    )
    backup.add_argument(
        "--keep", type=backups_to_keep, default=10, help="how many backups to keep, at least 1 (default 10)"
    )
    backup.add_argument("--list", action="store_true", help="list the backups, newest first")
    restore = commands.add_parser(
        "restore",
        parents=[common],
        help="replace the database with a backup (the newest unless one is named)",
    )
    restore.add_argument("backup", nargs="?", help="a backup file (see: backup --list)")
    funder = commands.add_parser(
        "funder", parents=[common], help="what the imported IRS 990 returns say about one funder"
    )
    funder.add_argument("ein", metavar="EIN", help="the funder's EIN (9 digits, dashes allowed)")
    funder.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    commands.add_parser("paths", parents=[common], help="print where the app keeps its files")
    deadlines.add_parser(commands, common)
    dossier.add_parser(commands, common)
    return parser


def backups_to_keep(text: str) -> int:
    """--keep: a whole number of at least 1 (0 would delete the backup just made, and every other)."""
    try:
        keep = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if keep < 1:
        raise argparse.ArgumentTypeError(
            f"must be at least 1, not {keep}: the newest backup is always kept (the one just made)"
        )
    return keep
