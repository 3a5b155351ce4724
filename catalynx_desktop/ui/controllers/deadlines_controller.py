"""The Deadlines dock: what is due across all profiles with a calendar, the notice when the
window opens, the day's reminder while it stays open, and File > Export deadlines (.ics).

Reminders: a QTimer fires a second after the next local midnight (and once at open); each task
due that day is announced once per day — through the system tray when there is one, else the
banner above the table. What was announced is kept in the window's QSettings (ui.ini, key
deadlines/notified: the day and the task ids), so reopening the window the same day does not
repeat it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QDockWidget, QFileDialog, QSystemTrayIcon

from catalynx_desktop.domain.deadline_view import DeadlineFilter, DeadlineQuery
from catalynx_desktop.domain.query import OpportunityFilters, SortKey
from catalynx_desktop.domain.tasks import DeadlineItem, DueBucket
from catalynx_desktop.ui.controllers.async_signal import AsyncSignal
from catalynx_desktop.ui.models.deadline_table_model import DeadlineTableModel, funder_words
from catalynx_desktop.ui.models.saved_views import SavedView
from catalynx_desktop.ui.widgets.deadlines_view import DeadlinesPanel
from catalynx_desktop.ui.widgets.guide_bar import GuideBar
from catalynx_desktop.workflows.engine import RunResult
from catalynx_desktop.workflows.importing.workflow import IMPORT_STEP

if TYPE_CHECKING:
    from catalynx_desktop.ui.controllers.context import ControllerContext

NOTIFIED_KEY = "deadlines/notified"
_PAST_MIDNIGHT_MS = 1000  # fire just after the day changed, never just before
_LISTED_IN_NOTICE = 3


def ms_to_next_midnight(now: datetime) -> int:
    following = datetime.combine(now.date() + timedelta(days=1), time.min)
    return int((following - now).total_seconds() * 1000) + _PAST_MIDNIGHT_MS


def notice_text(counts: dict[DueBucket, int], due_today: int) -> str:
    parts = []
    if counts.get(DueBucket.OVERDUE):
        parts.append(f"{counts[DueBucket.OVERDUE]:,} overdue")
    if due_today:
        parts.append(f"{due_today:,} due today")
    if counts.get(DueBucket.THIS_WEEK):
        parts.append(f"{counts[DueBucket.THIS_WEEK]:,} due this week")
    return "Deadlines: " + ", ".join(parts) + "." if parts else ""


def reminder_text(total: int, items: list[DeadlineItem]) -> str:
    lines = [f"{i.task.kind.label}: {funder_words(i)} ({i.profile_name})" for i in items[:_LISTED_IN_NOTICE]]
    more = f"; and {total - len(lines):,} more" if total > len(lines) else ""
    return f"Due today: {'; '.join(lines)}{more}"


class DeadlinesController(QObject):
    def __init__(self, context: ControllerContext, today: Callable[[], date] = date.today) -> None:
        super().__init__(context.window)
        self._context = context
        self.today = today  # injectable: tests drive the day
        self.model = DeadlineTableModel(context.services.deadlines, context.tasks, context.window)
        self.panel = DeadlinesPanel(self.model)
        self.dock = QDockWidget("Deadlines", context.window)
        self.dock.setObjectName("deadlines-dock")
        self.dock.setWidget(self.panel)
        self.banner = GuideBar()  # the open-time notice and, without a tray, the day's reminder
        self.choice, self.day = DeadlineFilter.ALL, date.today()
        self.counts: dict[DueBucket, int] = {}
        self.tray: QSystemTrayIcon | None = None
        self.midnight = QTimer(self)
        self.midnight.setSingleShot(True)
        self.midnight.timeout.connect(lambda: context.tasks.spawn(self.day_started(), name="deadlines-day"))
        self._started = False
        # The main table shows the activated line's profile, then its stage (main_window connects).
        self.profile_requested = AsyncSignal[[int]]()
        self.view_requested = AsyncSignal[[SavedView]]()
        spawn = context.tasks.spawn
        self.panel.filter_chosen.connect(lambda c: spawn(self.choose(c), name="deadlines"))
        self.panel.day_clicked.connect(lambda d: spawn(self.choose(DeadlineFilter.DAY, d), name="deadlines"))
        self.panel.month_shown.connect(lambda y, m: spawn(self.mark_month(y, m), name="deadlines-month"))
        self.panel.row_activated.connect(self._row_activated)
        self._showing = False
        self.dock.visibilityChanged.connect(self._visibility_changed)

    # -- the view ------------------------------------------------------------------------------
    async def show(self) -> None:
        self._showing = True  # the dock's own visibilityChanged must not read it a second time
        try:
            self.dock.show()
            self.dock.raise_()
        finally:
            self._showing = False
        await self.refresh()

    def _show_later(self) -> None:
        self._context.tasks.spawn(self.show(), name="deadlines-show")

    def _visibility_changed(self, visible: bool) -> None:
        """Shown by its tab or a restored layout: read what it shows (show() reads it itself)."""
        if visible and not self._showing:
            self._context.tasks.spawn(self.refresh(), name="deadlines")

    async def refresh(self) -> None:
        """Re-read counts, the list and the calendar's month (only while the dock is shown)."""
        if not self.dock.isVisible():
            return
        today = self.today()
        self.counts = await self._context.services.deadlines.counts(today)
        self.panel.show_counts(self.counts)
        await self._open_list(today)
        calendar = self.panel.calendar
        await self.mark_month(calendar.yearShown(), calendar.monthShown())

    async def tasks_changed(self) -> None:
        """Tasks were added, done, moved or hidden elsewhere: re-read what the dock shows."""
        await self.refresh()

    async def run_finished(self, result: RunResult, _parameters: Mapping[str, Any]) -> None:
        """An import may have added tasks (a 990-PF's stated deadlines): re-read the dock.
        Discover and Rescore say so through opportunities_changed."""
        if IMPORT_STEP in result.steps:
            await self.refresh()

    async def choose(self, choice: DeadlineFilter, day: date | None = None) -> None:
        self.choice, self.day = choice, day or self.today()
        await self._open_list(self.today())

    async def _open_list(self, today: date) -> None:
        self.model.today = today
        self.panel.show_choice(self.choice, self.day)
        await self.model.open(DeadlineQuery.of(self.choice, today, self.day))
        what = f"on {self.day:%d %b %Y}" if self.choice is DeadlineFilter.DAY else ""
        self._context.status.show(f"Deadlines: {self.model.total:,} open tasks {what}".strip())

    async def mark_month(self, year: int, month: int) -> None:
        days = await self._context.services.deadlines.due_days(year, month)
        calendar = self.panel.calendar
        if (calendar.yearShown(), calendar.monthShown()) == (year, month):  # not paged on meanwhile
            self.panel.mark_days(days, self.today())

    # -- a line to the main table ----------------------------------------------------------------
    def _row_activated(self, row: int) -> None:
        item = self.model.row_at(row)
        if item is not None:
            self._context.tasks.spawn(self.open_item(item), name="deadline-open")

    async def open_item(self, item: DeadlineItem) -> bool:
        """Select the line's profile, open its stage (no search, no filters: the row must be
        there) and select the opportunity in the main table."""
        context = self._context
        if context.profile.id != item.profile_id:
            await self.profile_requested.emit(item.profile_id)
        if context.profile.id != item.profile_id:
            context.status.show(f"The profile {item.profile_name} is no longer listed.")
            return False
        shown = context.table_model.query
        sort, descending = (shown.sort, shown.descending) if shown else (SortKey.SCORE, True)
        await self.view_requested.emit(SavedView("", item.stage, sort, descending, "", OpportunityFilters()))
        query = context.table_model.query
        opportunity_id = item.task.opportunity_id
        row = None if query is None else await context.services.deadlines.row_position(query, opportunity_id)
        if row is None or context.table_model.query != query:
            context.status.show(f"{funder_words(item)} is no longer in {item.stage.label}.")
            return False
        await context.table_model.load_rows([row])
        index = context.table_model.index(row, 0)
        context.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        context.table.setCurrentIndex(index)
        context.table.selectRow(row)
        context.table.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    # -- at open, and the day's reminder -----------------------------------------------------------
    def start(self) -> None:
        """Once, after the window's first rows: the open-time notice, then the midnight timer."""
        if not self._started:
            self._started = True
            self._context.tasks.spawn(self.opened(), name="deadlines-open")

    async def opened(self) -> None:
        """Say once what is overdue, due today and this week (a banner, never a modal dialog);
        today's tasks count as announced. Then the day's reminders follow the midnight timer."""
        today = self.today()
        self.counts = await self._context.services.deadlines.counts(today)
        due_today, fresh = await self._take_fresh(today)
        text = notice_text(self.counts, due_today)
        try:
            if text:
                if fresh and self._tray() is None:  # no tray: the banner says the day's tasks too
                    text = f"{text} {reminder_text(len(fresh), fresh)}"
                self.banner.say(text, "Show deadlines", self._show_later)
                self._context.status.show(text)
            if fresh and (tray := self._tray()) is not None:
                tray.showMessage("Catalynx deadlines", reminder_text(len(fresh), fresh))
        finally:
            self.midnight.start(ms_to_next_midnight(datetime.now()))

    async def day_started(self) -> list[DeadlineItem]:
        """The midnight timer's slot: announce what is due today and not yet announced; re-arm
        the timer for the next day."""
        try:
            return await self.remind(self.today())
        finally:
            self.midnight.start(ms_to_next_midnight(datetime.now()))

    async def remind(self, today: date) -> list[DeadlineItem]:
        """Announce today's tasks not announced yet (each once per day); returns them."""
        _due, fresh = await self._take_fresh(today)
        if fresh:
            self._notify(reminder_text(len(fresh), fresh))
            if self.dock.isVisible():
                await self.refresh()  # a new day moves lines between buckets
        return fresh

    async def _take_fresh(self, today: date) -> tuple[int, list[DeadlineItem]]:
        """(how many are due today, those not announced yet), the latter now counted as announced."""
        total, items = await self._context.services.deadlines.due_on(today)
        done = self._notified(today)
        fresh = [i for i in items if i.task.id not in done]
        if fresh:
            ids = sorted(done | {i.task.id for i in fresh})
            self._context.settings.setValue(NOTIFIED_KEY, f"{today.isoformat()}:{','.join(map(str, ids))}")
        return total, fresh

    def _notified(self, today: date) -> set[int]:
        stored = str(self._context.settings.value(NOTIFIED_KEY, "") or "")
        day, _, ids = stored.partition(":")
        if day != today.isoformat():
            return set()
        return {int(i) for i in ids.split(",") if i.isdigit()}

    def _tray(self) -> QSystemTrayIcon | None:
        """The tray icon for desktop notifications, made on first use; None without a tray."""
        if self.tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            window = self._context.window
            self.tray = QSystemTrayIcon(window.windowIcon(), window)
            self.tray.messageClicked.connect(self._show_later)
            self.tray.show()
        return self.tray

    def _notify(self, text: str) -> None:
        if (tray := self._tray()) is not None:
            tray.showMessage("Catalynx deadlines", text)
        else:
            self.banner.say(text, "Show deadlines", self._show_later)
        self._context.status.show(text)

    def stop(self) -> None:
        """The window closed: no reminder after it (its database is closed), no tray icon left."""
        self.midnight.stop()
        if self.tray is not None:
            self.tray.hide()

    # -- File > Export deadlines to calendar (.ics)… -----------------------------------------------
    async def export_dialog(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self._context.window, "Export deadlines to calendar", "deadlines.ics", "iCalendar (*.ics)"
        )
        if chosen:
            path = Path(chosen)
            await self.export(path if path.suffix else path.with_suffix(".ics"))

    async def export(self, path: Path) -> int:
        written = await self._context.services.deadlines.export_ics(path)
        self._context.status.show(f"{written:,} open tasks written to {path}")
        return written
