"""Members read by the parse workers themselves (the app only schedules offsets): the same bytes
and the same one-line problems as the app-side reader, on good, damaged and oversized members;
and a worker's prepared rows are exactly what storage builds from the parsed return."""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from catalynx_desktop.sources.irs990 import ParseProblem, parse_member
from catalynx_desktop.sources.irs990.reader import (
    ArchiveReader,
    Limits,
    MemberRef,
    RawMember,
    ReadStats,
    TeosZip,
    schedule_source,
)
from catalynx_desktop.storage.giving_rows import prepare_return
from catalynx_desktop.workflows.importing.irs990_transport import prepare_for_parent, unpack
from tests.datagen.irs990_gen import write_teos_zip
from tests.sources.irs990.test_reader import MiB, _member_offsets, _raw_zip, _returns


def _damaged_zip(tmp_path: Path) -> Path:
    """test_reader's bad members: malformed XML, damaged Deflate64 and Deflate data, over the
    size cap, a ratio of ~1000, between good members."""
    good = _returns(4, seed=8)
    xml = [r.xml() for r in good]
    path = _raw_zip(
        tmp_path / "2024_TEOS_XML_03A.zip",
        [
            (good[0].member_name, xml[0], 8),
            ("202400000000000001_public.xml", xml[1][: len(xml[1]) // 2], 8),
            (good[1].member_name, xml[1], 9),
            (good[2].member_name, xml[2], 8),
            ("202400000000000002_public.xml", b" " * (6 * MiB), 8),
            ("202400000000000003_public.xml", b"<Return/>" + b" " * (3 * MiB), 8),
            (good[3].member_name, xml[3], 9),
        ],
        zip64=True,
    )
    data = bytearray(path.read_bytes())
    offsets = _member_offsets(path)
    for member in (good[1].member_name, good[2].member_name):
        start, size = offsets[member]
        data[start + size // 3 : start + size // 3 + 40] = b"\x00\xff" * 20
    path.write_bytes(bytes(data))
    return path


def test_a_worker_reads_the_same_members_and_problems_as_the_app_reader(tmp_path: Path) -> None:
    path = _damaged_zip(tmp_path)
    limits = Limits(max_member_bytes=4 * MiB)
    in_app = list(TeosZip(path, limits=limits))
    stats = ReadStats()
    scheduled = list(schedule_source(path, limits=limits, stats=stats))
    assert not any(isinstance(item, RawMember) for item in scheduled)  # nothing decompressed here
    reader = ArchiveReader()
    in_worker = [reader.read(str(path), r, limits) if isinstance(r, MemberRef) else r for r in scheduled]
    reader.close()
    assert len(in_worker) == len(in_app) == 7 and stats.members == 6
    for app_item, worker_item in zip(in_app, in_worker, strict=True):
        assert type(app_item) is type(worker_item)
        if isinstance(app_item, RawMember):
            assert isinstance(worker_item, RawMember) and worker_item.name == app_item.name
            assert worker_item.data == app_item.data
        else:
            assert isinstance(worker_item, ParseProblem)
            assert (worker_item.member, worker_item.object_id) == (app_item.member, app_item.object_id)
            # The same kind of reason: the cap, the ratio, or cannot be decompressed.
            assert worker_item.reason.split(" ")[:4] == app_item.reason.split(" ")[:4], (
                app_item,
                worker_item,
            )
    problems = [i for i in in_worker if isinstance(i, ParseProblem)]
    assert [p.reason.startswith("the member cannot be decompressed") for p in problems] == [
        True,
        True,
        False,
        False,
    ]
    assert "larger than the 4 MiB allowed" in problems[2].reason
    assert "times its compressed size" in problems[3].reason


def test_a_worker_process_sends_the_rows_storage_would_build(tmp_path: Path) -> None:
    returns = _returns(30, seed=31)
    summary = write_teos_zip(tmp_path / "2024_TEOS_XML_10A.zip", returns, seed=31, deflate64_share=0.3)
    limits = Limits()
    refs = [r for r in schedule_source(summary.path, limits=limits) if isinstance(r, MemberRef)]
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        sent = pool.submit(prepare_for_parent, str(summary.path), refs, limits).result()
    prepared = [unpack(item) for item in sent]
    expected = []
    for item in TeosZip(summary.path, limits=limits):
        assert isinstance(item, RawMember)
        parsed = parse_member(item.name, item.data)
        assert not isinstance(parsed, ParseProblem)
        expected.append(prepare_return(parsed))
    assert len(prepared) == len(expected) == 30
    assert prepared == expected
    assert sum(len(p.grants) for p in prepared) == sum(len(r.grants) for r in returns)
    assert all(pickle.loads(pickle.dumps(p)) == p for p in prepared)
