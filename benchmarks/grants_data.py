"""Build a benchmark database of IRS 990 grants at any size (for bench_grants.py).

Shape: BMF organizations made from the real Vermont extract (tests/data/eo_vt.csv: real names,
NTEE codes, cities and revenues), spread over 46 states under new EINs, so every state has
real-shaped names, chapters sharing a name, and organizations without an NTEE code; about
1 funder per 100 grants, 1-4 returns each (tax years 2020-2023), grant counts per funder
heavy-tailed (lognormal), one funder with 100,000 grants; 62% of grants to a BMF organization
(its name as filers type it, its city and state, matched as store_returns would: EIN on
Schedule I, else name + city + state), the rest to names the BMF does not know; amounts
lognormal around a $2,500 median; purposes mostly the common phrases of real returns.

Rows go in with direct executemany (the brief allows it: the writer's own path,
store_returns, is measured separately on real FiledReturn batches), then every funder's
aggregates are computed with the app's own refresh_all_funders().
"""

from __future__ import annotations

import math
import random
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from catalynx_desktop.domain.records import SourceRecord
from catalynx_desktop.sources.bmf import BmfParser
from catalynx_desktop.storage.funder_aggregates import refresh_all_funders
from catalynx_desktop.storage.giving_store import INSERT_GRANT_SQL, INSERT_RETURN_SQL
from catalynx_desktop.storage.migrations import migrate
from catalynx_desktop.storage.recipient_matching import sync_name_keys
from catalynx_desktop.storage.source_records_store import to_row, upsert_rows

ROOT = Path(__file__).resolve().parent.parent
VT_BMF = ROOT / "tests" / "data" / "eo_vt.csv"
STATES = [
    "AL",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
]
BIG_FUNDER_GRANTS = 100_000
PURPOSES = (
    "GENERAL SUPPORT",
    "GENERAL OPERATING SUPPORT",
    "UNRESTRICTED",
    "CHARITABLE",
    "GENERAL CHARITABLE PURPOSES",
    "OPERATING SUPPORT",
    "PROGRAM SUPPORT",
    "SCHOLARSHIP FUND",
    "CAPITAL CAMPAIGN",
    "ANNUAL FUND",
    "TO FURTHER THE ORGANIZATION'S EXEMPT PURPOSE",
    "EDUCATION",
    "RELIGIOUS",
    "COMMUNITY SUPPORT",
    "HUMAN SERVICES",
)
_PROJECT_WORDS = (
    "YOUTH",
    "FOOD",
    "LITERACY",
    "HOUSING",
    "MUSIC",
    "SUMMER",
    "HEALTH",
    "ARTS",
    "WATER",
    "STEM",
)
_UNLISTED = ("FRIENDS OF", "TOWN OF", "CITY OF", "SCHOOL DISTRICT", "PTO", "PARISH", "FIRE COMPANY", "CLUB")


def bmf_rows(states: int = len(STATES)) -> Iterator[tuple]:
    """Real VT organizations copied into `states` states under new EINs (source_records rows)."""
    records = [r for r in BmfParser(VT_BMF) if isinstance(r, SourceRecord)]
    ein = 800_000_000
    for state in STATES[:states]:
        for record in records:
            ein += 1
            row = list(to_row(record))
            row[1] = f"{ein:09d}"  # source_id
            row[5] = f"{ein:09d}"  # ein
            row[7] = state
            yield tuple(row)


def _amount(rng: random.Random) -> int:
    value = math.exp(rng.gauss(math.log(2_500), 1.3))
    return max(50, round(value, -1 if value < 1000 else -2))


def _funder_sizes(rng: random.Random, grants: int, funders: int) -> list[int]:
    """Grants per funder: one with BIG_FUNDER_GRANTS, the rest lognormal, summing to `grants`."""
    raw = [math.exp(rng.gauss(0, 1.4)) for _ in range(funders - 1)]
    scale = (grants - BIG_FUNDER_GRANTS) / sum(raw)
    sizes = [BIG_FUNDER_GRANTS] + [max(0, int(r * scale)) for r in raw]
    sizes[1] += grants - sum(sizes)  # rounding remainder
    return sizes


class RecipientPool:
    """Recipient tuples (name, line2, ein, city, state, zip, country, org id, method) to draw from."""

    def __init__(self, conn: sqlite3.Connection, rng: random.Random) -> None:
        self.matched: dict[str, list[tuple]] = {}
        for record_id, name, ein, city, state in conn.execute(
            "SELECT id, name, ein, city, state FROM source_records WHERE source = 'irs_bmf' AND state != ''"
        ):
            typed = name.title() if rng.random() < 0.3 else name
            zip5 = f"{rng.randint(1000, 99999):05d}"
            self.matched.setdefault(state, []).append((typed, "", ein, city, state, zip5, "", record_id, 3))
        self.unlisted = [
            (
                f"{rng.choice(_UNLISTED)} {rng.choice(_PROJECT_WORDS)} {n}",
                "",
                "",
                "SOMEWHERE",
                rng.choice(STATES),
                f"{rng.randint(1000, 99999):05d}",
                "",
                None,
                0,
            )
            for n in range(200_000)
        ]

    def draw(self, rng: random.Random, home: str, schedule_i: bool) -> tuple:
        if rng.random() < 0.62:
            state = home if rng.random() < 0.6 else rng.choice(STATES)
            pick = rng.choice(self.matched[state])
            if schedule_i and rng.random() < 0.7:
                return (*pick[:7], pick[7], 1)  # Schedule I gave the EIN
            return (*pick[:2], "", *pick[3:])
        return rng.choice(self.unlisted)


def _returns_of(rng: random.Random, size: int) -> list[tuple[int, int]]:
    """(tax year, grants) of one funder's counting returns."""
    years = sorted(rng.sample([2020, 2021, 2022, 2023], rng.randint(1, 4)))
    shares = [rng.random() + 0.5 for _ in years]
    counts = [int(size * s / sum(shares)) for s in shares]
    counts[-1] += size - sum(counts)
    return list(zip(years, counts, strict=True))


def build(path: Path, grants: int, *, seed: int = 42, log=print) -> dict[str, float]:
    """Create the database at `path` with `grants` grants; returns build timings in seconds."""
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    migrate(path, path.parent / "backups")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -256000")
    started = time.perf_counter()
    conn.execute("BEGIN")
    upsert_rows(conn, list(bmf_rows()))
    sync_name_keys(conn)
    conn.execute("COMMIT")
    timings["bmf"] = time.perf_counter() - started
    log(f"  BMF organizations: {conn.execute('SELECT count(*) FROM source_records').fetchone()[0]:,}")
    pool = RecipientPool(conn, rng)
    funders = max(100, grants // 100)
    sizes = _funder_sizes(rng, grants, funders)
    started = time.perf_counter()
    _insert_grants(conn, rng, pool, sizes, log)
    timings["grants"] = time.perf_counter() - started
    started = time.perf_counter()
    conn.execute("BEGIN")
    refresh_all_funders(conn)
    conn.execute("COMMIT")
    timings["aggregates"] = time.perf_counter() - started
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return timings


def _insert_grants(
    conn: sqlite3.Connection, rng: random.Random, pool: RecipientPool, sizes: list[int], log
) -> None:
    return_id = grant_id = 0
    object_id = 202400000000000000
    returns: list[tuple] = []
    rows: list[tuple] = []
    conn.execute("BEGIN")
    for n, size in enumerate(sizes):
        ein = f"{100_000_000 + n:09d}"
        home = rng.choice(STATES)
        pf = rng.random() < 0.8
        conn.execute("INSERT INTO funders (id, ein) VALUES (?, ?)", (n + 1, ein))
        for year, count in _returns_of(rng, size):
            return_id += 1
            object_id += rng.randint(1, 50)
            first = grant_id + 1
            total = 0
            for _ in range(count):
                grant_id += 1
                row = _grant_row(rng, pool, (grant_id, return_id, n + 1, year), pf, home)
                total += row[6] if row[3] != 1 else 0  # future grants are not paid
                rows.append(row)
            returns.append(
                _return_row(return_id, object_id, ein, pf, year, home, n, first, grant_id, total, rng)
            )
            if len(rows) >= 200_000:
                _flush(conn, returns, rows)
                log(f"  {grant_id:,} grants")
    _flush(conn, returns, rows)
    conn.execute("COMMIT")


def _grant_row(
    rng: random.Random, pool: RecipientPool, ids: tuple[int, int, int, int], pf: bool, home: str
) -> tuple:
    """One irs_grants row (INSERT_GRANT_SQL order): ids = (grant, return, funder, tax year)."""
    kind = (0 if rng.random() < 0.96 else 1) if pf else 2
    r = pool.draw(rng, home, kind == 2)
    amount = _amount(rng)
    if rng.random() < 0.75:
        purpose = rng.choice(PURPOSES)
    else:
        purpose = f"{rng.choice(_PROJECT_WORDS)} PROGRAM {rng.choice(_PROJECT_WORDS)} {rng.randint(1, 99)}"
    grant_id, return_id, funder_id, year = ids
    status = "PC" if pf else "501(C)(3)"
    return (
        *(grant_id, return_id, funder_id, kind, 1, year, amount, *r[:7]),
        *(status, "NONE", purpose, amount, None, r[7], r[8], 0),
    )


def _return_row(
    return_id: int,
    object_id: int,
    ein: str,
    pf: bool,
    year: int,
    home: str,
    n: int,
    first: int,
    last: int,
    total: int,
    rng: random.Random,
) -> tuple:
    count = last - first + 1
    preselected = (1 if rng.random() < 0.72 else 0) if pf else None
    return (
        return_id,
        str(object_id),
        ein,
        "990PF" if pf else "990",
        f"{year}12",
        f"{year}-12-31",
        year,
        "2022v5.0",
        0,
        f"{rng.choice(_PROJECT_WORDS)} {n} FOUNDATION",
        "",
        "1 MAIN ST",
        "",
        "SOMEWHERE",
        home,
        "05401",
        "",
        "",
        5_000_000,
        6_000_000,
        400_000,
        0,
        total,
        total,
        250_000,
        preselected,
        count,
        total,
        0,
        0,
        0,
        3,
        first if count else None,
        last if count else None,
        1,
    )


def _flush(conn: sqlite3.Connection, returns: list[tuple], rows: list[tuple]) -> None:
    conn.executemany(INSERT_RETURN_SQL, returns)
    conn.executemany(INSERT_GRANT_SQL, rows)
    returns.clear()
    rows.clear()
