"""Grants benchmarks: the read API over a database of N generated grants (default 1,000,000;
the budget is stated for 10,000,000: run with --grants 10000000).

Measures, each next to raw sqlite3 running the same statements in the same run (a plain
connection in this process, no thread hop):
  * the Funders view's first rows (count + first page) for several sorts, filters, searches
  * one funder's grants, first rows, for a typical funder and the one with 100,000 grants
  * "funders of organizations like mine" for three profiles (ranking + evidence)
  * pages of the 100,000-grant funder's grants: scrolling, jumps (90%, 50%, End, ...) without
    and with a position map, sort changes; pages of the Funders view while scrolling
  * bytes per grant (dbstat), and store_returns of real FiledReturn batches on the full
    database (the incremental aggregate refresh included)

Run: python3 benchmarks/bench_grants.py [--grants 1000000]   (writes benchmarks/results/grants.md)
The generated database is kept in benchmarks/out/ and reused by later runs.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from grants_data import BIG_FUNDER_GRANTS, build  # noqa: E402

from catalynx_desktop.domain.funder_views import (  # noqa: E402
    FunderQuery,
    FunderSort,
    GrantQuery,
    GrantSort,
    LikeProfile,
)
from catalynx_desktop.domain.giving import GrantKind  # noqa: E402
from catalynx_desktop.domain.recipients import SizeBand  # noqa: E402
from catalynx_desktop.storage.database import Database  # noqa: E402
from catalynx_desktop.storage.funder_details import rank_like_mine  # noqa: E402
from catalynx_desktop.storage.funder_queries import (  # noqa: E402
    compile_funder_query,
    compile_grant_query,
    count_funders,
    count_grants,
)
from catalynx_desktop.storage.funder_repository import FunderRepository  # noqa: E402
from catalynx_desktop.storage.giving_store import store_returns  # noqa: E402
from catalynx_desktop.storage.keyset import read_keyset_page  # noqa: E402
from catalynx_desktop.storage.paging import Seek  # noqa: E402
from tests.storage.giving_helpers import grant, pf_return  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
RESULTS = ROOT / "benchmarks" / "results"
PAGE = 200
Row = tuple[str, str, str, str]


def ensure_db(grants: int) -> Path:
    folder = OUT / f"grants-{grants}"
    path = folder / "catalynx.sqlite3"
    marker = folder / "complete"
    if not marker.exists():
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        print(f"building {grants:,} grants in {path} …", flush=True)
        timings = build(path, grants)
        marker.write_text(repr(timings))
        print("built:", timings, flush=True)
    return path


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def timed(call: Callable[[], Awaitable]) -> tuple[float, object]:
    started = time.perf_counter()
    result = await call()
    return (time.perf_counter() - started) * 1000, result


def raw_ms(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def raw_open(raw: sqlite3.Connection, compiled, count) -> Callable[[], object]:
    """The same statements the app runs to open a view: the count and the first page."""
    return lambda: (count(raw), read_keyset_page(raw, compiled, Seek(True, None, 0, PAGE)))


async def funders_view(repo: FunderRepository, raw: sqlite3.Connection) -> list[Row]:
    queries = [
        (
            "default: latest grants paid ↓, shares for a VT / B profile",
            FunderQuery(profile_state="VT", profile_group="B"),
        ),
        ("name ↑", FunderQuery(FunderSort.NAME, False)),
        ("trend ↓", FunderQuery(FunderSort.TREND, True)),
        ("median grant ↓", FunderQuery(FunderSort.MEDIAN_GRANT, True)),
        ("grant count ↓, based in VT", FunderQuery(FunderSort.GRANT_COUNT, True, state="VT")),
        ("accepts applications, latest paid ↓", FunderQuery(accepts_applications=True)),
        ("search “music” (name), latest paid ↓", FunderQuery(search="music")),
        (
            "search “foundation” (every funder), name ↑",
            FunderQuery(FunderSort.NAME, False, search="foundation"),
        ),
    ]
    rows: list[Row] = []
    for label, query in queries:
        ms, (result, _first) = await timed(lambda q=query: repo.open_funders(q, PAGE))
        compiled = compile_funder_query(query)
        base = raw_ms(raw_open(raw, compiled, lambda c, q=compiled: count_funders(c, q)))
        rows.append(
            (
                f"Funders view first rows: {label} ({result.total:,} funders)",
                f"{ms:.1f} ms",
                f"{base:.1f} ms",
                "≤ 300 ms",
            )
        )
    return rows


async def funder_grants(
    repo: FunderRepository, raw: sqlite3.Connection, funders: dict[str, int]
) -> list[Row]:
    rows: list[Row] = []
    for label, funder_id in funders.items():
        times, bases = [], []
        for sort in GrantSort:
            for descending in (True, False):
                query = GrantQuery(funder_id, sort, descending)
                ms, (result, first) = await timed(lambda q=query: repo.open_grants(q, PAGE))
                assert len(first) == min(PAGE, result.total)
                large = bool(
                    raw.execute("SELECT large FROM funders WHERE id = ?", (funder_id,)).fetchone()[0]
                )
                compiled = compile_grant_query(query, large)
                bases.append(raw_ms(raw_open(raw, compiled, lambda c, f=funder_id: count_grants(c, f))))
                times.append(ms)
        rows.append(
            (
                f"one funder's grants, first rows, 3 sorts × 2 directions: {label} ({result.total:,} grants), median / max",
                f"{statistics.median(times):.1f} / {max(times):.1f} ms",
                f"{statistics.median(bases):.1f} / {max(bases):.1f} ms",
                "≤ 100 ms",
            )
        )
    return rows


async def like_mine(repo: FunderRepository, raw: sqlite3.Connection) -> list[Row]:
    profiles = [
        ("education, B20/B25, VT, $100k-1M", LikeProfile(("B20", "B25"), ("VT",), SizeBand.UNDER_1M)),
        (
            "human services P20 + health E22, NY/NJ, $1-10M",
            LikeProfile(("P20", "E22"), ("NY", "NJ"), SizeBand.UNDER_10M),
        ),
        ("community improvement S (group only), CA", LikeProfile(("S",), ("CA",), SizeBand.UNKNOWN)),
    ]
    rows: list[Row] = []
    for label, like in profiles:
        ms, found = await timed(lambda lk=like: repo.like_mine(lk, 25, 3))
        base = raw_ms(lambda lk=like: rank_like_mine(raw, lk, 25))
        evidence = sum(len(f.evidence) for f in found)
        rows.append(
            (
                f"funders of organizations like mine: {label} (top {len(found)}, {evidence} evidence grants)",
                f"{ms:.0f} ms",
                f"ranking alone {base:.0f} ms",
                "≤ 1 s",
            )
        )
    return rows


def raw_pages(raw: sqlite3.Connection, compiled, total: int) -> list[float]:
    """Raw sqlite3 reading the same pages by key (the previous page's last key), one by one."""
    times = []
    after = None
    for _ in range(0, min(total, 100 * PAGE), PAGE):
        started = time.perf_counter()
        _values, keys = read_keyset_page(raw, compiled, Seek(True, after, 0, PAGE))
        times.append((time.perf_counter() - started) * 1000)
        after = keys[-1]
    return times


async def scroll(result, total: int) -> list[float]:
    times = []
    for start in range(PAGE, min(total, 101 * PAGE), PAGE):
        ms, _ = await timed(lambda s=start: result.page(s, PAGE))
        times.append(ms)
    return times


async def paging(repo: FunderRepository, raw: sqlite3.Connection, big: int) -> list[Row]:
    rows: list[Row] = []
    query = GrantQuery(big, GrantSort.AMOUNT, True)
    result, _ = await repo.open_grants(query, PAGE)
    total = result.total
    compiled = compile_grant_query(query, True)
    model, base = await scroll(result, total), raw_pages(raw, compiled, total)
    rows.append(
        (
            f"100,000-grant funder, scrolling page by page ({PAGE} rows, amount ↓), p50 / p95",
            f"{pct(model, 0.5):.2f} / {pct(model, 0.95):.2f} ms",
            f"{pct(base, 0.5):.2f} / {pct(base, 0.95):.2f} ms (p95 ratio {pct(model, 0.95) / pct(base, 0.95):.1f}×)",
            "≤ 10 ms p95, ≤ 3× raw",
        )
    )
    targets = [int(total * f) for f in (0.9, 0.5, 0.1, 0.75, 0.25, 0.6)] + [total - PAGE]
    for label, with_map in (("no position map yet", False), ("after the position map", True)):
        result, _ = await repo.open_grants(query, PAGE)
        if with_map:
            await result.build_position_map(512, lambda: False)
        jumps = [(await timed(lambda t=t, r=result: r.page(t, PAGE)))[0] for t in targets]
        naive = raw_ms(
            lambda: raw.execute(
                "SELECT id, amount FROM irs_grants INDEXED BY ix_irs_grants_funder_amount WHERE funder_id = ? "
                "AND counts = 1 ORDER BY amount DESC, id DESC LIMIT ? OFFSET ?",
                (big, PAGE, int(total * 0.9)),
            ).fetchall()
        )
        rows.append(
            (
                f"100,000-grant funder, page after a jump (90%, 50%, 10%, 75%, 25%, 60%, End), {label}, p50 / p95",
                f"{pct(jumps, 0.5):.2f} / {pct(jumps, 0.95):.2f} ms",
                f"page at 90% by OFFSET {naive:.2f} ms",
                "≤ 10 ms p95",
            )
        )
    rows += await sorted_scrolls(repo, raw, big)
    return rows


async def sorted_scrolls(repo: FunderRepository, raw: sqlite3.Connection, big: int) -> list[Row]:
    rows: list[Row] = []
    for sort in (GrantSort.RECIPIENT, GrantSort.YEAR):
        sorted_query = GrantQuery(big, sort, False)
        result, _ = await repo.open_grants(sorted_query, PAGE)
        model = await scroll(result, result.total)
        base = raw_pages(raw, compile_grant_query(sorted_query, True), result.total)
        rows.append(
            (
                f"100,000-grant funder sorted by {sort.name.lower()} ↑, scrolling, p50 / p95",
                f"{pct(model, 0.5):.2f} / {pct(model, 0.95):.2f} ms",
                f"{pct(base, 0.5):.2f} / {pct(base, 0.95):.2f} ms (p95 ratio {pct(model, 0.95) / pct(base, 0.95):.1f}×)",
                "≤ 10 ms p95, ≤ 3× raw",
            )
        )
    fquery = FunderQuery(profile_state="VT", profile_group="B")
    result, _ = await repo.open_funders(fquery, PAGE)
    model = await scroll(result, result.total)
    base = raw_pages(raw, compile_funder_query(fquery), result.total)
    rows.append(
        (
            f"Funders view, scrolling page by page ({result.total:,} funders, shares shown), p50 / p95",
            f"{pct(model, 0.5):.2f} / {pct(model, 0.95):.2f} ms",
            f"{pct(base, 0.5):.2f} / {pct(base, 0.95):.2f} ms (p95 ratio {pct(model, 0.95) / pct(base, 0.95):.1f}×)",
            "≤ 10 ms p95, ≤ 3× raw",
        )
    )
    return rows


def sizes(raw: sqlite3.Connection) -> list[Row]:
    grants = raw.execute("SELECT count(*) FROM irs_grants").fetchone()[0]
    by_name = dict(raw.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
    grant_objects = ["irs_grants", *[n for n in by_name if n.startswith("ix_irs_grants")]]
    giving = [
        *grant_objects,
        "irs_returns",
        "sqlite_autoindex_irs_returns_1",
        "ix_irs_returns_ein_period",
        *[n for n in by_name if n.startswith(("funder", "ix_funders", "sqlite_autoindex_funders"))],
    ]
    per_grant = sum(by_name.get(n, 0) for n in grant_objects) / grants
    per_giving = sum(by_name.get(n, 0) for n in giving) / grants
    parts = ", ".join(f"{n} {by_name[n] / grants:.1f}" for n in grant_objects)
    file_bytes = sum(by_name.values())
    return [
        (f"bytes per grant: grant rows and their indexes ({parts})", f"{per_grant:.1f} B", "—", "~146 B"),
        (
            "bytes per grant: with returns and every funder aggregate (counts, states, NTEE groups, like-mine keys, search)",
            f"{per_giving:.1f} B",
            "—",
            "—",
        ),
        (
            f"whole database file, {grants:,} grants + {raw.execute('SELECT count(*) FROM source_records').fetchone()[0]:,} BMF organizations",
            f"{file_bytes / 1e9:.2f} GB ({file_bytes / grants:.0f} B a grant)",
            "—",
            "—",
        ),
    ]


class _RolledBack(Exception):
    def __init__(self, counts) -> None:
        super().__init__("rolled back on purpose")
        self.counts = counts


def _rolled_back(counts):
    raise _RolledBack(counts)


async def incremental(db: Database, raw: sqlite3.Connection, big_ein: str) -> list[Row]:
    """store_returns on the full database: 4 batches of 250 new returns (real FiledReturn values,
    25 grants each to BMF names) for existing funders, one batch touching the 100,000-grant funder."""
    rng = random.Random(9)
    names = [r[0] for r in raw.execute("SELECT name FROM source_records WHERE state = 'VT' LIMIT 2000")]
    eins = [r[0] for r in raw.execute("SELECT ein FROM funders ORDER BY random() LIMIT 1000")]
    times = []
    stored = 0
    object_id = 209900000000000000
    for batch_no in range(4):
        batch = []
        for n in range(250):
            ein = big_ein if (batch_no == 3 and n == 0) else eins[batch_no * 250 + n]
            object_id += 1
            grants = tuple(
                grant(rng.choice(names), rng.randint(500, 50_000), city="", kind=GrantKind.PAID)
                for _ in range(25)
            )
            batch.append(pf_return(str(object_id), ein, 2024, grants))
        started = time.perf_counter()
        try:  # rolled back after the work, so the benchmark database stays as built
            await db.write(lambda conn, b=batch: _rolled_back(store_returns(conn, b)))
        except _RolledBack as done:
            stored += done.counts.grants
        times.append((time.perf_counter() - started) * 1000)
    assert stored == 4 * 250 * 25, stored
    return [
        (
            "store_returns on the full database: 250 returns × 25 grants a batch, matching and funder refresh included "
            "(last batch also touches the 100,000-grant funder), per batch (rolled back, not committed)",
            " / ".join(f"{t:.0f}" for t in times) + " ms",
            "—",
            "—",
        )
    ]


async def run(path: Path) -> list[Row]:
    db = await Database.open(path)
    raw = sqlite3.connect(path)
    try:
        repo = FunderRepository(db)
        big = raw.execute("SELECT id, ein FROM funders ORDER BY grant_count DESC LIMIT 1").fetchone()
        typical = raw.execute(
            "SELECT id FROM funders WHERE grant_count > 0 ORDER BY grant_count LIMIT 1 OFFSET "
            "(SELECT count(*) / 2 FROM funders WHERE grant_count > 0)"
        ).fetchone()[0]
        large = raw.execute("SELECT id FROM funders WHERE large = 1 ORDER BY grant_count LIMIT 1").fetchone()[
            0
        ]
        rows = await funders_view(repo, raw)
        rows += await funder_grants(
            repo,
            raw,
            {
                "a typical funder (median count)": typical,
                "the smallest funder past 2,000 grants": large,
                f"the {BIG_FUNDER_GRANTS:,}-grant funder": big[0],
            },
        )
        rows += await like_mine(repo, raw)
        rows += await paging(repo, raw, big[0])
        rows += sizes(raw)
        rows += await incremental(db, raw, big[1])
        return rows
    finally:
        raw.close()
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grants", type=int, default=1_000_000)
    args = parser.parse_args()
    path = ensure_db(args.grants)
    # Read the file once so every measurement starts from the same (warm) OS cache.
    with path.open("rb") as stream:
        while stream.read(1 << 24):
            pass
    rows = asyncio.run(run(path))
    title = f"## {args.grants:,} grants"
    header = (
        f"{title}\n\n{args.grants:,} generated grants; {datetime.now(UTC):%Y-%m-%d}; 2 cores shared with other work; "
        "OS cache warm (the file read once before the run). The app's path is the async read API (FunderRepository, "
        "one thread hop a call); raw sqlite3 runs the same statements on a plain connection in the same process, "
        "best of 3.\n\n| what | measured | raw sqlite3, same statements | budget |\n| --- | --- | --- | --- |\n"
    )
    section = header + "".join(f"| {a} | {b} | {c} | {d} |\n" for a, b, c, d in rows)
    write_section(RESULTS / "grants.md", title, section)
    print(section)


def write_section(path: Path, title: str, section: str) -> None:
    """Replace this size's section of the results file, keeping the other sizes' figures."""
    intro = "# Grants benchmarks (benchmarks/bench_grants.py)\n\n"
    sections = {}
    if path.exists():
        for part in path.read_text().split("\n## ")[1:]:
            sections["## " + part.split("\n", 1)[0]] = "## " + part.rstrip("\n") + "\n"
    sections[title] = section
    ordered = sorted(sections.items(), key=lambda item: int(item[0][3:].split()[0].replace(",", "")))
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(intro + "\n".join(text for _, text in ordered))


if __name__ == "__main__":
    main()
