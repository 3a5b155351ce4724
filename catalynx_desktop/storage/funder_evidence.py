"""GivingEvidence for scoring, read from the per-funder aggregates (funder_aggregates.py) in one
query per chunk of rows, never one per row.

What the aggregates hold and how each GivingEvidence field is filled:
- dollars_by_year: grants paid per tax year of the funder's counting returns;
- the window is every year imported (the aggregates are not kept per year), total = dollars of
  the grants listed as paid; sizes = their quartiles and median, minimum and maximum (two seeks
  in the funder's amount index);
- by_state, by_group: dollars by recipient state and NTEE major group ('' = unknown, left out);
- by_ntee (3-character codes): funder_likeness counts grants per code, not dollars, so a code's
  dollars are its group's dollars shared by grant count (an estimate; the share of dollars to
  your group is exact);
- preselected_only: from the latest 990-PF (funders.accepts_applications);
- purposes are not aggregated: keyword matches on grant purposes are left to the back-test.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from catalynx_desktop.domain.evidence import GivingEvidence, GrantSizes

_FUTURE = 1  # GrantKind.FUTURE's code in irs_grants.kind

# (funder id, part, key, grants, amount, a, b, c): one UNION ALL so a chunk costs one round trip.
EVIDENCE_SQL = """
WITH f AS (
    SELECT id, ein, grant_count, grants_total, median_grant, q1_grant, q3_grant, accepts_applications
    FROM funders WHERE ein IN (SELECT value FROM json_each(?)) AND gives = 1
)
SELECT f.id, 'F', f.ein, f.grant_count, f.grants_total, f.median_grant, f.q1_grant,
       f.q3_grant * 1000000 + coalesce(f.accepts_applications, 2)
FROM f
UNION ALL
SELECT f.id, 'M', '', 0,
       (SELECT min(amount) FROM irs_grants WHERE funder_id = f.id AND counts = 1 AND kind != ?),
       (SELECT max(amount) FROM irs_grants WHERE funder_id = f.id AND counts = 1 AND kind != ?), 0, 0
FROM f
UNION ALL
SELECT s.funder_id, 'S', s.state, s.grants, s.amount, 0, 0, 0 FROM funder_states AS s JOIN f ON s.funder_id = f.id
UNION ALL
SELECT n.funder_id, 'G', n.major_group, n.grants, n.amount, 0, 0, 0 FROM funder_ntee AS n JOIN f ON n.funder_id = f.id
UNION ALL
SELECT l.funder_id, 'C', substr(l.key, 3), l.grants, 0, 0, 0, 0
FROM funder_likeness AS l JOIN f ON l.funder_id = f.id WHERE l.key GLOB 'C:*'
UNION ALL
SELECT f.id, 'Y', coalesce(r.tax_year, CAST(substr(r.tax_period, 1, 4) AS INTEGER)), 0,
       coalesce(r.total_grants_paid, r.grants_paid_total, 0), 0, 0, 0
FROM irs_returns AS r JOIN f ON r.ein = f.ein WHERE r.counts = 1
"""


@dataclass
class _Parts:
    ein: str = ""
    count: int = 0
    total: int = 0
    median: int = 0
    q1: int = 0
    q3: int = 0
    accepts: int | None = None
    low: int = 0
    high: int = 0
    years: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    states: dict[str, int] = field(default_factory=dict)
    groups: dict[str, tuple[int, int]] = field(default_factory=dict)  # group -> (grants, dollars)
    codes: dict[str, int] = field(default_factory=dict)  # code -> grants


def has_giving(conn: sqlite3.Connection) -> bool:
    """Whether any funder with grants is stored (else scoring skips the evidence query)."""
    return conn.execute("SELECT 1 FROM funders WHERE gives = 1 LIMIT 1").fetchone() is not None


def _add(parts: _Parts, part: str, key: object, grants: int, amount: int, a: int, b: int, c: int) -> None:
    if part == "F":
        parts.ein, parts.count, parts.total, parts.median, parts.q1 = str(key), grants, amount, a, b
        parts.q3, flag = divmod(c, 1_000_000)
        parts.accepts = None if flag == 2 else flag
    elif part == "M":
        parts.low, parts.high = amount or 0, a or 0
    elif part == "S" and key:
        parts.states[str(key)] = amount
    elif part == "G" and key:
        parts.groups[str(key)] = (grants, amount)
    elif part == "C":
        parts.codes[str(key)] = grants
    elif part == "Y" and isinstance(key, int):
        parts.years[key] += amount


def _evidence(p: _Parts) -> GivingEvidence:
    by_ntee: dict[str, int] = {}
    for code, grants in p.codes.items():
        group_grants, group_dollars = p.groups.get(code[:1], (0, 0))
        if group_grants:
            by_ntee[code] = round(group_dollars * grants / group_grants)
    years = {y: d for y, d in p.years.items() if y}
    first, last = (min(years), max(years)) if years else (0, 0)
    sizes = GrantSizes(p.count, p.low or p.q1, p.q1, p.median, p.q3, max(p.high, p.q3)) if p.count else None
    return GivingEvidence(
        ein=p.ein,
        dollars_by_year=years or {0: p.total},
        first_year=first,
        last_year=last,
        total=p.total,
        by_ntee=by_ntee,
        by_group={g: d for g, (_n, d) in p.groups.items()},
        by_state=p.states,
        sizes=sizes,
        preselected_only=None if p.accepts is None else not p.accepts,
    )


def evidence_for(conn: sqlite3.Connection, eins: Iterable[str]) -> dict[str, GivingEvidence]:
    """Evidence of the funders among `eins` that gave (one query)."""
    wanted = sorted({e for e in eins if e})
    if not wanted:
        return {}
    by_id: dict[int, _Parts] = defaultdict(_Parts)
    for funder_id, part, key, grants, amount, a, b, c in conn.execute(
        EVIDENCE_SQL, (json.dumps(wanted), _FUTURE, _FUTURE)
    ):
        _add(by_id[funder_id], part, key, grants or 0, amount or 0, a or 0, b or 0, c or 0)
    return {p.ein: _evidence(p) for p in by_id.values() if p.ein}
