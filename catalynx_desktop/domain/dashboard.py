"""What a profile's dashboard shows: the pipeline funnel, deadlines, amounts, and what came of the
proposals (requested vs awarded per year, win rate, pipeline value) with the next open tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from catalynx_desktop.domain.outcomes import OutcomeStats
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.domain.tasks import DeadlineItem

DEADLINE_WEEKS = 13  # the next 90 days, week by week
UPCOMING_TASKS = 10  # the short list of what is due next
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
    outcomes: OutcomeStats  # requested vs awarded per year, win rate, pipeline value by stage
    upcoming: tuple[DeadlineItem, ...]  # the next UPCOMING_TASKS open tasks, overdue ones first

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


def money_label(amount: int) -> str:
    """A money axis tick in few characters: $0, $500, $50k, $2.5k, $1.5M, $2B."""
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(amount) >= size:
            return f"${amount / size:.1f}".removesuffix(".0") + suffix
    return f"${amount:,}"


def money_ticks(largest: int, most: int = 5) -> list[tuple[int, str]]:
    """(value, label) ticks for a money axis: the count axis' 1-2-5 steps, labelled $50k; only
    $0 when there is no money yet (a "$1" tick would read like a figure)."""
    if largest <= 0:
        return [(0, "$0")]
    return [(tick, money_label(tick)) for tick in count_ticks(largest, most)]


def win_rate_text(stats: OutcomeStats) -> str:
    """Win rate in words with the counts it comes from."""
    decided = stats.awarded + stats.declined_by_funder
    if not decided:
        return "Win rate: no decisions yet"
    noun = "proposal" if decided == 1 else "proposals"
    return (
        f"Win rate: {stats.awarded:,} of {decided:,} decided {noun} awarded ({stats.awarded / decided:.0%})"
    )


def upcoming_words(item: DeadlineItem, today: date) -> tuple[str, str, str]:
    """One line of the upcoming list: (when, what, funder) in words."""
    due = item.task.due_date
    when = f"{due:%b} {due.day}" if due.year == today.year else f"{due:%b} {due.day}, {due.year}"
    if due < today:
        when += " (overdue)"
    elif due == today:
        when = "Today"
    return when, item.task.summary(), item.funder_name or item.opportunity_title
