"""Each filter kind narrows the rows exactly as the equivalent SQL does, in the view's order."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from catalynx_desktop.domain.query import OpportunityFilters, OpportunityQuery, SortKey
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.storage.opportunity_search import matching_ids
from catalynx_desktop.workflows.demo.generator import DemoPlan
from tests.storage.helpers import shared_demo_conn

TODAY = date.today()


def _conn(base) -> sqlite3.Connection:
    conn = shared_demo_conn(base, "filters", DemoPlan(1, 3000, seed=21))
    # some user annotations to filter on
    conn.execute(
        "UPDATE opportunities SET priority = 'high', tags = '[\"rural\", \"federal\"]' WHERE id % 7 = 0"
    )
    conn.execute("UPDATE opportunities SET priority = 'low' WHERE id % 11 = 0 AND id % 7 != 0")
    return conn


CASES = [
    (OpportunityFilters(min_amount=100_000), "o.amount >= 100000"),
    (OpportunityFilters(min_amount=50_000, max_amount=200_000), "o.amount BETWEEN 50000 AND 200000"),
    (
        OpportunityFilters(closes_within_days=90),
        f"o.close_date BETWEEN '{TODAY.isoformat()}' AND '{(TODAY + timedelta(days=90)).isoformat()}'",
    ),
    (OpportunityFilters(min_score=0.5), "o.score >= 0.5"),
    (OpportunityFilters(min_score=0.2, max_score=0.4), "o.score BETWEEN 0.2 AND 0.4"),
    (OpportunityFilters(states=("VT", "NH")), "o.state IN ('VT', 'NH')"),
    (OpportunityFilters(sources=("demo",)), "o.source = 'demo'"),
    (
        OpportunityFilters(ntee_groups=("B", "E")),
        "(SELECT substr(ntee_code, 1, 1) FROM source_records WHERE id = o.source_record_id) IN ('B', 'E')",
    ),
    (OpportunityFilters(priorities=("high",)), "o.priority = 'high'"),
    (OpportunityFilters(priorities=("high", "low")), "o.priority IN ('high', 'low')"),
    (OpportunityFilters(tag="rural"), "o.tags LIKE '%\"rural\"%'"),
    (
        OpportunityFilters(min_amount=10_000, states=("VT",), priorities=("high",)),
        "o.amount >= 10000 AND o.state = 'VT' AND o.priority = 'high'",
    ),
]


@pytest.mark.parametrize(("filters", "where"), CASES, ids=[c[1][:40] for c in CASES])
@pytest.mark.parametrize("sort", [SortKey.SCORE, SortKey.TITLE])
def test_filter_matches_sql(tmp_path_factory, filters, where, sort):
    conn = _conn(tmp_path_factory.getbasetemp())
    query = OpportunityQuery(1, None, sort, sort is SortKey.SCORE, "", filters)
    column = {"score": "score", "title": "title"}[sort.value]
    direction = "DESC" if query.descending else "ASC"
    expected = [
        r[0]
        for r in conn.execute(
            f"SELECT o.id FROM opportunities AS o WHERE o.profile_id = 1 AND {where} "
            f"ORDER BY o.{column} {direction}, o.id {direction}"
        )
    ]
    assert list(matching_ids(conn, query, TODAY)) == expected


def test_filters_combine_with_stage_and_search(tmp_path_factory):
    conn = _conn(tmp_path_factory.getbasetemp())
    query = OpportunityQuery(
        1, Stage.DISCOVER, SortKey.AMOUNT, False, "foundation", OpportunityFilters(min_amount=1)
    )
    ids = list(matching_ids(conn, query, TODAY))
    assert ids
    for opportunity_id in ids:
        stage, amount = conn.execute(
            "SELECT stage, amount FROM opportunities WHERE id = ?", (opportunity_id,)
        ).fetchone()
        assert stage == "discover" and amount >= 1


def test_chips_and_removal():
    filters = OpportunityFilters(min_amount=5000, closes_within_days=30, states=("VT",), tag="rural")
    assert [field for field, _ in filters.chips()] == ["amount", "closes_within_days", "states", "tag"]
    assert filters.without("states").states == () and filters.without("amount").min_amount is None
    assert filters.without("closes_within_days").closes_within_days is None
    assert OpportunityFilters().is_empty() and not filters.is_empty()
