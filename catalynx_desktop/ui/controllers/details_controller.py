"""The Details dock: follows the table's current row and saves the user's notes, rating,
priority and tags for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject
from PySide6.QtWidgets import QDockWidget, QTabWidget

from catalynx_desktop.domain.details import Annotations, OpportunityDetails
from catalynx_desktop.ui.models.opportunity_table_model import ID_ROLE
from catalynx_desktop.ui.widgets.details_pane import DetailsPane
from catalynx_desktop.ui.widgets.opportunity_table_view import step_current_row

if TYPE_CHECKING:
    from catalynx_desktop.ui.controllers.context import ControllerContext


class DetailsController(QObject):
    def __init__(self, context: ControllerContext) -> None:
        super().__init__(context.window)
        self._context = context
        window = context.window
        # Bumped on every row change, so a slow answer for a row the user already left is dropped.
        self._generation = 0
        self.pane = DetailsPane(window)
        self.pane.save_requested.connect(
            lambda opportunity_id, notes: context.tasks.spawn(self.save_annotations(opportunity_id, notes))
        )
        self.pane.navigate.connect(lambda step: step_current_row(context.table, step))
        self.dock = QDockWidget("Details", window)
        self.dock.setObjectName("details-dock")
        self.tabs = QTabWidget()  # this opportunity's record and notes; other parts add their tabs
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.pane, "Opportunity")
        self.dock.setWidget(self.tabs)
        self.dock.setMinimumWidth(380)
        self._open_when_chosen = False  # collapse_until_chosen(): the dock waits for a chosen row
        context.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        context.table_model.modelReset.connect(lambda: self.pane.show_details(None))

    def collapse_until_chosen(self) -> None:
        """Hide the dock until the user chooses a row (first run: the table gets the width).
        Once shown, it stays as the user leaves it: closed stays closed."""
        self.dock.hide()
        self._open_when_chosen = True

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        opportunity_id = current.data(ID_ROLE) if current.isValid() else None
        self._generation += 1
        if opportunity_id is None:
            self.pane.show_details(None)
            return
        if self._open_when_chosen:
            self._open_when_chosen = False
            self.dock.show()
            self.dock.raise_()
        self._context.tasks.spawn(self.show_opportunity(opportunity_id, self._generation), name="details")

    async def show_opportunity(
        self, opportunity_id: int, generation: int | None = None
    ) -> OpportunityDetails | None:
        details = await self._context.services.opportunities.details(opportunity_id)
        if generation is None or generation == self._generation:  # drop answers for rows left behind
            self.pane.show_details(details)
        return details

    async def save_annotations(self, opportunity_id: int, annotations: Annotations) -> OpportunityDetails:
        context = self._context
        details = await context.services.opportunities.update_annotations(opportunity_id, annotations)
        if self.pane.opportunity_id == opportunity_id:
            self.pane.show_details(details)
        context.table_model.patch_rows({opportunity_id}, lambda _row: details.row)  # no re-read of the page
        context.status.show("Notes saved.")
        return details

    def save_notes(self) -> None:
        """Ctrl+S: save what the pane shows, as its own Save button does."""
        self.pane._save()  # the pane has no public save; this is what its button calls
