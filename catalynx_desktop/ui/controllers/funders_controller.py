"""The Funders view (a dock with the lazy funders table, search, filters, export and "funders of
organizations like mine") and a funder's page (a dock beside the details), with "Add to pipeline".

Everything is awaited through services.funders; nothing here reads SQLite or files.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableView,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop.domain.funder_views import FunderQuery, GrantQuery, LikeMineFunder, LikeProfile
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.recipients import size_band
from catalynx_desktop.ui.controllers.async_signal import AsyncSignal
from catalynx_desktop.ui.controllers.context import ControllerContext
from catalynx_desktop.ui.models.funder_table_model import FunderTableModel, GrantTableModel, money
from catalynx_desktop.ui.widgets.funder_page import FunderPage, fill_table


def like_profile(profile: Profile) -> LikeProfile:
    codes = tuple(c for c in (profile.ntee_code or "", *profile.target_ntee_codes) if c)
    return LikeProfile(codes, tuple(profile.states), size_band(profile.annual_revenue))


def profile_query(query: FunderQuery, profile: Profile | None) -> FunderQuery:
    """The share columns follow the selected profile: its first state and its NTEE major group."""
    state = profile.states[0] if profile is not None and profile.states else ""
    code = (profile.ntee_code or "") if profile is not None else ""
    return dataclasses.replace(query, profile_state=state, profile_group=code[:1].upper())


class FundersController:
    def __init__(self, context: ControllerContext) -> None:
        self._context = context
        services, tasks = context.services, context.tasks
        self.model = FunderTableModel(services.funders, tasks, context.window)
        self.grants = GrantTableModel(services.funders, tasks, context.window)
        self.opportunities_changed = AsyncSignal[[int]]()
        self.dossier_requested = AsyncSignal[[int]]()  # an opportunity id: write its funder dossier
        self.shown_funder: int | None = None
        self.like_results: list[LikeMineFunder] = []
        self._build_list_dock()
        self.page = FunderPage(self.grants)
        self.like_table = QTableWidget()
        self.like_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.like_table.verticalHeader().hide()
        self.like_table.doubleClicked.connect(self._like_double_clicked)
        self.page.tabs.addTab(self.like_table, "Funders like mine")
        self.page.add_button.clicked.connect(lambda: tasks.spawn(self.add_to_pipeline(), name="add-funder"))
        self.page.grants_view.doubleClicked.connect(self._grant_double_clicked)
        self.page.dossier_button.clicked.connect(
            lambda: tasks.spawn(self.write_dossier(), name="funder-dossier")
        )
        self.page_dock = QDockWidget("Funder", context.window)
        self.page_dock.setObjectName("funder-page-dock")
        self.page_dock.setWidget(self.page)

    def _build_list_dock(self) -> None:
        tasks = self._context.tasks
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search funders (name, city)…")
        self.search.setClearButtonEnabled(True)
        self.state = QLineEdit()
        self.state.setPlaceholderText("State")
        self.state.setMaxLength(2)
        self.state.setFixedWidth(60)
        self.accepting = QCheckBox("Accepts applications")
        self.export_button = QPushButton("Export…")
        self.like_button = QPushButton("Funders of organizations like mine")
        for edit in (self.search, self.state):
            edit.returnPressed.connect(lambda: tasks.spawn(self.show_funders(), name="funders"))
        self.accepting.toggled.connect(lambda _on: tasks.spawn(self.show_funders(), name="funders"))
        self.export_button.clicked.connect(lambda: tasks.spawn(self.export_dialog(), name="export-funders"))
        self.like_button.clicked.connect(lambda: tasks.spawn(self.show_like_mine(), name="like-mine"))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSortIndicator(3, Qt.SortOrder.DescendingOrder)
        self.table.doubleClicked.connect(self._funder_double_clicked)
        self.table.activated.connect(self._funder_double_clicked)
        bar = QHBoxLayout()
        for widget in (self.search, self.state, self.accepting, self.export_button, self.like_button):
            bar.addWidget(widget)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self.dock = QDockWidget("Funders", self._context.window)
        self.dock.setObjectName("funders-dock")
        self.dock.setWidget(body)

    # -- the list --------------------------------------------------------------------------------
    def current_query(self) -> FunderQuery:
        base = self.model.query or FunderQuery()
        query = dataclasses.replace(
            base,
            search=self.search.text().strip(),
            state=self.state.text().strip().upper(),
            accepts_applications=True if self.accepting.isChecked() else None,
        )
        return profile_query(query, self._context.profile.profile())

    async def show_funders(self) -> None:
        """Open (or re-open) the Funders view's query; a bad state code is said, not raised."""
        try:
            await self.model.open(self.current_query())
        except ValueError as error:
            self._context.status.show(f"Funders: {error}")
            return
        self._context.status.show(f"{self.model.total:,} funders with giving data")

    async def profile_changed(self) -> None:
        """The share columns follow the selected profile (only while the view is shown)."""
        await self._update_dossier_button()
        if self.dock.isVisible() and self.model.query is not None:
            await self.show_funders()

    async def show(self) -> None:
        self.dock.show()
        self.dock.raise_()
        await self.show_funders()

    async def export_dialog(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self._context.window, "Export funders", "funders.csv", "CSV (*.csv)"
        )
        if chosen:
            await self.export(Path(chosen))

    async def export(self, path: Path) -> int:
        written = await self._context.services.funders.export_csv(self.current_query(), path)
        self._context.status.show(f"{written:,} funders exported to {path.name}")
        return written

    # -- one funder ------------------------------------------------------------------------------
    def _funder_double_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self._context.tasks.spawn(self.open_funder(row.id), name="funder-page")

    async def open_funder(self, funder_id: int) -> None:
        detail = await self._context.services.funders.detail(funder_id)
        if detail is None:
            self._context.status.show("That funder is no longer in the database.")
            return
        self.shown_funder = funder_id
        self.page.show_detail(detail)
        await self._update_dossier_button()
        self.page_dock.show()
        self.page_dock.raise_()
        await self.grants.open(GrantQuery(funder_id))

    def _grant_double_clicked(self, index: QModelIndex) -> None:
        row = self.grants.row_at(index.row())
        if row is not None and row.matched_org_id is not None:
            self._context.tasks.spawn(self.open_recipient(row.matched_org_id), name="recipient-page")

    async def open_recipient(self, record_id: int) -> bool:
        """A grant's matched recipient opens its own page when it is a funder too."""
        funder_id = await self._context.services.funders.funder_of_record(record_id)
        if funder_id is None:
            self._context.status.show("This recipient files no return with grants of its own.")
            return False
        await self.open_funder(funder_id)
        return True

    async def add_to_pipeline(self) -> None:
        detail, profile = self.page.detail, self._context.profile.profile()
        if detail is None or profile is None or profile.id is None:
            self._context.status.show("Choose a profile first: the funder becomes one of its opportunities.")
            return
        added = await self._context.services.funders.add_to_pipeline(profile.id, detail.funder.ein)
        if added is None:
            return
        verb = "added to" if added.created else "already in"
        self._context.status.show(f"{detail.funder.name} {verb} the pipeline of {profile.name}")
        if added.created:
            await self._update_dossier_button()
            await self.opportunities_changed.emit(profile.id)

    async def _funder_opportunity(self) -> int | None:
        """The shown funder's opportunity in the current profile, if it has one."""
        detail, profile = self.page.detail, self._context.profile.profile()
        if detail is None or profile is None or profile.id is None:
            return None
        return await self._context.services.followup.opportunity_of_funder(profile.id, detail.funder.ein)

    async def _update_dossier_button(self) -> None:
        self.page.dossier_button.setEnabled(await self._funder_opportunity() is not None)

    async def write_dossier(self) -> None:
        """The funder page's dossier: of the current profile's opportunity on this funder."""
        opportunity_id = await self._funder_opportunity()
        if opportunity_id is None:
            self._context.status.show(
                "Add this funder to the pipeline first: a dossier is written for an opportunity."
            )
            return
        await self.dossier_requested.emit(opportunity_id)

    # -- funders of organizations like mine ------------------------------------------------------
    async def show_like_mine(self) -> None:
        profile = self._context.profile.profile()
        if profile is None:
            self._context.status.show("Choose a profile first.")
            return
        self.like_results = await self._context.services.funders.like_mine(like_profile(profile))
        fill_table(
            self.like_table,
            ("Funder", "State", "Grants like yours", "Amount", "Evidence"),
            [
                [
                    r.funder.name,
                    r.funder.state,
                    f"{r.like_grants:,}",
                    money(r.like_amount),
                    "; ".join(f"{g.recipient_name} {money(g.amount)} ({g.tax_year})" for g in r.evidence),
                ]
                for r in self.like_results
            ],
        )
        self.page_dock.show()
        self.page_dock.raise_()
        self.page.tabs.setCurrentWidget(self.like_table)
        self._context.status.show(f"{len(self.like_results)} funders of organizations like {profile.name}")

    def _like_double_clicked(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self.like_results):
            funder_id = self.like_results[index.row()].funder.id
            self._context.tasks.spawn(self.open_funder(funder_id), name="funder-page")
