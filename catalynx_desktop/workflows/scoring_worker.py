"""Runs in scoring worker processes: read a chunk of rows, score it, return only what to write.

Module-level functions (picklable by name) and per-process state set by `init_worker`: the
read-only connection and the ProfileMatcher are built once per process, not per chunk.
Workers lower their own priority so the UI process always wins the CPU on a 2-core machine.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.scoring import SCORING_COLUMNS, ProfileMatcher, ScoringWeights
from catalynx_desktop.storage import discovery_store
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
_matcher: ProfileMatcher | None = None
_config: WorkerConfig | None = None
_SCORE_END = discovery_store.CHUNK_PREFIX + len(SCORING_COLUMNS)
_NAME, _STATE, _FLOOR, _CEILING, _CLOSE = (
    SCORING_COLUMNS.index(c) for c in ("name", "state", "award_floor", "award_ceiling", "close_date")
)


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
            os.nice(nice)


def init_worker(config: WorkerConfig) -> None:
    global _conn, _matcher, _config
    die_with_parent()  # also when the app was killed before this worker got here
    lower_priority(config.priority)
    _config = config
    _conn = discovery_store.open_worker_reader(config.db_path)
    _matcher = ProfileMatcher(config.profile, date.fromisoformat(config.today), config.weights)


def discover_chunk(lo: int, hi: int) -> tuple[int, int, list[tuple[Any, ...]]]:
    """Score source records lo..hi: (records scored, records above threshold, upsert rows).

    Upsert rows are the records above the threshold plus any record that already is an
    opportunity of the profile (its score must stay current even if it dropped).
    """
    assert _conn is not None and _matcher is not None and _config is not None
    profile_id = _config.profile.id
    threshold = _config.threshold
    today = _config.today
    score_row = _matcher.score_row
    to_json = _matcher.breakdown_json
    start, end = discovery_store.CHUNK_PREFIX, _SCORE_END
    rows = discovery_store.read_discovery_chunk(_conn, profile_id, lo, hi)  # type: ignore[arg-type]
    out: list[tuple[Any, ...]] = []
    kept = 0
    for row in rows:
        fields = row[start:end]
        total, dims = score_row(fields)
        above = total >= threshold
        kept += above
        if above or row[-1] is not None:
            name = fields[_NAME]
            # in discovery_store.UPSERT_COLUMNS order
            out.append(
                (
                    profile_id,
                    row[0],
                    row[1],
                    row[2],
                    name,
                    row[3] or name,
                    fields[_STATE] or "",
                    round(total, 4),
                    to_json(total, dims),
                    fields[_CEILING] or fields[_FLOOR] or 0,
                    fields[_CLOSE] or "",
                    today,
                )
            )
    return len(rows), kept, out


def rescore_chunk(lo: int, hi: int) -> tuple[int, int, list[tuple[float, str, int, float, str]]]:
    """Score the profile's opportunities lo..hi: (scored, missing source record, update rows)."""
    assert _conn is not None and _matcher is not None and _config is not None
    rows = discovery_store.read_rescore_chunk(_conn, _config.profile.id, lo, hi)  # type: ignore[arg-type]
    out: list[tuple[float, str, int, float, str]] = []
    missing = 0
    for row in rows:
        if not row[1]:
            missing += 1  # the source record was removed: keep the last score
            continue
        total, dims = _matcher.score_row(row[2:])
        score = round(total, 4)
        breakdown = _matcher.breakdown_json(total, dims)
        out.append((score, breakdown, row[0], score, breakdown))
    return len(rows), missing, out
