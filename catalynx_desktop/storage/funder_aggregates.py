"""Per-funder aggregates the views read instead of scanning grants.

How they stay current: store_returns() collects the EINs of the returns a batch stored and,
in the same transaction, calls refresh_funders(conn, eins), which recomputes everything of
those funders (and only those) from their counting returns and grants: the funders row
(name, city, state from the latest counting return; latest year's grants paid; three-year
trend; number, total, median and quartiles of the grants listed as paid; whether it accepts
unsolicited applications), funder_states, funder_ntee, funder_likeness and the full-text
row. The cost is one read of each touched funder's counting grants, in amount order through
its partial index (~1 µs a grant), so a batch pays in proportion to the funders it touched,
never to the database. A BMF re-import that changes recipients' NTEE codes is picked up by
refresh_all_funders() (or the next import touching the funder).

Definitions (what the user sees):
- grants paid of a year = the return's own total line (990-PF l.25, 990 l.13, 990-EZ l.10)
  when stated, else the sum of the grants it lists as paid;
- trend = latest year's grants paid against the mean of the two years before it (those
  present), as a fraction (+0.25 = a quarter more); -2.0 = unknown (no earlier year), so it
  sorts below every real value (-1.0 = stopped giving); capped at +100;
- grant count, total, median and quartiles, states and NTEE groups: grants listed as paid
  (990-PF paid during the year, 990 Schedule I), not future grants nor individual aggregates;
- a recipient's state is its BMF state when matched (the address on a 990-PF is often the
  grantor's), else the address state; its NTEE major group and size band come from the BMF.
"""

from __future__ import annotations

import sqlite3
import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalynx_desktop.domain.recipients import size_band
from catalynx_desktop.storage.schema_v5 import LARGE_FUNDER_GRANTS

UNKNOWN_TREND = -2.0
_TREND_CAP = 100.0
_FUTURE = 1  # GrantKind.FUTURE's code in irs_grants.kind
_CHUNK = 500  # funders per refresh statement (bound parameters stay well under SQLite's limit)


@dataclass
class _Mix:
    grants: int = 0
    amount: int = 0

    def add(self, grants: int, amount: int) -> None:
        self.grants += grants
        self.amount += amount


@dataclass
class _FunderFigures:
    amounts: list[int] = field(default_factory=list)
    states: dict[str, _Mix] = field(default_factory=dict)
    groups: dict[str, _Mix] = field(default_factory=dict)
    likeness: dict[str, _Mix] = field(default_factory=dict)


def _trend(by_year: dict[int, int]) -> float:
    if not by_year:
        return UNKNOWN_TREND
    latest_year = max(by_year)
    earlier = [by_year[y] for y in (latest_year - 2, latest_year - 1) if y in by_year]
    if not earlier:
        return UNKNOWN_TREND
    base = sum(earlier) / len(earlier)
    if base <= 0:
        return _TREND_CAP if by_year[latest_year] > 0 else 0.0
    return min((by_year[latest_year] - base) / base, _TREND_CAP)


def _quartiles(amounts: list[int]) -> tuple[int, int, int]:
    """(q1, median, q3) of amounts sorted ascending; zeros when there are none."""
    if not amounts:
        return 0, 0, 0
    if len(amounts) == 1:
        return amounts[0], amounts[0], amounts[0]
    q1, median, q3 = statistics.quantiles(amounts, n=4, method="inclusive")
    return round(q1), round(median), round(q3)


def likeness_keys(group: str, code: str, state: str, band: int) -> list[str]:
    """The funder_likeness keys one like grant counts under (see schema_v5)."""
    keys = [f"G:{group}"]
    if len(code) == 3:
        keys.append(f"C:{code}")
    if state:
        keys.append(f"S:{group}:{state}")
    if band:
        keys.append(f"B:{group}:{band}")
    return keys


_GRANT_FIGURES_SQL = (
    "SELECT g.funder_id, g.amount, coalesce(nullif(s.state, ''), g.state), coalesce(s.ntee_code, ''), "
    "coalesce(s.revenue, s.income) "
    "FROM irs_grants AS g INDEXED BY ix_irs_grants_funder_amount "
    "LEFT JOIN source_records AS s ON s.id = g.matched_org_id "
    "WHERE g.funder_id IN ({marks}) AND g.counts = 1 AND g.kind != ? ORDER BY g.funder_id, g.amount"
)


class _Tally:
    """One funder's counting grants paid as they stream by, in amount order: per grant only its
    amount and a (state, NTEE code, revenue) tally; states, groups and likeness keys come from
    the tallies at the end (~1 µs a grant instead of ~10 with every dictionary updated per
    grant). No row is kept: a kept row per grant piled up young objects for the garbage
    collector, whose full passes stall the event loop."""

    def __init__(self) -> None:
        self.amounts: list[int] = []
        self.tallies: dict[tuple[str, str, int | None], _Mix] = {}

    def add(self, amount: int, state: str, ntee: str, revenue: int | None) -> None:
        self.amounts.append(amount)
        tally_key = (state, ntee, revenue)
        tally = self.tallies.get(tally_key)
        if tally is None:
            tally = self.tallies[tally_key] = _Mix()
        tally.grants += 1
        tally.amount += amount

    def figures(self) -> _FunderFigures:
        figures = _FunderFigures(amounts=self.amounts)
        for (state, ntee, revenue), tally in self.tallies.items():
            figures.states.setdefault(state, _Mix()).add(tally.grants, tally.amount)
            group = ntee[:1]
            figures.groups.setdefault(group, _Mix()).add(tally.grants, tally.amount)
            if group:
                for key in likeness_keys(group, ntee[:3], state, int(size_band(revenue))):
                    figures.likeness.setdefault(key, _Mix()).add(tally.grants, tally.amount)
        return figures


def _grant_figures(
    conn: sqlite3.Connection, funder_ids: Sequence[int]
) -> Iterator[tuple[int, _FunderFigures]]:
    """(funder id, figures) of each funder that has counting grants paid, in id order, from one
    query for them all; one funder's amounts are held at a time."""
    marks = ", ".join("?" * len(funder_ids))
    current, tally = None, _Tally()
    for funder_id, amount, state, ntee, revenue in conn.execute(
        _GRANT_FIGURES_SQL.format(marks=marks), (*funder_ids, _FUTURE)
    ):
        if funder_id != current:
            if current is not None:
                yield current, tally.figures()
            current, tally = funder_id, _Tally()
        tally.add(amount, state, ntee, revenue)
    if current is not None:
        yield current, tally.figures()


_ReturnRow = tuple[int | None, str, str, str, str, str, int | None, int | None]


def _counting_returns(conn: sqlite3.Connection, eins: Sequence[str]) -> dict[str, list[_ReturnRow]]:
    """EIN -> its counting returns in tax period order (what the funders row is made from)."""
    found: dict[str, list[_ReturnRow]] = {}
    for ein, *row in conn.execute(
        "SELECT ein, tax_year, tax_period, return_type, filer_name, city, state, "
        "coalesce(total_grants_paid, grants_paid_total), preselected_only FROM irs_returns "
        f"WHERE ein IN ({', '.join('?' * len(eins))}) AND counts = 1 ORDER BY ein, tax_period",
        tuple(eins),
    ):
        found.setdefault(ein, []).append(tuple(row))
    return found


def _funder_row(returns: list[_ReturnRow], funder_id: int, figures: _FunderFigures) -> tuple[Any, ...]:
    by_year: dict[int, int] = {}
    for tax_year, period, *_rest, paid, _pre in returns:
        year = tax_year if tax_year is not None else int(period[:4])
        by_year[year] = by_year.get(year, 0) + (paid or 0)
    latest = returns[-1] if returns else (0, "", "", "", "", "", 0, None)
    pf = [r for r in returns if r[2] == "990PF"]
    preselected = pf[-1][7] if pf else None
    q1, median, q3 = _quartiles(figures.amounts)
    latest_year = max(by_year) if by_year else 0
    return (
        *(latest[3], latest[4], latest[5], latest[2], latest_year, by_year.get(latest_year, 0)),
        *(_trend(by_year), len(figures.amounts), sum(figures.amounts), median, q1, q3),
        None if preselected is None else 1 - preselected,
        int(bool(figures.amounts) or by_year.get(latest_year, 0) > 0),  # gives: listed in the Funders view
        funder_id,
    )


_UPDATE_FUNDER_SQL = (
    "UPDATE funders SET name = ?, city = ?, state = ?, return_type = ?, latest_tax_year = ?, "
    "latest_grants_paid = ?, trend = ?, grant_count = ?, grants_total = ?, median_grant = ?, "
    "q1_grant = ?, q3_grant = ?, accepts_applications = ?, gives = ?, "
    "refreshed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?"
)


def _clear(conn: sqlite3.Connection, funder_ids: Sequence[int]) -> None:
    marks = ", ".join("?" * len(funder_ids))
    for table in ("funder_likeness", "funder_ntee", "funder_states"):  # fixed names, no input
        conn.execute(f"DELETE FROM {table} WHERE funder_id IN ({marks})", tuple(funder_ids))
    conn.execute(f"DELETE FROM funder_search WHERE rowid IN ({marks})", tuple(funder_ids))


def _mark_large(conn: sqlite3.Connection, funder_id: int) -> None:
    """Put a funder that has grown past LARGE_FUNDER_GRANTS into the year and recipient sort
    indexes (schema_v5). Once large, always large: its new grants are flagged on insert."""
    conn.execute("UPDATE funders SET large = 1 WHERE id = ?", (funder_id,))
    conn.execute(
        "UPDATE irs_grants INDEXED BY ix_irs_grants_funder_amount SET large_funder = 1 "
        "WHERE funder_id = ? AND counts = 1",
        (funder_id,),
    )


def refresh_funders(conn: sqlite3.Connection, eins: Sequence[str]) -> int:
    """Recompute the aggregates of these funders (call inside the writer's transaction): a few
    statements per chunk of funders, not per funder (a batch of 150 returns touches ~150)."""
    refreshed = 0
    for start in range(0, len(eins), _CHUNK):
        refreshed += _refresh_chunk(conn, eins[start : start + _CHUNK])
    return refreshed


def _refresh_chunk(conn: sqlite3.Connection, eins: Sequence[str]) -> int:
    found = conn.execute(
        f"SELECT id, ein, large FROM funders WHERE ein IN ({', '.join('?' * len(eins))}) ORDER BY id",
        tuple(eins),
    ).fetchall()
    if not found:
        return 0
    ids = [funder_id for funder_id, _ein, _large in found]
    figures = dict(_grant_figures(conn, ids))
    returns = _counting_returns(conn, [ein for _id, ein, _large in found])
    rows: list[tuple[Any, ...]] = []
    states: list[tuple[int, str, int, int]] = []
    groups: list[tuple[int, str, int, int]] = []
    likeness: list[tuple[int, str, int, int]] = []
    for funder_id, ein, large in found:
        mine = figures.pop(funder_id, None) or _FunderFigures()
        if not large and len(mine.amounts) > LARGE_FUNDER_GRANTS:
            _mark_large(conn, funder_id)
        rows.append(_funder_row(returns.get(ein, []), funder_id, mine))
        states += [(funder_id, s, m.grants, m.amount) for s, m in mine.states.items()]
        groups += [(funder_id, g, m.grants, m.amount) for g, m in mine.groups.items()]
        # Dollars only on the group rows: the ranking sums them as the like grants' amount.
        likeness += [
            (funder_id, k, m.grants, m.amount if k[0] == "G" else 0) for k, m in mine.likeness.items()
        ]
    _clear(conn, ids)
    conn.executemany(_UPDATE_FUNDER_SQL, rows)
    conn.executemany("INSERT INTO funder_states VALUES (?, ?, ?, ?)", states)
    conn.executemany("INSERT INTO funder_ntee VALUES (?, ?, ?, ?)", groups)
    conn.executemany("INSERT INTO funder_likeness VALUES (?, ?, ?, ?)", likeness)
    conn.executemany(
        "INSERT INTO funder_search (rowid, name, city) VALUES (?, ?, ?)", [(r[-1], r[0], r[1]) for r in rows]
    )
    return len(found)


def refresh_all_funders(conn: sqlite3.Connection) -> int:
    """Recompute every funder (after a BMF re-import changed recipients' codes or sizes)."""
    eins = [r[0] for r in conn.execute("SELECT ein FROM funders ORDER BY id")]
    return refresh_funders(conn, eins)
