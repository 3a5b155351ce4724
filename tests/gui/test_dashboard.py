"""The dashboard through the real window on a real database: what came of the proposals (win
rate, requested vs awarded per year, pipeline value by stage) and what is due next show the
numbers that were stored; a new profile shows the empty wording; the dark appearance reads."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import date, timedelta

from PySide6.QtWidgets import QApplication

from catalynx_desktop.app import close_main_window, open_main_window
from catalynx_desktop.domain.outcomes import Outcome
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.stages import PIPELINE, Stage
from catalynx_desktop.domain.tasks import NewTask, TaskKind
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.outcome_store import OutcomeRepository
from catalynx_desktop.storage.task_store import TaskRepository
from catalynx_desktop.ui.theme import apply_theme
from catalynx_desktop.ui.widgets.dashboard_charts import AWARDED, bar_values
from tests.gui.test_main_window import db_ids, seed_demo, wait_for

WORKED = (Stage.PLAN, Stage.ANALYZE, Stage.EXAMINE, Stage.APPROACH, Stage.SUBMITTED)
MONEY_TICK = re.compile(r"^\$\d+(\.\d)?[kMB]?$")


def _ticks(plot, side):
    return [text for _pos, text in plot.getAxis(side)._tickLevels[0]]


def _when(due: date, today: date) -> str:
    if due == today:
        return "Today"
    text = f"{due:%b} {due.day}" + ("" if due.year == today.year else f", {due.year}")
    return text + (" (overdue)" if due < today else "")


async def _record_proposals(data_dir, today: date) -> dict:
    """Proposals sent, decided in two years, with amounts; tasks open, done and hidden."""
    db = await Database.open(resolve_paths(data_dir).database)
    try:
        profile_a, profile_b = (r[0] for r in await db.fetch_all("SELECT id FROM profiles ORDER BY id"))
        rows = await db.fetch_all(
            "SELECT id FROM opportunities WHERE profile_id = ? AND stage = 'discover' ORDER BY id LIMIT 9",
            (profile_a,),
        )
        ids = [r[0] for r in rows]
        repo, outcomes, tasks = OpportunityRepository(db), OutcomeRepository(db), TaskRepository(db)
        await repo.move_stage(ids[:3], Stage.AWARDED, "funded")
        await repo.move_stage(ids[3:5], Stage.DECLINED_BY_FUNDER, "not this cycle")
        await repo.move_stage(ids[5:6], Stage.WITHDRAWN, "program closed")
        await repo.move_stage(ids[6:8], Stage.SUBMITTED, "sent")
        await repo.move_stage(ids[8:9], Stage.EXAMINE, "worth a look")
        saved = {
            ids[0]: Outcome(40_000, 30_000, date(2025, 4, 1)),
            ids[1]: Outcome(25_000, 25_000, date(2026, 3, 15)),
            ids[2]: Outcome(60_000, 45_000, date(2026, 9, 1)),
            ids[3]: Outcome(15_000, None, date(2025, 6, 1)),
            ids[4]: Outcome(80_000, None, date(2026, 5, 20)),
            ids[5]: Outcome(12_000, None, date(2025, 2, 1)),
            ids[6]: Outcome(amount_requested=50_000, decision_date=date(2026, 11, 1)),  # expected by then
            ids[7]: Outcome(amount_requested=20_000, decision_date=date(2025, 12, 1)),
            ids[8]: Outcome(amount_requested=35_000),  # examine: its request counts in the pipeline
        }
        for opportunity_id, outcome in saved.items():
            await outcomes.save(opportunity_id, outcome)
        other = await db.fetch_all("SELECT min(id) FROM opportunities WHERE profile_id = ?", (profile_b,))
        await tasks.add(ids[0], NewTask(TaskKind.REPORT_DUE, today + timedelta(days=20), "Interim report"))
        await tasks.add(ids[6], NewTask(TaskKind.FOLLOW_UP, today - timedelta(days=3), "Call Ms. Ortiz"))
        await tasks.add(ids[8], NewTask(TaskKind.LETTER_OF_INQUIRY, today, ""))
        done = await tasks.add(ids[8], NewTask(TaskKind.FULL_PROPOSAL, today + timedelta(days=5), "Drafted"))
        await tasks.update(done.id, done=True)  # done: not listed
        await tasks.add(ids[5], NewTask(TaskKind.OTHER, today + timedelta(days=1), "Withdrawn: hidden"))
        await tasks.add(other[0][0], NewTask(TaskKind.OTHER, today + timedelta(days=2), "Other profile"))
        return {"profile": profile_a, "ids": ids, "outcomes": saved}
    finally:
        await db.close()


def _expected_upcoming(data_dir, profile_id: int, today: date) -> list[tuple[str, str, str]]:
    with sqlite3.connect(resolve_paths(data_dir).database) as conn:
        found = conn.execute(
            "SELECT t.due_date, t.kind, t.note, o.funder_name, o.title FROM opportunity_tasks t "
            "JOIN opportunities o ON o.id = t.opportunity_id WHERE o.profile_id = ? AND t.done = 0 "
            "AND o.stage NOT IN ('declined_by_funder', 'withdrawn', 'declined') ORDER BY t.due_date, t.id LIMIT 10",
            (profile_id,),
        ).fetchall()
    return [
        (
            _when(date.fromisoformat(due), today),
            TaskKind(kind).label + (f": {note}" if note else ""),
            funder or title,
        )
        for due, kind, note, funder, title in found
    ]


def _expected_pipeline_values(data_dir, profile_id: int) -> list[int]:
    """Per worked stage: the amount requested where recorded, else the listed amount."""
    return [
        db_ids(
            data_dir,
            "SELECT COALESCE(sum(COALESCE(oc.amount_requested, o.amount)), 0) FROM opportunities o "
            "LEFT JOIN opportunity_outcomes oc ON oc.opportunity_id = o.id WHERE o.profile_id = ? AND o.stage = ?",
            (profile_id, stage.value),
        )[0]
        for stage in WORKED
    ]


def test_dashboard_shows_what_came_of_the_proposals_and_what_is_due(qtbot, run, data_dir):
    seed_demo(run, data_dir, profiles=2, opportunities=600)
    today = date.today()
    stored = run(_record_proposals(data_dir, today))
    profile = stored["profile"]

    async def scenario():
        window = await open_main_window(data_dir)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        try:
            await window.profiles.select_row(window.profiles.model.row_of(profile))  # as a click does
            window.dashboard.dock.show()
            window.dashboard.dock.raise_()
            await wait_for(
                lambda: window.dashboard.panel is not None and window.dashboard.panel.data is not None
            )
            await wait_for(lambda: window.dashboard.panel.data.upcoming)  # profile's own data
            panel = window.dashboard.panel
            await asyncio.sleep(0.1)

            assert panel.win_rate.text() == "Win rate: 3 of 5 decided proposals awarded (60%)"

            # requested vs awarded per year: a grouped bar each, money on the axis
            assert _ticks(panel.years, "bottom") == ["2025", "2026"]
            requested, awarded = bar_values(panel.years)
            assert requested == [40_000 + 15_000 + 12_000 + 20_000, 25_000 + 60_000 + 80_000 + 50_000]
            assert awarded == [30_000, 25_000 + 45_000]
            money = _ticks(panel.years, "left")
            assert money[0] == "$0" and all(MONEY_TICK.match(t) for t in money), money
            assert "$200k" in money or "$250k" in money or "$300k" in money

            # pipeline value by stage: the request where recorded, else the listed amount
            assert _ticks(panel.pipeline_value, "left") == [s.label for s in WORKED]
            assert bar_values(panel.pipeline_value) == [_expected_pipeline_values(data_dir, profile)]
            assert all(MONEY_TICK.match(t) for t in _ticks(panel.pipeline_value, "bottom"))

            # upcoming: overdue first, done / withdrawn / other profiles' tasks left out
            shown = panel.upcoming.lines()
            assert shown == _expected_upcoming(data_dir, profile, today)
            assert shown[0][:2] == (_when(today - timedelta(days=3), today), "Follow-up: Call Ms. Ortiz")
            assert shown[0][0].endswith("(overdue)") and shown[1][:2] == ("Today", "Letter of inquiry")
            assert not any(
                "hidden" in w or "Other profile" in w or "Drafted" in w for line in shown for w in line
            )
            assert not panel.upcoming.isHidden() and panel.nothing_due.isHidden()

            # the funnel counts the outcome stages too
            assert bar_values(panel.funnel)[0][PIPELINE.index(Stage.AWARDED)] == 3

            # readable at 1280x800: the charts keep their height and the dock scrolls
            assert all(p.height() >= 150 for p in (panel.funnel, panel.years, panel.pipeline_value))
            assert panel.scroll_area.verticalScrollBar().maximum() > 0

            # dark appearance: the background follows the palette, the awarded bars still show
            light = panel.years.grab().toImage()  # drawn once in light: pyqtgraph caches it
            assert light.pixelColor(light.width() - 8, 30).lightness() > 180
            apply_theme(QApplication.instance(), "dark")
            await asyncio.sleep(0.1)
            image = panel.years.grab().toImage()
            inside = image.pixelColor(image.width() - 8, 30)  # right of the title, above the bars
            assert inside.lightness() < 80, inside.name()
            green = AWARDED.lower()
            assert any(
                image.pixelColor(x, y).name() == green
                for x in range(0, image.width(), 2)
                for y in range(0, image.height(), 2)
            )
        finally:
            apply_theme(QApplication.instance(), "system")
            await close_main_window(window)

    run(scenario())


def test_a_new_profile_shows_the_empty_wording(qtbot, run, data_dir):
    seed_demo(run, data_dir, profiles=1, opportunities=200)

    async def scenario():
        window = await open_main_window(data_dir)
        qtbot.addWidget(window)
        window.show()
        try:
            window.dashboard.dock.show()
            window.dashboard.dock.raise_()
            await wait_for(
                lambda: window.dashboard.panel is not None and window.dashboard.panel.data is not None
            )
            saved = await window.profiles.save(Profile(name="Harbor Arts", ein="123456789", states=("ME",)))
            assert window.profiles.current_id == saved.id
            panel = window.dashboard.panel
            await wait_for(lambda: panel.data.total == 0 and "Harbor Arts" in panel.heading.text())
            assert panel.win_rate.text() == "Win rate: no decisions yet"
            assert not panel.nothing_due.isHidden() and panel.upcoming.isHidden()
            assert panel.nothing_due.text().startswith("Nothing due")
            assert panel.years.isHidden() and not panel.no_proposals.isHidden()
            assert bar_values(panel.pipeline_value) == [[0.0] * len(WORKED)]
            assert _ticks(panel.pipeline_value, "bottom") == ["$0"]
        finally:
            await close_main_window(window)

    run(scenario())
