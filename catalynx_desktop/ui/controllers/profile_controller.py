"""The profile list on the left: which profile is selected, and creating, editing and deleting one.

Selecting a profile opens its opportunities through the query controller; its counts (list row,
stage tabs, dashboard) are re-read here whenever a move or a workflow changed them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.validation import elide
from catalynx_desktop.resources import ntee_codes
from catalynx_desktop.ui.controllers.async_signal import AsyncSignal
from catalynx_desktop.ui.dialogs.awaiting import confirm, run_dialog
from catalynx_desktop.ui.dialogs.profile_dialog import ProfileDialog
from catalynx_desktop.ui.models.profile_list_model import PROFILE_ID_ROLE
from catalynx_desktop.ui.widgets.opportunity_table_view import refresh_keeping_scroll

if TYPE_CHECKING:
    from catalynx_desktop.ui.controllers.context import ControllerContext


class ProfileController(QObject):
    stage_counts_shown = Signal(object)  # the shown profile's ProfileSummary: the stage tabs follow
    created = Signal(object)  # a new Profile was saved (the first-run guide offers Discover)

    def __init__(self, context: ControllerContext) -> None:
        super().__init__(context.window)
        self._context = context
        self.model = context.profile.model
        # Awaited: showing a profile is done when its table and dashboard are; a save or delete
        # when the window has re-read the list.
        self.opened = AsyncSignal[[]]()  # a profile became the shown one: open its view
        self.current_counts_changed = AsyncSignal[[]]()  # the shown profile's counts were re-read
        self.reload_requested = AsyncSignal[[]]()  # the list changed: the window re-reads it
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.setWordWrap(False)
        self.view.doubleClicked.connect(lambda _index: context.tasks.spawn(self.edit_dialog()))
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)

    @property
    def current_id(self) -> int | None:
        """The shown profile (kept in the context, where the other controllers read it)."""
        return self._context.profile.id

    @current_id.setter
    def current_id(self, profile_id: int | None) -> None:
        self._context.profile.id = profile_id

    # -- the list and the selection -----------------------------------------------------------
    async def load(self) -> bool:
        """Re-read the list (one query with every profile's counts); False when there is none."""
        summaries = await self._context.services.profiles.list_summaries()
        self.model.set_summaries(summaries)
        if not summaries:
            self.current_id = None
        return bool(summaries)

    def select_current_or_last(self) -> Coroutine[Any, Any, None]:
        """Select the current profile, else the one of the last session, else the first."""
        wanted = self.current_id or _int_or_none(self._context.settings.value("profiles/last"))
        row = self.model.row_of(wanted) if wanted is not None else -1
        return self.select_row(max(row, 0))

    def select_row(self, row: int) -> Coroutine[Any, Any, None]:
        """Select the row now (synchronously); the returned coroutine shows its opportunities."""
        summary = self.model.summary(row)
        if summary is None or summary.profile.id is None:  # listed profiles are stored: always an id
            return asyncio.sleep(0)
        self.current_id = summary.profile.id
        # Signals blocked: _row_changed would open the same profile a second time.
        self.view.selectionModel().blockSignals(True)
        self.view.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.view.selectionModel().blockSignals(False)
        return self.show(summary.profile.id)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        profile_id = current.data(PROFILE_ID_ROLE) if current.isValid() else None
        if profile_id is not None and profile_id != self.current_id:
            self._context.tasks.spawn(self.show(profile_id), name="show-profile")

    async def show(self, profile_id: int) -> None:
        """Make `profile_id` current: its stage counts, its opportunities, its dashboard."""
        self.current_id = profile_id
        self._show_stage_counts(profile_id)
        await self.opened.emit()

    def selected(self) -> Profile | None:
        return self._context.profile.profile()

    # -- counts -------------------------------------------------------------------------------
    def _show_stage_counts(self, profile_id: int) -> None:
        summary = self.model.summary(self.model.row_of(profile_id))
        if summary is not None:
            self.stage_counts_shown.emit(summary)

    async def refresh_counts(self, profile_ids: Collection[int]) -> None:
        """Re-read these profiles' stage counts: their list rows, the stage tabs and the dashboard follow."""
        for profile_id in profile_ids:
            counts = await self._context.services.profiles.stage_counts(profile_id)
            self.model.update_counts(profile_id, counts)
        if self.current_id is not None:
            self._show_stage_counts(self.current_id)
        if self.current_id in profile_ids:
            await self.current_counts_changed.emit()

    async def opportunities_changed(self, profile_id: int) -> None:
        """A workflow changed this profile's opportunities: its counts, and the table if it is open."""
        await self.refresh_counts({profile_id})
        if profile_id == self.current_id:
            await refresh_keeping_scroll(self._context.table, self._context.table_model)

    # -- create, edit, delete -----------------------------------------------------------------
    async def new_dialog(self) -> None:
        dialog = ProfileDialog(self._context.window, ntee_names=await _ntee_names())
        if await run_dialog(dialog) and dialog.result_profile is not None:
            await self.save(dialog.result_profile)

    async def edit_dialog(self) -> None:
        profile = self.selected()
        if profile is None:
            self._context.status.show("Select a profile to edit first (or create one: Ctrl+N).")
            return
        dialog = ProfileDialog(self._context.window, profile, await _ntee_names())
        if await run_dialog(dialog) and dialog.result_profile is not None:
            await self.save(dialog.result_profile)

    async def save(self, profile: Profile) -> Profile:
        """Create or update `profile`, then show it selected in the reloaded list."""
        services = self._context.services
        if profile.id is None:
            saved = await services.profiles.create(profile)
        else:
            saved = await services.profiles.update(profile)
        self.current_id = saved.id
        await self.reload_requested.emit()
        self._context.status.show(f"Saved profile “{elide(saved.name, 80)}”.")
        if profile.id is None:
            self.created.emit(saved)
        return saved

    async def delete_dialog(self) -> None:
        profile = self.selected()
        if profile is None or profile.id is None:
            self._context.status.show("Select a profile to delete first.")
            return
        summary = self.model.summary(self.model.row_of(profile.id))
        count = summary.total if summary else 0
        question = (
            f"Delete “{elide(profile.name, 80)}” and its {count:,} opportunities? This cannot be undone."
        )
        if await confirm(self._context.window, "Delete profile", question):
            await self.delete(profile.id)

    async def delete(self, profile_id: int) -> None:
        context = self._context
        self.current_id = None
        context.table_model.clear()  # its rows are about to go; do not let the view page them in
        context.status.show("Deleting profile…")
        await context.services.profiles.delete(profile_id)
        await self.reload_requested.emit()


async def _ntee_names() -> dict[str, str]:
    """The NTEE list for the dialog's picker and checks (read once, off the UI thread)."""
    return await asyncio.to_thread(ntee_codes)


def _int_or_none(value: object) -> int | None:
    try:
        return int(value) if value is not None else None  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
