"""Crash safety: SIGKILL the real app processes at random points of an import, a Discover run and
a large stage move. After every kill the database passes PRAGMA integrity_check, what was
committed is still there, the killed run shows as interrupted on the next start, and running
the work again completes without duplicates."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.datagen.bmf_gen import write_bmf_csv

KILLS_PER_SCENARIO = 8  # x3 scenarios = 24 kill points per CI run
pytestmark = pytest.mark.slow


def start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "catalynx_desktop", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def kill_after(proc: subprocess.Popen[bytes], seconds: float) -> bool:
    """SIGKILL after `seconds` unless it finished first; True if it was killed mid-way.
    Closes the process's pipes (its output is not needed after this)."""
    with proc:
        try:
            proc.wait(timeout=seconds)
            return False
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def scalar(db: Path, sql: str, params: tuple = ()) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchone()[0]


def last_run_id(db: Path) -> int:
    """Id of the newest workflow run (0 before the first start has created the database)."""
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'workflow_runs'").fetchone():
            return 0
        return conn.execute("SELECT coalesce(max(id), 0) FROM workflow_runs").fetchone()[0]


def unfinished_runs_since(db: Path, run_id: int) -> int:
    """Runs newer than `run_id` that the kill left unfinished. A kill can also land after a run
    recorded its end (a re-import of rows already stored finishes in a moment), and such a run
    is rightly not marked interrupted later."""
    if not last_run_id(db):
        return 0
    return scalar(
        db, "SELECT count(*) FROM workflow_runs WHERE id > ? AND status IN ('pending', 'running')", (run_id,)
    )


def open_and_close(home: Path) -> None:
    """A new session: what the app does at start-up (marks killed runs interrupted)."""
    code = (
        "import asyncio; from catalynx_desktop.services import AppServices; "
        "from catalynx_desktop.paths import resolve_paths\n"
        "async def main():\n"
        f"    s = await AppServices.open(resolve_paths({str(home)!r}))\n"
        "    await s.close()\n"
        "asyncio.run(main())"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_killed_imports_lose_nothing_and_rerun_without_duplicates(tmp_path):
    rng = random.Random(7)
    source = write_bmf_csv(tmp_path / "eo_big.csv", 60_000, seed=3)
    home = tmp_path / "home"
    db = home / "catalynx.sqlite3"
    killed = 0
    killed_mid_run = 0  # kills that left a recorded import run unfinished
    previous = 0
    for _ in range(KILLS_PER_SCENARIO):
        run_before = last_run_id(db)
        proc = start("import", str(source), "--data-dir", str(home))
        if kill_after(proc, rng.uniform(0.3, 3.0)):
            killed += 1
            killed_mid_run += unfinished_runs_since(db, run_before)
        assert integrity(db) == "ok"
        rows = scalar(db, "SELECT count(*) FROM source_records")
        assert rows >= previous  # committed batches survive every later kill
        assert rows == scalar(db, "SELECT count(DISTINCT source_id) FROM source_records")
        previous = rows
    assert killed >= KILLS_PER_SCENARIO // 2
    assert killed_mid_run >= 1
    # Each new session marks the runs killed before it interrupted; the last one may still say running.
    # (A kill during start-up, before the run was recorded, leaves no run to mark.)
    assert (
        scalar(db, "SELECT count(*) FROM workflow_runs WHERE status IN ('running', 'interrupted')")
        >= killed_mid_run
    )
    open_and_close(home)
    assert scalar(db, "SELECT count(*) FROM workflow_runs WHERE status = 'running'") == 0
    assert scalar(db, "SELECT count(*) FROM workflow_runs WHERE status = 'interrupted'") >= 1
    done = subprocess.run(
        [sys.executable, "-m", "catalynx_desktop", "import", str(source), "--data-dir", str(home)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert scalar(db, "SELECT count(*) FROM source_records") == 60_000
    assert integrity(db) == "ok"


def test_killed_discover_runs_keep_user_work_and_rerun_cleanly(tmp_path):
    rng = random.Random(11)
    home = tmp_path / "home"
    db = home / "catalynx.sqlite3"
    assert (
        subprocess.run(
            [sys.executable, "-m", "catalynx_desktop", "paths", "--data-dir", str(home)],
            capture_output=True,
            timeout=120,
        ).returncode
        == 0
    )
    open_and_close(home)  # creates and migrates the database
    with sqlite3.connect(db) as conn:  # 400,000 candidate funders, quickly: Discover runs for seconds
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400000) "
            "INSERT INTO source_records (source, source_id, kind, name, funder_name, state, ntee_code, subsection, "
            "foundation_code, is_grant_maker, assets, income) SELECT 'irs_bmf', printf('%09d', i), 'foundation', "
            "'Org ' || i, 'Org ' || i, 'VT', CASE i % 3 WHEN 0 THEN 'B20' WHEN 1 THEN 'E32' ELSE 'A20' END, '03', "
            "'04', 1, i * 1000, i * 100 FROM n"
        )
        conn.execute(
            "INSERT INTO profiles (name, ntee_code, target_ntee_codes, states, nationwide) "
            "VALUES ('Kill test', 'B20', '[\"B20\", \"E32\"]', '[]', 1)"
        )
    killed = 0
    for _ in range(KILLS_PER_SCENARIO):
        proc = start("discover", "--profile", "1", "--data-dir", str(home))
        if kill_after(proc, rng.uniform(0.8, 3.0)):
            killed += 1
        assert integrity(db) == "ok"
        total = scalar(db, "SELECT count(*) FROM opportunities")
        assert total == scalar(
            db, "SELECT count(*) FROM (SELECT DISTINCT profile_id, source, source_id FROM opportunities)"
        )
        assert total == scalar(db, "SELECT COALESCE(sum(n), 0) FROM profile_stage_counts")
        if total:  # user work on an existing row must survive later (killed) runs
            with sqlite3.connect(db) as conn:
                conn.execute(
                    "UPDATE opportunities SET notes = 'keep me', stage = 'plan', stage_rank = 1 "
                    "WHERE id = (SELECT min(id) FROM opportunities)"
                )
    assert killed >= 1
    open_and_close(home)
    assert scalar(db, "SELECT count(*) FROM workflow_runs WHERE status = 'running'") == 0
    done = subprocess.run(
        [sys.executable, "-m", "catalynx_desktop", "discover", "--profile", "1", "--data-dir", str(home)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert integrity(db) == "ok"
    if scalar(db, "SELECT count(*) FROM opportunities WHERE notes = 'keep me'"):
        assert scalar(db, "SELECT stage FROM opportunities WHERE notes = 'keep me'") == "plan"
    assert scalar(db, "SELECT count(*) FROM opportunities") == scalar(
        db, "SELECT count(*) FROM (SELECT DISTINCT profile_id, source, source_id FROM opportunities)"
    )


MOVE_SCRIPT = textwrap.dedent("""
    import asyncio, sys
    from catalynx_desktop.domain.stages import Stage
    from catalynx_desktop.paths import resolve_paths
    from catalynx_desktop.services import AppServices

    async def main():
        services = await AppServices.open(resolve_paths(sys.argv[1]))
        ids = [r[0] for r in await services.db.fetch_all("SELECT id FROM opportunities")]
        stage = Stage(sys.argv[2])
        print("moving", flush=True)
        for start in range(0, len(ids), 8000):
            await services.opportunities.move_stage(ids[start:start + 8000], stage, "kill test")
        await services.close()
    asyncio.run(main())
""")


def test_killed_stage_moves_are_all_or_nothing_per_transaction(tmp_path):
    rng = random.Random(13)
    home = tmp_path / "home"
    db = home / "catalynx.sqlite3"
    assert (
        subprocess.run(
            [
                sys.executable,
                "-m",
                "catalynx_desktop",
                "demo",
                "--profiles",
                "1",
                "--opportunities",
                "40000",
                "--data-dir",
                str(home),
            ],
            capture_output=True,
            timeout=600,
        ).returncode
        == 0
    )
    script = tmp_path / "move.py"
    script.write_text(MOVE_SCRIPT)
    stages = ["approach", "declined", "plan", "examine"]
    for i in range(KILLS_PER_SCENARIO):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(home), stages[i % len(stages)]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None
        proc.stdout.readline()  # "moving": the moves have started
        kill_after(proc, rng.uniform(0.0, 1.5))
        assert integrity(db) == "ok"
        # counts table agrees with the rows: no move was half-applied
        with sqlite3.connect(db) as conn:
            actual = dict(conn.execute("SELECT stage, count(*) FROM opportunities GROUP BY stage").fetchall())
            kept = {s: n for s, n in conn.execute("SELECT stage, n FROM profile_stage_counts") if n}
            # every row's stage is the one its latest history entry moved it to: a move is
            # committed with its history or not at all
            disagreeing = conn.execute(
                "SELECT count(*) FROM opportunities AS o WHERE o.stage != COALESCE((SELECT h.to_stage "
                "FROM stage_history AS h WHERE h.opportunity_id = o.id ORDER BY h.id DESC LIMIT 1), "
                "'discover')"
            ).fetchone()[0]
        assert actual == kept
        assert disagreeing == 0
    assert scalar(db, "SELECT count(*) FROM opportunities") == 40_000
