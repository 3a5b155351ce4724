"""`demo`: generate demo profiles, funders and opportunities."""

from __future__ import annotations

import argparse
import sys
import time

from catalynx_desktop.app_logging import configure_logging
from catalynx_desktop.cli.progress import count, print_progress
from catalynx_desktop.paths import mark_demo_dir, resolve_paths


async def demo_command(args: argparse.Namespace) -> int:
    from catalynx_desktop.services import AppServices
    from catalynx_desktop.workflows.demo.generator import DemoPlan
    from catalynx_desktop.workflows.demo.loader import DemoDataPresent

    paths = resolve_paths(args.data_dir).ensure()
    configure_logging(paths)
    services = await AppServices.open(paths)
    started = time.perf_counter()
    try:
        plan = DemoPlan(profiles=args.profiles, opportunities=args.opportunities, seed=args.seed)
        result = await services.load_demo(
            plan, lambda done, total: print_progress("demo", done, total, started)
        )
    except DemoDataPresent as present:  # a second demo: one line, not a UNIQUE-constraint traceback
        print(
            f"demo: {paths.data_dir} has demo data already ({present.funders:,} demo funders); "
            "nothing was added. For another demo, use a new --data-dir.",
            file=sys.stderr,
        )
        return 1
    finally:
        await services.close()
    mark_demo_dir(paths.data_dir)  # the window then loads more demo here instead of elsewhere
    print(
        f"\nloaded {count(len(result.profile_ids), 'profile')}, {count(result.funders, 'funder')} and "
        f"{count(result.opportunities, 'opportunity', 'opportunities')} into {paths.database} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0
