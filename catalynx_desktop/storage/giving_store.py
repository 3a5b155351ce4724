"""Store parsed IRS returns (domain/giving.FiledReturn): one batch per call, one transaction per batch.

store_returns() runs on the writer's thread inside the caller's transaction
(`await db.write(lambda conn: store_returns(conn, batch))`). Every row of a batch goes in with
one executemany per table; ids are assigned here (max + 1 onwards, the single writer holds
the lock), so a return's grants have consecutive ids and the return records the range.

Re-import creates nothing twice: a return whose OBJECT_ID is stored is skipped whole. Which
return counts per (EIN, tax period) is settled on write (see schema_v5): the highest
OBJECT_ID, so a later amendment supersedes the original and an older filing imported late
arrives superseded. Funder aggregates of the EINs a batch touched are recomputed in the same
transaction (storage/funder_aggregates.py), so the views never see them out of step.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import count

from catalynx_desktop.domain.giving import FiledReturn
from catalynx_desktop.domain.recipients import MatchMethod
from catalynx_desktop.storage.funder_aggregates import refresh_funders
from catalynx_desktop.storage.giving_rows import (
    GRANT_KIND_CODES,
    PREPARED_GRANT_COLUMNS,
    PREPARED_RETURN_COLUMNS,
    WRITER_GRANT_COLUMNS,
    WRITER_RETURN_COLUMNS,
    PreparedReturn,
    Row,
    prepare_return,
    rejection,
)
from catalynx_desktop.storage.recipient_matching import KeyTuple, match_recipients, sync_name_keys

__all__ = [
    "GRANT_KIND_CODES",
    "StoreCounts",
    "rejection",
    "store_prepared",
    "store_returns",
    "stored_object_ids",
]

_CHUNK = 500

_RETURN_COLUMNS = (
    "id, object_id, ein, return_type, tax_period, tax_period_end, tax_year, return_version, amended, "
    "filer_name, filer_name_line2, address_line1, address_line2, city, state, zip, country, website, "
    "total_assets, fair_market_value, total_revenue, contributions_received, total_grants_paid, "
    "qualifying_distributions, distributable_amount, preselected_only, grants_paid_count, "
    "grants_paid_total, future_grants_count, future_grants_total, individual_grants_total, "
    "people_count, first_grant_id, last_grant_id, counts"
)
_GRANT_COLUMNS = (
    "id, return_id, funder_id, kind, counts, tax_year, amount, recipient_name, recipient_name_line2, "
    "recipient_ein, city, state, zip, country, foundation_status, relationship, purpose, cash_amount, "
    "noncash_amount, matched_org_id, match_method, large_funder"
)


def _insert_sql(table: str, columns: str) -> str:
    marks = ", ".join("?" * (columns.count(",") + 1))
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})"


INSERT_RETURN_SQL = _insert_sql("irs_returns", _RETURN_COLUMNS)
INSERT_GRANT_SQL = _insert_sql("irs_grants", _GRANT_COLUMNS)
# The writer binds a prepared row followed by its ids (giving_rows: the columns in that order).
_INSERT_PREPARED_RETURN_SQL = _insert_sql(
    "irs_returns", f"{PREPARED_RETURN_COLUMNS}, {WRITER_RETURN_COLUMNS}"
)
_INSERT_PREPARED_GRANT_SQL = _insert_sql("irs_grants", f"{PREPARED_GRANT_COLUMNS}, {WRITER_GRANT_COLUMNS}")
_INSERT_PERSON_SQL = _insert_sql("irs_people", "return_id, name, title, hours_per_week, compensation")
_INSERT_INDIVIDUAL_SQL = _insert_sql(
    "irs_individual_grants", "return_id, grant_type, recipient_count, cash_amount, noncash_amount"
)
_INSERT_APPLICATION_SQL = _insert_sql(
    "irs_applications",
    "return_id, contact_name, address_line1, address_line2, city, state, zip, country, phone, email, "
    "form_and_materials, deadlines, restrictions",
)


@dataclass(frozen=True)
class StoreCounts:
    """What one store_returns call did."""

    inserted: int = 0  # returns stored
    skipped: int = 0  # returns already stored (same OBJECT_ID), or repeated in the batch
    superseded: int = 0  # returns that stopped counting, or arrived not counting: a later filing is stored
    grants: int = 0  # grant rows stored
    matched: int = 0  # of those, tied to a BMF organization
    funder_eins: frozenset[str] = field(default_factory=frozenset)  # funders whose data changed
    rejected: tuple[tuple[str, str], ...] = ()  # (object id, reason): not stored, the rest was

    def __add__(self, other: StoreCounts) -> StoreCounts:
        return StoreCounts(
            self.inserted + other.inserted,
            self.skipped + other.skipped,
            self.superseded + other.superseded,
            self.grants + other.grants,
            self.matched + other.matched,
            self.funder_eins | other.funder_eins,
            self.rejected + other.rejected,
        )


def _winner_key(object_id: str) -> tuple[int, str]:
    return len(object_id), object_id  # 18 digits today; numeric order even if that ever changes


def _stored_object_ids(conn: sqlite3.Connection, object_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(object_ids), _CHUNK):
        chunk = object_ids[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        found.update(
            r[0]
            for r in conn.execute(f"SELECT object_id FROM irs_returns WHERE object_id IN ({marks})", chunk)
        )
    return found


def _funder_ids(conn: sqlite3.Connection, eins: Sequence[str]) -> dict[str, tuple[int, int]]:
    """EIN -> (funder id, large flag): new grants of a large funder go into its sort indexes."""
    conn.executemany("INSERT OR IGNORE INTO funders (ein) VALUES (?)", [(ein,) for ein in eins])
    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(eins), _CHUNK):
        chunk = eins[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        for ein, funder_id, large in conn.execute(
            f"SELECT ein, id, large FROM funders WHERE ein IN ({marks})", chunk
        ):
            found[ein] = (funder_id, large)
    return found


def _next_id(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])


def _settle_counting(
    conn: sqlite3.Connection, new: Sequence[PreparedReturn]
) -> tuple[set[str], list[tuple[int, int | None, int | None]]]:
    """Which new returns count, and the stored ones they supersede (id, first/last grant id)."""
    by_key: dict[tuple[str, str], list[PreparedReturn]] = {}
    for filed in new:
        by_key.setdefault((filed.ein, filed.tax_period), []).append(filed)
    counting: set[str] = set()
    demoted: list[tuple[int, int | None, int | None]] = []
    for (ein, period), filings in by_key.items():
        best = max(filings, key=lambda f: _winner_key(f.object_id))
        stored = conn.execute(
            "SELECT id, object_id, first_grant_id, last_grant_id FROM irs_returns "
            "WHERE ein = ? AND tax_period = ? AND counts = 1",
            (ein, period),
        ).fetchone()
        if stored is not None and _winner_key(stored[1]) > _winner_key(best.object_id):
            continue  # the stored return stays the one that counts
        counting.add(best.object_id)
        if stored is not None:
            demoted.append((stored[0], stored[2], stored[3]))
    return counting, demoted


def _new_returns(conn: sqlite3.Connection, returns: Sequence[PreparedReturn]) -> list[PreparedReturn]:
    """The batch without returns already stored or repeated (first occurrence kept)."""
    unique = list({p.object_id: p for p in reversed(returns)}.values())[::-1]
    stored = _stored_object_ids(conn, [p.object_id for p in unique])
    return [p for p in unique if p.object_id not in stored]


def store_returns(
    conn: sqlite3.Connection,
    returns: Sequence[FiledReturn],
    *,
    refresh: bool = True,
    keys: Mapping[str, Sequence[KeyTuple]] | None = None,
) -> StoreCounts:
    """Store one batch of returns (call inside the batch's transaction) and say what it did.

    keys: each return's grants' recipient keys by object id, when computed already; else they
    are computed here. With refresh=False the funder aggregates are left for the caller, who
    must then call funder_aggregates.refresh_funders(conn, counts.funder_eins) before the views
    read them.
    """
    prepared = [prepare_return(f) for f in returns]
    if keys:
        prepared = [p._replace(keys=tuple(keys[p.object_id])) if p.object_id in keys else p for p in prepared]
    return store_prepared(conn, prepared, refresh=refresh)


def store_prepared(
    conn: sqlite3.Connection, returns: Sequence[PreparedReturn], *, refresh: bool = True
) -> StoreCounts:
    """store_returns() for returns already turned into rows (giving_rows.prepare_return, which
    the import's parse workers run): ids, counting and recipient matches are settled here."""
    rejected = tuple((p.object_id, p.rejection) for p in returns if p.rejection is not None)
    good = [p for p in returns if p.rejection is None] if rejected else returns
    new = _new_returns(conn, good)
    skipped = len(good) - len(new)
    if not new:
        return StoreCounts(skipped=skipped, rejected=rejected)
    sync_name_keys(conn)
    funders = _funder_ids(conn, sorted({p.ein for p in new}))
    counting, demoted = _settle_counting(conn, new)
    matches = {
        k: (m[0], int(m[1])) for k, m in match_recipients(conn, (k for p in new for k in p.keys)).items()
    }
    placed = _place(conn, new, counting)
    _write_rows(conn, placed, funders, matches, demoted)
    touched = {p.ein for p in new}
    if refresh:
        refresh_funders(conn, sorted(touched))
    unmatched = int(MatchMethod.UNMATCHED)
    return StoreCounts(
        inserted=len(new),
        skipped=skipped,
        superseded=len(demoted) + len(new) - len(counting),
        grants=sum(len(p.grants) for p in new),
        matched=sum(1 for p in new for k in p.keys if matches[k][1] != unmatched),
        funder_eins=frozenset(touched),
        rejected=rejected,
    )


# A return placed in the batch: (its rows, return id, first grant id, counts 0/1).
_Placed = tuple[PreparedReturn, int, int, int]


def _place(conn: sqlite3.Connection, new: Sequence[PreparedReturn], counting: set[str]) -> list[_Placed]:
    """Each return's id and its grants' first id: a return's grants get consecutive ids."""
    next_return, next_grant = _next_id(conn, "irs_returns"), _next_id(conn, "irs_grants")
    placed: list[_Placed] = []
    for p in new:
        placed.append((p, next_return, next_grant, int(p.object_id in counting)))
        next_return += 1
        next_grant += len(p.grants)
    return placed


# The rows below are generated one at a time as executemany binds them, never held in lists:
# each tuple is freed right after binding, so the ~5,000 rows of a batch do not pile up as
# young objects and trigger the garbage collector's full passes (measured: a collection during
# the batch held the GIL, and the event loop, for up to 50-100 ms).


def _return_rows(placed: Sequence[_Placed]) -> Iterator[Row]:
    for p, return_id, first, counts in placed:
        span = (first, first + len(p.grants) - 1) if p.grants else (None, None)
        yield (*p.return_row, return_id, *span, counts)


def _grant_rows(
    placed: Sequence[_Placed],
    funders: Mapping[str, tuple[int, int]],
    matches: Mapping[KeyTuple, tuple[int | None, int]],
) -> Iterator[Row]:
    for p, return_id, first, counts in placed:
        funder_id, large = funders[p.ein]
        year = p.tax_year
        for grant_id, grant, key in zip(count(first), p.grants, p.keys):
            org, method = matches[key]
            yield (*grant, grant_id, return_id, funder_id, counts, year, org, method, large)


def _write_rows(
    conn: sqlite3.Connection,
    placed: Sequence[_Placed],
    funders: Mapping[str, tuple[int, int]],
    matches: Mapping[KeyTuple, tuple[int | None, int]],
    demoted: Sequence[tuple[int, int | None, int | None]],
) -> None:
    for p in (p for p, *_ in placed):
        if len(p.keys) != len(p.grants):
            raise ValueError(f"return {p.object_id}: {len(p.grants)} grants but {len(p.keys)} recipient keys")
    conn.executemany(_INSERT_PREPARED_RETURN_SQL, _return_rows(placed))
    conn.executemany(_INSERT_PREPARED_GRANT_SQL, _grant_rows(placed, funders, matches))
    conn.executemany(_INSERT_PERSON_SQL, ((rid, *row) for p, rid, _f, _c in placed for row in p.people))
    conn.executemany(
        _INSERT_INDIVIDUAL_SQL, ((rid, *row) for p, rid, _f, _c in placed for row in p.individuals)
    )
    conn.executemany(
        _INSERT_APPLICATION_SQL, ((rid, *row) for p, rid, _f, _c in placed for row in p.applications)
    )
    conn.executemany("UPDATE irs_returns SET counts = 0 WHERE id = ?", [(d[0],) for d in demoted])
    conn.executemany(
        "UPDATE irs_grants SET counts = 0 WHERE id BETWEEN ? AND ?",
        [(first, last) for _, first, last in demoted if first is not None],
    )


def stored_object_ids(conn: sqlite3.Connection) -> set[str]:
    """Every stored return's OBJECT_ID: an import skips these members before decompressing them
    (~60 bytes each in memory: 6 MB for 100,000 returns)."""
    return {row[0] for row in conn.execute("SELECT object_id FROM irs_returns")}
