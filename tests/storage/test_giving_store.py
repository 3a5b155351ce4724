"""store_returns on a real SQLite file holding the real Vermont BMF: rows, counting returns,
re-import, recipient matching and the funder aggregates, read back exactly."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from catalynx_desktop.domain.giving import GrantKind
from catalynx_desktop.domain.recipients import MatchMethod
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.funder_aggregates import refresh_funders
from catalynx_desktop.storage.giving_store import StoreCounts, store_returns
from catalynx_desktop.storage.migrations import MIGRATIONS, migrate
from catalynx_desktop.storage.recipient_matching import rematch_unmatched, sync_name_keys
from catalynx_desktop.storage.source_records_store import upsert_records
from tests.storage.giving_helpers import form990_return, grant, open_with_vt_bmf, pf_return, vt_bmf_records
from tests.storage.helpers import run

FUNDER = "030000001"
CHARITY = "030000002"


def _grants_2022() -> tuple:
    return (
        grant("The Converse Home, Inc.", 5_000, city="Burlington"),  # one in VT: name + city
        grant("Saint Johnsbury Academy", 2_500, city="Boston", state="VT"),  # grantor-ish address
        grant("Rotary International", 1_000, city="Bomoseen"),  # 27 in VT, one in Bomoseen
        grant("Rotary International", 700, city="Springfield"),  # two in Springfield: ambiguous
        grant("Rotary International", 600, city="South Burlington"),  # BMF writes S BURLINGTON
        grant("Town of Nowhere Library", 300, city="Nowhere"),  # not in the BMF
        grant("Some Person", 50_000, kind=GrantKind.FUTURE),
    )


def _sql(db, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db.path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_store_match_and_aggregate(tmp_path):
    async def scenario():
        db = await open_with_vt_bmf(tmp_path)
        try:
            batch = [
                pf_return("202110000000000001", FUNDER, 2020, (grant("Converse Home", 4_000),)),
                pf_return("202210000000000001", FUNDER, 2021, ()),  # a year with no grants
                pf_return("202310000000000001", FUNDER, 2022, _grants_2022(), people=5, total_paid=10_100),
                form990_return(
                    "202310000000000093",
                    CHARITY,
                    2022,
                    (
                        grant(
                            "REGULATORY ASSISTANCE PRJ", 20_000, kind=GrantKind.SCHEDULE_I, ein="010471151"
                        ),
                        grant("Unknown Org", 7_000, kind=GrantKind.SCHEDULE_I, ein="999999999", noncash=500),
                    ),
                    individuals=9_000,
                ),
            ]
            counts = await db.write(lambda conn: store_returns(conn, batch))
            assert counts == StoreCounts(
                inserted=4,
                skipped=0,
                superseded=0,
                grants=10,
                matched=6,
                funder_eins=frozenset({FUNDER, CHARITY}),
            )
            methods = _sql(
                db,
                "SELECT g.recipient_name, g.city, g.match_method, s.ein FROM irs_grants g "
                "LEFT JOIN source_records s ON s.id = g.matched_org_id ORDER BY g.id",
            )
            assert methods == [
                ("Converse Home", "", MatchMethod.NAME_STATE, "030179406"),
                ("The Converse Home, Inc.", "Burlington", MatchMethod.NAME_CITY_STATE, "030179406"),
                ("Saint Johnsbury Academy", "Boston", MatchMethod.NAME_STATE, "030181215"),
                ("Rotary International", "Bomoseen", MatchMethod.NAME_CITY_STATE, "030272019"),
                ("Rotary International", "Springfield", MatchMethod.UNMATCHED, None),
                ("Rotary International", "South Burlington", MatchMethod.NAME_CITY_STATE, "030300480"),
                ("Town of Nowhere Library", "Nowhere", MatchMethod.UNMATCHED, None),
                ("Some Person", "", MatchMethod.UNMATCHED, None),
                ("REGULATORY ASSISTANCE PRJ", "", MatchMethod.EIN, "010471151"),
                ("Unknown Org", "", MatchMethod.UNMATCHED, None),
            ]
            returns = _sql(
                db,
                "SELECT object_id, grants_paid_count, grants_paid_total, future_grants_count, "
                "future_grants_total, individual_grants_total, people_count, counts, preselected_only "
                "FROM irs_returns ORDER BY object_id",
            )
            assert returns == [
                ("202110000000000001", 1, 4_000, 0, 0, 0, 3, 1, 1),
                ("202210000000000001", 0, 0, 0, 0, 0, 3, 1, 1),
                ("202310000000000001", 6, 10_100, 1, 50_000, 0, 5, 1, 1),
                ("202310000000000093", 2, 27_500, 0, 0, 9_000, 1, 1, None),
            ]
            funder = _sql(
                db,
                "SELECT name, latest_tax_year, latest_grants_paid, trend, grant_count, grants_total, "
                "median_grant, q1_grant, q3_grant, accepts_applications FROM funders WHERE ein = ?",
                (FUNDER,),
            )
            # 2020: 4,000 listed; 2021: nothing; 2022: the return's own total 10,100.
            # trend = 10,100 against the mean of 2020 and 2021 (2,000): +4.05.
            assert funder == [
                ("GREEN MOUNTAIN FAMILY FOUNDATION", 2022, 10_100, 4.05, 7, 14_100, 1_000, 650, 3_250, 0)
            ]
            states = _sql(
                db,
                "SELECT f.ein, s.state, s.grants, s.amount FROM funder_states s "
                "JOIN funders f ON f.id = s.funder_id ORDER BY f.ein, s.state",
            )
            assert states == [(FUNDER, "VT", 7, 14_100), (CHARITY, "VT", 2, 27_500)]
            groups = _sql(
                db,
                "SELECT f.ein, n.major_group, n.grants, n.amount FROM funder_ntee n "
                "JOIN funders f ON f.id = n.funder_id ORDER BY f.ein, n.major_group",
            )
            # Matched recipients with an NTEE code: the academy (B25), the project (C40); the
            # Converse Home and the Rotary clubs of Bomoseen and S Burlington have none in the BMF.
            assert groups == [
                (FUNDER, "", 6, 11_600),
                (FUNDER, "B", 1, 2_500),
                (CHARITY, "", 1, 7_500),
                (CHARITY, "C", 1, 20_000),
            ]
        finally:
            await db.close()

    run(scenario())


def test_amendment_supersedes_and_reimport_stores_nothing_twice(tmp_path):
    async def scenario():
        db = await open_with_vt_bmf(tmp_path)
        try:
            original = pf_return(
                "202310000000000001", FUNDER, 2022, (grant("A", 1_000), grant("B", 2_000)), preselected=True
            )
            amended = pf_return(
                "202410000000000001",
                FUNDER,
                2022,
                (grant("A", 1_000), grant("B", 2_000), grant("C", 3_000)),
                amended=True,
                preselected=False,
            )
            first = await db.write(lambda conn: store_returns(conn, [original]))
            assert (first.inserted, first.superseded) == (1, 0)
            second = await db.write(lambda conn: store_returns(conn, [amended]))
            assert (second.inserted, second.skipped, second.superseded) == (1, 0, 1)
            assert _sql(db, "SELECT object_id, counts FROM irs_returns ORDER BY object_id") == [
                ("202310000000000001", 0),
                ("202410000000000001", 1),
            ]
            # The original's grants stay stored but no longer count.
            assert _sql(db, "SELECT counts, count(*), sum(amount) FROM irs_grants GROUP BY counts") == [
                (0, 2, 3_000),
                (1, 3, 6_000),
            ]
            assert _sql(db, "SELECT grant_count, grants_total, accepts_applications FROM funders") == [
                (3, 6_000, 1)
            ]

            # The same files again, in one batch with a repeat: nothing is stored twice.
            again = await db.write(lambda conn: store_returns(conn, [original, amended, original]))
            assert again == StoreCounts(skipped=3)
            assert _sql(db, "SELECT count(*) FROM irs_grants") == [(5,)]
            assert _sql(db, "SELECT count(*) FROM irs_people") == [(6,)]
        finally:
            await db.close()

    run(scenario())


def test_an_older_filing_imported_late_arrives_superseded(tmp_path):
    async def scenario():
        db = await open_with_vt_bmf(tmp_path)
        try:
            amended = pf_return("202410000000000001", FUNDER, 2022, (grant("A", 9_000),), amended=True)
            original = pf_return("202310000000000001", FUNDER, 2022, (grant("A", 1_000),))
            older_year = pf_return("202210000000000001", FUNDER, 2021, (grant("A", 500),))
            await db.write(lambda conn: store_returns(conn, [amended]))
            late = await db.write(lambda conn: store_returns(conn, [original, older_year]))
            assert (late.inserted, late.superseded) == (2, 1)
            assert _sql(db, "SELECT object_id, counts FROM irs_returns ORDER BY object_id") == [
                ("202210000000000001", 1),
                ("202310000000000001", 0),
                ("202410000000000001", 1),
            ]
            assert _sql(db, "SELECT grant_count, grants_total, latest_grants_paid FROM funders") == [
                (2, 9_500, 9_000)
            ]

            # Both filings of one period in the same batch: the higher OBJECT_ID counts.
            pair = [
                pf_return("202510000000000009", FUNDER, 2023, (grant("A", 1),), amended=True),
                pf_return("202510000000000002", FUNDER, 2023, (grant("A", 2),)),
            ]
            both = await db.write(lambda conn: store_returns(conn, pair))
            assert (both.inserted, both.superseded) == (2, 1)
            assert _sql(
                db, "SELECT object_id FROM irs_returns WHERE tax_period = '202312' AND counts = 1"
            ) == [("202510000000000009",)]
        finally:
            await db.close()

    run(scenario())


def test_a_bad_return_is_reported_and_the_rest_is_stored(tmp_path):
    async def scenario():
        db = await open_with_vt_bmf(tmp_path)
        try:
            good = pf_return("202310000000000001", FUNDER, 2022, (grant("A", 1_000),))
            bad_ein = replace(pf_return("202310000000000002", "12-34567", 2022), ein="12-34567")
            bad_period = replace(pf_return("202310000000000003", FUNDER, 2021), tax_period="2021")
            counts = await db.write(lambda conn: store_returns(conn, [bad_ein, good, bad_period]))
            assert (counts.inserted, counts.grants) == (1, 1)
            assert counts.rejected == (
                ("202310000000000002", "EIN '12-34567' must be 9 digits"),
                ("202310000000000003", "tax period '2021' must be YYYYMM"),
            )
            assert _sql(db, "SELECT object_id FROM irs_returns") == [("202310000000000001",)]
        finally:
            await db.close()

    run(scenario())


def test_recipients_imported_later_are_matched_by_rematch(tmp_path):
    async def scenario():
        db = await open_with_vt_bmf(tmp_path)
        try:
            filed = pf_return(
                "202310000000000001",
                FUNDER,
                2022,
                (grant("Maple Leaf Arts Collective", 4_000, city="Barre"),),
            )
            await db.write(lambda conn: store_returns(conn, [filed]))
            assert _sql(db, "SELECT match_method FROM irs_grants") == [(MatchMethod.UNMATCHED,)]
            # The organization arrives with a later BMF import (a real VT row, renamed).
            template = next(r for r in vt_bmf_records() if r.ntee_code.startswith("A") and r.city == "BARRE")
            newcomer = replace(
                template, source_id="039999999", ein="039999999", name="MAPLE LEAF ARTS COLLECTIVE INC"
            )
            await db.write(lambda conn: upsert_records(conn, [newcomer]))

            def rematch(conn):
                progress = rematch_unmatched(conn, 0, limit=10)
                marks = ",".join("?" * len(progress.funder_ids))
                found = conn.execute(
                    f"SELECT ein FROM funders WHERE id IN ({marks})", tuple(progress.funder_ids)
                )
                eins = [r[0] for r in found]
                refresh_funders(conn, eins)
                return progress

            progress = await db.write(rematch)
            assert (progress.matched, progress.done) == (1, True)
            assert _sql(
                db,
                "SELECT g.match_method, s.ein FROM irs_grants g JOIN source_records s ON s.id = g.matched_org_id",
            ) == [(MatchMethod.NAME_CITY_STATE, "039999999")]
            assert _sql(db, "SELECT major_group, grants, amount FROM funder_ntee") == [("A", 1, 4_000)]
        finally:
            await db.close()

    run(scenario())


def test_a_version_3_database_migrates_to_the_newest_across_the_gap(tmp_path):
    path = tmp_path / "catalynx.sqlite3"
    migrate(path, tmp_path / "backups", migrations=MIGRATIONS[:3])  # as released before v4/v5

    async def scenario():
        db = await Database.open(path)
        try:
            counts = await db.write(
                lambda conn: store_returns(conn, [pf_return("202310000000000001", FUNDER, 2022)])
            )
            assert counts.inserted == 1
        finally:
            await db.close()

    run(scenario())
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == MIGRATIONS[-1].version  # the newest
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert any((tmp_path / "backups").iterdir())  # backed up before migrating


def test_name_keys_sync_in_steps_matches_one_full_sync(tmp_path):
    async def scenario():
        db = await open_with_vt_bmf(tmp_path)
        try:
            steps = 0

            def step(conn):
                return sync_name_keys(conn, max_ids=1_000)

            while not await db.write(step):
                steps += 1
            stepped = _sql(db, "SELECT * FROM bmf_name_keys ORDER BY record_id")
            assert steps >= 6 and len(stepped) == 6535
            assert await db.write(lambda conn: sync_name_keys(conn, full=True))
            assert _sql(db, "SELECT * FROM bmf_name_keys ORDER BY record_id") == stepped
        finally:
            await db.close()

    run(scenario())
