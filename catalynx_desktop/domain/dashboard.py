"""What a profile's dashboard shows: the pipeline funnel, upcoming deadlines, amounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from catalynx_desktop.domain.stages import Stage

DEADLINE_WEEKS = 13  # the next 90 days, week by week
# Amount buckets (lower bound inclusive, label); 0 means "not stated".
AMOUNT_BUCKETS: tuple[tuple[int, str], ...] = (
    (0, "not stated"),
    (1, "< $10k"),
    (10_000, "$10k–50k"),
    (50_000, "$50k–100k"),
    (100_000, "$100k–500k"),
    (500_000, "$500k–1M"),
    (1_000_000, "≥ $1M"),
)


@dataclass(frozen=True)
class DashboardData:
    stage_counts: dict[Stage, int]
    deadlines_per_week: list[int]  # DEADLINE_WEEKS counts, week 0 starting today
    amount_counts: list[int]  # one per AMOUNT_BUCKETS entry

    @property
    def total(self) -> int:
        return sum(self.stage_counts.values())


def week_starts(today: date) -> list[date]:
    return [today + timedelta(weeks=i) for i in range(DEADLINE_WEEKS)]


def bin_deadlines(per_day: dict[str, int], today: date) -> list[int]:
    """Counts per close date (ISO) -> counts per week from today."""
    weeks = [0] * DEADLINE_WEEKS
    for day, count in per_day.items():
        offset = (date.fromisoformat(day) - today).days
        if 0 <= offset < DEADLINE_WEEKS * 7:
            weeks[offset // 7] += count
    return weeks


def count_ticks(largest: int, most: int = 5) -> list[int]:
    """Whole-number ticks for a count axis from 0 to at least `largest`, at most `most` + 1 of
    them, on a 1-2-5 step (counts are never 0.5)."""
    if largest <= 0:
        return [0, 1]
    step = 1
    while largest / step > most:
        for factor in (2, 2.5, 2):  # 1 -> 2 -> 5 -> 10 -> 20 -> 50 ...
            step = int(step * factor)
            if largest / step <= most:
                break
    top = -(-largest // step) * step
    return list(range(0, top + 1, step))
