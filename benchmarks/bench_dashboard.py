"""The dashboard's one call (services.dashboard.for_profile) on a 1,000,000-opportunity database.

Budget: the sort/filter budget of ../shared/ARCHITECTURE.md, <= 100 ms, for everything the
dashboard shows (funnel, deadlines per week, amounts, requested vs awarded per year, win rate,
pipeline value by stage, the next open tasks), read in one hop.

The database: a copy of bench_core's generated one (benchmarks/out/db_1x1000000, or the main
tree's, never modified), else a new one; the copy then gets what the dashboard reads and the demo
lacks: proposals sent and decided over five years with their amounts, the close-date tasks of
every shortlisted federal opportunity (Discover's own sync) and the user's tasks, some done. A
second, empty profile was the worst case of the task read before schema v10 (it walked every
open task of the other profile, ~0.8 s, to find none of its own).

Run: python3 benchmarks/bench_dashboard.py [--source DIR]   (writes benchmarks/results/dashboard.md)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sqlite3
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalynx_desktop.domain.outcomes import Outcome  # noqa: E402
from catalynx_desktop.domain.profile import Profile  # noqa: E402
from catalynx_desktop.domain.stages import Stage  # noqa: E402
from catalynx_desktop.domain.tasks import NewTask, TaskKind  # noqa: E402
from catalynx_desktop.storage.dashboard_queries import (  # noqa: E402
    _amount_counts,
    _deadlines_per_week,
    profile_dashboard,
)
from catalynx_desktop.storage.database import Database  # noqa: E402
from catalynx_desktop.storage.migrations import migrate  # noqa: E402
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository  # noqa: E402
from catalynx_desktop.storage.outcome_stats import outcome_stats  # noqa: E402
from catalynx_desktop.storage.outcome_store import save_outcome  # noqa: E402
from catalynx_desktop.storage.profile_repository import ProfileRepository  # noqa: E402
from catalynx_desktop.storage.task_store import (  # noqa: E402
    TaskRepository,
    add_task,
    read_profile_tasks,
    update_task,
)

OUT = ROOT / "benchmarks" / "out"
RESULTS = ROOT / "benchmarks" / "results"
SOURCES = (OUT / "db_1x1000000", Path("/work/main/benchmarks/out/db_1x1000000"))
WORK = OUT / "dashboard_1x1000000"
RUNS = 30
# What a busy researcher's profile holds after years of use (per stage moved to, with outcomes).
SENT = {Stage.SUBMITTED: 1_500, Stage.AWARDED: 600, Stage.DECLINED_BY_FUNDER: 900, Stage.WITHDRAWN: 200}
USER_TASKS = 3_000


def source_database(given: Path | None) -> Path:
    for folder in (given,) if given else SOURCES:
        candidate = folder / "catalynx.sqlite3"
        if (folder / "complete").exists() and candidate.exists():
            return candidate
    from benchmarks.bench_core import ensure_demo  # generates it (slow: minutes)

    return ensure_demo("db_1x1000000", 1, 1_000_000) / "catalynx.sqlite3"


def _outcomes(rng: random.Random, stage: Stage, ids: list[int]) -> list[tuple[int, Outcome]]:
    decided = stage in (Stage.AWARDED, Stage.DECLINED_BY_FUNDER)
    rows = []
    for opportunity_id in ids:
        asked = rng.randrange(5, 500) * 1_000
        awarded = int(asked * rng.uniform(0.5, 1.0)) if stage is Stage.AWARDED else None
        day = date(rng.randrange(2022, 2027), rng.randrange(1, 13), rng.randrange(1, 29))
        rows.append((opportunity_id, Outcome(asked, awarded, day if decided else None)))
    return rows


def _user_tasks(conn: sqlite3.Connection, rng: random.Random, today: date) -> None:
    ids = [
        r[0] for r in conn.execute("SELECT id FROM opportunities WHERE stage = 'plan' LIMIT ?", (USER_TASKS,))
    ]
    for n, opportunity_id in enumerate(ids):
        due = today + timedelta(days=rng.randrange(-60, 365))
        task = add_task(conn, opportunity_id, NewTask(rng.choice(list(TaskKind)), due, f"step {n}"))
        if n % 3 == 0:
            update_task(conn, task.id, done=True)


async def add_outcomes_and_tasks(db: Database, today: date) -> dict[str, int]:
    rng = random.Random(16)
    profile = (await db.fetch_one("SELECT min(id) FROM profiles"))[0]
    ids = [
        r[0] for r in await db.fetch_all("SELECT id FROM opportunities WHERE stage = 'approach' LIMIT 4000")
    ]
    repo, tasks = OpportunityRepository(db), TaskRepository(db)
    start = 0
    for stage, count in SENT.items():
        chunk = ids[start : start + count]
        start += count
        await repo.move_stage(chunk, stage, "benchmark")  # the app's own move: history, counts
        rows = _outcomes(rng, stage, chunk)
        await db.write(lambda conn, rows=rows: [save_outcome(conn, i, outcome) for i, outcome in rows])
    synced = await tasks.sync_close_date_tasks(profile)
    await db.write(lambda conn: _user_tasks(conn, rng, today))
    empty = await ProfileRepository(db).create(Profile(name="Benchmark: a new profile"))
    open_tasks = (await db.fetch_one("SELECT count(*) FROM opportunity_tasks WHERE done = 0 AND hidden = 0"))[
        0
    ]
    return {
        "profile": profile,
        "empty": int(empty.id or 0),
        "close_date_tasks": synced,
        "open_tasks": open_tasks,
    }


def prepare(source: Path) -> Path:
    work = WORK if source.parent.name == "db_1x1000000" else OUT / f"dashboard_{source.parent.name}"
    database = work / "catalynx.sqlite3"
    if (work / "complete").exists():
        return database
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    print(f"copying {source} …", flush=True)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(database) as dst:
        src.backup(dst)  # a consistent copy; the source is only read

    async def fill() -> None:
        db = await Database.open(database, backups_dir=work / "backups")
        try:
            facts = await add_outcomes_and_tasks(db, date.today())
            print("added:", facts, flush=True)
        finally:
            await db.close()

    asyncio.run(fill())
    (work / "complete").write_text("ok")
    return database


def parts_ms(database: Path, profile: int, today: date) -> dict[str, float]:
    """Each read of the one hop on a plain sqlite3 connection, best of 5: where the time goes."""
    conn = sqlite3.connect(database)
    total = sum(outcome_stats(conn, profile).stage_counts.values())
    parts = {
        "outcome stats (counts, years, pipeline value)": lambda: outcome_stats(conn, profile),
        "deadlines per week": lambda: _deadlines_per_week(conn, profile, today),
        "amount buckets": lambda: _amount_counts(conn, profile, total),
        "next open tasks": lambda: read_profile_tasks(conn, profile, 10),
    }
    timings = {}
    for name, read in parts.items():
        samples = []
        for _ in range(5):
            t0 = time.perf_counter()
            read()
            samples.append((time.perf_counter() - t0) * 1000)
        timings[name] = min(samples)
    conn.close()
    return timings


async def measure(database: Path, profile: int) -> tuple[float, list[float]]:
    db = await Database.open(database)
    try:
        t0 = time.perf_counter()
        await profile_dashboard(db, profile)  # the first call after opening: caches cold-ish
        first = (time.perf_counter() - t0) * 1000
        samples = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            await profile_dashboard(db, profile)
            samples.append((time.perf_counter() - t0) * 1000)
        return first, samples
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--source", type=Path, help="a data directory holding a 1M-opportunity catalynx.sqlite3"
    )
    args = parser.parse_args()
    database = prepare(source_database(args.source))
    migrate(database, database.parent / "backups", keep_backups=1)  # no migration inside a timing
    with sqlite3.connect(database) as conn:
        profile, empty = (r[0] for r in conn.execute("SELECT id FROM profiles ORDER BY id LIMIT 2"))
        rows = conn.execute("SELECT count(*) FROM opportunities").fetchone()[0]
        open_tasks = conn.execute(
            "SELECT count(*) FROM opportunity_tasks WHERE done = 0 AND hidden = 0"
        ).fetchone()[0]
        sent = conn.execute("SELECT count(*) FROM opportunity_outcomes").fetchone()[0]
    lines = [
        "# Dashboard benchmark",
        "",
        f"{rows:,} opportunities, {sent:,} proposals with outcomes, {open_tasks:,} open tasks; "
        f"one call = `services.dashboard.for_profile` (one background hop), {RUNS} calls after a first one.",
        "",
        "| profile | first call ms | median ms | p95 ms | max ms | budget |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, pid in (
        (f"{rows:,} opportunities, outcomes, tasks", profile),
        (f"a new profile: none of the {open_tasks:,} open tasks is its own", empty),
    ):
        first, samples = asyncio.run(measure(database, pid))
        p95 = sorted(samples)[int(0.95 * (len(samples) - 1))]
        verdict = "ok" if p95 <= 100 else "OVER"
        lines.append(
            f"| {name} | {first:.1f} | {statistics.median(samples):.1f} | {p95:.1f} | {max(samples):.1f} | ≤ 100 ms {verdict} |"
        )
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines += ["", f"{when}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end."]
    lines += ["", "Where the time goes (plain sqlite3, best of 5, the first profile):", ""]
    lines += [f"- {name}: {ms:.1f} ms" for name, ms in parts_ms(database, profile, date.today()).items()]
    report = "\n".join(lines) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "dashboard.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
