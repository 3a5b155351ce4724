"""What every parser shares: the streaming interface, the format error, small value parsers.

Parsers are plain iterables of `SourceRecord | RecordError`: a bad record becomes a RecordError
and parsing goes on; only a file that is not the claimed format at all raises FormatError
(before the first record), so the user gets one clear message instead of a million rejects.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from catalynx_desktop.domain.errors import portable_reduce
from catalynx_desktop.domain.records import RecordError, SourceRecord

ParseItem = SourceRecord | RecordError

# How much of a bad line we keep in a RecordError: enough to recognise it, bounded so a
# file of garbage cannot blow up the report's memory.
RAW_KEEP = 200


class FormatError(Exception):
    """The file is not the format it claims (or that we can read). One message, naming the file."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        return portable_reduce(self)

    @property
    def user_message(self) -> str:
        """What the user reads (the workflow engine records it without the class name)."""
        return str(self)


class Parser(Protocol):
    """A streaming parser. Iterate once; progress attributes are updated as it goes."""

    path: Path
    bytes_total: int  # size of the file on disk

    @property
    def bytes_read(self) -> int: ...  # bytes of the file consumed so far (for a progress bar)

    @property
    def records_read(self) -> int: ...  # records seen so far, good and bad

    def __iter__(self) -> Iterator[ParseItem]: ...


# Every field of SourceRecord with its default, for fast_record.
_RECORD_DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in dataclasses.fields(SourceRecord) if f.default is not dataclasses.MISSING
}
_RECORD_FIELDS = frozenset(f.name for f in dataclasses.fields(SourceRecord))


def fast_record(values: dict[str, Any]) -> SourceRecord:
    """Build a SourceRecord ~10x faster than its frozen-dataclass __init__ (31 object.__setattr__).

    Why: at 1.9M BMF rows the generated __init__ alone cost more than SQLite's insert. The
    record is identical (tests/sources/test_base.py compares it with the normal constructor);
    callers pass every required field. `extra` must be a fresh dict per record.
    """
    record = object.__new__(SourceRecord)
    state = dict(_RECORD_DEFAULTS)
    state.update(values)
    object.__setattr__(record, "__dict__", state)
    return record


def clip(text: str) -> str:
    return text if len(text) <= RAW_KEEP else text[:RAW_KEEP] + "…"


def decode_error_reason(error: UnicodeDecodeError) -> str:
    byte = error.object[error.start : error.start + 1].hex().upper()
    return (
        f"is not valid UTF-8 (byte 0x{byte} at position {error.start + 1}); "
        "the line was skipped: re-save or re-download the file as UTF-8"
    )


def nul_reason(raw: bytes) -> str:
    """Why a line holding a NUL byte is rejected (the same wherever it is in the file)."""
    position = raw.index(0) + 1
    return (
        f"holds a NUL byte (at position {position}): binary data or a damaged block of "
        "the file; the line was skipped"
    )


_DIGITS = re.compile(r"-?\d+")

# SQLite stores integers in 64 bits: a bigger amount would fail the whole batch when bound, so a
# parser rejects that one record instead (no real amount comes anywhere near).
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
_INT64_DIGITS = len(str(INT64_MAX))  # 19


def shown_number(text: str) -> str:
    """A number as quoted in a message: a 400-digit one is cut, with its length."""
    return repr(text) if len(text) <= 30 else f"'{text[:20]}…' ({len(text):,} characters)"


def out_of_range(what: str, text: str) -> ValueError:
    return ValueError(
        f"{what} {shown_number(text)} is beyond what can be stored (whole numbers from "
        f"{INT64_MIN:,} to {INT64_MAX:,})"
    )


def whole_number(text: str, what: str) -> int:
    """`text` (optional '-', then decimal digits) as an int within SQLite's 64-bit range, else
    ValueError. Long texts are refused before int() (which rejects over 4,300 digits itself)."""
    digits = text[1:] if text[:1] == "-" else text
    if len(digits.lstrip("0")) > _INT64_DIGITS:
        raise out_of_range(what, text)
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise out_of_range(what, text)
    return value


def parse_int(text: str, what: str) -> int | None:
    """Whole-number amount: blank -> None; negative allowed (BMF carries negative incomes).
    Beyond SQLite's 64-bit integers: ValueError (the record is rejected)."""
    if len(text) < _INT64_DIGITS and text.isdecimal():  # the common case, without strip/regex
        return int(text)
    text = text.strip()
    if not text:
        return None
    if not _DIGITS.fullmatch(text):
        raise ValueError(f"{what} {shown_number(text)} is not a whole number")
    return whole_number(text, what)


def parse_mmddyyyy(text: str, what: str) -> date | None:
    """Grants.gov dates are MMDDYYYY; blank -> None."""
    text = text.strip()
    if not text:
        return None
    if len(text) != 8 or not text.isdigit():
        raise ValueError(f"{what} {text!r} is not a date in MMDDYYYY form")
    try:
        return date(int(text[4:]), int(text[:2]), int(text[2:4]))
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a real calendar date (MMDDYYYY)") from None


def check_yyyymm(text: str, what: str) -> str:
    """BMF RULING / TAX_PERIOD are YYYYMM. Month 00 (month unknown) and 000000 (none) are real data."""
    if len(text) == 6 and text.isdigit() and "1800" <= text[:4] <= "2200" and text[4:] <= "12":
        return text  # the common case, decided with string compares only
    text = text.strip()
    if not text or text == "000000":  # real files use 000000 for "no ruling date"
        return ""
    if len(text) != 6 or not text.isdigit() or not (1800 <= int(text[:4]) <= 2200) or int(text[4:]) > 12:
        raise ValueError(f"{what} date {text!r} is not a year and month in YYYYMM form")
    return text
