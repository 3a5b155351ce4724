"""Import benchmark: our import_file vs raw sqlite3 executemany of the same rows, same run.

    python3 benchmarks/bench_import.py [--bmf-rows 500000] [--grants-records 100000] [--quick]

For each format (IRS EO BMF CSV; Grants.gov zip, normal and streamed with data descriptors):
1. generate a faithful file (tests/datagen/) in a temp dir;
2. import it with `import_file` into a fresh database while a 16 ms heartbeat task measures
   the longest event-loop stall (what the UI would feel) and samples RSS;
3. parse the same file to the same row tuples in memory (untimed), then time raw sqlite3
   executemany of those rows into a fresh database with the same schema, pragmas and batch
   size (one transaction per batch) — the baseline;
4. report rows/s, MB/s (file bytes), ratio import/raw (budget >= 70%), >= 100,000 rows/s,
   peak RSS during the import, stall max / p99 (budget <= 50 ms / p99 <= 20 ms).

Prints and writes benchmarks/results/import.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import platform
import resource
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from catalynx_desktop.domain.records import SourceRecord
from catalynx_desktop.sources.detect import Format, open_parser
from catalynx_desktop.storage import source_records_store as store
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.migrations import migrate
from catalynx_desktop.storage.record_search import index_records_after
from catalynx_desktop.workflows.importing.importer import import_file
from tests.datagen.bmf_gen import write_bmf_csv
from tests.datagen.grantsgov_gen import write_grants_zip

RESULTS = Path(__file__).resolve().parent / "results" / "import.md"
BATCH = 5000


@dataclass
class Result:
    label: str
    records: int
    file_mb: float
    import_s: float
    raw_s: float
    peak_rss_mb: float
    rss_growth_mb: float
    stall_max_ms: float
    stall_p99_ms: float
    inserted: int
    skipped: int
    import_cpu_s: float = 0.0  # this process (event loop + writer + batch hand-off threads)
    child_cpu_s: float = 0.0  # the parser process
    raw_cpu_s: float = 0.0
    raw_fts_s: float = 0.0  # raw executemany + the same per-batch FTS upkeep the importer does

    @property
    def import_rps(self) -> float:
        return self.records / self.import_s

    @property
    def raw_rps(self) -> float:
        return self.records / self.raw_s

    @property
    def ratio(self) -> float:
        return self.raw_s and self.import_rps / self.raw_rps


async def _heartbeat(samples: list[float], rss: list[int], stop: asyncio.Event) -> None:
    """A 16 ms timer like the UI's: records how late each tick fires (= loop stall)."""
    process = psutil.Process()
    interval = 0.016
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(interval)
        now = time.perf_counter()
        samples.append(max(0.0, now - last - interval))
        rss.append(process.memory_info().rss)
        last = now


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _timed_import(
    path: Path, db_path: Path, fmt: Format
) -> tuple[float, object, list[float], list[int], float, float]:
    db = await Database.open(db_path)
    samples: list[float] = []
    rss: list[int] = []
    stop = asyncio.Event()
    beat = asyncio.create_task(_heartbeat(samples, rss, stop))
    await asyncio.sleep(0.05)
    started, cpu, child = time.perf_counter(), time.process_time(), _children_cpu()
    report = await import_file(db, path, fmt=fmt, batch_size=BATCH)
    elapsed = time.perf_counter() - started
    cpu, child = time.process_time() - cpu, _children_cpu() - child
    stop.set()
    await beat
    await db.close()
    return elapsed, report, samples, rss, cpu, child


def _raw_executemany(rows: list[tuple], db_path: Path, *, fts: bool = False) -> tuple[float, float]:
    migrate(db_path, db_path.parent / "backups")
    conn = sqlite3.connect(db_path, isolation_level=None)
    for pragma in (
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA cache_size = -32000",
        "PRAGMA temp_store = MEMORY",
        "PRAGMA foreign_keys = ON",
    ):
        conn.execute(pragma)
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(rows), BATCH):
        conn.execute("BEGIN IMMEDIATE")
        last_id = conn.execute("SELECT coalesce(max(id), 0) FROM source_records").fetchone()[0] if fts else 0
        conn.executemany(store.INSERT_SQL, rows[start : start + BATCH])
        if fts:  # the schema's full-text index, kept the same way the importer keeps it
            index_records_after(conn, last_id)
        conn.execute("COMMIT")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    conn.close()
    return elapsed, cpu


def run_one(label: str, path: Path, fmt: Format, work: Path, repeat: int) -> Result:
    """Best of `repeat` interleaved rounds (import, raw): this 2-core box is shared, so the
    fastest round of each is the least disturbed measurement of both. Peak RSS and stalls come
    from the first import round, run before the baseline's rows are ever held in memory."""
    rows: list[tuple] = []
    import_s = raw_s = import_cpu = child_cpu = raw_cpu = raw_fts_s = float("inf")
    first: tuple[object, list[float], list[int], int] | None = None
    for round_ in range(repeat):
        gc.collect()
        rss_before = psutil.Process().memory_info().rss
        elapsed, report, samples, rss, cpu, child = asyncio.run(
            _timed_import(path, work / f"{label}-import{round_}.db", fmt)
        )
        import_cpu, child_cpu = min(import_cpu, cpu), min(child_cpu, child)
        assert not report.cancelled and report.skipped == 0, report.summary()  # type: ignore[attr-defined]
        import_s = min(import_s, elapsed)
        if first is None:
            first = (report, samples, rss, rss_before)
            rows = [store.to_row(r) for r in open_parser(path, fmt) if isinstance(r, SourceRecord)]
        assert report.inserted == len(rows)  # type: ignore[attr-defined]
        raw_elapsed, cpu = _raw_executemany(rows, work / f"{label}-raw{round_}.db")
        raw_s, raw_cpu = min(raw_s, raw_elapsed), min(raw_cpu, cpu)
        raw_fts_s = min(raw_fts_s, _raw_executemany(rows, work / f"{label}-rawfts{round_}.db", fts=True)[0])
        for leftover in work.glob(f"{label}-*{round_}.db*"):
            leftover.unlink()
    n = len(rows)
    del rows
    gc.collect()
    assert first is not None
    report, samples, rss, rss_before = first
    stalls = sorted(samples) or [0.0]
    p99 = stalls[min(len(stalls) - 1, int(len(stalls) * 0.99))]
    return Result(
        label,
        n,
        path.stat().st_size / 1e6,
        import_s,
        raw_s,
        max(rss) / 1e6 if rss else 0.0,
        (max(rss) - rss_before) / 1e6 if rss else 0.0,
        stalls[-1] * 1000,
        p99 * 1000,
        report.inserted,
        report.skipped,
        import_cpu,
        child_cpu,
        raw_cpu,  # type: ignore[attr-defined]
        raw_fts_s,
    )


def render(results: list[Result], args: argparse.Namespace, gen_s: dict[str, float]) -> str:
    lines = [
        "# Import benchmark",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.platform()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {psutil.cpu_count()} CPUs; "
        f"load average at start {', '.join(f'{x:.2f}' for x in psutil.getloadavg())}.",
        f"Files generated by tests/datagen (BMF {args.bmf_rows:,} rows; Grants.gov {args.grants_records:,} "
        f"records per zip). Batch {BATCH:,} rows, one transaction per batch, WAL, synchronous=NORMAL. "
        f"Best of {args.repeat} interleaved rounds (import, raw) for each; peak RSS (whole process) and "
        "stalls are those of the first import round, before the baseline's rows exist.",
        "Raw = sqlite3 executemany of the same row tuples (parsed beforehand, untimed) into the same schema "
        "with the same pragmas and batches; raw+FTS also keeps the schema's full-text index (record_search, "
        "schema v3) per batch as the importer must. Import = `import_file` end to end (detect, parse, "
        "upsert with inserted/updated counting; files ≥ 4 MiB parse in a child process) with a 16 ms "
        "heartbeat task on the event loop measuring how late it fires (the UI stall).",
        "",
        "| file | records | MB | import rows/s | import MB/s | raw rows/s | import/raw (≥ 70%) "
        "| raw+FTS rows/s | import/(raw+FTS) | ≥ 100k rows/s "
        "| peak RSS MB (growth) | loop stall max / p99 ms (≤ 50 / ≤ 20) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.label} | {r.records:,} | {r.file_mb:.1f} | {r.import_rps:,.0f} | {r.file_mb / r.import_s:.1f} "
            f"| {r.raw_rps:,.0f} | {r.ratio:.0%} {'✅' if r.ratio >= 0.7 else '❌'} "
            f"| {r.records / r.raw_fts_s:,.0f} | {r.raw_fts_s / r.import_s:.0%} "
            f"| {'✅' if r.import_rps >= 100_000 else '❌'} | {r.peak_rss_mb:.0f} ({r.rss_growth_mb:+.0f}) "
            f"| {r.stall_max_ms:.1f} / {r.stall_p99_ms:.1f} |"
        )
    lines += [
        "",
        "CPU seconds (best round; load-independent view of the same work: with the parser process on the "
        "second core, wall time tends to the larger of the two import columns):",
        "",
        "| file | import: this process CPU s | import: parser process CPU s | raw executemany CPU s "
        "| this-process CPU / raw CPU |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.label} | {r.import_cpu_s:.1f} | {r.child_cpu_s:.1f} | {r.raw_cpu_s:.1f} "
            f"| {r.import_cpu_s / r.raw_cpu_s:.2f} |"
        )
    lines += [
        "",
        "Generation time (not part of any measurement): "
        + ", ".join(f"{k} {v:.1f} s" for k, v in gen_s.items()),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bmf-rows", type=int, default=500_000)
    parser.add_argument("--grants-records", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="small files (smoke test; results not written)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--repeat", type=int, default=2, help="interleaved rounds; the best of each is kept")
    args = parser.parse_args()
    if args.quick:
        args.bmf_rows, args.grants_records, args.no_write = 50_000, 10_000, True
    results: list[Result] = []
    gen_s: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="catalynx-bench-import-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        bmf = write_bmf_csv(work / "eo_generated.csv", args.bmf_rows, seed=7)
        gen_s["BMF"] = time.perf_counter() - started
        started = time.perf_counter()
        normal = write_grants_zip(work / "GrantsDBExtract_normal.zip", args.grants_records, seed=7)
        streamed = write_grants_zip(
            work / "GrantsDBExtract_streamed.zip", args.grants_records, seed=8, streamed=True
        )
        gen_s["Grants.gov zips"] = time.perf_counter() - started
        for label, path, fmt in (
            ("IRS EO BMF CSV", bmf, Format.IRS_BMF),
            ("Grants.gov zip", normal, Format.GRANTS_GOV),
            ("Grants.gov zip, streamed (data descriptors)", streamed, Format.GRANTS_GOV),
        ):
            result = run_one(
                label.split(",")[0].replace(" ", "_") + str(len(results)),
                path,
                fmt,
                work,
                max(1, args.repeat),
            )
            result.label = label
            results.append(result)
            print(
                f"{label}: import {result.import_rps:,.0f} rows/s, raw {result.raw_rps:,.0f} rows/s, "
                f"ratio {result.ratio:.0%}, peak RSS {result.peak_rss_mb:.0f} MB, "
                f"stall max {result.stall_max_ms:.1f} ms p99 {result.stall_p99_ms:.1f} ms",
                flush=True,
            )
    text = render(results, args, gen_s)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, encoding="utf-8")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
