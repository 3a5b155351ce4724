"""The read API over stored returns: Funders view and grants pages against plain-Python references,
a funder's page, its JSON summary and "funders of organizations like mine", on a real SQLite file
holding the real Vermont BMF."""

from __future__ import annotations

import random
import sqlite3
from collections import defaultdict
from dataclasses import replace

import pytest

from catalynx_desktop.domain.funder_views import FunderQuery, FunderSort, GrantQuery, GrantSort, LikeProfile
from catalynx_desktop.domain.giving import FiledReturn, GrantKind
from catalynx_desktop.domain.recipients import SizeBand, size_band
from catalynx_desktop.storage.funder_queries import compile_funder_query, compile_grant_query
from catalynx_desktop.storage.funder_repository import FunderRepository
from catalynx_desktop.storage.giving_store import store_returns
from catalynx_desktop.storage.keyset import sample_keyset
from tests.storage.giving_helpers import form990_return, grant, open_with_vt_bmf, pf_return, vt_bmf_records
from tests.storage.helpers import run

STATES = ("VT", "NH", "NY", "MA")


def _returns(seed: int = 11) -> list[FiledReturn]:
    """60 funders in four states, 1-3 years each, grants to real VT organizations (by their BMF
    names, so they match) and to unknown ones elsewhere; one funder with 2,600+ grants (past
    LARGE_FUNDER_GRANTS, in a later batch than its first years)."""
    rng = random.Random(seed)
    orgs = [r for r in vt_bmf_records() if r.ntee_code]
    returns: list[FiledReturn] = []
    object_id = 202100000000000000
    for n in range(60):
        ein = f"{990000000 + n:09d}"
        years = rng.sample([2019, 2020, 2021, 2022], rng.randint(1, 3))
        for year in sorted(years):
            count = 2_600 if n == 7 and year == max(years) else rng.randint(0, 40)
            grants = []
            for _ in range(count):
                amount = rng.choice([500, 1_000, 2_500, 5_000, 10_000, 25_000]) + rng.randint(0, 99)
                if rng.random() < 0.6:
                    org = rng.choice(orgs)
                    grants.append(grant(org.name, amount, city=org.city, state="VT"))
                else:
                    grants.append(
                        grant(f"UNLISTED ORG {rng.randint(1, 500)}", amount, state=rng.choice(STATES))
                    )
            if rng.random() < 0.1:
                grants.append(grant("LATER PROJECT", 99_999, kind=GrantKind.FUTURE))
            object_id += 1
            name = f"{rng.choice(['MAPLE', 'GRANITE', 'RIVER', 'LAKE'])} {n} FOUNDATION"
            if n % 10 == 9:
                schedule_i = tuple(replace(g, kind=GrantKind.SCHEDULE_I) for g in grants)
                filed = form990_return(str(object_id), ein, year, schedule_i)
            else:
                filed = pf_return(str(object_id), ein, year, tuple(grants), name=name, preselected=n % 3 == 0)
            returns.append(_with_state(filed, STATES[n % 4]))
    return returns


def _with_state(filed: FiledReturn, state: str) -> FiledReturn:
    return replace(filed, filer_address=replace(filed.filer_address, state=state))


async def _loaded(tmp_path):
    db = await open_with_vt_bmf(tmp_path)
    returns = _returns()
    for start in range(0, len(returns), 17):  # several batches, several transactions
        batch = returns[start : start + 17]
        await db.write(lambda conn, batch=batch: store_returns(conn, batch))
    return db, returns


def _all_funders(db) -> list[dict]:
    conn = sqlite3.connect(db.path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM funders")]
    finally:
        conn.close()


def _reference(funders: list[dict], query: FunderQuery) -> list[int]:
    rows = [f for f in funders if f["grant_count"] > 0 or f["latest_grants_paid"] > 0]
    if query.state:
        rows = [f for f in rows if f["state"] == query.state]
    if query.accepts_applications is not None:
        rows = [f for f in rows if f["accepts_applications"] == int(query.accepts_applications)]
    rows.sort(key=lambda f: (f[query.sort.value], f["id"]), reverse=query.descending)
    return [f["id"] for f in rows]


def test_funder_pages_match_a_python_reference(tmp_path):
    async def scenario():
        db, _ = await _loaded(tmp_path)
        try:
            repo = FunderRepository(db)
            funders = _all_funders(db)
            rng = random.Random(3)
            for sort in FunderSort:
                for descending in (False, True):
                    for state, accepts in (("", None), ("VT", None), ("", True), ("NY", False)):
                        query = FunderQuery(sort, descending, state=state, accepts_applications=accepts)
                        expected = _reference(funders, query)
                        result, first = await repo.open_funders(query, 7)
                        assert result.total == len(expected)
                        assert [r.id for r in first] == expected[:7]
                        for _ in range(6):  # jumps forward and back, and reading on
                            start = rng.randrange(0, max(len(expected), 1))
                            limit = rng.randint(1, 9)
                            rows = await result.page(start, limit)
                            assert [r.id for r in rows] == expected[start : start + limit], (query, start)
        finally:
            await db.close()

    run(scenario())


def test_search_filters_and_profile_shares(tmp_path):
    async def scenario():
        db, _ = await _loaded(tmp_path)
        try:
            repo = FunderRepository(db)
            funders = {f["id"]: f for f in _all_funders(db)}
            result, rows = await repo.open_funders(FunderQuery(FunderSort.NAME, False, search="maple"), 100)
            expected = sorted(
                (f["name"], i) for i, f in funders.items() if "MAPLE" in f["name"] and f["grant_count"] > 0
            )
            assert [r.id for r in rows] == [i for _, i in expected] and result.total == len(expected) > 0
            assert all(r.share_to_state is None and r.share_to_group is None for r in rows)  # no profile
            query = FunderQuery(FunderSort.GRANT_COUNT, True, profile_state="VT", profile_group="B")
            _, rows = await repo.open_funders(query, 100)
            conn = sqlite3.connect(db.path)
            for row in rows:
                total = funders[row.id]["grants_total"]
                to_vt = conn.execute(
                    "SELECT coalesce(sum(g.amount), 0) FROM irs_grants g LEFT JOIN source_records s "
                    "ON s.id = g.matched_org_id WHERE g.funder_id = ? AND g.counts = 1 AND g.kind != 1 "
                    "AND coalesce(nullif(s.state, ''), g.state) = 'VT'",
                    (row.id,),
                ).fetchone()[0]
                to_b = conn.execute(
                    "SELECT coalesce(sum(g.amount), 0) FROM irs_grants g JOIN source_records s "
                    "ON s.id = g.matched_org_id WHERE g.funder_id = ? AND g.counts = 1 AND g.kind != 1 "
                    "AND s.ntee_code LIKE 'B%'",
                    (row.id,),
                ).fetchone()[0]
                assert row.share_to_state == pytest.approx(to_vt / total if total else 0.0)
                assert row.share_to_group == pytest.approx(to_b / total if total else 0.0)
            conn.close()
        finally:
            await db.close()

    run(scenario())


@pytest.mark.parametrize("ein, large", [("990000007", True), ("990000003", False)])
def test_grant_pages_match_a_python_reference(tmp_path, ein, large):
    async def scenario():
        db, returns = await _loaded(tmp_path)
        try:
            repo = FunderRepository(db)
            funder_id = await repo.funder_id(ein)
            conn = sqlite3.connect(db.path)
            assert conn.execute("SELECT large FROM funders WHERE id = ?", (funder_id,)).fetchone() == (
                int(large),
            )
            # Every counting grant of a large funder is in its sort indexes, none of a small one.
            flags = conn.execute(
                "SELECT DISTINCT large_funder FROM irs_grants WHERE funder_id = ? AND counts = 1",
                (funder_id,),
            ).fetchall()
            assert flags == [(int(large),)]
            stored = conn.execute(
                "SELECT id, amount, tax_year, recipient_name FROM irs_grants WHERE funder_id = ? AND counts = 1",
                (funder_id,),
            ).fetchall()
            conn.close()
            listed = [g for r in returns if r.ein == ein for g in r.grants]
            assert len(stored) == len(listed) > (2_600 if large else 20)
            assert sum(s[1] for s in stored) == sum(g.amount for g in listed)
            rng = random.Random(5)
            for sort, position in ((GrantSort.AMOUNT, 1), (GrantSort.YEAR, 2), (GrantSort.RECIPIENT, 3)):
                for descending in (False, True):
                    expected = [
                        s[0] for s in sorted(stored, key=lambda s: (s[position], s[0]), reverse=descending)
                    ]
                    result, first = await repo.open_grants(GrantQuery(funder_id, sort, descending), 50)
                    assert result.total == len(expected)
                    assert [g.id for g in first] == expected[:50]
                    starts = [
                        50,
                        100,
                        len(expected) - 10,
                        700,
                        699,
                        0,
                        *(rng.randrange(len(expected)) for _ in range(25)),
                    ]
                    for start in starts:
                        rows = await result.page(start, 40)
                        assert [g.id for g in rows] == expected[start : start + 40]
                    # The position map for jumps samples the same order.
                    compiled = compile_grant_query(GrantQuery(funder_id, sort, descending), large)
                    sampled = await db.read(lambda conn, c=compiled: sample_keyset(conn, c, None, 97, 10_000))
                    assert [(p, k[1]) for p, k in sampled] == [
                        (p, expected[p]) for p in range(0, len(expected), 97)
                    ]
        finally:
            await db.close()

    run(scenario())


def test_detail_and_summary(tmp_path):
    async def scenario():
        db, returns = await _loaded(tmp_path)
        try:
            repo = FunderRepository(db)
            for ein in ("990000007", "990000009", "990000012"):
                mine = [r for r in returns if r.ein == ein]
                summary = await repo.funder_summary(ein)
                assert summary is not None and summary["ein"] == ein
                assert [r["object_id"] for r in summary["returns"]] == [r.object_id for r in mine]
                for got, filed in zip(summary["returns"], mine, strict=True):
                    paid = [g for g in filed.grants if g.kind is not GrantKind.FUTURE]
                    assert got["return_type"] == filed.return_type.value
                    assert got["tax_period"] == filed.tax_period
                    assert got["grants_paid_count"] == len(paid)
                    assert got["grants_paid_total"] == sum(g.amount for g in paid)
                    assert got["future_grants_count"] == len(filed.grants) - len(paid)
                    assert got["officers_count"] == len(filed.people)
                    assert got["preselected_only"] == filed.preselected_only
                detail = await repo.detail(await repo.funder_id(ein))
                assert detail is not None
                assert [y.tax_year for y in detail.giving_by_year] == sorted(r.tax_year for r in mine)
                assert sum(s.amount for s in detail.states) == detail.grants_total
                assert sum(s.grants for s in detail.ntee_groups) == detail.funder.grant_count
                assert detail.q1_grant <= detail.funder.median_grant <= detail.q3_grant
                assert [r.object_id for r in detail.returns] == [r.object_id for r in mine]
                assert len(detail.people) == len(mine[-1].people)
            assert await repo.funder_summary("000000000") is None
        finally:
            await db.close()

    run(scenario())


def test_like_mine_ranks_by_grants_to_similar_recipients(tmp_path):
    async def scenario():
        db, _returns_stored = await _loaded(tmp_path)
        try:
            repo = FunderRepository(db)
            like = LikeProfile(ntee_codes=("B20", "B25"), states=("VT",), size_band=SizeBand.UNDER_1M)
            found = await repo.like_mine(like, limit=5, per_funder=3)
            # Reference in plain Python from the stored grants and the BMF rows they matched.
            conn = sqlite3.connect(db.path)
            rows = conn.execute(
                "SELECT g.funder_id, g.amount, s.ntee_code, coalesce(nullif(s.state, ''), g.state), "
                "coalesce(s.revenue, s.income) FROM irs_grants g JOIN source_records s ON s.id = g.matched_org_id "
                "WHERE g.counts = 1 AND g.kind != 1 AND s.ntee_code LIKE 'B%'"
            ).fetchall()
            conn.close()
            score: dict[int, int] = defaultdict(int)
            amount: dict[int, int] = defaultdict(int)
            grants: dict[int, int] = defaultdict(int)
            for funder_id, value, ntee, state, revenue in rows:
                score[funder_id] += (
                    1
                    + (ntee[:3] in ("B20", "B25"))
                    + (state == "VT")
                    + (size_band(revenue) is SizeBand.UNDER_1M)
                )
                amount[funder_id] += value
                grants[funder_id] += 1
            expected = sorted(score, key=lambda f: (-score[f], -amount[f], f))[:5]
            assert [f.funder.id for f in found] == expected
            assert [f.score for f in found] == [score[f] for f in expected]
            assert [f.like_amount for f in found] == [amount[f] for f in expected]
            assert [f.like_grants for f in found] == [grants[f] for f in expected]
            for entry in found:
                assert 1 <= len(entry.evidence) <= 3
                assert entry.evidence == tuple(
                    sorted(entry.evidence, key=lambda g: (g.amount, g.id), reverse=True)
                )
                assert all(g.matched_org_id is not None for g in entry.evidence)
            assert found[0].funder.id == await repo.funder_id("990000007")  # 2,600+ grants, many alike
        finally:
            await db.close()

    run(scenario())


def test_only_whitelisted_sorts_and_plain_values_reach_sql():
    with pytest.raises(ValueError):
        compile_funder_query(FunderQuery(sort="name; DROP TABLE funders"))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        compile_funder_query(FunderQuery(state="VT' OR 1=1 --"))
    with pytest.raises(ValueError):
        compile_funder_query(FunderQuery(profile_group="1"))
    compiled = compile_funder_query(FunderQuery(search='x" OR name MATCH "*', state="vt"))
    assert "x" not in compiled.where and compiled.params[0] == "VT"
