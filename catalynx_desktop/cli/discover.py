"""`discover`: match a profile against every imported record (the Discover workflow)."""

from __future__ import annotations

import argparse
import sys

from catalynx_desktop.app_logging import configure_logging
from catalynx_desktop.cli.progress import follow_run
from catalynx_desktop.paths import resolve_paths


async def discover_command(args: argparse.Namespace) -> int:
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
        result = await follow_run(handle, f"discover {profile.name}")
        print(f"{result.status.value}: {result.counts}" + (f" — {result.error}" if result.error else ""))
        return 0 if result.status is RunStatus.SUCCEEDED else 1
    finally:
        await services.close()
