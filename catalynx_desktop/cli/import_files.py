"""`import`: import files as workflow runs (stored like the window's), with a text progress bar.

Files, folders of IRS 990 returns and TEOS zips are accepted; an IRS 990 index CSV named with
a zip goes with that zip (a zip's index beside it is found without being named)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalynx_desktop.app_logging import configure_logging
from catalynx_desktop.cli.progress import follow_run, run_error
from catalynx_desktop.paths import resolve_paths

if TYPE_CHECKING:
    from catalynx_desktop.workflows.engine import RunResult


async def import_command(args: argparse.Namespace) -> int:
    from catalynx_desktop.services import AppServices
    from catalynx_desktop.sources.base import FormatError

    paths = resolve_paths(args.data_dir).ensure()
    configure_logging(paths)
    services = await AppServices.open(paths)
    worst = 0
    try:
        jobs, worst = await _plan(services, [Path(name) for name in args.files], args.format)
        for file, index in jobs:
            worst = max(worst, await _import_one(services, file, index, args.format))
    except FormatError as error:
        print(f"import: {error}", file=sys.stderr)
        worst = 2
    finally:
        await services.close()
    return worst


async def _plan(
    services: Any, files: list[Path], fmt: str | None
) -> tuple[list[tuple[Path, Path | None]], int]:
    """(file, its 990 index) to import, in the order given; an index goes with the zip named
    beside it (the one with the same year, else the only zip)."""
    from catalynx_desktop.services.imports import index_for
    from catalynx_desktop.sources.base import FormatError
    from catalynx_desktop.sources.detect import Format

    worst = 0
    found: list[tuple[Path, Format | None]] = []
    for file in files:
        try:  # nothing there, a device: one message that says what to pass (off the loop)
            is_folder = await asyncio.to_thread(_is_folder, file)
        except FormatError as error:
            print(f"import: {file}: {error.reason}", file=sys.stderr)
            worst = 2
            continue
        try:
            kind = await services.imports.detect(file, fmt) if fmt is None or is_folder else None
        except FormatError as error:
            if is_folder:  # a folder holding no IRS 990 returns: say what to pass instead
                print(f"import: {file}: {error.reason}", file=sys.stderr)
                worst = 2
                continue
            kind = None  # the import run says why, naming the file (exit code 1)
        found.append((file, kind))
    indexes = [f for f, kind in found if kind is Format.IRS990_INDEX]
    zips = [f for f, kind in found if kind is Format.IRS990_ZIP]
    jobs: list[tuple[Path, Path | None]] = [
        (f, index_for(f, indexes, len(zips)) if kind is Format.IRS990_ZIP else None)
        for f, kind in found
        if kind is not Format.IRS990_INDEX
    ]
    used = {index for _, index in jobs if index is not None}
    for index in indexes:
        if index not in used:
            print(
                f"import: {index.name}: an IRS 990 index is imported with its TEOS zip; name the zip too",
                file=sys.stderr,
            )
            worst = 2
    return jobs, worst


async def _import_one(services: Any, file: Path, index: Path | None, fmt: str | None) -> int:
    from catalynx_desktop.domain.runs import RunStatus

    handle = await services.imports.start(file, fmt=fmt, index=index)
    result = await follow_run(handle, file.name)
    output = result.output("import") if result.status is RunStatus.SUCCEEDED else None
    if not output:
        print(import_failure(file, result), file=sys.stderr)
        return 1
    print(output["summary"])
    for line in output["first_errors"]:
        print(f"  rejected: {line}")
    if output["rejects_csv"]:
        print(f"  all rejected records: {output['rejects_csv']}")
    return 0


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
