"""The Deadlines view at scale: first page, bucket counts, the calendar month and an
opportunity's row in the main table, through services.deadlines on a demo database.

Run: python3 benchmarks/bench_deadlines.py --data-dir DIR   (DIR made by
`python3 -m catalynx_desktop demo --profiles 4 --opportunities 1000000 --data-dir DIR`).
If the database has no tasks, one open task per opportunity in a worked stage is added (due
dates spread over the 180 days before today and the 365 after: the heavy end of real use).
Prints the median and worst of 20 runs of each, in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalynx_desktop.domain.deadline_view import DeadlineFilter, DeadlineQuery  # noqa: E402
from catalynx_desktop.domain.query import OpportunityQuery  # noqa: E402
from catalynx_desktop.domain.stages import Stage  # noqa: E402
from catalynx_desktop.paths import resolve_paths  # noqa: E402
from catalynx_desktop.services.deadlines import Deadlines  # noqa: E402
from catalynx_desktop.storage.database import Database  # noqa: E402

RUNS = 20


def add_tasks(database: Path, today: date) -> int:
    with sqlite3.connect(database) as conn:
        if conn.execute("SELECT count(*) FROM opportunity_tasks").fetchone()[0]:
            return 0
        rng = random.Random(16)
        ids = [r[0] for r in conn.execute("SELECT id FROM opportunities WHERE stage_rank BETWEEN 1 AND 4")]
        rows = [(i, (today + timedelta(days=rng.randint(-180, 365))).isoformat()) for i in ids]
        conn.executemany(
            "INSERT INTO opportunity_tasks (opportunity_id, kind, due_date, note) VALUES (?, 'other', ?, '')",
            rows,
        )
        return len(rows)


async def timed(label: str, make) -> None:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await make()
        times.append((time.perf_counter() - started) * 1000)
    print(f"{label:<48} median {statistics.median(times):6.2f} ms   worst {max(times):6.2f} ms")


async def main(data_dir: Path) -> None:
    today = date.today()
    paths = resolve_paths(data_dir)
    if added := add_tasks(paths.database, today):
        print(f"added {added:,} tasks")
    db = await Database.open(paths.database)
    try:
        deadlines = Deadlines(db)
        counts = await deadlines.counts(today)
        opportunities = (await db.fetch_all("SELECT count(*) FROM opportunities"))[0][0]
        print(
            f"{opportunities:,} opportunities; open tasks by bucket: { {b.value: n for b, n in counts.items()} }"
        )
        for choice in (DeadlineFilter.ALL, DeadlineFilter.OVERDUE, DeadlineFilter.THIS_WEEK):
            query = DeadlineQuery.of(choice, today)
            await timed(f"first page (256) + count, {choice.value}", lambda q=query: deadlines.open(q, 256))
        result, _first = await deadlines.open(DeadlineQuery.of(DeadlineFilter.ALL, today), 256)
        await timed("a page 20,000 rows in (keyset, from the nearest key)", lambda: result.page(20_000, 256))
        await timed("bucket counts (three range counts)", lambda: deadlines.counts(today))
        await timed("calendar month: due days", lambda: deadlines.due_days(today.year, today.month))
        await timed("due today (reminder)", lambda: deadlines.due_on(today))
        profile, opportunity = (
            await db.fetch_all(
                "SELECT profile_id, id FROM opportunities WHERE stage = 'plan' ORDER BY score LIMIT 1"
            )
        )[0]
        query = OpportunityQuery(profile, Stage.PLAN)
        await timed(
            "row of an opportunity in the main table (worst: last)",
            lambda: deadlines.row_position(query, opportunity),
        )
    finally:
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    asyncio.run(main(parser.parse_args().data_dir))
