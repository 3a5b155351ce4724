"""The dashboard's words and axes: money ticks a reader takes in at a glance, the win rate with
the counts it comes from, one line per upcoming task."""

from __future__ import annotations

from datetime import date

from catalynx_desktop.domain.dashboard import money_label, money_ticks, upcoming_words, win_rate_text
from catalynx_desktop.domain.outcomes import OutcomeStats
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.domain.tasks import DeadlineItem, Task, TaskKind


def _stats(awarded: int, declined: int) -> OutcomeStats:
    return OutcomeStats((), {}, {}, awarded, declined)


def test_money_labels_are_short():
    assert [money_label(v) for v in (0, 500, 2_500, 50_000, 1_000_000, 1_500_000, 2_000_000_000)] == [
        "$0",
        "$500",
        "$2.5k",
        "$50k",
        "$1M",
        "$1.5M",
        "$2B",
    ]


def test_money_ticks_cover_the_largest_bar_on_a_1_2_5_step():
    ticks = money_ticks(215_000)
    assert ticks[0] == (0, "$0") and ticks[-1][0] >= 215_000
    assert [label for _v, label in ticks] == ["$0", "$50k", "$100k", "$150k", "$200k", "$250k"]
    assert money_ticks(0) == [(0, "$0")]  # no "$1" tick when there is no money yet


def test_win_rate_in_words():
    assert win_rate_text(_stats(3, 2)) == "Win rate: 3 of 5 decided proposals awarded (60%)"
    assert win_rate_text(_stats(1, 0)) == "Win rate: 1 of 1 decided proposal awarded (100%)"
    assert win_rate_text(_stats(0, 4)) == "Win rate: 0 of 4 decided proposals awarded (0%)"
    assert win_rate_text(_stats(0, 0)) == "Win rate: no decisions yet"


def test_an_upcoming_line_says_when_what_and_who():
    today = date(2026, 12, 4)

    def item(due: date, note: str = "", funder: str = "Hollister Harbor Trust") -> DeadlineItem:
        task = Task(1, 2, TaskKind.REPORT_DUE, due, note=note)
        return DeadlineItem(task, 1, "Riverbend", "Clean water grants", funder, Stage.AWARDED)

    assert upcoming_words(item(date(2026, 12, 24), "Interim report"), today) == (
        "Dec 24",
        "Report due: Interim report",
        "Hollister Harbor Trust",
    )
    assert upcoming_words(item(today), today)[0] == "Today"
    assert upcoming_words(item(date(2026, 11, 30)), today)[0] == "Nov 30 (overdue)"
    assert upcoming_words(item(date(2027, 1, 5)), today)[0] == "Jan 5, 2027"
    assert upcoming_words(item(today, funder=""), today)[2] == "Clean water grants"  # no funder name
