"""The 990 part of a dossier: giving by year, typical grant, grants like ours, how to apply, officers.

Reads the giving tables of schema v5 (irs_returns, funders, irs_grants, irs_people,
irs_applications). A database may not have them yet (a build without the 990 import, or a
file from before it): `has_giving_tables` checks sqlite_master once per dossier and the
dossier then says that no return is imported, instead of failing.

Which return counts per tax period is v5's verdict (`counts = 1`: an amendment supersedes);
grants approved for future payment (kind 1) are never added to what was paid.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from catalynx_desktop.domain.dossier import (
    GivingEvidence,
    LikeGrant,
    Officer,
    TypicalGrant,
    YearGiving,
)
from catalynx_desktop.storage.funder_details import how_to_apply, latest_counting_return

GIVING_TABLES = ("irs_returns", "funders", "irs_grants", "irs_people", "irs_applications")
_FUTURE_KIND = 1  # irs_grants.kind of a grant approved for future payment
LIKE_GRANTS_SHOWN = 10


def has_giving_tables(conn: sqlite3.Connection) -> bool:
    marks = ", ".join("?" * len(GIVING_TABLES))
    found = conn.execute(
        f"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ({marks})", GIVING_TABLES
    ).fetchone()[0]
    return int(found) == len(GIVING_TABLES)


def _giving_by_year(conn: sqlite3.Connection, ein: str) -> tuple[YearGiving, ...]:
    rows = conn.execute(
        "SELECT coalesce(tax_year, CAST(substr(tax_period, 1, 4) AS INTEGER)) AS year, "
        "sum(coalesce(total_grants_paid, grants_paid_total)), sum(grants_paid_count), sum(grants_paid_total) "
        "FROM irs_returns WHERE ein = ? AND counts = 1 GROUP BY year ORDER BY year DESC",
        (ein,),
    )
    return tuple(
        YearGiving(int(r[0]), r[1], int(r[2] or 0), int(r[3] or 0)) for r in rows if r[0] is not None
    )


def _like_condition(ntee_groups: Sequence[str], states: Sequence[str]) -> tuple[str, tuple[Any, ...]]:
    """Recipients like ours: matched to a BMF organization of our NTEE major groups; a profile
    without NTEE codes compares states instead (the recipient's BMF state, else the grant's)."""
    if ntee_groups:
        marks = ", ".join("?" * len(ntee_groups))
        return f"substr(s.ntee_code, 1, 1) IN ({marks})", tuple(ntee_groups)
    if states:
        marks = ", ".join("?" * len(states))
        return f"coalesce(nullif(s.state, ''), g.state) IN ({marks})", tuple(states)
    return "0", ()


def _grants_like_ours(
    conn: sqlite3.Connection, funder_id: int, ntee_groups: Sequence[str], states: Sequence[str]
) -> tuple[LikeGrant, ...]:
    condition, params = _like_condition(ntee_groups, states)
    # The funder's partial amount index gives its counting grants largest first; LIMIT stops
    # the walk at the first ten that match.
    rows = conn.execute(
        "SELECT g.tax_year, g.recipient_name, g.city, g.state, g.amount, g.purpose "
        "FROM irs_grants AS g INDEXED BY ix_irs_grants_funder_amount "
        "LEFT JOIN source_records AS s ON s.id = g.matched_org_id "
        f"WHERE g.funder_id = ? AND g.counts = 1 AND g.kind <> ? AND {condition} "
        "ORDER BY g.amount DESC, g.id DESC LIMIT ?",
        (funder_id, _FUTURE_KIND, *params, LIKE_GRANTS_SHOWN),
    )
    return tuple(LikeGrant(*row) for row in rows)


def read_giving(
    conn: sqlite3.Connection, ein: str, ntee_groups: Sequence[str], states: Sequence[str]
) -> GivingEvidence | None:
    """The funder's 990 evidence, or None when no return of this EIN is stored."""
    latest = latest_counting_return(conn, ein, pf_only=False)
    if not ein or latest is None:
        return None
    funder = conn.execute(
        "SELECT id, q1_grant, median_grant, q3_grant, grant_count FROM funders WHERE ein = ?", (ein,)
    ).fetchone()
    like: tuple[LikeGrant, ...] = ()
    typical_grant = None
    if funder is not None:
        if funder[4]:
            typical_grant = TypicalGrant(funder[1], funder[2], funder[3], funder[4])
        like = _grants_like_ours(conn, funder[0], ntee_groups, states)
    officers = tuple(
        Officer(name, title)
        for name, title in conn.execute(
            "SELECT name, title FROM irs_people WHERE return_id = ? ORDER BY id", (latest[0],)
        )
    )
    latest_pf = latest_counting_return(conn, ein, pf_only=True)
    return GivingEvidence(
        giving_by_year=_giving_by_year(conn, ein),
        typical_grant=typical_grant,
        grants_like_ours=like,
        how_to_apply=how_to_apply(conn, latest_pf[0]) if latest_pf else (),
        preselected_only=None if latest_pf is None or latest_pf[1] is None else bool(latest_pf[1]),
        officers=officers,
    )
