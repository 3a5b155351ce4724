"""A 990-PF's stated deadlines become "full proposal" tasks, the way Grants.gov close dates do.

Three events call this: opportunities moving into a worked stage (opportunity_repository), the
end of a Discover or Rescore run (one profile), and a 990 import that stored returns with
how-to-apply text (by the funders' EINs). Each is one read of (opportunity, deadline text) over
indexes and one executemany of task_store's upsert, never a query per opportunity; re-running
changes nothing (the upsert only writes a changed date or note).

Which text counts: the how-to-apply entries (irs_applications) of the funder's latest counting
990-PF (counts = 1 is giving_store's verdict per tax period, an amendment wins; the latest tax
period of those, as the funder page and the dossier pick it). A funder with several entries
has the texts that name a date joined: the next date any of them names is the deadline. When the
latest 990-PF (a newer year, an amendment) names no date any more, the open task made from an
older one is removed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date
from typing import Any

from catalynx_desktop.domain.deadline_text import next_deadline, stated_dates
from catalynx_desktop.domain.giving import ReturnType
from catalynx_desktop.domain.stages import stage_rank
from catalynx_desktop.domain.tasks import WORKED_STAGES, TaskOrigin
from catalynx_desktop.storage.task_store import remove_stated_deadline_tasks, sync_stated_deadline_tasks

_IDS_PER_STATEMENT = 900
_WORKED_RANKS = ", ".join(str(stage_rank(s)) for s in WORKED_STAGES)
_TEXT_JOINER = " / "

# {source}: the rows to start from and how opportunities are reached; {where}: the event's
# filter. The latest counting 990-PF of the funder's EIN is one probe of (ein, tax_period).
_DEADLINE_TEXTS_SQL = f"""
    SELECT o.id, a.deadlines
    FROM {{source}}
    JOIN irs_applications AS a ON a.return_id = (
        SELECT r.id FROM irs_returns AS r
        WHERE r.ein = sr.ein AND r.counts = 1 AND r.return_type = '{ReturnType.FORM_990PF.value}'
        ORDER BY r.tax_period DESC LIMIT 1
    )
    WHERE {{where}} AND o.stage_rank IN ({_WORKED_RANKS}) AND sr.ein <> '' AND trim(a.deadlines) <> ''
    ORDER BY o.id, a.id
"""
# The opportunities in the same scope that have an open task made from a stated deadline.
_OPEN_TASKS_SQL = f"""
    SELECT o.id FROM {{source}}
    JOIN opportunity_tasks AS t ON t.opportunity_id = o.id
        AND t.origin = '{TaskOrigin.IRS_990_DEADLINE.value}' AND t.done = 0
    WHERE {{where}}
"""
_BY_OPPORTUNITY = (
    "opportunities AS o JOIN source_records AS sr ON sr.id = o.source_record_id",
    "o.id IN ({marks})",
)
_BY_PROFILE = (
    "opportunities AS o INDEXED BY ix_opp_profile_stage_rank "
    "JOIN source_records AS sr ON sr.id = o.source_record_id",
    "o.profile_id = ?",
)
_BY_EIN = (
    "source_records AS sr JOIN opportunities AS o INDEXED BY ix_opp_source_record ON o.source_record_id = sr.id",
    "sr.ein IN ({marks})",
)


def _joined(rows: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """One text per opportunity: its entries' distinct texts that name a date, in the return's
    order (an entry saying "None" beside a dated one stays out of the task's note)."""
    texts: dict[int, list[str]] = {}
    for opportunity_id, text in rows:
        clean = " ".join(text.split())
        found = texts.setdefault(int(opportunity_id), [])
        if stated_dates(clean) and clean.casefold() not in (t.casefold() for t in found):
            found.append(clean)
    return [(opportunity_id, _TEXT_JOINER.join(found)) for opportunity_id, found in texts.items() if found]


def _read(
    conn: sqlite3.Connection, shape: tuple[str, str], params: list[object], sql: str = _DEADLINE_TEXTS_SQL
) -> list[tuple[Any, ...]]:
    source, where = shape
    marks = ",".join("?" * len(params))
    return list(conn.execute(sql.format(source=source, where=where.format(marks=marks)), params))


def _chunked(
    conn: sqlite3.Connection, shape: tuple[str, str], keys: list[object], sql: str = _DEADLINE_TEXTS_SQL
) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(keys), _IDS_PER_STATEMENT):
        rows += _read(conn, shape, keys[start : start + _IDS_PER_STATEMENT], sql)
    return rows


def _sync(
    conn: sqlite3.Connection,
    texts: list[tuple[int, str]],
    with_open_task: Iterable[tuple[Any, ...]],
    today: date,
) -> int:
    """Tasks made or moved for `texts`; open ones of other opportunities in scope removed."""
    dated = {opportunity_id for opportunity_id, text in texts if next_deadline(text, today) is not None}
    stale = {int(row[0]) for row in with_open_task} - dated
    return sync_stated_deadline_tasks(conn, texts, today) + remove_stated_deadline_tasks(conn, sorted(stale))


def sync_opportunity_deadlines(conn: sqlite3.Connection, opportunity_ids: Iterable[int], today: date) -> int:
    """Stated-deadline tasks of these opportunities (those in a worked stage); tasks created,
    moved or removed."""
    ids: list[object] = list(dict.fromkeys(int(i) for i in opportunity_ids))
    texts = _joined(_chunked(conn, _BY_OPPORTUNITY, ids))
    return _sync(conn, texts, _chunked(conn, _BY_OPPORTUNITY, ids, _OPEN_TASKS_SQL), today)


def sync_profile_deadlines(conn: sqlite3.Connection, profile_id: int, today: date) -> int:
    """The same for every worked opportunity of a profile (end of Discover or Rescore)."""
    texts = _joined(_read(conn, _BY_PROFILE, [int(profile_id)]))
    return _sync(conn, texts, _read(conn, _BY_PROFILE, [int(profile_id)], _OPEN_TASKS_SQL), today)


def sync_funder_deadlines(conn: sqlite3.Connection, eins: Iterable[str], today: date) -> int:
    """The same for the worked opportunities, in every profile, on funders with these EINs
    (after a 990 import stored returns for them)."""
    keys: list[object] = [*sorted({ein for ein in eins if ein})]
    texts = _joined(_chunked(conn, _BY_EIN, keys))
    return _sync(conn, texts, _chunked(conn, _BY_EIN, keys, _OPEN_TASKS_SQL), today)
