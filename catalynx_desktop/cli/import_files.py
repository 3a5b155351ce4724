"""`import`: import files as workflow runs (stored like the window's), with a text progress bar."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from catalynx_desktop.app_logging import configure_logging
from catalynx_desktop.cli.progress import follow_run, run_error
from catalynx_desktop.paths import resolve_paths

if TYPE_CHECKING:
    from catalynx_desktop.workflows.engine import RunResult


async def import_command(args: argparse.Namespace) -> int:
    from catalynx_desktop.domain.runs import RunStatus
    from catalynx_desktop.services import AppServices
    from catalynx_desktop.sources.base import FormatError

    paths = resolve_paths(args.data_dir).ensure()
    configure_logging(paths)
    services = await AppServices.open(paths)
    worst = 0
    try:
        for name in args.files:
            file = Path(name)
            try:  # nothing there, a device, a folder of no IRS returns: one message that says what to pass
                if await asyncio.to_thread(_is_folder, file):  # off the loop
                    await services.imports.detect(file, args.format)
            except FormatError as error:
                print(f"import: {file}: {error.reason}", file=sys.stderr)
                worst = max(worst, 2)
                continue
            handle = await services.imports.start(file, fmt=args.format)
            result = await follow_run(handle, file.name)
            output = result.output("import") if result.status is RunStatus.SUCCEEDED else None
            if output:
                print(output["summary"])
                for line in output["first_errors"]:
                    print(f"  rejected: {line}")
                if output["rejects_csv"]:
                    print(f"  all rejected records: {output['rejects_csv']}")
            else:
                print(import_failure(file, result), file=sys.stderr)
                worst = max(worst, 1)
    except FormatError as error:
        print(f"import: {error}", file=sys.stderr)
        worst = 2
    finally:
        await services.close()
    return worst


def import_failure(file: Path, result: RunResult) -> str:
    """ "extract.zip: import failed: <why>", naming the file once (the importers' messages start
    with it already)."""
    why = run_error(result) or "no reason was given"
    for prefix in (f"{file}: ", f"{file.name}: "):
        why = why.removeprefix(prefix)
    return f"{file.name}: import {result.status.value}: {why}"


def _is_folder(path: Path) -> bool:
    """True for a folder (detection says whether it holds IRS 990 returns); FormatError for a path
    that is neither a file nor a folder."""
    from catalynx_desktop.sources.inputs import check_importable

    return check_importable(path).is_dir()
