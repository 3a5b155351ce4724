"""Export workflow end to end: real SQLite, the workflow engine on the qasync loop, files read back."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import time
from pathlib import Path

import openpyxl
import psutil
import pytest

from catalynx_desktop.domain.export_selection import ExportSelection
from catalynx_desktop.domain.labels import source_name
from catalynx_desktop.domain.query import OpportunityQuery, SortKey
from catalynx_desktop.domain.runs import RunStatus
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.storage.database import Database
from catalynx_desktop.workflows.engine import WorkflowEngine
from catalynx_desktop.workflows.export import start_export
from catalynx_desktop.workflows.runs import MemoryRunStore

from .conftest import VIEW_ROWS

HEADER = [
    "Title",
    "Funder",
    "Stage",
    "Score",
    "Amount",
    "Close date",
    "Discovered",
    "State",
    "Source",
    "Source ID",
    "Rating",
    "Priority",
    "Tags",
    "Notes",
    # what the funder's record adds (issue 15)
    "EIN",
    "City",
    "Funder kind",
    "Field (NTEE)",
    "Why this score",
    "Award floor",
    "Award ceiling",
    "Total program funding",
    "Assets",
    "Income",
    "CFDA",
    "URL",
]


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


async def export(db_path: Path, source, target: Path, fmt: str, **kwargs):
    db = await Database.open(db_path)
    try:
        engine = WorkflowEngine(MemoryRunStore())
        handle = await start_export(engine, db, source, target, fmt, **kwargs)
        return await handle.wait()
    finally:
        await db.close()


def test_view_to_csv_has_exactly_the_rows_of_the_view_in_order_in_constant_memory(
    export_db, sql, run, tmp_path
):
    db_path, profile = export_db
    query = OpportunityQuery(profile, None, SortKey.CLOSE_DATE, descending=False)
    target = tmp_path / "view.csv"
    process = psutil.Process()
    samples: list[tuple[int, int]] = []  # (rows done, RSS)

    async def go():
        db = await Database.open(db_path)
        try:
            engine = WorkflowEngine(MemoryRunStore(), progress_interval=0.02)
            handle = await start_export(engine, db, query, target, "csv", chunk_rows=2000)
            handle.subscribe(
                lambda snap: samples.append((snap.counts.get("rows", 0), process.memory_info().rss))
            )
            return await handle.wait()
        finally:
            await db.close()

    result = run(go())
    assert result.status == RunStatus.SUCCEEDED, result.error
    out = result.output("export")
    expected_ids = [
        r[0]
        for r in sql.execute(
            "SELECT source_id FROM opportunities WHERE profile_id = ? ORDER BY close_date, id", (profile,)
        )
    ]
    assert len(expected_ids) == VIEW_ROWS == out["rows"]
    assert (
        sql.execute("SELECT COUNT(*) FROM opportunities WHERE profile_id = ?", (profile,)).fetchone()[0]
        == out["rows"]
    )

    rows = read_csv(target)
    assert rows[0] == HEADER
    assert len(rows) - 1 == VIEW_ROWS
    assert [r[9] for r in rows[1:]] == expected_ids  # every row, in the view's order
    assert leftovers(tmp_path) == []

    # Spot-check whole rows against the database.
    by_source_id = {r[9]: r for r in rows[1:]}
    for oid in (1, 97, 194, 50_001, VIEW_ROWS):
        (
            title,
            funder,
            stage,
            score,
            amount,
            close,
            discovered,
            state,
            source,
            source_id,
            rating,
            priority,
            tags,
            notes,
        ) = sql.execute(
            "SELECT title, funder_name, stage, score, amount, close_date, discovered_at, state, source, "
            "source_id, rating, priority, tags, notes FROM opportunities WHERE id = ?",
            (oid,),
        ).fetchone()
        got = by_source_id[source_id]
        assert got[0] == ("'" + title if title.startswith("=") else title)  # CSV formula guard
        assert got[1:3] == [funder, stage.capitalize()]
        assert float(got[3]) == round(score, 2)  # the window's two digits (issue 15)
        assert got[4] == (str(amount) if amount else "")
        assert got[5:9] == [close, discovered, state, source_name(source)]  # "Demo data", not "demo"
        assert got[10] == ("" if rating is None else str(rating))
        assert got[11] == priority
        assert got[12] == ("arts; youth" if tags != "[]" else "")
        assert got[13] == notes

    # Constant memory: RSS does not keep growing with the rows written. The first half may still
    # fill SQLite's bounded page cache (32 MB) and the allocator's pools; the second half must be flat.
    half = [rss for done, rss in samples if done >= VIEW_ROWS // 2]
    assert len(half) >= 2, samples
    assert max(half) - half[0] < 16 * 2**20, [(d, r >> 20) for d, r in samples]
    assert max(r for _, r in samples) - samples[0][1] < 80 * 2**20


def test_filtered_view_to_xlsx_typed_cells_and_loop_never_blocked(export_db, sql, run, tmp_path):
    db_path, profile = export_db
    # The 'plan' stage (~15% of the 100,000 rows) keeps this test's runtime small: XlsxWriter
    # encodes ~10k rows/s and openpyxl reads back at a similar rate; the CSV test covers 100,000.
    query = OpportunityQuery(profile, Stage.PLAN, SortKey.SCORE, descending=True)
    target = tmp_path / "plan.xlsx"
    gaps: list[float] = []

    async def heartbeat(stop: asyncio.Event) -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.016)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    async def go():
        stop = asyncio.Event()
        beat = asyncio.ensure_future(heartbeat(stop))
        try:
            return await export(db_path, query, target, "xlsx")
        finally:
            stop.set()
            await beat

    result = run(go())
    assert result.status == RunStatus.SUCCEEDED, result.error
    expected = sql.execute(
        "SELECT source_id, score, amount, close_date, discovered_at, rating FROM opportunities "
        "WHERE profile_id = ? AND stage = 'plan' ORDER BY score DESC, id DESC",
        (profile,),
    ).fetchall()
    count = sql.execute(
        "SELECT COUNT(*) FROM opportunities WHERE profile_id = ? AND stage_rank = 1", (profile,)
    ).fetchone()[0]
    assert count == len(expected) == result.output("export")["rows"] > 10_000
    assert result.output("export")["sheets"] == 1

    book = openpyxl.load_workbook(target, read_only=True)
    try:
        assert book.sheetnames == ["Opportunities"]
        rows = book["Opportunities"].iter_rows(values_only=True)
        assert list(next(rows)) == HEADER
        got = [(r[9], r[3], r[4], r[5], r[6], r[10], r[2]) for r in rows]
    finally:
        book.close()
    assert len(got) == count
    assert [g[0] for g in got] == [e[0] for e in expected]  # every row, in the view's order
    for index in (0, 1, 777, len(got) // 2, len(got) - 1):
        _source_id, score, amount, close, discovered, rating, stage = got[index]
        e = expected[index]
        assert isinstance(score, (int, float)) and score == pytest.approx(
            round(e[1], 2)
        )  # 1.0 reads back as 1
        assert amount == (e[2] or None) and (amount is None or isinstance(amount, int))
        assert close == (dt.datetime.fromisoformat(e[3]) if e[3] else None)
        assert discovered == dt.datetime.fromisoformat(e[4])
        assert rating == e[5]
        assert stage == "Plan"
    # Encoding ran on the writer thread: the loop's 16 ms heartbeat kept beating. (Budget is 50 ms
    # on an idle machine; the bound here is loose for loaded CI, but far below one XLSX chunk
    # encoded on the loop, which takes ~0.4 s.)
    assert gaps and max(gaps) < 0.25, f"longest loop stall {max(gaps) * 1000:.0f} ms"


def test_selection_in_view_order_and_in_given_order(export_db, sql, run, tmp_path):
    db_path, profile = export_db
    ids = list(range(VIEW_ROWS, 0, -37))[:2500]  # scattered, in no view's order
    view = OpportunityQuery(profile, None, SortKey.AMOUNT, descending=True)

    result = run(
        export(
            db_path, ExportSelection.of([*ids, ids[0]], view), tmp_path / "sel.csv", "csv", chunk_rows=1000
        )
    )
    assert result.status == RunStatus.SUCCEEDED, result.error
    expected = [
        r[0]
        for r in sql.execute(
            f"SELECT source_id FROM opportunities WHERE id IN ({','.join(map(str, ids))}) "
            "ORDER BY amount DESC, id DESC"
        )
    ]
    got = [r[9] for r in read_csv(tmp_path / "sel.csv")[1:]]
    assert got == expected and len(got) == 2500

    # Plain ids keep their order; an id that does not exist is skipped and counted.
    plain = [5, 3, 10**9, 4]
    result = run(export(db_path, plain, tmp_path / "plain.csv", None))
    assert result.status == RunStatus.SUCCEEDED, result.error
    names = dict(sql.execute("SELECT id, source_id FROM opportunities WHERE id IN (3, 4, 5)").fetchall())
    assert [r[9] for r in read_csv(tmp_path / "plain.csv")[1:]] == [names[5], names[3], names[4]]
    assert result.output("export")["missing"] == 1


def test_xlsx_continues_on_a_second_sheet_when_one_is_full(export_db, sql, run, tmp_path):
    db_path, _profile = export_db
    ids = list(range(1, 2501))
    target = tmp_path / "big.xlsx"
    result = run(export(db_path, ids, target, "xlsx", writer_options={"max_rows_per_sheet": 1001}))
    assert result.status == RunStatus.SUCCEEDED, result.error
    out = result.output("export")
    assert out["rows"] == 2500 and out["sheets"] == 3
    assert "continue on 'Opportunities (2)', 'Opportunities (3)'" in out["notes"][0]
    book = openpyxl.load_workbook(target, read_only=True)
    try:
        assert book.sheetnames == ["Opportunities", "Opportunities (2)", "Opportunities (3)"]
        seen = []
        for name in book.sheetnames:
            rows = list(book[name].iter_rows(values_only=True))
            assert list(rows[0]) == HEADER
            seen += [r[9] for r in rows[1:]]
    finally:
        book.close()
    expected = dict(sql.execute("SELECT id, source_id FROM opportunities WHERE id <= 2500").fetchall())
    assert seen == [expected[i] for i in ids]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cancel_mid_export_leaves_no_file(export_db, run, tmp_path, fmt):
    db_path, profile = export_db
    query = OpportunityQuery(profile, None, SortKey.TITLE, descending=False)
    fresh = tmp_path / f"fresh.{fmt}"
    existing = tmp_path / f"existing.{fmt}"
    existing.write_bytes(b"the user's earlier export")

    async def cancelled(target: Path):
        db = await Database.open(db_path)
        try:
            engine = WorkflowEngine(MemoryRunStore(), progress_interval=0.01)
            handle = await start_export(engine, db, query, target, fmt, chunk_rows=500)
            seen: list[int] = []

            def on_progress(snap) -> None:
                seen.append(snap.counts.get("rows", 0))
                if snap.counts.get("rows", 0) >= 2000:
                    handle.cancel()

            handle.subscribe(on_progress)
            result = await handle.wait()
            return result, seen
        finally:
            await db.close()

    for target in (fresh, existing):
        result, _seen = run(cancelled(target))
        assert result.status == RunStatus.CANCELLED
        assert 2000 <= result.counts["rows"] < VIEW_ROWS
    assert not fresh.exists()
    assert existing.read_bytes() == b"the user's earlier export"
    assert leftovers(tmp_path) == []  # no .part file, no XlsxWriter scratch directory


def test_export_into_a_missing_folder_fails_with_a_clear_error(export_db, run, tmp_path):
    db_path, _profile = export_db
    result = run(export(db_path, [1, 2], tmp_path / "nope" / "x.csv", "csv"))
    assert result.status == RunStatus.FAILED
    assert "folder does not exist" in result.error
    with pytest.raises(ValueError, match="CSV or XLSX"):
        run(export(db_path, [1], tmp_path / "x.txt", None))


def test_writer_process_killed_mid_export_fails_and_leaves_no_file(export_db, run, tmp_path):
    db_path, profile = export_db
    query = OpportunityQuery(profile, None, SortKey.FUNDER, descending=False)
    target = tmp_path / "killed.xlsx"
    me = psutil.Process()

    async def go():
        db = await Database.open(db_path)
        try:
            engine = WorkflowEngine(MemoryRunStore(), progress_interval=0.01)
            before = {p.pid for p in me.children(recursive=True)}
            handle = await start_export(engine, db, query, target, "xlsx", chunk_rows=500)
            killed: list[int] = []

            def on_progress(snap) -> None:
                if snap.counts.get("rows", 0) >= 1000 and not killed:
                    for child in me.children(recursive=True):
                        if child.pid not in before and "spawn_main" in " ".join(child.cmdline()):
                            child.kill()
                            killed.append(child.pid)

            handle.subscribe(on_progress)
            return await handle.wait(), killed
        finally:
            await db.close()

    result, killed = run(go())
    assert killed, "the writer process was never seen"
    assert result.status == RunStatus.FAILED
    assert not target.exists()
    assert leftovers(tmp_path) == []
