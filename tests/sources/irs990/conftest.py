"""Where the real IRS 990 samples are: the copy in tests/data/irs990 (always), and
../shared/data/irs990 when it is beside the clone (the copy must equal it)."""

from __future__ import annotations

import csv
from pathlib import Path

COPY = Path(__file__).resolve().parents[2] / "data" / "irs990"
SHARED = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "irs990"
ROOTS = [COPY] + ([SHARED.resolve()] if (SHARED / "returns" / "expected.csv").is_file() else [])


def expected_rows(root: Path = COPY) -> list[dict[str, str]]:
    with (root / "returns" / "expected.csv").open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))
