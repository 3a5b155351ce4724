"""Reads for `matches` and `evaluate-matching`: a profile's opportunities best first, and the
stored 990 grants and BMF records the back-test runs on."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from catalynx_desktop.domain.evaluation import OrgFacts
from catalynx_desktop.domain.evidence import GrantFact
from catalynx_desktop.domain.records import Source
from catalynx_desktop.domain.stages import Stage

_FUTURE = 1  # GrantKind.FUTURE's code in irs_grants.kind: approved, not paid
_READ_CHUNK = 50_000  # grants read between two looks at the back-test's Cancel


def profile_matches(conn: sqlite3.Connection, profile_id: int, limit: int | None) -> list[tuple[Any, ...]]:
    """(opportunity id, source, ein, kind of record, title, funder name, score, breakdown JSON,
    amount) of the profile's opportunities still in the pipeline (not declined), best first."""
    return conn.execute(
        "SELECT o.id, o.source, sr.ein, sr.kind, o.title, o.funder_name, o.score, o.score_breakdown, "
        "o.amount FROM opportunities AS o "
        "LEFT JOIN source_records AS sr ON sr.source = o.source AND sr.source_id = o.source_id "
        "WHERE o.profile_id = ? AND o.stage != ? ORDER BY o.score DESC, o.id LIMIT ?",
        (profile_id, Stage.DECLINED.value, -1 if limit is None else limit),
    ).fetchall()


def grant_facts(conn: sqlite3.Connection, cancelled: Callable[[], bool] | None = None) -> list[GrantFact]:
    """Every grant listed as paid on a counting return, with the recipient's BMF facts when it
    was matched (Schedule I recipient EIN otherwise). `cancelled` is asked every 50,000 rows
    (~0.1 s of reading): a yes stops the read with InterruptedError."""
    cursor = conn.execute(
        "SELECT f.ein, coalesce(s.ein, g.recipient_ein, ''), coalesce(s.ntee_code, ''), "
        "coalesce(nullif(s.state, ''), g.state, ''), g.amount, g.tax_year, g.purpose "
        "FROM irs_grants AS g JOIN funders AS f ON f.id = g.funder_id "
        "LEFT JOIN source_records AS s ON s.id = g.matched_org_id "
        "WHERE g.counts = 1 AND g.kind != ? AND g.amount > 0 AND g.tax_year > 0",
        (_FUTURE,),
    )
    out: list[GrantFact] = []
    while rows := cursor.fetchmany(_READ_CHUNK):
        if cancelled is not None and cancelled():
            raise InterruptedError("the back-test was cancelled")
        out.extend(GrantFact(*row) for row in rows)
    return out


def grant_years(conn: sqlite3.Connection) -> list[int]:
    """The tax years with paid grants on counting returns (the years the back-test can hide),
    latest first. Read from the returns, ~1/25 of the grants' rows: no scan of irs_grants."""
    rows = conn.execute(
        "SELECT DISTINCT coalesce(tax_year, CAST(substr(tax_period, 1, 4) AS INTEGER)) AS year "
        "FROM irs_returns WHERE counts = 1 AND grants_paid_total > 0 AND year > 0 ORDER BY year DESC"
    )
    return [int(year) for (year,) in rows]


def organizations(conn: sqlite3.Connection, eins: set[str]) -> dict[str, OrgFacts]:
    """BMF facts of these EINs (funders and recipients of the back-test), one query."""
    if not eins:
        return {}
    rows = conn.execute(
        "SELECT ein, name, state, ntee_code, subsection, foundation_code, assets, income, revenue "
        "FROM source_records WHERE source = ? AND ein IN (SELECT value FROM json_each(?))",
        (Source.IRS_BMF.value, json.dumps(sorted(eins))),
    )
    out: dict[str, OrgFacts] = {}
    for ein, name, state, ntee, subsection, foundation, assets, income, revenue in rows:
        out[ein] = OrgFacts(
            ein,
            name=name,
            state=state,
            ntee=ntee,
            subsection=subsection,
            foundation=foundation,
            assets=assets,
            income=income,
            revenue=revenue,
        )
    return out
