"""CSV and XLSX table writers that stream rows to a temp file and rename it into place at the end.

    writer = open_writer(path, ExportFormat.XLSX, fields)   # fields name the tuple positions
    writer.write_rows(chunk)       # any number of times, from a worker thread (never the UI thread)
    summary = writer.finish()      # closes, fsyncs, renames the temp file to `path`
    writer.abort()                 # instead of finish(): removes every temp file; idempotent

Until finish() returns, nothing exists under the chosen name: rows go to a hidden
`.<name>.<random>.part` file in the same directory (same file system, so the final rename is
atomic), and a cancelled or failed export removes it. An existing file at `path` is replaced
only by a complete export.

Memory is constant in the number of rows: csv writes straight to the file; XlsxWriter runs with
{'constant_memory': True} (each row is flushed to a scratch file as soon as the next one starts,
strings are written inline instead of into a shared-string table) and its scratch files live in a
hidden directory next to the target, not in /tmp (which may be RAM-backed).

A worksheet holds at most 1,048,576 rows (one is the header); longer exports continue on
"Opportunities (2)", "(3)", ... each with its own header, and the summary says so.

Both writers are used by one thread at a time (the export workflow hands chunks to a worker
thread one after another); they are not safe for concurrent calls.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from catalynx_desktop.export.columns import STAGE_LABELS, Column, Kind, columns_for, tags_text
from catalynx_desktop.export.csv_safety import guard_formula

XLSX_MAX_ROWS = 1_048_576  # Excel's hard limit per worksheet, header included
XLSX_MAX_CELL = 32_767  # Excel's limit on the characters of one cell (XlsxWriter cuts silently)
SHEET_NAME = "Opportunities"
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()
_CSV_BATCH = 200  # rows per csv.writerows call (see CsvWriter.write_rows)


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"

    @property
    def suffix(self) -> str:
        return "." + self.value


@dataclass(frozen=True)
class WriteSummary:
    path: Path
    format: ExportFormat
    rows: int
    sheets: int = 1
    bytes: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)  # e.g. the sheet overflow, for the user


class TableWriter(Protocol):
    rows: int

    def write_rows(self, rows: Sequence[Sequence[Any]]) -> None: ...

    def finish(self) -> WriteSummary: ...

    def abort(self) -> None: ...

    def temp_paths(self) -> list[Path]: ...


class AtomicTarget:
    """A temp file next to `path`, renamed onto it by commit() or deleted by discard()."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        directory = self.path.parent
        if not directory.is_dir():
            raise FileNotFoundError(f"folder does not exist: {directory}")
        self.temp = directory / f".{self.path.name}.{uuid.uuid4().hex[:12]}.part"
        self.done = False

    def commit(self) -> None:
        with open(self.temp, "rb+") as fh:  # data on disk before the name points at it
            os.fsync(fh.fileno())
        os.replace(self.temp, self.path)
        self.done = True

    def discard(self) -> None:
        if not self.done:
            self.done = True
            with contextlib.suppress(FileNotFoundError):
                self.temp.unlink()


def cut_for_excel(text: str) -> str:
    """`text` fitted to one Excel cell, ending with a mark that says it was cut and from what."""
    mark = f"… [cut: {len(text):,} characters]"
    return text[: XLSX_MAX_CELL - len(mark)] + mark


def cut_note(cells: int) -> str:
    """The export report's line for `cells` values cut to fit Excel cells."""
    values = "1 value was" if cells == 1 else f"{cells:,} values were"
    return (
        f"{values} longer than an Excel cell holds ({XLSX_MAX_CELL:,} characters) and cut to fit; "
        "each such cell ends with '… [cut: N characters]'. A CSV export keeps them whole."
    )


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# -- CSV ----------------------------------------------------------------------------------------
def _csv_converter(kind: Kind, guard: bool) -> Callable[[Any], Any] | None:
    text = guard_formula  # the one helper every CSV the app writes goes through
    if kind == Kind.TEXT:
        return text if guard else None
    if kind == Kind.STAGE:
        return lambda value: STAGE_LABELS.get(value, value)
    if kind == Kind.AMOUNT:
        return lambda value: value if value else ""
    if kind == Kind.TAGS:
        return (lambda value: text(tags_text(value))) if guard else tags_text
    return None  # SCORE / DATE / INTEGER: csv writes them as they are (None -> '')


class CsvWriter:
    """UTF-8 CSV (with a BOM by default so Excel detects the encoding), header row first."""

    def __init__(
        self, path: Path, fields: Sequence[str], *, bom: bool = True, guard_formulas: bool = True
    ) -> None:
        self.columns: list[Column] = columns_for(list(fields))
        self.rows = 0
        self._target = AtomicTarget(path)
        # closed by finish()/abort(): the file outlives this method, so no `with` here
        self._fh = open(  # noqa: SIM115
            self._target.temp,
            "x",
            encoding="utf-8-sig" if bom else "utf-8",
            newline="",
        )
        try:
            self._csv = csv.writer(self._fh)
            self._csv.writerow([c.header for c in self.columns])
        except BaseException:
            self.abort()
            raise
        converters = [_csv_converter(c.kind, guard_formulas) for c in self.columns]
        self._converters = [(i, conv) for i, conv in enumerate(converters) if conv is not None]

    def write_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        converters = self._converters
        writerows = self._csv.writerows
        # writerows() is one C call that holds the GIL until it returns; small batches let the
        # UI thread in between (a 5,000-row call is ~20 ms of GIL on a busy machine).
        for start in range(0, len(rows), _CSV_BATCH):
            batch = rows[start : start + _CSV_BATCH]
            if converters:
                out = []
                for row in batch:
                    values = list(row)
                    for i, conv in converters:
                        values[i] = conv(values[i])
                    out.append(values)
                writerows(out)
            else:
                writerows(batch)
        self.rows += len(rows)

    def finish(self) -> WriteSummary:
        try:
            self._fh.close()
            size = _file_size(self._target.temp)
            self._target.commit()
        except BaseException:
            self.abort()
            raise
        return WriteSummary(self._target.path, ExportFormat.CSV, self.rows, 1, size)

    def temp_paths(self) -> list[Path]:
        return [self._target.temp]

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._fh.close()
        self._target.discard()


# -- XLSX ---------------------------------------------------------------------------------------
class XlsxWriter:
    """XLSX through XlsxWriter in constant_memory mode, with typed cells:
    numbers as numbers (score 0.00, amount #,##0), dates as real dates (yyyy-mm-dd), text as
    text (write_string: a title starting with '=' never becomes a formula). Empty values
    (amount 0, no close date, no rating) are left as empty cells. Header row bold and frozen,
    an autofilter over each sheet's range.
    """

    def __init__(
        self,
        path: Path,
        fields: Sequence[str],
        *,
        max_rows_per_sheet: int = XLSX_MAX_ROWS,
        sheet_name: str = SHEET_NAME,
    ) -> None:
        import xlsxwriter  # imported here: the CSV path and the UI never pay for it

        if max_rows_per_sheet < 2:
            raise ValueError("a sheet needs room for the header and one row")
        self.columns: list[Column] = columns_for(list(fields))
        self.rows = 0
        self.cut_cells = 0  # values longer than XLSX_MAX_CELL, cut with a mark (see cut_for_excel)
        self._max_data_rows = max_rows_per_sheet - 1
        self._sheet_name = sheet_name
        self._target = AtomicTarget(path)
        self._scratch = Path(
            tempfile.mkdtemp(
                prefix=f".{self._target.path.name}.", suffix=".tmp", dir=self._target.path.parent
            )
        )
        try:
            self._book = xlsxwriter.Workbook(
                str(self._target.temp),
                {
                    "constant_memory": True,
                    "tmpdir": str(self._scratch),
                    "use_zip64": True,  # the sheet XML of ~1M rows can pass zip's 4 GiB member limit
                },
            )
            self._header = self._book.add_format({"bold": True, "bottom": 1})
            self._formats = {
                Kind.SCORE: self._book.add_format({"num_format": "0.00"}),  # as the window shows it
                Kind.AMOUNT: self._book.add_format({"num_format": "#,##0"}),
                Kind.DATE: self._book.add_format({"num_format": "yyyy-mm-dd"}),
            }
            self._sheets: list[Any] = []
            self._sheet_rows: list[int] = []
            self._new_sheet()
        except BaseException:
            self.abort()
            raise
        self._dates: dict[str, float | None] = {}

    def _new_sheet(self) -> None:
        number = len(self._sheets) + 1
        name = self._sheet_name if number == 1 else f"{self._sheet_name} ({number})"
        sheet = self._book.add_worksheet(name[:31])
        for index, column in enumerate(self.columns):
            sheet.set_column(index, index, column.width)
            sheet.write_string(0, index, column.header, self._header)
        sheet.freeze_panes(1, 0)
        self._sheets.append(sheet)
        self._sheet_rows.append(0)

    def _date_serial(self, text: str) -> float | None:
        serial = self._dates.get(text, -1.0)
        if serial == -1.0:
            try:
                serial = float(date.fromisoformat(text[:10]).toordinal() - _EXCEL_EPOCH)
            except ValueError:
                serial = None  # not a date: written as text
            if len(self._dates) < 100_000:  # a few thousand distinct dates in practice
                self._dates[text] = serial
        return serial

    def write_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        plan = [(i, c.kind) for i, c in enumerate(self.columns)]
        fmt_score = self._formats[Kind.SCORE]
        fmt_amount = self._formats[Kind.AMOUNT]
        fmt_date = self._formats[Kind.DATE]
        labels = STAGE_LABELS
        start = 0
        while start < len(rows):
            room = self._max_data_rows - self._sheet_rows[-1]
            if room <= 0:
                self._new_sheet()
                continue
            part = rows[start : start + room]
            sheet = self._sheets[-1]
            write_string, write_number = sheet.write_string, sheet.write_number
            r = self._sheet_rows[-1]
            for row in part:
                r += 1
                for c, kind in plan:
                    value = row[c]
                    if kind is Kind.TEXT:
                        if value:
                            if len(value) > XLSX_MAX_CELL:
                                value = cut_for_excel(value)
                                self.cut_cells += 1
                            write_string(r, c, value)
                    elif kind is Kind.SCORE:
                        if value is not None:
                            write_number(r, c, value, fmt_score)
                    elif kind is Kind.AMOUNT:
                        if value:
                            write_number(r, c, value, fmt_amount)
                    elif kind is Kind.DATE:
                        if value:
                            serial = self._date_serial(value)
                            if serial is None:
                                write_string(r, c, value)
                            else:
                                write_number(r, c, serial, fmt_date)
                    elif kind is Kind.STAGE:
                        write_string(r, c, labels.get(value, value))
                    elif kind is Kind.INTEGER:
                        if value is not None:
                            write_number(r, c, value)
                    elif kind is Kind.TAGS:
                        text = tags_text(value)
                        if text:
                            if len(text) > XLSX_MAX_CELL:
                                text = cut_for_excel(text)
                                self.cut_cells += 1
                            write_string(r, c, text)
            self._sheet_rows[-1] = r
            self.rows += len(part)
            start += len(part)

    @property
    def sheets(self) -> int:
        return len(self._sheets)

    def finish(self) -> WriteSummary:
        try:
            last_col = len(self.columns) - 1
            for sheet, rows in zip(self._sheets, self._sheet_rows, strict=True):
                sheet.autofilter(0, 0, max(rows, 1), last_col)
            self._book.close()  # assembles and zips the sheets: the slow part for big exports
            size = _file_size(self._target.temp)
            self._target.commit()
        except BaseException:
            self.abort()
            raise
        finally:
            shutil.rmtree(self._scratch, ignore_errors=True)
        notes: tuple[str, ...] = ()
        if len(self._sheets) > 1:
            notes = (
                f"{self.rows:,} rows are more than one worksheet holds "
                f"({self._max_data_rows:,} rows + header); they continue on "
                + ", ".join(f"'{s.name}'" for s in self._sheets[1:])
                + ".",
            )
        if self.cut_cells:
            notes += (cut_note(self.cut_cells),)
        return WriteSummary(self._target.path, ExportFormat.XLSX, self.rows, len(self._sheets), size, notes)

    def temp_paths(self) -> list[Path]:
        return [self._target.temp, self._scratch]

    def abort(self) -> None:
        for sheet in getattr(self, "_sheets", ()):
            fh = getattr(sheet, "row_data_fh", None)  # constant_memory scratch file (XlsxWriter)
            try:
                if fh is not None:
                    fh.close()
            except Exception:
                pass
        if hasattr(self, "_book"):
            self._book.fileclosed = True  # no "workbook not closed" warning from its __del__
        shutil.rmtree(self._scratch, ignore_errors=True)
        self._target.discard()


def leftover_temp_paths(path: Path | str) -> list[Path]:
    """The temp files an export to `path` leaves when its process is killed: the hidden
    `.<name>.<12 hex>.part` file (AtomicTarget) and `.<name>.<8 chars>.tmp` scratch folder
    (XlsxWriter's, above). Only names of exactly that shape next to `path` match."""
    target = Path(path)
    ours = re.compile(rf"\.{re.escape(target.name)}\.(?:[0-9a-f]{{12}}\.part|[a-z0-9_]{{8}}\.tmp)")
    try:
        return [entry for entry in target.parent.iterdir() if ours.fullmatch(entry.name)]
    except OSError:  # the folder is gone or unreadable: nothing of ours to find there
        return []


def remove_temp_paths(paths: Sequence[Path | str]) -> None:
    """Remove a writer's temp files from outside it (its worker process died before abort())."""
    for path in map(Path, paths):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def open_writer(
    path: Path | str, fmt: ExportFormat | str, fields: Sequence[str], **options: Any
) -> TableWriter:
    """A writer for `fmt` that will create `path` when finished. Raises OSError if the folder
    does not exist or cannot be written."""
    fmt = ExportFormat(fmt)
    if fmt is ExportFormat.CSV:
        return CsvWriter(Path(path), fields, **options)
    return XlsxWriter(Path(path), fields, **options)
