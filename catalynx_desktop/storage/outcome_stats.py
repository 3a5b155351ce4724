"""The dashboard's outcome figures for one profile: requested vs awarded per year, win rate,
pipeline value by stage. Three short reads in one snapshot, none per row:

- counts per stage come from profile_stage_counts (exact, kept by the schema's trigger);
- the value of the worked stages (plan .. submitted) is the sum of the listed amounts over the
  (profile, stage, amount) covering index, corrected where the user recorded the amount
  requested (opportunity_outcomes holds hand-entered rows: a few thousand at most);
- years read the outcome rows of the profile's opportunities after the approach.
"""

from __future__ import annotations

import sqlite3

from catalynx_desktop.domain.outcomes import OutcomeStats, YearOutcomes
from catalynx_desktop.domain.stages import PIPELINE, Stage, stage_rank
from catalynx_desktop.storage.database import Database

WORKED = tuple(s for s in PIPELINE if stage_rank(Stage.PLAN) <= stage_rank(s) <= stage_rank(Stage.SUBMITTED))
_WORKED_RANKS = (stage_rank(Stage.PLAN), stage_rank(Stage.SUBMITTED))
_SENT_RANKS = (stage_rank(Stage.SUBMITTED), stage_rank(Stage.WITHDRAWN))
_STAGE_OF_RANK = {stage_rank(s): s for s in PIPELINE}

# The year a proposal counts in: its decision, else the day it was last moved to a stage after
# the approach (submitted, awarded, declined by funder, withdrawn).
_YEARS_SQL = f"""
    SELECT CAST(substr(COALESCE(oc.decision_date,
               (SELECT max(h.moved_at) FROM stage_history AS h
                WHERE h.opportunity_id = o.id AND h.to_stage IN ({", ".join("?" * 4)}))), 1, 4) AS INTEGER) AS year,
           count(*), COALESCE(sum(oc.amount_requested), 0),
           COALESCE(sum(CASE WHEN o.stage_rank = ? THEN oc.amount_awarded END), 0),
           sum(o.stage_rank = ?)
    FROM opportunities AS o INDEXED BY ix_opp_profile_stage_rank
    LEFT JOIN opportunity_outcomes AS oc ON oc.opportunity_id = o.id
    WHERE o.profile_id = ? AND o.stage_rank BETWEEN ? AND ?
    GROUP BY year HAVING year IS NOT NULL ORDER BY year
"""
_SENT = (Stage.SUBMITTED.value, Stage.AWARDED.value, Stage.DECLINED_BY_FUNDER.value, Stage.WITHDRAWN.value)


def _stage_values(conn: sqlite3.Connection, profile_id: int) -> dict[Stage, int]:
    values: dict[Stage, int] = {}
    for stage in WORKED:  # one range sum per stage: a GROUP BY over the range took ~30% longer
        (total,) = conn.execute(
            "SELECT sum(amount) FROM opportunities INDEXED BY ix_opp_profile_stage_amount "
            "WHERE profile_id = ? AND stage_rank = ?",
            (profile_id, stage_rank(stage)),
        ).fetchone()
        values[stage] = int(total or 0)
    for rank, correction in conn.execute(
        # CROSS JOIN keeps the few outcome rows outside: the planner walked the profile's worked
        # opportunities instead (~50 ms for 350,000 of them at 1M rows, ~1 ms this way).
        "SELECT o.stage_rank, sum(oc.amount_requested - o.amount) FROM opportunity_outcomes AS oc "
        "CROSS JOIN opportunities AS o ON o.id = oc.opportunity_id "
        "WHERE o.profile_id = ? AND oc.amount_requested IS NOT NULL AND o.stage_rank BETWEEN ? AND ? "
        "GROUP BY o.stage_rank",
        (profile_id, *_WORKED_RANKS),
    ):
        values[_STAGE_OF_RANK[rank]] += int(correction or 0)
    return values


def outcome_stats(conn: sqlite3.Connection, profile_id: int) -> OutcomeStats:
    counts: dict[Stage, int] = dict.fromkeys(PIPELINE, 0)
    for stage, n in conn.execute(
        "SELECT stage, n FROM profile_stage_counts WHERE profile_id = ?", (profile_id,)
    ):
        counts[Stage(stage)] = n
    awarded = stage_rank(Stage.AWARDED)  # the rank, not the name: the index covers it (no row reads)
    params = (*_SENT, awarded, awarded, profile_id, *_SENT_RANKS)
    years = tuple(YearOutcomes(*(int(v or 0) for v in row)) for row in conn.execute(_YEARS_SQL, params))
    return OutcomeStats(
        by_year=years,
        stage_values=_stage_values(conn, profile_id),
        stage_counts=counts,
        awarded=counts[Stage.AWARDED],
        declined_by_funder=counts[Stage.DECLINED_BY_FUNDER],
    )


async def load_outcome_stats(db: Database, profile_id: int) -> OutcomeStats:
    def read(conn: sqlite3.Connection) -> OutcomeStats:
        conn.execute("BEGIN")  # one snapshot for the three reads
        try:
            return outcome_stats(conn, int(profile_id))
        finally:
            conn.execute("COMMIT")

    return await db.read(read, background=True)
