"""Zip and spreadsheet bombs are refused within seconds, in bounded memory (issue 14, item 10).

The attack: a 2.8 KB zip whose bzip2 member expands to 3 GB (one giant Description, or filler
between records) and a 7 KB XLSX whose sheet XML is huge took 6 GB of RSS in ~20 s with the
progress bar at 0%; a smaller one grew the database by 630 MB from a 756-byte file.

Each bomb is built in tmp_path and imported by the real CLI in a subprocess (a fresh data
directory), while this test samples the process's RSS. It must exit within seconds with one
message naming the file (and the zip member), stay under 300 MB, and store nothing of the bomb.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from tests.reliability.filesystems import REPO

GIB = 1024**3
MEMBER = "GrantsDBExtract20261101v2.xml"
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<Grants xmlns="http://apply.grants.gov/system/OpportunityDetail-V1.0">\n'
)
RECORD = (
    b"<OpportunitySynopsisDetail_1_0><OpportunityID>%d</OpportunityID>"
    b"<OpportunityTitle>Real opportunity %d</OpportunityTitle><Description>%s</Description>"
    b"</OpportunitySynopsisDetail_1_0>\n"
)
TAIL = b"</Grants>\n"
MAX_RSS = 300 * 1024 * 1024
MAX_SECONDS = 20.0  # the CLI's own start-up (Python, the database) is most of it


BOMB_BYTES = 512 * 1024 * 1024  # expanded size: past the 300 MB budget if anything holds it whole


def _filler(total: int, byte: bytes = b" ", block: int = 16 * 1024 * 1024) -> Iterator[bytes]:
    chunk = byte * block
    for _ in range(total // block):
        yield chunk
    yield byte * (total % block)


def giant_description(total: int) -> Iterator[bytes]:
    yield HEAD + RECORD % (1, 1, b"fine") + b"<OpportunitySynopsisDetail_1_0><OpportunityID>2</OpportunityID>"
    yield b"<Description>"
    yield from _filler(total, b"A")
    yield b"</Description></OpportunitySynopsisDetail_1_0>" + TAIL


def whitespace_between_records(total: int) -> Iterator[bytes]:
    yield HEAD + RECORD % (1, 1, b"fine")
    yield from _filler(total)
    yield RECORD % (2, 2, b"fine") + TAIL


def many_records(total: int) -> Iterator[bytes]:
    """Valid records of 30 KB each, every one under the per-record cap: only the expansion
    ratio tells this bomb (it would add ~17,000 rows and their search index from a few KB)."""
    yield HEAD
    description = b"x" * 30_000
    for n in range(1, total // (len(description) + 200)):
        yield RECORD % (n, n, description)
    yield TAIL


def write_zip(path: Path, parts: Iterator[bytes], method: int, name: str = MEMBER) -> Path:
    """A zip with one member, compressed as it is streamed (never whole in memory)."""
    info = zipfile.ZipInfo(name, date_time=(2026, 11, 1, 0, 0, 0))
    info.compress_type = method
    with zipfile.ZipFile(path, "w") as archive, archive.open(info, "w", force_zip64=True) as member:
        for part in parts:
            member.write(part)
    return path


def write_xlsx_bomb(path: Path, total: int) -> Path:
    """A real workbook (openpyxl) whose first sheet's XML is replaced by one with a giant cell."""
    import openpyxl

    plain = path.with_name("plain.xlsx")
    book = openpyxl.Workbook()
    book.active.append(["Name", "EIN", "State"])
    book.active.append(["Green Mountain Fund", "030103260", "VT"])
    book.save(plain)
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != sheet:
                target.writestr(info, source.read(info))
                continue
            xml = source.read(info)
            head, tail = xml.replace(b'<dimension ref="A1:C2"/>', b'<dimension ref="A1:C3"/>').split(
                b"</sheetData>"
            )
            cell = b'<row r="3"><c r="A3" t="inlineStr"><is><t>'
            member = zipfile.ZipInfo(sheet, date_time=info.date_time)
            member.compress_type = zipfile.ZIP_DEFLATED
            with target.open(member, "w", force_zip64=True) as out:
                out.write(head + cell)
                for part in _filler(total, b"A"):
                    out.write(part)
                out.write(b"</t></is></c></row></sheetData>" + tail)
    plain.unlink()
    return path


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., tuple[int, str, float, int]]:
    """cli(*args) -> (exit code, stderr+stdout, seconds, peak RSS of the process tree)."""
    home = tmp_path / "home"

    def run(*args: str) -> tuple[int, str, float, int]:
        env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "catalynx_desktop", "--data-dir", str(home), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO,
        )
        watched = psutil.Process(process.pid)
        peak = 0
        while process.poll() is None:
            try:
                tree = [watched, *watched.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            if peak > 3 * MAX_RSS or time.perf_counter() - started > 120:  # spare the machine
                process.kill()
                break
            time.sleep(0.02)
        output = ""
        if process.stdout is not None:
            with process.stdout:  # closed, or the pipe leaks (a ResourceWarning fails the test)
                output = process.stdout.read().decode("utf-8", "replace")
        return process.wait(), output, time.perf_counter() - started, peak

    return run


def _stored_rows(home: Path) -> int:
    database = home / "catalynx.db"
    if not database.exists():
        return 0
    conn = sqlite3.connect(database)
    try:
        return conn.execute("SELECT count(*) FROM source_records").fetchone()[0]
    finally:
        conn.close()


BOMBS = {
    "bzip2 zip, one 512 MB Description": (
        lambda path: write_zip(path, giant_description(BOMB_BYTES), zipfile.ZIP_BZIP2),
        "longer than",
    ),
    "bzip2 zip, 512 MB of whitespace between records": (
        lambda path: write_zip(path, whitespace_between_records(BOMB_BYTES), zipfile.ZIP_BZIP2),
        "longer than",
    ),
    "deflate zip, 300 MB of valid records": (
        lambda path: write_zip(path, many_records(300 * 1024 * 1024), zipfile.ZIP_DEFLATED),
        "times its compressed size",
    ),
}


@pytest.mark.parametrize("case", list(BOMBS))
def test_grants_gov_zip_bomb_is_refused_quickly_in_bounded_memory(
    case: str, tmp_path: Path, cli: Callable[..., tuple[int, str, float, int]]
) -> None:
    build, says = BOMBS[case]
    bomb = build(tmp_path / "GrantsDBExtract20261101v2.zip")
    assert bomb.stat().st_size < 1_000_000  # a few KB (bzip2) to a few hundred KB (deflate)

    code, output, seconds, peak = cli("import", str(bomb))
    print(f"{seconds:.1f} s, peak RSS {peak / 1e6:.0f} MB: {output.strip()}")

    assert code != 0, output
    assert f"{bomb.name}: import failed: the XML file {MEMBER} in this zip" in output, output
    assert says in output, output
    assert "Traceback" not in output, output
    assert seconds < MAX_SECONDS, (seconds, output)
    assert peak < MAX_RSS, f"peak RSS {peak / 1e6:.0f} MB"
    assert _stored_rows(tmp_path / "home") <= 1  # nothing of the bomb (at most a record before it)


def test_xlsx_bomb_is_refused_quickly_in_bounded_memory(
    tmp_path: Path, cli: Callable[..., tuple[int, str, float, int]]
) -> None:
    bomb = write_xlsx_bomb(tmp_path / "grantors.xlsx", BOMB_BYTES)
    assert bomb.stat().st_size < 1_000_000

    code, output, seconds, peak = cli("import", str(bomb))
    print(f"{seconds:.1f} s, peak RSS {peak / 1e6:.0f} MB: {output.strip()}")

    assert code != 0, output
    assert f"{bomb.name}: import failed: the part xl/worksheets/sheet1.xml of this workbook" in output, output
    assert "Traceback" not in output, output
    assert seconds < MAX_SECONDS, (seconds, output)
    assert peak < MAX_RSS, f"peak RSS {peak / 1e6:.0f} MB"
    assert _stored_rows(tmp_path / "home") == 0


def _parse_with_peak(parser: object) -> tuple[list[object], int]:
    import tracemalloc

    tracemalloc.start()
    try:
        items = list(parser)  # type: ignore[call-overload]
        return items, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_giant_line_in_a_bmf_file_is_skipped_without_being_held(tmp_path: Path) -> None:
    from catalynx_desktop.domain.records import RecordError
    from catalynx_desktop.sources.bmf import BmfParser
    from tests.sources.test_bmf import HEADER, good_line

    path = tmp_path / "eo_xx.csv"
    with path.open("wb") as out:
        out.write(HEADER + good_line("000000001"))
        out.write(b"000000002,GIANT" + b" " * (64 * 1024 * 1024) + b"\r\n")
        out.write(good_line("000000003"))
    items, peak = _parse_with_peak(BmfParser(path))

    errors = [i for i in items if isinstance(i, RecordError)]
    assert [i.ein for i in items if not isinstance(i, RecordError)] == ["000000001", "000000003"]  # type: ignore[attr-defined]
    assert [(e.record_number, "64 MB long" in e.reason) for e in errors] == [(3, True)]
    assert peak < 8 * 1024 * 1024


def test_a_giant_line_or_cell_in_a_grantor_list_rejects_that_row_only(tmp_path: Path) -> None:
    from catalynx_desktop.domain.records import RecordError
    from catalynx_desktop.sources.user_list import UserListParser

    path = tmp_path / "grantors.csv"
    with path.open("wb") as out:
        out.write(b"Name,EIN,State\r\nFirst Fund,030103260,VT\r\n")
        out.write(b"Giant," + b"9" * (64 * 1024 * 1024) + b",VT\r\n")
        out.write(b"Last Fund,030103261,VT\r\n")
    items, peak = _parse_with_peak(UserListParser(path))
    assert [i.name for i in items if not isinstance(i, RecordError)] == ["First Fund", "Last Fund"]  # type: ignore[attr-defined]
    errors = [i for i in items if isinstance(i, RecordError)]
    assert [(e.record_number, "64 MB long" in e.reason) for e in errors] == [(3, True)]
    assert peak < 8 * 1024 * 1024

    # Excel and openpyxl never write a cell over 32,767 characters; a crafted sheet can.
    workbook = write_xlsx_bomb(tmp_path / "grantors.xlsx", 200_000)
    items = list(UserListParser(workbook))
    assert [i.name for i in items if not isinstance(i, RecordError)] == ["Green Mountain Fund"]  # type: ignore[attr-defined]
    (error,) = [i for i in items if isinstance(i, RecordError)]
    assert error.record_number == 3 and "'Name' has 200,000 characters" in error.reason


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_bzip2_and_lzma_members_are_read_in_bounded_steps(tmp_path: Path, method: int) -> None:
    """The bounded reader zipfile lacks for these methods: a real extract reads whole (CRC
    checked), a bomb stops at the record cap holding a few MB at most."""
    from catalynx_desktop.domain.records import SourceRecord
    from catalynx_desktop.sources.grantsgov import GrantsGovParser
    from catalynx_desktop.sources.limits import LimitExceeded

    fine = write_zip(
        tmp_path / "fine.zip", iter([HEAD, RECORD % (1, 1, b"a"), RECORD % (2, 2, b"b"), TAIL]), method
    )
    records = [r for r in GrantsGovParser(fine) if isinstance(r, SourceRecord)]
    assert [r.source_id for r in records] == ["1", "2"]

    bomb = write_zip(tmp_path / "bomb.zip", whitespace_between_records(64 * 1024 * 1024), method)
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded, match=f"the XML file {MEMBER} in this zip: record 2"):
            list(GrantsGovParser(bomb))
        assert tracemalloc.get_traced_memory()[1] < 32 * 1024 * 1024
    finally:
        tracemalloc.stop()
