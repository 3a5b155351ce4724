"""`discover`: match a profile against every imported record (the Discover workflow)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from catalynx_desktop.app_logging import configure_logging
from catalynx_desktop.cli.progress import count, follow_run
from catalynx_desktop.paths import resolve_paths

if TYPE_CHECKING:
    from catalynx_desktop.workflows.engine import RunResult


async def discover_command(args: argparse.Namespace) -> int:
    from catalynx_desktop.domain.runs import RunStatus
    from catalynx_desktop.services import AppServices

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
        handle = await services.scoring.discover(args.profile)
        result = await follow_run(handle, f"discover {profile.name}")
        print(discover_summary(result, services.settings.discover_threshold))
        return 0 if result.status is RunStatus.SUCCEEDED else 1
    finally:
        await services.close()


def discover_summary(result: RunResult, threshold: float) -> str:
    """The run's counts in words: "succeeded: 6,835 of 6,835 records scored, 80 matches (score 0.60
    or more); 46 new opportunities, 200 existing with a changed score" (existing opportunities are
    rescored whatever their new score, so they are counted apart from the matches)."""
    counts = result.counts
    scored, records = counts.get("scored", 0), counts.get("records", 0)
    line = (
        f"{result.status.value}: {scored:,} of {count(records, 'record')} scored, "
        f"{count(counts.get('kept', 0), 'match', 'matches')} (score {threshold:.2f} or more); "
        f"{count(counts.get('created', 0), 'new opportunity', 'new opportunities')}, "
        f"{counts.get('updated', 0):,} existing with a changed score"
    )
    return line + (f" — {result.error}" if result.error else "")
