"""Readers: a file, a folder, TEOS zips (ZIP64, Deflate64, index, skips) and every bad input as one
problem while the rest still reads."""

from __future__ import annotations

import shutil
import tracemalloc
import zipfile
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest

from catalynx_desktop.domain.giving import FiledReturn
from catalynx_desktop.sources.irs990 import ParseProblem, parse_member, parse_members
from catalynx_desktop.sources.irs990.reader import (
    Limits,
    RawMember,
    ReadStats,
    TeosZip,
    batches,
    find_index_beside,
    read_source,
    worker_args,
)
from tests.datagen.irs990_gen import GenOptions, GenReturn, ZipWriter, generate_returns, write_teos_zip
from tests.sources.irs990.conftest import COPY
from tests.sources.irs990.test_generated_returns import assert_round_trip

MiB = 2**20


def _returns(count: int, seed: int = 1) -> list[GenReturn]:
    return list(generate_returns(count, GenOptions(seed=seed, grants=(0, 10))))


def _parse_all(items: list[RawMember | ParseProblem]) -> list[FiledReturn | ParseProblem]:
    return [parse_member(i.name, i.data) if isinstance(i, RawMember) else i for i in items]


def test_a_generated_zip64_with_deflate64_members_and_an_index_reads_fully(tmp_path: Path) -> None:
    returns = _returns(80)
    summary = write_teos_zip(
        tmp_path / "2024_TEOS_XML_05A.zip",
        returns,
        seed=4,
        deflate64_share=0.5,
        zip64=True,
        other_forms=0.2,
        folder="2024_TEOS_XML_05A",
    )
    assert summary.deflate64 > 20 and summary.forms["990T"] > 5
    with zipfile.ZipFile(summary.path) as archive:  # a valid zip for zipfile too (with Deflate64 registered)
        assert {i.compress_type for i in archive.infolist()} == {8, 9}
        assert archive.testzip() is None
    assert find_index_beside(summary.path) == summary.index
    stats = ReadStats()
    items = list(read_source(summary.path, stats=stats))
    assert all(isinstance(i, RawMember) for i in items)
    assert stats.skipped_other_form == summary.forms["990T"]  # never decompressed
    assert stats.members == 80 and stats.unlisted == 0 and stats.bytes_done <= stats.bytes_total
    by_id = {r.object_id: r for r in returns}
    for filed in _parse_all(items):
        assert isinstance(filed, FiledReturn)
        assert_round_trip(by_id[filed.object_id], filed)


def test_without_an_index_other_forms_are_read_and_reported(tmp_path: Path) -> None:
    summary = write_teos_zip(
        tmp_path / "2023_TEOS_XML_01A.zip", _returns(30), seed=9, other_forms=0.3, index=False
    )
    results = _parse_all(list(read_source(summary.path)))
    problems = [r for r in results if isinstance(r, ParseProblem)]
    assert len(problems) == summary.forms["990T"] > 0
    assert all(p.reason.startswith("form 990T is not one we import") for p in problems)
    assert sum(isinstance(r, FiledReturn) for r in results) == 30


def test_stored_object_ids_are_skipped_by_set_or_callable(tmp_path: Path) -> None:
    returns = _returns(20)
    summary = write_teos_zip(tmp_path / "2024_TEOS_XML_02A.zip", returns, seed=2, deflate64_share=0.3)
    stored = {r.object_id for r in returns[::2]}
    for skip in (stored, stored.__contains__):
        source = TeosZip(summary.path, skip=skip)
        names = {i.object_id for i in source if isinstance(i, RawMember)}
        assert names == {r.object_id for r in returns[1::2]} and source.stats.skipped_stored == 10


def test_an_index_given_elsewhere_and_members_it_does_not_list(tmp_path: Path) -> None:
    returns = _returns(12)
    summary = write_teos_zip(tmp_path / "batch.zip", returns, seed=3, other_forms=0.5)
    assert summary.index is not None
    lines = summary.index.read_text().splitlines()
    moved = tmp_path / "elsewhere" / "my_index.csv"
    moved.parent.mkdir()
    moved.write_text("\n".join(lines[:-3]) + "\n")  # the last three members are in no index
    source = TeosZip(summary.path, index=moved)
    items = list(source)
    assert source.stats.unlisted == 3 and source.stats.skipped_other_form >= 1
    kept = summary.forms["990PF"] + summary.forms.get("990", 0) + summary.forms.get("990EZ", 0)
    assert sum(source.stats.forms.values()) + 3 >= kept and len(items) >= kept


def _member_offsets(path: Path) -> dict[str, tuple[int, int]]:
    with zipfile.ZipFile(path) as archive:
        return {
            i.filename: (i.header_offset + 30 + len(i.filename.encode()) + len(i.extra), i.compress_size)
            for i in archive.infolist()
        }


def _raw_zip(path: Path, members: list[tuple[str, bytes, int]], zip64: bool = False) -> Path:
    with path.open("wb") as stream:
        writer = ZipWriter(stream, force_zip64=zip64)
        for name, data, method in members:
            writer.add(name, data, method)
        writer.close()
    return path


def test_each_bad_member_is_one_problem_and_the_rest_reads(tmp_path: Path) -> None:
    good = _returns(4, seed=8)
    xml = [r.xml() for r in good]
    path = _raw_zip(
        tmp_path / "2024_TEOS_XML_03A.zip",
        [
            (good[0].member_name, xml[0], 8),
            ("202400000000000001_public.xml", xml[1][: len(xml[1]) // 2], 8),  # malformed XML
            (good[1].member_name, xml[1], 9),  # its data gets damaged below (Deflate64)
            (good[2].member_name, xml[2], 8),  # its data gets damaged below (Deflate)
            ("202400000000000002_public.xml", b" " * (6 * MiB), 8),  # over the 4 MiB cap
            ("202400000000000003_public.xml", b"<Return/>" + b" " * (3 * MiB), 8),  # a ratio of ~1000
            (good[3].member_name, xml[3], 9),
        ],
    )
    data = bytearray(path.read_bytes())
    offsets = _member_offsets(path)
    for member in (good[1].member_name, good[2].member_name):
        start, size = offsets[member]
        data[start + size // 3 : start + size // 3 + 40] = b"\x00\xff" * 20
    path.write_bytes(bytes(data))
    source = TeosZip(path, limits=Limits(max_member_bytes=4 * MiB))
    results = _parse_all(list(source))
    reasons = {r.member if isinstance(r, ParseProblem) else f"{r.object_id}_public.xml": r for r in results}
    assert isinstance(reasons[good[0].member_name], FiledReturn) and isinstance(
        reasons[good[3].member_name], FiledReturn
    )
    assert "not readable XML" in reasons["202400000000000001_public.xml"].reason  # type: ignore[union-attr]
    for member in (good[1].member_name, good[2].member_name):
        assert reasons[member].reason.startswith("the member cannot be decompressed")  # type: ignore[union-attr]
    assert "larger than the 4 MiB allowed" in reasons["202400000000000002_public.xml"].reason  # type: ignore[union-attr]
    assert "times its compressed size" in reasons["202400000000000003_public.xml"].reason  # type: ignore[union-attr]
    assert len(results) == 7 and source.stats.problems == 4


def test_a_200_mb_member_is_one_line_and_memory_stays_bounded(tmp_path: Path) -> None:
    good = _returns(2, seed=12)
    path = _raw_zip(
        tmp_path / "2024_TEOS_XML_04A.zip",
        [
            (good[0].member_name, good[0].xml(), 8),
            ("202400000000000009_public.xml", b"<Return>" + b"<a>x</a>" * (25 * MiB) + b"</Return>", 8),
            (good[1].member_name, good[1].xml(), 9),
        ],
        zip64=True,
    )
    tracemalloc.start()
    try:
        items = list(TeosZip(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * MiB
    problems = [i for i in items if isinstance(i, ParseProblem)]
    assert [p.object_id for p in problems] == ["202400000000000009"]
    assert problems[0].message.startswith(
        "202400000000000009_public.xml (object id 202400000000000009): it is 200 MiB"
    )
    assert sum(isinstance(i, RawMember) for i in items) == 2


def test_a_truncated_zip_yields_the_members_before_the_cut_and_one_line(tmp_path: Path) -> None:
    returns = _returns(10, seed=5)
    summary = write_teos_zip(
        tmp_path / "2024_TEOS_XML_06A.zip", returns, seed=5, deflate64_share=0.5, index=False
    )
    offsets = _member_offsets(summary.path)
    cut_member = returns[6].member_name
    start, size = offsets[cut_member]
    summary.path.write_bytes(summary.path.read_bytes()[: start + size // 2])
    items = list(TeosZip(summary.path))
    read = [i for i in items if isinstance(i, RawMember)]
    assert [i.object_id for i in read] == [r.object_id for r in returns[:6]]
    assert len(items) == 7 and isinstance(items[-1], ParseProblem)
    assert (
        items[-1].object_id == returns[6].object_id and "archive ends inside this member" in items[-1].reason
    )
    for raw, gen in zip(read, returns, strict=False):
        assert_round_trip(gen, parse_member(raw.name, raw.data))


def test_a_zip_cut_in_its_directory_keeps_every_member(tmp_path: Path) -> None:
    returns = _returns(5, seed=6)
    summary = write_teos_zip(
        tmp_path / "2024_TEOS_XML_07A.zip", returns, seed=6, deflate64_share=0.5, index=False
    )
    summary.path.write_bytes(summary.path.read_bytes()[:-40])
    items = list(TeosZip(summary.path))
    assert [i.object_id for i in items[:-1]] == [r.object_id for r in returns]
    assert isinstance(items[-1], ParseProblem) and "no central directory" in items[-1].reason


def test_a_file_and_a_folder_of_returns(tmp_path: Path) -> None:
    nested = tmp_path / "in" / "2016" / "deep"
    nested.mkdir(parents=True)
    real = sorted((COPY / "returns").glob("*_public.xml"))
    for path in real[:4]:
        shutil.copy(path, nested / path.name)
    for path in real[4:]:
        shutil.copy(path, tmp_path / "in" / path.name)
    (tmp_path / "in" / "readme.txt").write_text("not a return")
    stats = ReadStats()
    items = list(read_source(tmp_path / "in", stats=stats, skip={real[0].name[:18]}))
    assert len(items) == 7 and stats.skipped_stored == 1 and stats.bytes_total > 0
    assert all(isinstance(r, FiledReturn) for r in _parse_all(items))
    (single,) = list(read_source(real[3]))
    assert isinstance(single, RawMember) and single.object_id == "201601249349100900"
    (too_big,) = list(read_source(real[2], limits=Limits(max_member_bytes=100_000)))
    assert isinstance(too_big, ParseProblem) and "larger than the" in too_big.reason


def test_batches_parse_in_a_worker_process(tmp_path: Path) -> None:
    returns = _returns(40, seed=21)
    summary = write_teos_zip(tmp_path / "2024_TEOS_XML_08A.zip", returns, seed=21, deflate64_share=0.3)
    groups = list(batches(read_source(summary.path), max_members=16))
    assert [len(g) for g in groups] == [16, 16, 8]
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        parsed = [r for result in pool.map(parse_members, [worker_args(g) for g in groups]) for r in result]
    by_id = {r.object_id: r for r in returns}
    assert len(parsed) == 40
    for filed in parsed:
        assert isinstance(filed, FiledReturn)
        assert_round_trip(by_id[filed.object_id], filed)


def test_a_file_that_is_no_zip_at_all(tmp_path: Path) -> None:
    path = tmp_path / "2024_TEOS_XML_09A.zip"
    path.write_bytes(b"this is not a zip" * 10)
    from catalynx_desktop.sources.base import FormatError

    with pytest.raises(FormatError, match="not a zip archive"):
        list(TeosZip(path))
