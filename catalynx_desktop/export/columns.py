"""What an exported opportunity looks like: the columns, their headers and their value kinds.

Pure Python (no SQL, no Qt). Rows arrive as plain tuples whose fields are named by the
caller (storage/opportunity_export.EXPORT_FIELDS); each field maps to a column here.
Conversions are done once per column kind, so the writers' per-cell work stays small.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

from catalynx_desktop.domain.stages import Stage


class Kind(StrEnum):
    TEXT = "text"
    STAGE = "stage"  # stored value 'discover' -> label 'Discover'
    SCORE = "score"  # REAL 0..1, rounded by the reader to the window's two digits
    AMOUNT = "amount"  # INTEGER dollars; 0 means "not stated" -> empty cell
    DATE = "date"  # ISO 'YYYY-MM-DD'; '' means none -> empty cell
    INTEGER = "integer"  # may be NULL -> empty cell
    TAGS = "tags"  # JSON list -> "a; b"


@dataclass(frozen=True)
class Column:
    field: str  # the row field it comes from
    header: str
    kind: Kind
    width: float = 14  # XLSX column width (characters)


COLUMNS: tuple[Column, ...] = (
    Column("title", "Title", Kind.TEXT, 60),
    Column("funder_name", "Funder", Kind.TEXT, 36),
    Column("stage", "Stage", Kind.STAGE, 11),
    Column("score", "Score", Kind.SCORE, 8),
    Column("amount", "Amount", Kind.AMOUNT, 14),
    Column("close_date", "Close date", Kind.DATE, 12),
    Column("discovered_at", "Discovered", Kind.DATE, 12),
    Column("state", "State", Kind.TEXT, 7),
    Column("source", "Source", Kind.TEXT, 11),
    Column("source_id", "Source ID", Kind.TEXT, 18),
    Column("rating", "Rating", Kind.INTEGER, 7),
    Column("priority", "Priority", Kind.TEXT, 9),
    Column("tags", "Tags", Kind.TAGS, 24),
    Column("notes", "Notes", Kind.TEXT, 48),
    # From the funder's record, in words (storage/export_record.py)
    Column("ein", "EIN", Kind.TEXT, 12),
    Column("city", "City", Kind.TEXT, 16),
    Column("funder_kind", "Funder kind", Kind.TEXT, 22),
    Column("ntee", "Field (NTEE)", Kind.TEXT, 30),
    Column("reasons", "Why this score", Kind.TEXT, 60),
    Column("award_floor", "Award floor", Kind.AMOUNT, 13),
    Column("award_ceiling", "Award ceiling", Kind.AMOUNT, 13),
    Column("total_funding", "Total program funding", Kind.AMOUNT, 16),
    Column("assets", "Assets", Kind.AMOUNT, 14),
    Column("income", "Income", Kind.AMOUNT, 14),
    Column("cfda_numbers", "CFDA", Kind.TEXT, 12),
    Column("url", "URL", Kind.TEXT, 40),
)
COLUMNS_BY_FIELD: dict[str, Column] = {c.field: c for c in COLUMNS}

STAGE_LABELS: dict[str, str] = {s.value: s.label for s in Stage}


def columns_for(fields: tuple[str, ...] | list[str]) -> list[Column]:
    """The columns of the given row fields, in that order. KeyError for an unknown field."""
    return [COLUMNS_BY_FIELD[f] for f in fields]


def tags_text(value: object) -> str:
    """'["a", "b"]' -> 'a; b'. Anything that is not a JSON list is shown as stored."""
    if not value or value == "[]":
        return ""
    text = str(value)
    try:
        items = json.loads(text)
    except ValueError:
        return text
    if isinstance(items, list):
        return "; ".join(str(item) for item in items)
    return text
