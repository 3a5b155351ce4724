"""The Deadlines view, reminders and the .ics menu action in the real window, on a real database
with tasks at several dates around today over two profiles."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

from icalendar import Calendar
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from catalynx_desktop.app import close_main_window, open_main_window
from catalynx_desktop.domain.deadline_view import DeadlineFilter, DeadlineQuery
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.domain.tasks import NewTask, TaskKind
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.services import AppServices
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.task_store import TaskRepository
from catalynx_desktop.ui.controllers.deadlines_controller import NOTIFIED_KEY, ms_to_next_midnight
from catalynx_desktop.ui.models.opportunity_table_model import ID_ROLE
from catalynx_desktop.workflows.demo.generator import DemoPlan

# Days from today of the open tasks; one more is done and one is on an opportunity the funder
# declined: neither is listed. 45 is beyond "this month": only the calendar file holds it.
OFFSETS = (-9, -2, 0, 0, 1, 3, 6, 8, 20, 29, 45)


def seed(run, data_dir) -> list[tuple[int, int, int, date]]:
    """Two demo profiles; tasks at OFFSETS on opportunities of both. Returns (task id,
    opportunity id, profile id, due date) of the open ones."""

    async def fill():
        services = await AppServices.open(resolve_paths(data_dir))
        try:
            await services.load_demo(DemoPlan(2, 3000, seed=5))
            db, today = services.db, date.today()
            profiles = [r[0] for r in await db.fetch_all("SELECT id FROM profiles ORDER BY id")]
            per_profile = [
                await db.fetch_all(
                    "SELECT id, profile_id FROM opportunities WHERE profile_id = ? AND stage = 'discover' "
                    "ORDER BY id LIMIT 20",
                    (p,),
                )
                for p in profiles
            ]
            by_profile = [row for pair in zip(*per_profile, strict=True) for row in pair]  # alternating
            repo, tasks = OpportunityRepository(db), TaskRepository(db)
            ids = [r[0] for r in by_profile]
            await repo.move_stage(ids[:14], Stage.APPROACH, "shortlist")
            await db.write(lambda c: c.execute("DELETE FROM opportunity_tasks"))  # only ours
            made = []
            kinds = list(TaskKind)
            for n, offset in enumerate(OFFSETS):
                opp, profile = by_profile[n]
                due = today + timedelta(days=offset)
                task = await tasks.add(opp, NewTask(kinds[n % len(kinds)], due, f"note {n}"))
                made.append((task.id, opp, profile, due))
            done = await tasks.add(ids[11], NewTask(TaskKind.OTHER, today))
            await tasks.update(done.id, done=True)
            await tasks.add(ids[12], NewTask(TaskKind.OTHER, today - timedelta(days=1)))
            await repo.move_stage([ids[12]], Stage.DECLINED_BY_FUNDER)
            return made
        finally:
            await services.close()

    return run(fill(), timeout=120)


async def until(check, limit_s: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + limit_s
    while not check():
        await asyncio.sleep(0.02)
        assert asyncio.get_running_loop().time() < deadline, "timed out"


def listed(controller) -> list[tuple[int, str]]:
    model = controller.model
    items = [model.row_at(r) for r in range(model.rowCount())]
    assert all(i is not None for i in items), "the first page holds every line here"
    return [(i.task.id, model.index(r, 2).data()) for r, i in enumerate(items)]


def test_deadlines_view_calendar_activation_notice_and_reminders(qtbot, run, data_dir, monkeypatch):
    made = seed(run, data_dir)
    today = date.today()
    window = run(open_main_window(data_dir))
    qtbot.addWidget(window)
    try:
        deadlines = window.deadlines
        # At open: said once in a banner (and the status line), never a modal dialog.
        run(until(lambda: deadlines.banner.isVisible()))
        assert QApplication.activeModalWidget() is None
        notice = deadlines.banner.text.text()
        assert notice.startswith("Deadlines: 2 overdue, 2 due today, 5 due this week.")  # 0, 0, 1, 3, 6
        assert "Due today:" in notice  # no tray offscreen: the day's tasks are in the banner
        assert deadlines.banner.action_button.text() == "Show deadlines"
        assert not deadlines.dock.isVisible()

        # The banner's button (or View > Deadlines) opens the view on everything it lists.
        reads: list[date] = []  # the real service, counted
        real_counts = window.services.deadlines.counts

        async def counted(day: date):
            reads.append(day)
            return await real_counts(day)

        monkeypatch.setattr(window.services.deadlines, "counts", counted)
        QTest.mouseClick(deadlines.banner.action_button, Qt.MouseButton.LeftButton)
        run(until(lambda: deadlines.dock.isVisible() and deadlines.model.query is not None))
        run(until(lambda: not [t for t in asyncio.all_tasks() if t.get_name().startswith("deadlines")]))
        assert reads == [today]  # read once, not again for the dock's own visibility signal
        run(until(lambda: deadlines.model.rowCount() == len(OFFSETS) - 1))
        expected = [(t, due) for t, _o, _p, due in made if due <= today + timedelta(days=29)]
        assert [t for t, _text in listed(deadlines)] == [
            t for t, _d in sorted(expected, key=lambda x: (x[1], x[0]))
        ]
        buttons = {c.value: b.text() for c, b in deadlines.panel.buttons.items()}
        assert buttons == {
            "all": "All (10)",
            "overdue": "Overdue (2)",
            "this_week": "This week (5)",
            "this_month": "This month (3)",
        }
        first = deadlines.model.index(0, 0).data()
        assert first == f"{(today - timedelta(days=9)).isoformat()} · 9 days overdue"
        assert deadlines.model.index(0, 4).data() == "note 0"

        QTest.mouseClick(deadlines.panel.buttons[DeadlineFilter.OVERDUE], Qt.MouseButton.LeftButton)
        run(until(lambda: deadlines.model.rowCount() == 2))  # Overdue
        assert [i for i, _ in listed(deadlines)] == [made[0][0], made[1][0]]

        # The calendar marks the shown month's due days (bold) and filters to a clicked day.
        calendar = deadlines.panel.calendar
        run(until(lambda: deadlines.panel.is_marked(today)))
        month_days = {due for _t, _o, _p, due in made if (due.year, due.month) == (today.year, today.month)}
        first_day = today.replace(day=1)
        shown_month = [
            first_day + timedelta(days=n)
            for n in range(31)
            if (first_day + timedelta(days=n)).month == today.month
        ]
        assert {d for d in shown_month if deadlines.panel.is_marked(d)} == month_days
        calendar.setSelectedDate(QDate(today.year, today.month, today.day))
        calendar.clicked.emit(QDate(today.year, today.month, today.day))
        one_day = DeadlineQuery.of(DeadlineFilter.DAY, today, today)
        run(until(lambda: deadlines.model.query == one_day))  # the Overdue list has two lines too
        assert deadlines.model.rowCount() == 2 and deadlines.panel.day_label.text().startswith("Due on ")
        assert {i for i, _ in listed(deadlines)} == {made[2][0], made[3][0]}

        # Enter on a line selects its profile and opportunity in the main table (the two lines
        # due today are on different profiles: take the one that is not shown).
        other = 0 if made[2][2] != window.profiles.current_id else 1
        item = deadlines.model.row_at(other)
        assert item.profile_id != window.profiles.current_id
        table = deadlines.panel.table
        table.setFocus()
        table.setCurrentIndex(deadlines.model.index(other, 0))
        QTest.keyClick(table, Qt.Key.Key_Return)
        target = item.task.opportunity_id
        run(until(lambda: window.table.currentIndex().data(ID_ROLE) == target), timeout=30)
        assert window.profiles.current_id == item.profile_id
        assert window.profiles.view.currentIndex().row() == window.profiles.model.row_of(item.profile_id)
        assert window.table_model.query.stage == Stage.APPROACH
        assert window.table.selectionModel().isRowSelected(window.table.currentIndex().row())

        # A double-click does the same, once (Qt's double-click is also an activation).
        run(deadlines.choose(DeadlineFilter.OVERDUE))
        overdue = deadlines.model.row_at(0)
        opened: list[object] = []

        async def record(view) -> None:
            opened.append(view)

        deadlines.view_requested.connect(record)  # each line opened asks once for its stage's view
        rect = table.visualRect(deadlines.model.index(0, 1))
        # A real double-click is a click, then the double-click event (QTest's alone sets no pressed index).
        QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        QTest.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        run(
            until(lambda: window.table.currentIndex().data(ID_ROLE) == overdue.task.opportunity_id),
            timeout=30,
        )
        run(until(lambda: not [t for t in asyncio.all_tasks() if t.get_name() == "deadline-open"]))
        assert window.profiles.current_id == overdue.profile_id and len(opened) == 1
        run(deadlines.choose(DeadlineFilter.DAY, today))

        # The funder declines: its task leaves the view, which re-reads at once.
        run(window.stage_moves.move([target], Stage.DECLINED_BY_FUNDER, "declined"))
        run(until(lambda: deadlines.model.rowCount() == 1))
        assert [i for i, _ in listed(deadlines)] == [t for t, o, _p, _d in made[2:4] if o != target]
        assert deadlines.panel.buttons[DeadlineFilter.THIS_WEEK].text() == "This week (4)"

        # The midnight timer is armed; its slot, on the next day, announces that day's task once.
        assert deadlines.midnight.isActive() and deadlines.midnight.remainingTime() <= 86_401_000
        deadlines.banner.dismiss()
        tomorrow = today + timedelta(days=1)
        deadlines.today = lambda: tomorrow
        fresh = run(deadlines.day_started())
        assert [i.task.id for i in fresh] == [made[4][0]]
        assert deadlines.banner.isVisible() and deadlines.banner.text.text().startswith("Due today: ")
        assert str(window.settings.value(NOTIFIED_KEY)) == f"{tomorrow.isoformat()}:{made[4][0]}"
        deadlines.banner.dismiss()
        assert run(deadlines.day_started()) == []  # once per day
        assert not deadlines.banner.isVisible()
        assert deadlines.midnight.isActive()
    finally:
        run(close_main_window(window))
    assert not deadlines.midnight.isActive()  # no reminder reaches a closed window's database


def test_midnight_interval():
    assert ms_to_next_midnight(datetime(2026, 12, 4, 23, 59, 0)) == 61_000
    assert ms_to_next_midnight(datetime(2026, 12, 31, 0, 0, 0)) == 86_401_000


def test_export_deadlines_menu_action_writes_a_calendar(qtbot, run, data_dir, tmp_path, monkeypatch):
    made = seed(run, data_dir)
    window = run(open_main_window(data_dir))
    qtbot.addWidget(window)
    target = tmp_path / "deadlines.ics"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "iCalendar (*.ics)"))
    try:
        assert window.export_deadlines_action in window.menuBar().actions()[0].menu().actions()
        window.export_deadlines_action.trigger()
        run(until(lambda: window.status_label.text().startswith(f"{len(made)} open tasks written to")))
        assert str(target) in window.status_label.text()
        calendar = Calendar.from_ical(target.read_bytes())
        events = calendar.walk("VEVENT")
        assert sorted(e.decoded("dtstart") for e in events) == sorted(due for *_x, due in made)
        assert len(calendar.walk("VTODO")) == len(made)
    finally:
        run(close_main_window(window))
