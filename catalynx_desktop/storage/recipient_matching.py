"""Tie grant recipients to organizations imported from the BMF (DOMAIN.md §6).

By EIN when the return gives one (Schedule I); else by the normalized name in the recipient's
state, accepting only a unique answer: the one organization of that name in the state, or,
when several share it (chapters: 88 repeated names in Vermont alone), the one in the
recipient's city. Anything else stays unmatched and keeps the text of the return.

Normalized BMF names live in bmf_name_keys (schema v5). sync_name_keys() adds the BMF rows
stored since its last run (a range read on source_records' primary key, cheap per batch);
after a BMF re-import that may have renamed organizations, call it with full=True once.
Functions run on the writer's thread inside the caller's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from catalynx_desktop.domain.recipients import MatchMethod, normalize_city, normalize_org_name
from catalynx_desktop.domain.records import Source

_LAST_SYNCED = "bmf_name_keys_last_id"
_CHUNK = 500  # values per IN (...), well under SQLite's bound-parameter limit
_FETCH = 20_000


KeyTuple = tuple[str, str, str, str]  # a RecipientKey as plain values (what parse workers send)


class RecipientKey(NamedTuple):
    """What a grant says about its recipient, reduced to what matching compares. A tuple, so it
    hashes and compares in C (a frozen dataclass's Python __hash__ cost ~2 µs a grant) and equals
    the plain KeyTuple the import's workers send."""

    ein: str
    name_key: str
    state: str
    city_key: str


def recipient_key_values(ein: str, name: str, state: str, city: str) -> tuple[str, str, str, str]:
    """The key's fields as a plain tuple (what a parse worker sends: unpickled in C)."""
    return ein, normalize_org_name(name), state.strip().upper(), normalize_city(city)


def recipient_key(ein: str, name: str, state: str, city: str) -> RecipientKey:
    return RecipientKey(*recipient_key_values(ein, name, state, city))


Match = tuple[int | None, MatchMethod]
UNMATCHED: Match = (None, MatchMethod.UNMATCHED)


def sync_name_keys(conn: sqlite3.Connection, *, full: bool = False, max_ids: int | None = None) -> bool:
    """Add normalized names of BMF rows stored since the last sync; True when none are left.

    The first sync after a full BMF import normalizes every organization (~10 µs each, ~20 s
    for 1.9M): a workflow can run it ahead of storing returns, `max_ids` source_records ids
    per call, one writer transaction each, until it returns True. store_returns() calls it
    unbounded, so the keys are always current when recipients are matched.
    """
    if full:
        conn.execute("DELETE FROM bmf_name_keys")
        last = 0
    else:
        row = conn.execute("SELECT value FROM giving_state WHERE key = ?", (_LAST_SYNCED,)).fetchone()
        last = row[0] if row else 0
    newest: int = conn.execute("SELECT coalesce(max(id), 0) FROM source_records").fetchone()[0]
    if newest <= last:
        return True
    upto = newest if max_ids is None else min(newest, last + max_ids)
    cursor = conn.execute(
        "SELECT id, name, state, city FROM source_records WHERE id > ? AND id <= ? AND source = ?",
        (last, upto, Source.IRS_BMF.value),
    )
    while rows := cursor.fetchmany(_FETCH):
        keys = [
            (normalize_org_name(name), state, record_id, normalize_city(city))
            for record_id, name, state, city in rows
        ]
        conn.executemany("INSERT OR REPLACE INTO bmf_name_keys VALUES (?, ?, ?, ?)", keys)
    conn.execute(
        "INSERT INTO giving_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (_LAST_SYNCED, upto),
    )
    return upto >= newest


def _ids_by_ein(conn: sqlite3.Connection, eins: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(eins), _CHUNK):
        chunk = eins[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        for ein, record_id in conn.execute(
            f"SELECT ein, min(id) FROM source_records WHERE ein IN ({marks}) AND source = ? GROUP BY ein",
            (*chunk, Source.IRS_BMF.value),
        ):
            found[ein] = record_id
    return found


def _candidates(
    conn: sqlite3.Connection, names: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], list[tuple[int, str]]]:
    """(name key, state) -> [(record id, city key)] of BMF organizations, for many names at once:
    the names go into a temporary table and one join reads them (a query per name cost ~8 µs)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS match_names (name_key TEXT, state TEXT)")
    conn.execute("DELETE FROM match_names")
    conn.executemany("INSERT INTO match_names VALUES (?, ?)", names)
    found: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for name_key, state, record_id, city_key in conn.execute(
        "SELECT m.name_key, m.state, b.record_id, b.city_key FROM match_names AS m "
        "JOIN bmf_name_keys AS b ON b.name_key = m.name_key AND b.state = m.state"
    ):
        found.setdefault((name_key, state), []).append((record_id, city_key))
    conn.execute("DELETE FROM match_names")
    return found


def _by_name(key: RecipientKey, candidates: list[tuple[int, str]]) -> Match:
    if len(candidates) == 1:
        record_id, city_key = candidates[0]
        method = MatchMethod.NAME_CITY_STATE if city_key == key.city_key else MatchMethod.NAME_STATE
        return record_id, method
    in_city = [record_id for record_id, city_key in candidates if key.city_key and city_key == key.city_key]
    if len(in_city) == 1:
        return in_city[0], MatchMethod.NAME_CITY_STATE
    return UNMATCHED  # none, or several and the city does not tell them apart


def match_recipients(conn: sqlite3.Connection, keys: Iterable[KeyTuple]) -> dict[KeyTuple, Match]:
    """(BMF source_records id or None, method) for each distinct recipient key (a RecipientKey
    or its plain tuple: both look the answer up)."""
    distinct = [RecipientKey._make(k) for k in dict.fromkeys(keys)]
    by_ein = _ids_by_ein(conn, sorted({k.ein for k in distinct if k.ein}))
    by_name = [k for k in distinct if by_ein.get(k.ein) is None or not k.ein]
    names = sorted({(k.name_key, k.state) for k in by_name if k.name_key and k.state})
    candidates = _candidates(conn, names) if names else {}
    found: dict[KeyTuple, Match] = {}
    for key in distinct:
        record_id = by_ein.get(key.ein) if key.ein else None
        if record_id is not None:
            found[key] = (record_id, MatchMethod.EIN)
        else:
            found[key] = _by_name(key, candidates.get((key.name_key, key.state), []))
    return found


@dataclass(frozen=True)
class RematchProgress:
    next_id: int  # resume after this grant id
    matched: int
    done: bool
    funder_ids: frozenset[int]  # funders whose aggregates must be refreshed


def rematch_unmatched(conn: sqlite3.Connection, after_id: int = 0, limit: int = 50_000) -> RematchProgress:
    """Match grants stored before their recipients' BMF rows were imported, `limit` grants a call.

    Run after a BMF import, one call per writer transaction, resuming from `next_id` until
    `done`; then refresh the funders it names (funder_aggregates.refresh_funders). Scans the
    grants by id (the primary key), so each call costs its own rows, not the table.
    """
    sync_name_keys(conn)
    rows = conn.execute(
        "SELECT id, funder_id, recipient_ein, recipient_name, state, city FROM irs_grants "
        "WHERE id > ? AND match_method = 0 ORDER BY id LIMIT ?",
        (after_id, limit),
    ).fetchall()
    keys = [recipient_key(ein, name, state, city) for _, _, ein, name, state, city in rows]
    matches = match_recipients(conn, keys)
    updates = [
        (matches[key][0], int(matches[key][1]), row[0])
        for row, key in zip(rows, keys, strict=True)
        if matches[key][1] is not MatchMethod.UNMATCHED
    ]
    conn.executemany("UPDATE irs_grants SET matched_org_id = ?, match_method = ? WHERE id = ?", updates)
    matched_ids = {u[2] for u in updates}
    funder_ids = frozenset(row[1] for row in rows if row[0] in matched_ids)
    next_id = rows[-1][0] if rows else after_id
    return RematchProgress(next_id, len(updates), len(rows) < limit, funder_ids)
