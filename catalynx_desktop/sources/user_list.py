"""The user's own list of grantors and gifts (CSV or XLSX) with a column mapping chosen in a preview.

Flow for the UI (through services.imports): `preview(path)` -> show header + first rows with
`guess_mapping(header)` pre-selected -> the user adjusts a ColumnMapping -> `UserListParser(path,
mapping)` (or services.imports.start(path, mapping=...), which runs workflows/importing).

Each row is a gift (domain.gifts.Gift: funder, EIN, state, date, amount, purpose, notes, row
number and every column as given): `UserListParser.gifts()` yields one per row, many per funder.
Iterating the parser itself still yields one grantor SourceRecord per row (keyed by EIN, else
name + state), which is what the importer stores as the funder record.

Encoding: user CSVs come from Excel as often as from anywhere, so each line is decoded as
UTF-8 (a BOM is dropped) and, if that fails, as Windows-1252 — the usual Excel "CSV" encoding —
instead of being rejected. The delimiter (, ; tab) is sniffed from the first lines.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

from catalynx_desktop.domain.gifts import Gift
from catalynx_desktop.domain.records import RecordError, RecordKind, Source, SourceRecord
from catalynx_desktop.sources.base import INT64_MAX, FormatError, ParseItem, clip, out_of_range, shown_number

# Which of their header names mean which of our fields (compared after lower-casing and
# dropping everything that is not a letter or digit).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "ein": ("ein", "fein", "taxid", "taxidnumber", "employeridentificationnumber", "irsnumber", "tin"),
    "name": (
        "name",
        "grantor",
        "grantorname",
        "funder",
        "fundername",
        "foundation",
        "foundationname",
        "organization",
        "organizationname",
        "orgname",
        "donor",
        "donorname",
    ),
    "date": ("date", "grantdate", "awarddate", "giftdate", "datereceived", "lastgiftdate", "year"),
    "amount": ("amount", "grantamount", "award", "awardamount", "giftamount", "total", "amountusd"),
    "city": ("city", "town"),
    "state": ("state", "st", "stateprovince", "province", "region"),
}


@dataclass(frozen=True)
class ColumnMapping:
    """Our field -> the header text of their column (None = not in the file)."""

    ein: str | None = None
    name: str | None = None
    date: str | None = None
    amount: str | None = None
    city: str | None = None
    state: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def missing_required(self) -> list[str]:
        # A grantor needs at least a name or an EIN to be matched or shown.
        return [] if (self.ein or self.name) else ["name or EIN"]


# Gift columns that are not part of the grantor mapping (the mapping dialog shows ColumnMapping);
# guessed from the header, or passed as GiftColumns.
_GIFT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "purpose": ("purpose", "grantpurpose", "giftpurpose", "program", "designation", "restriction"),
    "notes": ("notes", "note", "comments", "comment", "memo", "remarks"),
}


@dataclass(frozen=True)
class GiftColumns:
    """Header text of the purpose and notes columns of a gift list (None = not in the file)."""

    purpose: str | None = None
    notes: str | None = None


def guess_gift_columns(header: Iterable[str]) -> GiftColumns:
    keys = [(column, _key(column)) for column in header]
    chosen: dict[str, str] = {}
    for field_name, synonyms in _GIFT_SYNONYMS.items():
        for column, key in keys:
            if key in synonyms and column not in chosen.values():
                chosen[field_name] = column
                break
    return GiftColumns(**chosen)


@dataclass(frozen=True)
class Preview:
    """What the mapping dialog shows."""

    path: Path
    kind: str  # 'csv' or 'xlsx'
    header: list[str]
    rows: list[list[str]]
    guessed: ColumnMapping


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def guess_mapping(header: Iterable[str]) -> ColumnMapping:
    """Map each of our fields to the first of their columns whose name is a known synonym."""
    keys = [(column, _key(column)) for column in header]
    chosen: dict[str, str] = {}
    for field_name, synonyms in _SYNONYMS.items():
        for column, key in keys:
            if key in synonyms and column not in chosen.values():
                chosen[field_name] = column
                break
    return ColumnMapping(**chosen)


def is_xlsx(path: Path) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return "[Content_Types].xml" in archive.namelist() and any(
            n.startswith("xl/") for n in archive.namelist()
        )


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


class _Rows:
    """(line/row number, cells) from a CSV or the first sheet of an XLSX, with byte progress."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.bytes_total = path.stat().st_size
        self.bytes_read = 0
        self.kind = "xlsx" if is_xlsx(path) else "csv"

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return self._xlsx() if self.kind == "xlsx" else self._csv()

    def _csv(self) -> Iterator[tuple[int, list[str]]]:
        with self.path.open("rb") as stream:
            sample = stream.read(64 * 1024)
            stream.seek(0)
            if b"\x00" in sample:
                raise FormatError(self.path, "this is not a text CSV file (it contains binary data)")
            try:
                dialect: Any = csv.Sniffer().sniff(_decode(sample).lstrip("\ufeff"), delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel

            def lines() -> Iterator[str]:
                first = True
                for raw in stream:
                    self.bytes_read += len(raw)
                    text = _decode(raw)
                    if first:
                        text, first = text.lstrip("\ufeff"), False
                    yield text

            reader = csv.reader(lines(), delimiter=dialect.delimiter, quotechar='"', doublequote=True)
            start = 1
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    yield start, ["\x00csv-error", str(error)]
                    start = reader.line_num + 1
                    continue
                yield start, row
                start = reader.line_num + 1

    def _xlsx(self) -> Iterator[tuple[int, list[str]]]:
        import openpyxl  # imported here: only XLSX imports pay for it

        try:
            book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many types for a damaged workbook
            raise FormatError(self.path, f"this Excel workbook cannot be read ({error})") from error
        try:
            sheet = book.active if book.active is not None else book.worksheets[0]
            total_rows = sheet.max_row or 0
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                # XLSX gives no byte position: estimate from the row count in the sheet dimension.
                if total_rows:
                    self.bytes_read = min(self.bytes_total, self.bytes_total * number // total_rows)
                yield number, [_cell_text(v) for v in values]
            self.bytes_read = self.bytes_total
        finally:
            book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def preview(path: Path | str, n: int = 20) -> Preview:
    """Header and the first n data rows (as text), plus a guessed mapping, for the mapping dialog."""
    path = Path(path)
    rows_source = _Rows(path)
    header: list[str] | None = None
    rows: list[list[str]] = []
    iterator = iter(rows_source)
    try:
        for _number, cells in iterator:
            if cells and cells[0] == "\x00csv-error":
                continue
            if header is None:
                if any(c.strip() for c in cells):
                    header = [c.strip() for c in cells]
                continue
            if len(rows) >= n:
                break
            rows.append(cells)
    finally:
        close = getattr(iterator, "close", None)
        if close:
            close()
    if header is None:
        raise FormatError(path, "the file has no header row")
    return Preview(path, rows_source.kind, header, rows, guess_mapping(header))


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%Y-%m-%dT%H:%M:%S",
    "%b %d, %Y",
    "%B %d, %Y",
)


def parse_user_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    if len(text) == 4 and text.isdigit():  # a bare year
        return date(int(text), 1, 1)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date {text!r} is not a date we can read (use YYYY-MM-DD or MM/DD/YYYY)")


_MONEY = re.compile(r"^\(?-?\$?\s*[\d,]*\.?\d*\)?$")
_PLAIN_AMOUNT = re.compile(r"(\d*)(?:\.(\d*))?")


def parse_user_amount(text: str) -> int | None:
    """'$1,234.56' -> 1235 (whole dollars, halves to even). Blank -> None. Negative is not a
    grant, nor is an amount beyond SQLite's 64-bit integers (ValueError: the row is rejected).

    Decimal, not float: exact for every length, where float() overflowed past ~308 digits."""
    text = text.strip()
    if not text:
        return None
    if not _MONEY.match(text) or not any(c.isdigit() for c in text):
        raise ValueError(f"amount {shown_number(text)} is not a number")
    if text.startswith("(") or "-" in text:
        raise ValueError(f"amount {shown_number(text)} is negative")
    match = _PLAIN_AMOUNT.fullmatch(text.replace("$", "").replace(",", "").strip())
    if match is None:  # e.g. "1)" or "$ 5 )": _MONEY lets a stray parenthesis through
        raise ValueError(f"amount {shown_number(text)} is not a number")
    whole, fraction = match.group(1) or "0", match.group(2) or "0"
    if len(whole.lstrip("0")) > len(str(INT64_MAX)):
        raise out_of_range("amount", text)
    value = int(Decimal(f"{whole}.{fraction}").to_integral_value(ROUND_HALF_EVEN))
    if value > INT64_MAX:
        raise out_of_range("amount", text)
    return value


def normalize_user_ein(text: str) -> str | None:
    """Accept 12-3456789, 123456789 and spreadsheet-stripped leading zeros (8 digits)."""
    digits = re.sub(r"[\s-]", "", text)
    if not digits:
        return None
    if not digits.isdigit() or not 7 <= len(digits) <= 9:
        raise ValueError(f"EIN {text.strip()!r} must be 9 digits (optionally written NN-NNNNNNN)")
    return digits.zfill(9)


def user_source_id(ein: str | None, name: str, state: str) -> str:
    """Re-importing the same list updates rows in place: key on EIN, else on name + state."""
    if ein:
        return ein
    return "name:" + re.sub(r"\s+", " ", name.strip().upper()) + "|" + state.strip().upper()


class UserListParser:
    """Iterate a user's grantor list: SourceRecord (kind ORGANIZATION) or RecordError per row;
    `gifts()`: Gift or RecordError per row.

    record_number is the CSV line number (header = line 1) or the XLSX row number.
    """

    source = Source.USER_LIST

    def __init__(
        self, path: Path | str, mapping: ColumnMapping | None = None, gift_columns: GiftColumns | None = None
    ) -> None:
        self.path = Path(path)
        self._rows = _Rows(self.path)
        self.bytes_total = self._rows.bytes_total
        self.mapping = mapping
        self.gift_columns = gift_columns
        self._records_read = 0

    @property
    def bytes_read(self) -> int:
        return self._rows.bytes_read

    @property
    def records_read(self) -> int:
        return self._records_read

    def __iter__(self) -> Iterator[ParseItem]:
        for item in self.gifts():
            yield item if isinstance(item, RecordError) else grantor_record(item)

    def gifts(self) -> Iterator[Gift | RecordError]:
        """One Gift per data row, in file order; a bad row is a RecordError naming file and row."""
        name = self.path.name
        header: list[str] | None = None
        index: dict[str, int] = {}
        for number, cells in self._rows:
            if cells and cells[0] == "\x00csv-error":
                self._records_read += 1
                yield RecordError(name, number, f"bad quoting ({cells[1]}); the row was skipped")
                continue
            if header is None:
                if not any(c.strip() for c in cells):
                    continue
                header = [c.strip() for c in cells]
                index = self._resolve(self.mapping or guess_mapping(header), header)
                index.update(self._resolve(self.gift_columns or guess_gift_columns(header), header))
                continue
            if not any(c.strip() for c in cells):
                continue  # blank rows are common at the end of spreadsheets
            self._records_read += 1
            try:
                yield self._gift(cells, index, header, number)
            except ValueError as error:
                yield RecordError(name, number, f"{error}; the row was skipped", clip(",".join(cells)))
        if header is None:
            raise FormatError(self.path, "the file has no header row")

    def _resolve(self, mapping: ColumnMapping | GiftColumns, header: list[str]) -> dict[str, int]:
        if isinstance(mapping, ColumnMapping):
            missing = mapping.missing_required()
            if missing:
                raise FormatError(self.path, f"choose which column holds the {missing[0]}")
        index: dict[str, int] = {}
        lowered = [h.lower() for h in header]
        for field_name, column in asdict(mapping).items():
            if column is None:
                continue
            if column in header:
                index[field_name] = header.index(column)
            elif column.strip().lower() in lowered:
                index[field_name] = lowered.index(column.strip().lower())
            else:
                raise FormatError(
                    self.path,
                    f"the mapped column {column!r} (for {field_name}) is not in the "
                    f"header: {', '.join(header)}",
                )
        return index

    def _gift(self, cells: list[str], index: dict[str, int], header: list[str], number: int) -> Gift:
        def get(field_name: str) -> str:
            i = index.get(field_name)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        ein = normalize_user_ein(get("ein"))
        org_name = get("name")
        if not org_name and not ein:
            raise ValueError("the row has neither a name nor an EIN")
        columns = tuple(
            (header[i] if i < len(header) else f"column {i + 1}", cell) for i, cell in enumerate(cells)
        )
        return Gift(
            funder_name=org_name,
            ein=ein,
            state=get("state").upper(),
            city=get("city"),
            date=parse_user_date(get("date")),
            amount=parse_user_amount(get("amount")),
            purpose=get("purpose"),
            notes=get("notes"),
            row_number=number,
            file=self.path.name,
            columns=columns,
        )


def grantor_record(gift: Gift) -> SourceRecord:
    """The grantor as a funder record (one per EIN, else name + state, when stored)."""
    extra: dict[str, object] = {}
    if gift.date:
        extra["gift_date"] = gift.date.isoformat()
    if gift.amount is not None:
        extra["gift_amount"] = gift.amount
    if gift.purpose:
        extra["gift_purpose"] = gift.purpose
    if gift.notes:
        extra["gift_notes"] = gift.notes
    return SourceRecord(
        source=Source.USER_LIST,
        source_id=user_source_id(gift.ein, gift.funder_name, gift.state),
        kind=RecordKind.ORGANIZATION,
        name=gift.funder_name or f"EIN {gift.ein}",
        funder_name=gift.funder_name,
        ein=gift.ein,
        city=gift.city,
        state=gift.state,
        is_grant_maker=True,  # the user listed them as a grantor
        total_funding=gift.amount,
        post_date=gift.date,
        extra=extra,
    )
