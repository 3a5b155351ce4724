"""One funder's page, its JSON summary and "funders of organizations like mine": sync reads, one hop each.

Everything here reads the aggregates kept by storage/funder_aggregates.py plus a funder's own
returns (a handful of rows); only the evidence of "like mine" touches grants, through the
funder's amount index, a few rows per funder shown.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from catalynx_desktop.domain.funder_views import (
    FunderDetail,
    HowToApply,
    LikeMineFunder,
    LikeProfile,
    PersonRow,
    ReturnSummary,
    Share,
    YearGiving,
)
from catalynx_desktop.storage.funder_queries import (
    FUNDER_COLUMNS_NO_SHARES,
    GRANT_COLUMNS,
    funder_row,
    grant_row,
)

_NO_SHARES = ("", "")
_FUTURE = 1  # irs_grants.kind of grants approved for future payment

_RETURN_SUMMARY_SQL = (
    "SELECT object_id, return_type, tax_period, tax_year, amended, counts, grants_paid_count, "
    "grants_paid_total, future_grants_count, people_count, preselected_only FROM irs_returns "
    "WHERE ein = ? ORDER BY tax_period, length(object_id), object_id"
)


def _returns(conn: sqlite3.Connection, ein: str) -> tuple[ReturnSummary, ...]:
    return tuple(
        ReturnSummary(o, t, p, y, bool(a), bool(c), n, total, fut, people, None if pre is None else bool(pre))
        for o, t, p, y, a, c, n, total, fut, people, pre in conn.execute(_RETURN_SUMMARY_SQL, (ein,))
    )


def _giving_by_year(conn: sqlite3.Connection, ein: str) -> tuple[YearGiving, ...]:
    rows = conn.execute(
        "SELECT coalesce(tax_year, CAST(substr(tax_period, 1, 4) AS INTEGER)) AS year, "
        "sum(coalesce(total_grants_paid, grants_paid_total)), sum(grants_paid_count), sum(grants_paid_total) "
        "FROM irs_returns WHERE ein = ? AND counts = 1 GROUP BY year ORDER BY year",
        (ein,),
    )
    return tuple(YearGiving(*row) for row in rows)


def _shares(conn: sqlite3.Connection, table: str, key: str, funder_id: int) -> tuple[Share, ...]:
    # table/key are one of two fixed pairs (funder_states/state, funder_ntee/major_group).
    return tuple(
        Share(*row)
        for row in conn.execute(
            f"SELECT {key}, grants, amount FROM {table} WHERE funder_id = ? ORDER BY amount DESC, {key}",
            (funder_id,),
        )
    )


def latest_counting_return(conn: sqlite3.Connection, ein: str, pf_only: bool) -> tuple[int, Any] | None:
    """(id, preselected_only) of the EIN's latest return that counts (a 990-PF if `pf_only`)."""
    sql = "SELECT id, preselected_only FROM irs_returns WHERE ein = ? AND counts = 1"
    if pf_only:
        sql += " AND return_type = '990PF'"
    found: tuple[int, Any] | None = conn.execute(f"{sql} ORDER BY tax_period DESC LIMIT 1", (ein,)).fetchone()
    return found


def how_to_apply(conn: sqlite3.Connection, return_id: int) -> tuple[HowToApply, ...]:
    """The return's how-to-apply entries, in filing order (funder page and dossier)."""
    found = []
    for row in conn.execute(
        "SELECT contact_name, address_line1, address_line2, city, state, zip, country, phone, email, "
        "form_and_materials, deadlines, restrictions FROM irs_applications WHERE return_id = ? ORDER BY id",
        (return_id,),
    ):
        address = ", ".join(part for part in row[1:7] if part)
        found.append(HowToApply(row[0], address, *row[7:]))
    return tuple(found)


def funder_detail(conn: sqlite3.Connection, funder_id: int) -> FunderDetail | None:
    values = conn.execute(
        f"SELECT {FUNDER_COLUMNS_NO_SHARES}, f.q1_grant, f.q3_grant FROM funders AS f WHERE f.id = ?",
        (funder_id,),
    ).fetchone()
    if values is None:
        return None
    funder = funder_row(values, _NO_SHARES)
    latest = latest_counting_return(conn, funder.ein, pf_only=False)
    people: tuple[PersonRow, ...] = ()
    if latest is not None:
        people = tuple(
            PersonRow(*row)
            for row in conn.execute(
                "SELECT name, title, hours_per_week, compensation FROM irs_people WHERE return_id = ? ORDER BY id",
                (latest[0],),
            )
        )
    latest_pf = latest_counting_return(conn, funder.ein, pf_only=True)
    return FunderDetail(
        funder=funder,
        q1_grant=values[14],
        q3_grant=values[15],
        grants_total=values[11],
        giving_by_year=_giving_by_year(conn, funder.ein),
        states=_shares(conn, "funder_states", "state", funder_id),
        ntee_groups=_shares(conn, "funder_ntee", "major_group", funder_id),
        people=people,
        how_to_apply=how_to_apply(conn, latest_pf[0]) if latest_pf else (),
        preselected_only=None if latest_pf is None or latest_pf[1] is None else bool(latest_pf[1]),
        returns=_returns(conn, funder.ein),
    )


def funder_id_by_ein(conn: sqlite3.Connection, ein: str) -> int | None:
    row = conn.execute("SELECT id FROM funders WHERE ein = ?", (ein,)).fetchone()
    return None if row is None else row[0]


def funder_summary(conn: sqlite3.Connection, ein: str) -> dict[str, Any] | None:
    """The `catalynx-desktop funder EIN --json` object; None when no return of this EIN is stored.

    Fixed keys: ein, name, returns[{object_id, return_type, tax_period, grants_paid_count,
    grants_paid_total, future_grants_count, officers_count, preselected_only}]. grants_paid_*
    cover the grants listed one by one as paid (990-PF paid during the year, 990 Schedule I,
    cash plus non-cash), not future grants nor the aggregate lines for individuals;
    officers_count counts the people rows of the return. Every stored return is listed, with
    `counts` saying which one counts for its tax period (an amended one supersedes).
    """
    found = conn.execute(
        "SELECT name, city, state, latest_tax_year, latest_grants_paid, grant_count, grants_total, "
        "median_grant, accepts_applications FROM funders WHERE ein = ?",
        (ein,),
    ).fetchone()
    returns = _returns(conn, ein)
    if found is None or not returns:
        return None
    name, city, state, year, paid, count, total, median, accepts = found
    return {
        "ein": ein,
        "name": name,
        "city": city,
        "state": state,
        "latest_tax_year": year,
        "latest_grants_paid": paid,
        "grant_count": count,
        "grants_total": total,
        "median_grant": median,
        "accepts_applications": None if accepts is None else bool(accepts),
        "returns": [
            {
                "object_id": r.object_id,
                "return_type": r.return_type,
                "tax_period": r.tax_period,
                "tax_year": r.tax_year,
                "amended": r.amended,
                "counts": r.counts,
                "grants_paid_count": r.grants_paid_count,
                "grants_paid_total": r.grants_paid_total,
                "future_grants_count": r.future_grants_count,
                "officers_count": r.officers_count,
                "preselected_only": r.preselected_only,
            }
            for r in returns
        ],
    }


# -- funders of organizations like mine --------------------------------------------------------


def _marks(values: tuple[Any, ...]) -> str:
    return ", ".join("?" * len(values))


def rank_like_mine(
    conn: sqlite3.Connection, like: LikeProfile, limit: int
) -> list[tuple[int, int, int, int]]:
    """(funder id, score, like grants, like amount), best first.

    A like grant went to a matched recipient in one of the profile's NTEE major groups; it
    scores 1, plus 1 each for the same 3-character NTEE code, a state of the profile and the
    profile's size band: the sum of the funder's counts under the profile's funder_likeness
    keys (schema_v5). Without NTEE codes, the profile's states decide (funder_states).
    """
    groups = like.major_groups
    states = tuple(sorted({s.upper() for s in like.states}))
    if not groups:
        if not states:
            return []
        sql = (
            f"SELECT funder_id, sum(grants), sum(grants), sum(amount) FROM funder_states "
            f"WHERE state IN ({_marks(states)}) GROUP BY funder_id ORDER BY 2 DESC, 4 DESC, 1 LIMIT ?"
        )
        return conn.execute(sql, (*states, limit)).fetchall()
    codes = sorted({c[:3].upper() for c in like.ntee_codes if len(c) >= 3})
    keys = (
        *(f"G:{g}" for g in groups),
        *(f"C:{c}" for c in codes),
        *(f"S:{g}:{s}" for g in groups for s in states),
        *(f"B:{g}:{int(like.size_band)}" for g in groups if like.size_band),
    )
    # The like grants' count and amount come from the 'G:' rows (the other keys re-count
    # them; their amount is stored as 0).
    sql = (
        "SELECT funder_id, sum(grants), sum(CASE WHEN substr(key, 1, 2) = 'G:' THEN grants END), sum(amount) "
        f"FROM funder_likeness INDEXED BY ix_funder_likeness_key WHERE key IN ({_marks(keys)}) "
        "GROUP BY funder_id ORDER BY 2 DESC, 4 DESC, 1 LIMIT ?"
    )
    return conn.execute(sql, (*keys, limit)).fetchall()


def _evidence(
    conn: sqlite3.Connection, funder_id: int, like: LikeProfile, per_funder: int
) -> tuple[Any, ...]:
    groups = like.major_groups
    prefix = f"g.{GRANT_COLUMNS.replace(', ', ', g.')}"
    if groups:
        condition, params = f"substr(s.ntee_code, 1, 1) IN ({_marks(groups)})", groups
    else:
        states = tuple(s.upper() for s in like.states)
        condition, params = f"coalesce(nullif(s.state, ''), g.state) IN ({_marks(states)})", states
    rows = conn.execute(
        f"SELECT {prefix} FROM irs_grants AS g INDEXED BY ix_irs_grants_funder_amount "
        "LEFT JOIN source_records AS s ON s.id = g.matched_org_id "
        f"WHERE g.funder_id = ? AND g.counts = 1 AND g.kind != ? AND {condition} "
        "ORDER BY g.amount DESC, g.id DESC LIMIT ?",
        (funder_id, _FUTURE, *params, per_funder),
    )
    return tuple(grant_row(v) for v in rows)


def like_mine(
    conn: sqlite3.Connection, like: LikeProfile, limit: int = 25, per_funder: int = 3
) -> list[LikeMineFunder]:
    ranked = rank_like_mine(conn, like, limit)
    found: list[LikeMineFunder] = []
    for funder_id, score, grants, amount in ranked:
        values = conn.execute(
            f"SELECT {FUNDER_COLUMNS_NO_SHARES} FROM funders AS f WHERE f.id = ?", (funder_id,)
        ).fetchone()
        funder = funder_row(values, _NO_SHARES)
        found.append(
            LikeMineFunder(funder, score, grants, amount, _evidence(conn, funder_id, like, per_funder))
        )
    return found
