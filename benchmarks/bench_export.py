"""Export throughput, peak RSS and longest event-loop stall on a large database (not a test).

    python benchmarks/bench_export.py DB_PATH [--formats csv,xlsx] [--stage discover] [--out DIR]

Opens a COPY of the database if you pass --copy (Database.open may migrate/back up). Prints, per
format: rows, seconds, rows/s, file size, RSS before / peak of this process and of the XLSX writer
process (sampled every ~0.25 s), and the longest gap of a 16 ms
asyncio heartbeat (the UI-stall budget is 50 ms). Compare the stall with an idle loop on the
same machine at the same time: on a loaded 2-core machine the OS alone adds tens of ms.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from catalynx_desktop.domain.query import OpportunityQuery, SortKey
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows.engine import WorkflowEngine
from catalynx_desktop.workflows.export import start_export
from catalynx_desktop.workflows.runs import MemoryRunStore


async def _heartbeat(
    process: psutil.Process, stop: asyncio.Event, gaps: list[float], peak: list[int], child_peak: list[int]
) -> None:
    """Measure the event loop's gaps and the peak RSS of this process and its children until `stop`."""
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.016)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
        if len(gaps) % 16 == 0:  # RSS every ~0.25 s: /proc reads are not free
            peak[0] = max(peak[0], process.memory_info().rss)
            for child in process.children():  # the XLSX writer process
                with contextlib.suppress(psutil.Error):
                    child_peak[0] = max(child_peak[0], child.memory_info().rss)


async def bench(
    db_path: Path, formats: list[str], stage: Stage | None, out: Path, in_process: bool | None
) -> None:
    db = await Database.open(db_path)
    process = psutil.Process()
    try:
        profile = (await db.fetch_one("SELECT MIN(profile_id) FROM opportunities"))[0]
        query = OpportunityQuery(profile, stage, SortKey.SCORE, True)
        engine = WorkflowEngine(MemoryRunStore())
        for fmt in formats:
            target = out / f"export.{fmt}"
            gaps: list[float] = []
            peak = [process.memory_info().rss]
            child_peak = [0]
            stop = asyncio.Event()

            before = process.memory_info().rss
            beat = asyncio.ensure_future(_heartbeat(process, stop, gaps, peak, child_peak))
            t0 = time.perf_counter()
            cpu0 = time.process_time()
            result = await (await start_export(engine, db, query, target, fmt, in_process=in_process)).wait()
            seconds = time.perf_counter() - t0
            cpu = time.process_time() - cpu0
            stop.set()
            await beat
            gaps.sort()
            rows = result.counts.get("rows", 0)
            print(
                f"{fmt} (in_process={in_process}): {result.status} rows={rows:,} "
                f"{seconds:.1f} s wall ({cpu:.1f} s CPU of this process) "
                f"{rows / seconds:,.0f} rows/s size={target.stat().st_size / 2**20:.0f} MiB "
                f"RSS before={before / 2**20:.0f} MiB peak={peak[0] / 2**20:.0f} MiB "
                f"writer process peak={child_peak[0] / 2**20:.0f} MiB "
                f"loop stall max={gaps[-1] * 1000:.0f} ms p99={gaps[int(len(gaps) * 0.99)] * 1000:.0f} ms "
                f"load={psutil.getloadavg()[0]:.1f}",
                flush=True,
            )
            target.unlink()
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--stage", default=None)
    parser.add_argument("--copy", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--in-process",
        choices=("auto", "yes", "no"),
        default="auto",
        help="encode in a worker process (auto: XLSX yes, CSV no)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="export-bench-"))
    db_path = args.db
    if args.copy:
        db_path = work / "catalynx.sqlite3"
        shutil.copyfile(args.db, db_path)
    out = args.out or work
    try:
        in_process = {"auto": None, "yes": True, "no": False}[args.in_process]
        asyncio.run(
            bench(
                db_path, args.formats.split(","), Stage(args.stage) if args.stage else None, out, in_process
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
