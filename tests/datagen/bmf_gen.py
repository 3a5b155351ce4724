"""Generate large IRS EO BMF CSV files faithful to the real ones (tests/data/eo_vt.csv).

Same 28-column header, CRLF, all text with leading zeros kept, names with commas quoted,
NTEE codes of 2-4 characters or blank, amounts blank or negative, RULING month 00 and
000000, international rows (no STATE, the country in CITY), and ~5% private foundations
(FOUNDATION 02/03/04). Deterministic for a seed; streams rows, so any size fits in memory.

    python -m tests.datagen.bmf_gen OUT.csv ROWS
"""

from __future__ import annotations

import csv
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from catalynx_desktop.sources.bmf import BMF_HEADER

_STATES = ("VT", "NY", "CA", "TX", "MA", "PR", "DC", "GU", "AE", "IL", "WA", "FL")
_CITIES = ("BURLINGTON", "MONTPELIER", "BRATTLEBORO", "ALBANY", "AUSTIN", "BOSTON", "SAN JUAN", "SEATTLE")
_COUNTRIES = ("CANADA", "UNITED KINGDOM", "ISRAEL", "MEXICO", "GERMANY")
_WORDS = (
    "VERMONT",
    "COMMUNITY",
    "FOUNDATION",
    "FRIENDS",
    "OF THE",
    "LIBRARY",
    "HISTORICAL SOCIETY",
    "FIRE DEPARTMENT",
    "ASSOCIATION",
    "FUND",
    "TRUST",
    "CHARITABLE",
    "ARTS",
    "LAKE",
    "GREEN MOUNTAIN",
)
_SUFFIXES = ("INC", "CORPORATION", "", "TRUST", "LTD")
_NTEE = ("A20", "B82", "C40Z", "E22I", "P20", "S30", "T70", "X20", "N60", "B2", "T20", "")
# Non-private FOUNDATION codes seen in the real file, then the private ones.
_PUBLIC_FOUNDATION = ("15", "16", "00", "10", "11", "17", "12", "21")
_PRIVATE_FOUNDATION = ("02", "03", "04")


def _amount(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.12:
        return ""
    if roll < 0.14:
        return str(-rng.randint(1, 50_000))
    return str(int(rng.paretovariate(1.1) * 5_000))


def bmf_rows(n: int, *, seed: int = 0, first_ein: int = 10_000_000) -> Iterator[list[str]]:
    """n data rows (lists of 28 strings); EINs increase from first_ein (9 digits, zero-padded)."""
    rng = random.Random(seed)
    ein = first_ein
    for _ in range(n):
        ein += rng.randint(1, 40)
        name = " ".join(rng.sample(_WORDS, rng.randint(1, 3)))
        suffix = rng.choice(_SUFFIXES)
        if suffix:
            name += ("," if rng.random() < 0.05 else " ") + suffix  # ~5% carry a comma -> quoted
        international = rng.random() < 0.01
        state = "" if international else rng.choice(_STATES)
        city = rng.choice(_COUNTRIES) if international else rng.choice(_CITIES)
        private = rng.random() < 0.05
        foundation = rng.choice(_PRIVATE_FOUNDATION if private else _PUBLIC_FOUNDATION)
        roll = rng.random()
        ruling = "000000" if roll < 0.005 else f"{rng.randint(1930, 2025)}{rng.randint(0, 12):02d}"
        assets, income = _amount(rng), _amount(rng)
        yield [
            f"{ein:09d}",
            name,
            "% " + rng.choice(_WORDS) if rng.random() < 0.3 else "",
            f"{rng.randint(1, 999)} MAIN ST",
            city,
            state,
            "" if international else f"{rng.randint(1000, 99999):05d}-{rng.randint(0, 9999):04d}",
            "0000",
            rng.choice(("03", "03", "03", "04", "06", "07", "01")),
            "3",
            "1000",
            ruling,
            "1",
            foundation,
            "000000000",
            "1",
            "01",
            f"{rng.randint(2015, 2025)}{rng.randint(1, 12):02d}",
            str(rng.randint(0, 9)),
            str(rng.randint(0, 9)),
            "01",
            "1" if private else "0",
            "12",
            assets,
            income,
            income,
            rng.choice(_NTEE),
            "",
        ]


def write_bmf_csv(path: Path | str, n: int, *, seed: int = 0, first_ein: int = 10_000_000) -> Path:
    path = Path(path)
    with path.open("w", encoding="ascii", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")  # the IRS files are CRLF
        writer.writerow(BMF_HEADER)
        writer.writerows(bmf_rows(n, seed=seed, first_ein=first_ein))
    return path


if __name__ == "__main__":
    write_bmf_csv(sys.argv[1], int(sys.argv[2]))
