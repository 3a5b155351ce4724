"""The funder-record part of an exported row: EIN, city, kind of funder, field, the score's reasons,
amounts, CFDA and web address, in the words the window uses (domain/labels.py).

Runs on the background reader with each chunk of an export (one primary-key lookup per 900
rows), so an export stays a stream in constant memory whatever its size.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from catalynx_desktop.domain.labels import (
    display_name,
    format_ein,
    funder_kind,
    ntee_text,
    source_name,
)
from catalynx_desktop.domain.record_facts import GRANTS_GOV_DETAIL_URL
from catalynx_desktop.resources import ntee_names

RECORD_EXPORT_FIELDS: tuple[str, ...] = (
    "ein",
    "city",
    "funder_kind",
    "ntee",
    "reasons",
    "award_floor",
    "award_ceiling",
    "total_funding",
    "assets",
    "income",
    "cfda_numbers",
    "url",
)
_RECORD_COLUMNS = (
    "ein, city, kind, foundation_code, subsection, ntee_code, award_floor, "
    "award_ceiling, total_funding, assets, income, cfda_numbers, extra"
)
_IDS_PER_STATEMENT = 900
# Positions in the rows the export reads (OPPORTUNITY_FIELDS, then breakdown and record id).
_TITLE, _FUNDER, _SCORE, _SOURCE, _SOURCE_ID = 0, 1, 3, 8, 9


def _records(conn: sqlite3.Connection, ids: list[int]) -> dict[int, tuple[Any, ...]]:
    found: dict[int, tuple[Any, ...]] = {}
    for start in range(0, len(ids), _IDS_PER_STATEMENT):
        part = ids[start : start + _IDS_PER_STATEMENT]
        sql = f"SELECT id, {_RECORD_COLUMNS} FROM source_records WHERE id IN ({', '.join('?' * len(part))})"
        for values in conn.execute(sql, part):
            found[values[0]] = values[1:]
    return found


def reasons_text(breakdown: str | None) -> str:
    """'{"dims": [[name, value, weight, reason], ...]}' -> 'Mission: reason; Geography: reason'."""
    try:
        dims = json.loads(breakdown or "{}").get("dims", ())
    except (ValueError, AttributeError):
        return ""
    return "; ".join(f"{str(d[0]).capitalize()}: {d[3]}" for d in dims if len(d) > 3 and d[3])


def _url(source: str, source_id: str, extra_json: str | None) -> str:
    if source == "grants_gov" and source_id.isdigit():
        return GRANTS_GOV_DETAIL_URL.format(id=source_id)
    try:
        extra = json.loads(extra_json or "{}")
    except ValueError:
        return ""
    return (
        str(extra.get("website") or extra.get("additional_information_url") or "")
        if isinstance(extra, dict)
        else ""
    )


def _record_values(row: Sequence[Any], record: tuple[Any, ...] | None) -> tuple[Any, ...]:
    source, source_id = row[_SOURCE], str(row[_SOURCE_ID])
    reasons = reasons_text(row[-2])
    if record is None:
        return ("", "", "", "", reasons, None, None, None, None, None, "", _url(source, source_id, None))
    (
        ein,
        city,
        kind,
        fcode,
        subsection,
        ntee,
        floor,
        ceiling,
        total,
        assets,
        income,
        cfda,
        extra,
    ) = record
    return (
        format_ein(ein),
        display_name(city or ""),
        # Every opportunity is a funder by construction (a public charity without evidence of
        # grantmaking is a peer and never becomes one), so a non-private one is a grantmaker.
        funder_kind(source, kind, fcode, subsection, True),
        ntee_text(ntee or "", ntee_names()),
        reasons,
        floor,
        ceiling,
        total,
        assets,
        income,
        (cfda or "").replace(" ", "; "),
        _url(source, source_id, extra),
    )


def with_records(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows of (OPPORTUNITY_FIELDS..., score_breakdown, source_record_id) -> EXPORT_FIELDS rows:
    names in their usual case, the score as the window shows it, the source by name, then the
    record's fields in words."""
    records = _records(conn, sorted({r[-1] for r in rows if r[-1] is not None}))
    out = []
    for row in rows:
        own = list(row[:-2])
        own[_TITLE] = display_name(own[_TITLE])
        own[_FUNDER] = display_name(own[_FUNDER])
        own[_SCORE] = round(own[_SCORE], 2)  # the window's two digits
        own[_SOURCE] = source_name(own[_SOURCE])
        out.append((*own, *_record_values(row, records.get(row[-1]))))
    return out
