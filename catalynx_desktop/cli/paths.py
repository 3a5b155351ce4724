"""`paths`: where the app keeps its files, and a warning when it cannot write there."""

from __future__ import annotations

import argparse
import sys

from catalynx_desktop import APP_NAME
from catalynx_desktop.paths import resolve_paths


def paths_command(args: argparse.Namespace) -> int:
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
