"""SQL for the Funders view and one funder's grants: whitelisted sorts, forced indexes, keyset pages.

Identifiers come only from the dictionaries below (schema_v5's sort columns and their
indexes); every value is a parameter. Each function runs on a read connection's thread and
does one page's (or one view's) work, so a caller pays one thread hop.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from catalynx_desktop.domain.funder_views import (
    FunderQuery,
    FunderRow,
    FunderSort,
    GrantQuery,
    GrantRow,
    GrantSort,
)
from catalynx_desktop.domain.giving import GrantKind
from catalynx_desktop.domain.recipients import MatchMethod
from catalynx_desktop.storage.funder_aggregates import UNKNOWN_TREND
from catalynx_desktop.storage.keyset import KeysetQuery
from catalynx_desktop.storage.record_search import fts_query
from catalynx_desktop.storage.schema_v5 import FUNDER_SORT_COLUMNS, GRANT_SORT_COLUMNS

FUNDER_SORT_COLUMNS_BY_KEY: dict[FunderSort, str] = {s: s.value for s in FunderSort}
GRANT_SORT_COLUMNS_BY_KEY: dict[GrantSort, str] = {s: s.value for s in GrantSort}
assert set(FUNDER_SORT_COLUMNS_BY_KEY.values()) == set(FUNDER_SORT_COLUMNS)
assert set(GRANT_SORT_COLUMNS_BY_KEY.values()) == set(GRANT_SORT_COLUMNS)

GRANT_KINDS: dict[int, GrantKind] = {0: GrantKind.PAID, 1: GrantKind.FUTURE, 2: GrantKind.SCHEDULE_I}

_FUNDER_BASE_COLUMNS = (
    "f.id, f.ein, f.name, f.city, f.state, f.latest_tax_year, f.latest_grants_paid, f.trend, "
    "f.grant_count, f.median_grant, f.accepts_applications, f.grants_total"
)
# The share columns read the two small aggregate tables by primary key, one probe per row
# shown; the scalar subqueries keep the page a plain scan of the sort index. Without a
# profile they are not asked for at all.
FUNDER_COLUMNS = (
    f"{_FUNDER_BASE_COLUMNS}, "
    "(SELECT amount FROM funder_states WHERE funder_id = f.id AND state = ?), "
    "(SELECT amount FROM funder_ntee WHERE funder_id = f.id AND major_group = ?)"
)
FUNDER_COLUMNS_NO_SHARES = f"{_FUNDER_BASE_COLUMNS}, NULL, NULL"
GRANT_COLUMNS = (
    "id, tax_year, kind, recipient_name, recipient_name_line2, city, state, purpose, amount, "
    "matched_org_id, match_method"
)


def _state_code(text: str) -> str:
    code = text.strip().upper()
    if code and (len(code) != 2 or not code.isalpha()):
        raise ValueError(f"State {text!r} must be a two-letter code")
    return code


def _group_letter(text: str) -> str:
    letter = text.strip().upper()[:1]
    if letter and not letter.isalpha():
        raise ValueError(f"NTEE major group {text!r} must be a letter")
    return letter


def compile_funder_query(query: FunderQuery) -> KeysetQuery:
    column = FUNDER_SORT_COLUMNS_BY_KEY[FunderSort(query.sort)]
    state = _state_code(query.state)
    where = "f.gives = 1"  # organizations that give; written out for the partial indexes
    params: tuple[Any, ...] = ()
    if state:
        where += " AND f.state = ?"
        params += (state,)
    if query.accepts_applications is not None:
        where += " AND f.accepts_applications = ?"
        params += (int(query.accepts_applications),)
    search = fts_query(query.search)
    if search:
        # The matches decide the plan (few: look them up and sort; many: SQLite may walk the
        # sort index): no forced index.
        where += " AND f.id IN (SELECT rowid FROM funder_search WHERE funder_search MATCH ?)"
        params += (search,)
        source = "funders AS f"
    else:
        index = f"ix_funders_state_{column}" if state else f"ix_funders_{column}"
        source = f"funders AS f INDEXED BY {index}"
    shares = (_state_code(query.profile_state), _group_letter(query.profile_group))
    if not any(shares):
        return KeysetQuery(
            source, FUNDER_COLUMNS_NO_SHARES, f"f.{column}", "f.id", where, params, query.descending
        )
    return KeysetQuery(source, FUNDER_COLUMNS, f"f.{column}", "f.id", where, params, query.descending, shares)


def funder_row(values: tuple[Any, ...], shares: tuple[str, str] = ("", "")) -> FunderRow:
    (fid, ein, name, city, state, year, paid, trend, count, median, accepts, total, to_state, to_group) = (
        values[:14]
    )

    def share(amount: int | None, asked: str) -> float | None:
        if not asked:
            return None
        return (amount or 0) / total if total else 0.0

    return FunderRow(
        fid,
        ein,
        name,
        city,
        state,
        year,
        paid,
        None if trend <= UNKNOWN_TREND else trend,
        count,
        median,
        None if accepts is None else bool(accepts),
        share(to_state, shares[0]),
        share(to_group, shares[1]),
    )


def count_funders(conn: sqlite3.Connection, q: KeysetQuery) -> int:
    """The view's row count: from the filter index alone unless a search decides the rows."""
    source = q.source if "MATCH" in q.where else "funders AS f INDEXED BY ix_funders_filters"
    return int(conn.execute(f"SELECT count(*) FROM {source} WHERE {q.where}", q.params).fetchone()[0])


def compile_grant_query(query: GrantQuery, large: bool) -> KeysetQuery:
    """A large funder's grants are read in order from the sort column's index; a smaller one's
    (≤ LARGE_FUNDER_GRANTS, see schema_v5) through its amount index and sorted, a few ms."""
    column = GRANT_SORT_COLUMNS_BY_KEY[GrantSort(query.sort)]
    # `counts = 1` (and `large_funder = 1`) are written out: SQLite uses a partial index only
    # when the query's WHERE implies the index's own.
    where = "funder_id = ? AND counts = 1"
    if column == "amount" or not large:
        index = "ix_irs_grants_funder_amount"
    else:
        index = f"ix_irs_grants_funder_{column}"
        where += " AND large_funder = 1"
    return KeysetQuery(
        f"irs_grants INDEXED BY {index}",
        GRANT_COLUMNS,
        column,
        "id",
        where,
        (int(query.funder_id),),
        query.descending,
    )


def is_large_funder(conn: sqlite3.Connection, funder_id: int) -> bool:
    row = conn.execute("SELECT large FROM funders WHERE id = ?", (int(funder_id),)).fetchone()
    return bool(row and row[0])


def grant_row(values: tuple[Any, ...]) -> GrantRow:
    v = values
    return GrantRow(
        v[0], v[1], GRANT_KINDS[v[2]], v[3], v[4], v[5], v[6], v[7], v[8], v[9], MatchMethod(v[10])
    )


def count_grants(conn: sqlite3.Connection, funder_id: int) -> int:
    return int(
        conn.execute(
            "SELECT count(*) FROM irs_grants INDEXED BY ix_irs_grants_funder_amount "
            "WHERE funder_id = ? AND counts = 1",
            (int(funder_id),),
        ).fetchone()[0]
    )
