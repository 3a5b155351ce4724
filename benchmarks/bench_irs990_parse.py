"""IRS 990 parser throughput in one process: the raw baseline for the 990 import benchmark.

    python3 benchmarks/bench_irs990_parse.py [--returns 3000] [--quick]

Measures, in this one process, on this machine:
1. the eight real returns of tests/data/irs990/returns (a copy of shared/data): lxml's parse alone
   and the full parse (FiledReturn), as returns/s, MB/s of XML and ms per return;
2. a generated TEOS-like zip (the import budget's mix: 60% 990-PF with 10-200 grants, the rest
   990 with Schedule I and 990-EZ; 30% of members Deflate64, an index beside it): reading members
   alone (decompression) and reading + parsing (`iter_returns`), as returns/s, grants/s and MB/s
   of XML and of zip.
Prints a table and writes benchmarks/results/irs990_parse.md. Rates are per CPU second of the best
of 3 rounds (the VM is shared by other work; the wall/CPU ratio of the run is printed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lxml import etree

from catalynx_desktop.domain.giving import FiledReturn
from catalynx_desktop.sources.irs990 import parse_member
from catalynx_desktop.sources.irs990.reader import RawMember, ReadStats, iter_returns, read_source
from tests.datagen.irs990_gen import GenOptions, generate_returns, write_teos_zip

RESULTS = Path(__file__).resolve().parent / "results" / "irs990_parse.md"
REAL = Path(__file__).resolve().parents[1] / "tests" / "data" / "irs990" / "returns"
MB = 1e6


def best_of(rounds: int, work: Callable[[], object]) -> float:
    """CPU seconds of the best round: this 2-core VM is shared, and CPU time of a one-process,
    single-threaded loop is its load-independent cost (wall time is printed beside it)."""
    times = []
    for _ in range(rounds):
        start, wall = time.process_time(), time.perf_counter()
        work()
        times.append(time.process_time() - start)
        SPENT[0] += time.perf_counter() - wall
        SPENT[1] += times[-1]
    return min(times)


SPENT = [0.0, 0.0]  # wall and CPU seconds of every measured round


def real_returns(rounds: int, repeat: int) -> list[tuple[str, float, float, float]]:
    files = [(p.name, p.read_bytes()) for p in sorted(REAL.glob("*_public.xml"))]
    size = sum(len(d) for _, d in files) * repeat
    count = len(files) * repeat

    def lxml_only() -> None:
        for _ in range(repeat):
            for _, data in files:
                etree.fromstring(data)

    def full() -> None:
        for _ in range(repeat):
            for name, data in files:
                assert isinstance(parse_member(name, data), FiledReturn)

    rows = []
    for label, work in (("real returns: lxml parse only", lxml_only), ("real returns: full parse", full)):
        seconds = best_of(rounds, work)
        rows.append((label, count / seconds, size / seconds / MB, seconds / count * 1000))
    return rows


def generated_zip(rounds: int, count: int, folder: Path) -> tuple[list[tuple[str, float, float, float]], str]:
    options = GenOptions(seed=990, pf_share=0.6, ez_share=0.1, grants=(10, 200), eras=("2014", "2021"))
    summary = write_teos_zip(
        folder / "2024_TEOS_XML_05A.zip", generate_returns(count, options), seed=990, deflate64_share=0.3
    )
    zip_size = summary.path.stat().st_size
    stats = ReadStats()
    xml_size = sum(len(i.data) for i in read_source(summary.path, stats=stats) if isinstance(i, RawMember))
    grants = sum(len(r.grants) for r in iter_returns(summary.path) if isinstance(r, FiledReturn))

    def read_only() -> None:
        for _ in read_source(summary.path):
            pass

    def read_and_parse() -> None:
        for result in iter_returns(summary.path):
            assert isinstance(result, FiledReturn)

    rows = []
    for label, work in (("zip: read members only", read_only), ("zip: read + full parse", read_and_parse)):
        seconds = best_of(rounds, work)
        rows.append((label, stats.members / seconds, xml_size / seconds / MB, zip_size / seconds / MB))
    note = (
        f"{stats.members:,} returns ({summary.forms}), {grants:,} grants, {summary.deflate64:,} Deflate64 members; "
        f"zip {zip_size / MB:.1f} MB, XML {xml_size / MB:.1f} MB; "
        f"grants/s with parsing: {grants / best_of(1, read_and_parse):,.0f}"
    )
    return rows, note


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--returns", type=int, default=3000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds, repeat, count = (1, 3, 300) if args.quick else (3, 20, args.returns)
    real = real_returns(rounds, repeat)
    with tempfile.TemporaryDirectory() as tmp:
        zipped, note = generated_zip(rounds, count, Path(tmp))
    lines = [
        "# IRS 990 parser, one process",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{platform.machine()}, best of {rounds}. Generated zip: {note}.",
        "",
        "| what (per CPU second) | returns/s | MB/s of XML | ms per return (real) or MB/s of zip |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [f"| {label} | {per_s:,.0f} | {mb_s:.1f} | {third:.3f} |" for label, per_s, mb_s, third in real]
    lines += [
        f"| {label} | {per_s:,.0f} | {mb_s:.1f} | {third:.1f} |" for label, per_s, mb_s, third in zipped
    ]
    wall, cpu = SPENT
    lines += [
        "",
        f"Measured rounds: {wall:.1f} s wall for {cpu:.1f} s CPU (wall/CPU {wall / cpu:.2f}; 1.00 = a core to itself).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.quick:
        RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
