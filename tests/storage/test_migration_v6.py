"""Migration 6 on a version-3 database full of data: every row, id, index, trigger and count kept;
the outcome stages accepted; 'declined' re-ranked to the end of the pipeline."""

from __future__ import annotations

import random
import sqlite3

import pytest

from catalynx_desktop.domain.query import OpportunityQuery, SortKey
from catalynx_desktop.domain.stages import PIPELINE, STAGES_BEFORE_OUTCOMES, Stage, stage_rank
from catalynx_desktop.storage.backup import list_backups
from catalynx_desktop.storage.migrations import LATEST_VERSION, MIGRATIONS, migrate
from catalynx_desktop.storage.opportunity_queries import compile_query, count_rows, read_page
from catalynx_desktop.storage.paging import Seek
from catalynx_desktop.storage.stage_counts import recount_stage_counts

V3 = tuple(m for m in MIGRATIONS if m.version <= 3)


def _fill_v3(conn: sqlite3.Connection, per_profile: int = 400) -> None:
    """Data as version 3 stored it: old ranks (declined = 5), history rows, exact counts."""
    rng = random.Random(16)
    conn.execute("BEGIN")
    for p in (1, 2):
        conn.execute(
            "INSERT INTO profiles (id, name, ein) VALUES (?, ?, ?)", (p, f"Profile {p}", f"00000000{p}")
        )
    conn.executemany(
        "INSERT INTO source_records (id, source, source_id, kind, name, funder_name, close_date) "
        "VALUES (?, 'grants_gov', ?, 'federal_opportunity', ?, 'Agency', ?)",
        [(i, str(i), f"Program {i}", f"2027-0{1 + i % 9}-1{i % 10}") for i in range(1, per_profile + 1)],
    )
    rows = []
    next_id = 10  # ids with gaps: the migration must keep them, not renumber
    for p in (1, 2):
        for i in range(1, per_profile + 1):
            stage = rng.choice(STAGES_BEFORE_OUTCOMES)
            rank = STAGES_BEFORE_OUTCOMES.index(stage)
            rows.append(
                (
                    next_id,
                    p,
                    i,
                    "grants_gov",
                    str(i),
                    f"Program {i}",
                    stage.value,
                    rank,
                    rng.random(),
                    i * 100,
                )
            )
            next_id += rng.choice((1, 1, 3))
    conn.executemany(
        "INSERT INTO opportunities (id, profile_id, source_record_id, source, source_id, title, stage, "
        "stage_rank, score, amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute(
        "INSERT INTO stage_history (opportunity_id, from_stage, to_stage, reason) "
        "SELECT id, NULL, stage, 'seeded' FROM opportunities"
    )
    conn.execute(
        "INSERT INTO profile_stage_counts (profile_id, stage, n) "
        "SELECT profile_id, stage, count(*) FROM opportunities GROUP BY profile_id, stage"
    )
    conn.execute("COMMIT")


def _snapshot(conn: sqlite3.Connection) -> dict:
    columns = [r[1] for r in conn.execute("PRAGMA table_info(opportunities)") if r[1] != "stage_rank"]
    return {
        "rows": conn.execute(f"SELECT {', '.join(columns)} FROM opportunities ORDER BY id").fetchall(),
        "indexes": conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'opportunities' AND type = 'index' ORDER BY name"
        ).fetchall(),
        "triggers": conn.execute(
            "SELECT name FROM sqlite_master WHERE tbl_name = 'opportunities' AND type = 'trigger' ORDER BY name"
        ).fetchall(),
        "counts": conn.execute(
            "SELECT profile_id, stage, n FROM profile_stage_counts ORDER BY 1, 2"
        ).fetchall(),
        "history": conn.execute("SELECT * FROM stage_history ORDER BY id").fetchall(),
        "version": conn.execute("SELECT version FROM data_version").fetchone()[0],
    }


@pytest.fixture
def v3_database(tmp_path):
    path = tmp_path / "c.sqlite3"
    migrate(path, tmp_path / "backups", migrations=V3)
    conn = sqlite3.connect(path, isolation_level=None)
    _fill_v3(conn)
    before = _snapshot(conn)
    conn.close()
    return path, before


def test_v3_to_v6_keeps_every_row_id_index_trigger_and_count(v3_database, tmp_path):
    path, before = v3_database
    assert migrate(path, tmp_path / "backups") == 3
    assert LATEST_VERSION >= 6
    conn = sqlite3.connect(path, isolation_level=None)
    after = _snapshot(conn)
    assert after["rows"] == before["rows"]
    assert after["indexes"] == before["indexes"]  # same names, same definitions
    # the count trigger is back; v6 adds the one that flags tasks of hidden stages
    assert after["triggers"] == sorted([*before["triggers"], ("tr_tasks_hidden_with_stage",)])
    assert after["counts"] == before["counts"]
    assert after["history"] == before["history"]
    assert after["version"] == before["version"] + 1  # cached pages of old ranks are stale
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    ranks = dict(conn.execute("SELECT DISTINCT stage, stage_rank FROM opportunities").fetchall())
    assert ranks == {stage: stage_rank(Stage(stage)) for stage in ranks}
    assert ranks["declined"] == len(PIPELINE) - 1
    # the backup holds version 3 as it was
    (backup,) = list_backups(tmp_path / "backups")
    with sqlite3.connect(backup) as old:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 3


def test_after_v6_the_outcome_stages_are_stored_counted_and_paged(v3_database, tmp_path):
    path, _before = v3_database
    migrate(path, tmp_path / "backups")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    first = conn.execute(
        "SELECT id, profile_id, stage FROM opportunities WHERE profile_id = 1 ORDER BY id"
    ).fetchone()
    conn.execute(
        "UPDATE opportunities SET stage = 'awarded', stage_rank = ? WHERE id = ?",
        (stage_rank(Stage.AWARDED), first[0]),
    )
    counts = dict(conn.execute("SELECT stage, n FROM profile_stage_counts WHERE profile_id = 1").fetchall())
    assert counts["awarded"] == 1  # the count trigger came back with the table
    with pytest.raises(sqlite3.IntegrityError):  # the rank CHECK follows the new order
        conn.execute("UPDATE opportunities SET stage = 'withdrawn', stage_rank = 5 WHERE id = ?", (first[0],))
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE opportunities SET stage = 'won', stage_rank = 6 WHERE id = ?", (first[0],))
    # exact counts and INDEXED BY pages per stage, as the table model reads them
    conn.execute("BEGIN")
    recount_stage_counts(conn, [1, 2])
    conn.execute("COMMIT")
    for stage in PIPELINE:
        query = OpportunityQuery(1, stage, SortKey.SCORE, True)
        total = count_rows(conn, query)
        expected = conn.execute(
            "SELECT count(*) FROM opportunities WHERE profile_id = 1 AND stage = ?", (stage.value,)
        ).fetchone()[0]
        assert total == expected
        page = read_page(conn, compile_query(query), Seek(True, None, 0, 1000))
        assert len(page.rows) == expected and {r.stage for r in page.rows} <= {stage.value}
    # deleting an opportunity still cascades to its history (the FK points at the new table)
    conn.execute("DELETE FROM opportunities WHERE id = ?", (first[0],))
    assert (
        conn.execute("SELECT count(*) FROM stage_history WHERE opportunity_id = ?", first[:1]).fetchone()[0]
        == 0
    )


def test_v6_refuses_an_opportunities_table_it_does_not_know(tmp_path):
    from catalynx_desktop.storage.schema_v6 import new_table_sql

    with pytest.raises(RuntimeError, match="stage constraints"):
        new_table_sql("CREATE TABLE opportunities (id INTEGER PRIMARY KEY, stage TEXT)", "x")
