"""Runs in scoring worker processes: read a chunk of rows, score it, return only what to write.

Module-level functions (picklable by name) and per-process state set by `init_worker`: the
read-only connection, the FunderMatcher, the chunk SQL and the profile's gifts are built once per process, not per chunk.
Workers lower their own priority so the UI process always wins the CPU on a 2-core machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from catalynx_desktop.domain.evidence import GivingEvidence
from catalynx_desktop.domain.funders import Standing
from catalynx_desktop.domain.gifts import Gift, add_new_gifts
from catalynx_desktop.domain.matching import FUNDER_COLUMNS, FunderMatcher, MatchOutcome
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.records import RecordKind, Source
from catalynx_desktop.domain.scoring import ScoringWeights
from catalynx_desktop.storage import discovery_store, funder_evidence, gift_store, outcome_store
from catalynx_desktop.worker_lifetime import die_with_parent

WORKER_NICE = 10
# "nice" (default): nice +10, in the app's session. "idle": SCHED_IDLE in a separate nice-19
# autogroup (Linux; nice elsewhere). "normal": unchanged (for comparison).
# Why nice is the default (benchmarks/results/discover.md): on a 2-core machine that other
# programs keep busy, idle-priority workers only get CPU nobody else wants and Discover ran
# 4-10x slower, while the UI-thread heartbeat was no better than with nice +10.
WORKER_PRIORITIES = ("nice", "idle", "normal")


@dataclass(frozen=True)
class WorkerConfig:
    db_path: str
    profile: Profile
    today: str  # ISO date
    weights: ScoringWeights
    threshold: float
    priority: str = "nice"


_conn: sqlite3.Connection | None = None
_matcher: FunderMatcher | None = None
_config: WorkerConfig | None = None
_state: _WorkerState | None = None
_FUNDER_END = discovery_store.CHUNK_PREFIX + len(FUNDER_COLUMNS)
_KIND, _NAME, _STATE, _FLOOR, _CEILING, _CLOSE, _EIN, _SOURCE = (
    FUNDER_COLUMNS.index(c)
    for c in ("kind", "name", "state", "award_floor", "award_ceiling", "close_date", "ein", "source")
)
_EXISTING = discovery_store.EXISTING_AT
_FEDERAL = RecordKind.FEDERAL_OPPORTUNITY.value
_USER_LIST = Source.USER_LIST.value


@dataclass
class _WorkerState:
    """Built once per worker process: the chunk SQL and the profile's gifts."""

    discover_sql: str
    rescore_sql: str
    has_giving: bool  # any 990 giving stored (else no evidence query per chunk)
    gifts_by_ein: dict[str, list[Gift]]  # funder EIN -> gifts to the profile's organization
    gifts_by_list: dict[str, list[Gift]]  # grantor-list source id (no EIN) -> gifts
    merged_lists: set[str]  # grantor-list records merged into an IRS record (that one is scored)


def _load_state(conn: sqlite3.Connection, profile: Profile) -> _WorkerState:
    select = discovery_store.funder_select(conn)
    by_ein: dict[str, list[Gift]] = {}
    by_list: dict[str, list[Gift]] = {}
    for list_id, gift in gift_store.read_gifts(conn):
        if gift.ein:
            by_ein.setdefault(gift.ein, []).append(gift)
        else:
            by_list.setdefault(list_id, []).append(gift)
    own_ein = "".join(c for c in (profile.ein or "") if c.isdigit())
    # The user's list first; a gift the funder's 990 reports again, or that is also recorded as
    # an award here (an opportunity moved to Awarded), counts once (gifts.is_same_gift).
    add_new_gifts(by_ein, gift_store.gifts_from_returns(conn, own_ein.zfill(9) if own_ein else ""))
    add_new_gifts(by_ein, _recorded_awards(conn, profile))
    return _WorkerState(
        discovery_store.discovery_chunk_sql(select),
        discovery_store.rescore_chunk_sql(select),
        funder_evidence.has_giving(conn),
        by_ein,
        by_list,
        gift_store.matched_list_ids(conn),
    )


def _recorded_awards(conn: sqlite3.Connection, profile: Profile) -> list[Gift]:
    """Awards recorded in the pipeline (stage Awarded, any profile of the same organization) as
    gifts from funders with an EIN: a federal program has none to match its records by."""
    if profile.id is None:
        return []
    return [
        Gift(
            award.funder_name,
            award.funder_ein,
            date=award.date,
            amount=award.amount,
            file="award recorded here",
        )
        for award in outcome_store.awarded_gifts(conn, profile.id)
        if award.funder_ein
    ]


def lower_priority(priority: str, nice: int = WORKER_NICE) -> None:
    """Make this process yield the CPU to the UI process at once (best effort, never fails).

    Linux "idle": SCHED_IDLE, because the scheduler preempts an idle-policy task immediately
    when a normal task (the UI thread's 16 ms timer) wakes; with plain nice the wake-up can
    wait for the next tick. The worker also leaves the app's session: with autogroup (the
    default on desktop distributions) CPU is shared between sessions first, so workers in the
    app's session would spend the app's share and the UI thread would wait behind other
    programs; in their own, lowest-priority autogroup they do not. Elsewhere: nice.
    """
    if priority == "normal":
        return
    if priority == "idle" and hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        try:
            os.setsid()
            with open("/proc/self/autogroup", "w", encoding="ascii") as autogroup:
                autogroup.write("19")
        except OSError:
            pass
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
            return
        except OSError:
            pass
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(max(0, nice - os.nice(0)))  # nice +10 in all: the job process is at +10 already


def init_worker(config: WorkerConfig) -> None:
    global _conn, _matcher, _config, _state
    die_with_parent()  # also when the app was killed before this worker got here
    lower_priority(config.priority)
    _config = config
    _conn = discovery_store.open_worker_reader(config.db_path)
    _matcher = FunderMatcher(config.profile, date.fromisoformat(config.today), config.weights)
    _state = _load_state(_conn, config.profile)


def _evidence(state: _WorkerState, fields: Sequence[Sequence[Any]]) -> dict[str, GivingEvidence]:
    """Evidence of the chunk's organizations: one query for the whole chunk."""
    if not state.has_giving:
        return {}
    assert _conn is not None
    return funder_evidence.evidence_for(_conn, (f[_EIN] for f in fields if f[_KIND] != _FEDERAL and f[_EIN]))


def _gifts(state: _WorkerState, fields: Sequence[Any], source_id: str) -> Sequence[Gift]:
    ein = fields[_EIN]
    if fields[_SOURCE] == _USER_LIST and not ein:
        return state.gifts_by_list.get(source_id, ())
    return state.gifts_by_ein.get(ein, ()) if ein else ()


def _breakdown(matcher: FunderMatcher, outcome: MatchOutcome) -> str:
    """The breakdown JSON with who the funder is in front (kind, why; read by `matches`)."""
    text = matcher.breakdown_json(outcome)
    funder = outcome.funder
    kind = json.dumps(funder.kind.value if funder.kind is not None else "")
    return f'{{"kind":{kind},"funder":{json.dumps(funder.reason)},{text[1:]}'


def _why_not(matcher: FunderMatcher, fields: Sequence[Any]) -> str:
    """Why a row is not a match, for the declined opportunity's history (rare: no hot path)."""
    funder = matcher.classify_row(fields)
    if funder is None:
        return discovery_store.OWN_ORGANIZATION_REASON
    if funder.standing is Standing.PEER:
        return discovery_store.NOT_A_FUNDER_REASON
    return f"not a funder: {funder.reason}"


def _amount(fields: Sequence[Any], outcome: MatchOutcome) -> int:
    """Award ceiling (or floor) of a federal program; a foundation's median grant; 0 = unknown."""
    if fields[_KIND] == _FEDERAL:
        return int(fields[_CEILING] or fields[_FLOOR] or 0)
    return outcome.typical_amount or 0


def discover_chunk(lo: int, hi: int) -> tuple[int, int, list[tuple[Any, ...]], list[tuple[int, str]]]:
    """Score source records lo..hi: (scored, kept, upsert rows, opportunities that are not funders).

    Upsert rows are the records above the threshold, past funders whatever their score, and any
    record that already is an opportunity of the profile (its score must stay current). An
    existing opportunity that is not a funder (a peer, the profile's own organization) is
    returned to be declined.
    """
    assert _conn is not None and _matcher is not None and _config is not None and _state is not None
    state, matcher = _state, _matcher
    profile_id = _config.profile.id or 0
    threshold = _config.threshold
    today = _config.today
    start, end = discovery_store.CHUNK_PREFIX, _FUNDER_END
    rows = discovery_store.read_discovery_chunk(_conn, state.discover_sql, profile_id, lo, hi)
    fields_of = [row[start:end] for row in rows]
    evidence = _evidence(state, fields_of)
    out: list[tuple[Any, ...]] = []
    decline: list[tuple[int, str]] = []
    kept = 0
    for row, fields in zip(rows, fields_of, strict=True):
        existing = row[_EXISTING]
        if fields[_SOURCE] == _USER_LIST and row[2] in state.merged_lists and existing is None:
            continue  # merged into its IRS record, which carries the gifts
        ein = fields[_EIN]
        outcome = matcher.score_row(fields, evidence.get(ein) if ein else None, _gifts(state, fields, row[2]))
        if outcome is None:
            if existing is not None:
                decline.append((existing, _why_not(matcher, fields)))
            continue
        above = outcome.total >= threshold or outcome.always_keep
        kept += above
        if above or existing is not None:
            name = fields[_NAME]
            # in discovery_store.UPSERT_COLUMNS order
            upsert = (
                profile_id,
                row[0],
                row[1],
                row[2],
                name,
                row[3] or name,
                fields[_STATE] or "",
                round(outcome.total, 4),
                _breakdown(matcher, outcome),
                _amount(fields, outcome),
                fields[_CLOSE] or "",
                today,
            )
            if not discovery_store.unchanged(upsert, row):  # a re-run sends only what changed
                out.append(upsert)
    return len(rows), kept, out, decline


def rescore_chunk(
    lo: int, hi: int
) -> tuple[int, int, list[tuple[float, str, int, float, str]], list[tuple[int, str]]]:
    """Score the profile's opportunities lo..hi: (scored, missing source record, update rows,
    opportunities that are not funders)."""
    assert _conn is not None and _matcher is not None and _config is not None and _state is not None
    state, matcher = _state, _matcher
    rows = discovery_store.read_rescore_chunk(_conn, state.rescore_sql, _config.profile.id or 0, lo, hi)
    prefix = discovery_store.RESCORE_PREFIX
    found = [row for row in rows if row[1]]
    evidence = _evidence(state, [row[prefix:] for row in found])
    out: list[tuple[float, str, int, float, str]] = []
    decline: list[tuple[int, str]] = []
    for row in found:
        fields = row[prefix:]
        ein = fields[_EIN]
        outcome = matcher.score_row(fields, evidence.get(ein) if ein else None, _gifts(state, fields, row[2]))
        if outcome is None:
            decline.append((row[0], _why_not(matcher, fields)))
            continue
        score = round(outcome.total, 4)
        breakdown = _breakdown(matcher, outcome)
        out.append((score, breakdown, row[0], score, breakdown))
    return len(rows), len(rows) - len(found), out, decline
