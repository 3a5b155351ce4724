"""The IRS 990 import through the real command line: the real returns to exactly the figures of
expected.csv (read back with `funder EIN --json`), a generated TEOS zip (Deflate64 members, its
index) in full, re-imports that add nothing, a folder, and bad members reported one per line."""

from __future__ import annotations

import asyncio
import csv
import json
import sqlite3
import subprocess
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.datagen.irs990_gen import GenOptions, ZipWriter, generate_returns, write_teos_zip
from tests.sources.irs990.conftest import COPY, expected_rows

RETURNS = COPY / "returns"

T = TypeVar("T")


def run_fresh(coro: Coroutine[Any, Any, T]) -> T:
    """Run on a fresh loop. Not asyncio.run(): that ends with set_event_loop(None), which would
    unset the session's qasync loop (tests/conftest.py) for GUI tests that run later."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "catalynx_desktop", *args, "--data-dir", str(home)],
        capture_output=True,
        text=True,
        timeout=600,
    )


def scalar(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        value: int = conn.execute(sql).fetchone()[0]
        return value


def _int(text: str) -> int:
    return int(text) if text else 0


def _expected_return(row: dict[str, str]) -> dict[str, object]:
    """The fixed keys of `funder --json`, computed from expected.csv's independent columns."""
    if row["return_type"] == "990PF":
        paid_count, paid_total = _int(row["pf_grants_paid_count"]), _int(row["pf_grants_paid_sum"])
        # A 990-PF states the preselected-only box: an X means yes, its absence no.
        preselected: bool | None = row["pf_only_preselected_ind"].strip().upper() in ("X", "1", "TRUE")
    else:
        paid_count = _int(row["schedi_recipient_count"])
        paid_total = _int(row["schedi_cash_plus_noncash"])
        preselected = None
    return {
        "object_id": row["object_id"],
        "return_type": row["return_type"],
        "tax_period": row["tax_period_end"][:4] + row["tax_period_end"][5:7],
        "grants_paid_count": paid_count,
        "grants_paid_total": paid_total,
        "future_grants_count": _int(row["pf_future_grants_count"]),
        "officers_count": _int(row["officer_count"]),
        "preselected_only": preselected,
    }


@pytest.fixture(scope="module")
def real_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory where the folder of real returns was imported through the CLI."""
    home = tmp_path_factory.mktemp("real") / "home"
    done = cli(home, "import", str(RETURNS))
    assert done.returncode == 0, done.stderr
    assert "8 returns read, 8 imported" in done.stdout
    return home


@pytest.mark.parametrize("row", expected_rows(), ids=lambda row: row["file_name"])
def test_every_real_return_imports_to_its_expected_figures(real_home: Path, row: dict[str, str]) -> None:
    done = cli(real_home, "funder", row["ein"], "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)  # exactly one JSON object on stdout
    assert summary["ein"] == row["ein"]
    assert summary["name"] == row["filer_name"]
    returns = [r for r in summary["returns"] if r["object_id"] == row["object_id"]]
    assert len(returns) == 1
    got = {key: returns[0][key] for key in _expected_return(row)}
    assert got == _expected_return(row)


def test_readable_summary_and_unknown_ein(real_home: Path) -> None:
    done = cli(real_home, "funder", "04-6662754")
    assert done.returncode == 0, done.stderr
    assert "MARGARET MCNEIL TR UW CHARITY CO TD BANK (EIN 046662754)" in done.stdout
    assert "4 grants paid $12,000" in done.stdout
    missing = cli(real_home, "funder", "999999999", "--json")
    assert missing.returncode == 1 and missing.stdout == ""
    assert cli(real_home, "funder", "not-an-ein").returncode == 2


def test_single_file_then_folder_reimport_adds_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    one = RETURNS / "201601249349100900_public.xml"
    first = cli(home, "import", str(one))
    assert first.returncode == 0, first.stderr
    assert "1 returns read, 1 imported (4 grants" in first.stdout
    folder = cli(home, "import", str(RETURNS))
    assert "7 imported" in folder.stdout and "1 already imported" in folder.stdout
    again = cli(home, "import", str(RETURNS))
    assert "0 imported" in again.stdout and "8 already imported" in again.stdout
    db = home / "catalynx.sqlite3"
    assert scalar(db, "SELECT count(*) FROM irs_returns") == 8
    assert scalar(db, "SELECT count(DISTINCT object_id) FROM irs_returns") == 8


def test_teos_zip_with_deflate64_and_index_imports_fully(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    generated = list(generate_returns(120, GenOptions(seed=5, grants=(0, 30))))
    summary = write_teos_zip(
        source / "2024_TEOS_XML_05A.zip",
        generated,
        seed=5,
        deflate64_share=0.5,
        other_forms=0.1,
        folder="2024_TEOS_XML_05A",
    )
    assert summary.deflate64 > 20 and summary.forms.get("990T", 0) > 0
    home = tmp_path / "home"
    done = cli(home, "import", str(summary.path), str(summary.index))
    assert done.returncode == 0, done.stderr
    assert "120 returns read, 120 imported" in done.stdout
    assert "0 rejected" in done.stdout and f"{summary.forms['990T']} of other forms left out" in done.stdout
    db = home / "catalynx.sqlite3"
    assert scalar(db, "SELECT count(*) FROM irs_returns") == 120
    expected_grants = sum(len(r.grants) for r in generated)
    assert scalar(db, "SELECT count(*) FROM irs_grants") == expected_grants
    people = sum(len(r.people) for r in generated)
    assert scalar(db, "SELECT count(*) FROM irs_people") == people
    # The index beside the zip is found without being named; nothing is added the second time.
    again = cli(home, "import", str(summary.path))
    assert "0 returns read, 0 imported" in again.stdout and "120 already imported" in again.stdout
    assert scalar(db, "SELECT count(*) FROM irs_grants") == expected_grants
    with sqlite3.connect(db) as conn:
        runs = conn.execute("SELECT status FROM workflow_runs WHERE workflow = 'Import'").fetchall()
    assert [status for (status,) in runs] == ["succeeded", "succeeded"]


def test_bad_members_are_one_report_line_each_and_the_rest_imports(tmp_path: Path) -> None:
    good = list(generate_returns(10, GenOptions(seed=9, grants=(1, 5))))
    path = tmp_path / "2023_TEOS_XML_01A.zip"
    with path.open("wb") as stream:
        writer = ZipWriter(stream)
        for r in good[:5]:
            writer.add(r.member_name, r.xml(), 9)
        writer.add("202300000000000001_public.xml", b"<Return xmlns='http://www.irs.gov/efile'><oops", 8)
        writer.add("202300000000000002_public.xml", b"not xml at all", 8)
        writer.add(
            "202300000000000003_public.xml",
            b"<Return xmlns='http://www.irs.gov/efile' returnVersion='2022v5.0'><ReturnHeader/>"
            b"<ReturnData><IRS990T/></ReturnData></Return>",
            8,
        )
        for r in good[5:]:
            writer.add(r.member_name, r.xml(), 8)
        writer.close()
    home = tmp_path / "home"
    done = cli(home, "import", str(path))
    assert done.returncode == 0, done.stderr
    assert "10 imported" in done.stdout and "3 rejected" in done.stdout
    rejected = [line for line in done.stdout.splitlines() if line.startswith("  rejected: ")]
    assert len(rejected) == 3
    for number in ("1", "2", "3"):
        object_id = f"20230000000000000{number}"
        assert any(f"(object id {object_id})" in line for line in rejected)
    problems_csv = Path(done.stdout.split("all rejected records: ", 1)[1].strip())
    with problems_csv.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [r["object_id"] for r in rows] == [f"20230000000000000{n}" for n in "123"]
    assert all(r["member"] and r["reason"] for r in rows)
    assert scalar(home / "catalynx.sqlite3", "SELECT count(*) FROM irs_returns") == 10


def test_index_alone_is_refused_with_one_message(tmp_path: Path) -> None:
    index = tmp_path / "index_2024.csv"
    index.write_text(
        "RETURN_ID,FILING_TYPE,EIN,TAX_PERIOD,SUB_DATE,TAXPAYER_NAME,RETURN_TYPE,DLN,OBJECT_ID,XML_BATCH_ID\r\n"
        "1,EFILE,046662754,201512,2016,X,990PF,1,201601249349100900,2016\r\n"
    )
    done = cli(tmp_path / "home", "import", str(index))
    assert done.returncode == 2
    assert "index_2024.csv" in done.stderr and "with its TEOS zip" in done.stderr


def test_cancel_takes_effect_within_a_second_and_a_rerun_completes(tmp_path: Path) -> None:
    """Cancel an Import run of a TEOS zip mid-way (as the window's Cancel button does): the run ends
    cancelled within 1 s, what was committed stays, and the next run imports the rest once."""
    import time

    from catalynx_desktop.domain.runs import RunStatus
    from catalynx_desktop.paths import resolve_paths
    from catalynx_desktop.services import AppServices

    generated = list(generate_returns(1500, GenOptions(seed=13, grants=(20, 120))))
    summary = write_teos_zip(tmp_path / "2024_TEOS_XML_05A.zip", generated, seed=13, deflate64_share=0.3)
    paths = resolve_paths(tmp_path / "home")

    async def cancelled_then_rerun() -> tuple[RunStatus, float, int, RunStatus]:
        services = await AppServices.open(paths)
        try:
            handle = await services.imports.start(summary.path)
            db = services.db
            while True:  # cancel once some returns are committed
                stored = (await db.fetch_one("SELECT count(*) FROM irs_returns") or (0,))[0]
                if stored >= 64:
                    break
                await asyncio.sleep(0.05)
            asked = time.perf_counter()
            handle.cancel()
            first = await handle.wait()
            latency = time.perf_counter() - asked
            kept = (await db.fetch_one("SELECT count(*) FROM irs_returns") or (0,))[0]
            second = await (await services.imports.start(summary.path)).wait()
            return first.status, latency, kept, second.status
        finally:
            await services.close()

    status, latency, kept, rerun = run_fresh(cancelled_then_rerun())
    assert status is RunStatus.CANCELLED
    assert latency <= 1.0
    assert 64 <= kept < 1500
    assert rerun is RunStatus.SUCCEEDED
    db = paths.database
    assert scalar(db, "SELECT count(*) FROM irs_returns") == 1500
    assert scalar(db, "SELECT count(DISTINCT object_id) FROM irs_returns") == 1500
    assert scalar(db, "SELECT count(*) FROM irs_grants") == sum(len(r.grants) for r in generated)


def test_a_truncated_zip_imports_the_members_before_the_cut_and_says_so(tmp_path: Path) -> None:
    generated = list(generate_returns(60, GenOptions(seed=17, grants=(1, 20))))
    whole = write_teos_zip(tmp_path / "whole.zip", generated, seed=17, deflate64_share=0.3, index=False)
    data = whole.path.read_bytes()
    cut = tmp_path / "2024_TEOS_XML_07A.zip"  # a download cut short: no central directory
    cut.write_bytes(data[: len(data) * 6 // 10])
    home = tmp_path / "home"
    done = cli(home, "import", str(cut))
    assert done.returncode == 0, done.stderr
    stored = scalar(home / "catalynx.sqlite3", "SELECT count(*) FROM irs_returns")
    assert 20 < stored < 60
    assert "1 rejected" in done.stdout
    assert "the archive ends inside this member" in done.stdout  # the member cut in two: one line


def test_the_app_keeps_writing_while_an_import_runs_in_its_own_process(tmp_path: Path) -> None:
    """The import writes from a process of its own (its Python would hold the UI thread's GIL):
    a user's edit made while it runs is committed before the import ends, and both are whole."""
    from catalynx_desktop.storage.database import Database
    from catalynx_desktop.workflows.importing.irs990_import import import_returns

    generated = list(generate_returns(600, GenOptions(seed=21, grants=(20, 120))))
    summary = write_teos_zip(tmp_path / "2024_TEOS_XML_05A.zip", generated, seed=21)

    async def edit_while_importing() -> tuple[int, list[bool], int]:
        db = await Database.open(tmp_path / "db.sqlite3")
        importing = [True]
        committed_while_importing: list[bool] = []
        edits: list[asyncio.Future[None]] = []

        async def edit() -> None:
            await db.write(
                lambda c: c.execute("INSERT INTO profiles (name) VALUES (?)", ("Typed mid-import",))
            )
            committed_while_importing.append(importing[0])

        def progress(report: object) -> None:
            if not edits:
                edits.append(asyncio.ensure_future(edit()))

        try:
            report = await import_returns(db, summary.path, progress=progress, workers=1)
            importing[0] = False
            await edits[0]
            profiles = (await db.fetch_one("SELECT count(*) FROM profiles WHERE name = 'Typed mid-import'"))[
                0
            ]
            return report.inserted, committed_while_importing, profiles
        finally:
            await db.close()

    inserted, committed_while_importing, profiles = run_fresh(edit_while_importing())
    assert inserted == 600
    assert committed_while_importing == [True]
    assert profiles == 1
    assert scalar(tmp_path / "db.sqlite3", "SELECT count(*) FROM irs_grants") == sum(
        len(r.grants) for r in generated
    )
