"""What the opportunity table shows: one OpportunityQuery built from the search box, the filter
chips, the stage tab and the sort, for the selected profile.

Every way of changing the view ends in `open()`, so the status line ("N opportunities … first rows
in X ms") and the remembered sort are kept in one place. The search box's path to the table is
`search_box` → (pause in typing) → `search_now()` → `open(current())`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QTabBar

from catalynx_desktop.domain.profile import ProfileSummary
from catalynx_desktop.domain.query import OpportunityFilters, OpportunityQuery, SortKey
from catalynx_desktop.domain.stages import PIPELINE, Stage
from catalynx_desktop.ui.dialogs.awaiting import run_dialog
from catalynx_desktop.ui.models.opportunity_table_model import SORT_COLUMN_OF
from catalynx_desktop.ui.models.saved_views import SavedView
from catalynx_desktop.ui.widgets.filter_bar import FilterBar, FilterDialog
from catalynx_desktop.ui.widgets.header_layout import restore_header

if TYPE_CHECKING:
    from catalynx_desktop.ui.controllers.context import ControllerContext

log = logging.getLogger(__name__)

ALL_STAGES_TAB = 0  # tab 0 is "All"; tab i+1 is PIPELINE[i]
SEARCH_PAUSE_MS = 250


class QueryController(QObject):
    first_rows_shown = Signal()  # a query's first rows (or its empty result) are on screen
    stage_counts_shown = Signal()  # the stage tabs show the counts of the open query

    def __init__(self, context: ControllerContext) -> None:
        super().__init__(context.window)
        self._context = context
        settings = context.settings
        self._sort = (
            SortKey(str(settings.value("table/sort", SortKey.SCORE.value))),
            settings.value("table/descending", "true") == "true",
        )

        self.stage_tabs = QTabBar()
        # Whole words and counts, never "Disc…": tabs take their text's width (scroll arrows
        # only when the window is narrower than all of them).
        self.stage_tabs.setElideMode(Qt.TextElideMode.ElideNone)
        self.stage_tabs.setExpanding(False)
        self.stage_tabs.addTab("All")
        # Eleven tabs at the default width: short labels in a slightly smaller font (no style
        # sheet: it would take the tab bar out of the theme's palette), the full name as a tip.
        font = self.stage_tabs.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.stage_tabs.setFont(font)
        for stage in PIPELINE:
            index = self.stage_tabs.addTab(stage.tab_label)
            self.stage_tabs.setTabToolTip(index, stage.label)
        self.stage_tabs.currentChanged.connect(self._stage_tab_changed)  # after addTab: no open per tab

        model = context.table_model
        model.query_opened.connect(self._query_opened)
        model.total_known.connect(self._total_known)
        self._opened_at = 0.0
        self._counted_for: OpportunityQuery | None = None  # the search/filters the tabs count (None: totals)
        model.sort_requested.connect(self.remember_sort)  # a header click reopens sorted; keep it
        context.table.horizontalHeader().setSortIndicator(SORT_COLUMN_OF[self._sort[0]], self._sort_order())

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Search titles, funders, descriptions, cities…  (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        # Wait for a pause in typing before searching; the search itself runs off the UI thread.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_PAUSE_MS)
        self._search_timer.timeout.connect(self.search_now)
        self.search_box.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_box.returnPressed.connect(self.search_now)

        self.filter_bar = FilterBar()
        self.filter_bar.edit_requested.connect(lambda: context.tasks.spawn(self.filter_dialog()))
        self.filter_bar.filters_changed.connect(
            lambda filters: context.tasks.spawn(self.apply_filters(filters))
        )

    # -- the query ----------------------------------------------------------------------------
    def current(self) -> OpportunityQuery:
        """The query the controls describe now, for the selected profile."""
        tab = self.stage_tabs.currentIndex()
        stage = None if tab <= ALL_STAGES_TAB else PIPELINE[tab - 1]
        profile_id = self._context.profile.id
        assert profile_id is not None
        return OpportunityQuery(
            profile_id,
            stage,
            self._sort[0],
            self._sort[1],
            self.search_box.text().strip(),
            self.filter_bar.filters,
        )

    async def open(self, query: OpportunityQuery) -> None:
        """Show `query` in the table (first page as soon as it is read) and say how many match."""
        context, model = self._context, self._context.table_model
        started = time.perf_counter()
        self.remember_sort(query)
        changed = model.query != query
        await model.open(query)
        context.table.horizontalHeader().setSortIndicator(SORT_COLUMN_OF[query.sort], self._sort_order())
        if model.query == query:  # not overtaken by a newer query meanwhile
            if changed:
                # A new sort, filter or search starts at its first rows (the reason to change it),
                # before the view paints: staying at row 600,000 of a new order would read far
                # pages nobody asked for (100 ms each without a position map).
                context.table.scrollToTop()
            self._opened_at = started
            # A broad search or filter shows its first page before every match is counted.
            more = "" if model.total_is_exact else "+"
            counting = "" if model.total_is_exact else "· counting…"
            # Timings are for developers: the log, not the status line.
            log.info("%s: first rows in %.0f ms", query, (time.perf_counter() - started) * 1000)
            context.status.show(f"{model.total:,}{more} opportunities {_matching(query)}{counting}".strip())
            self.first_rows_shown.emit()
            self._refresh_stage_counts(query)

    def _total_known(self, total: int) -> None:
        query = self._context.table_model.query
        if query is not None:
            log.info("%s: counted in %.0f ms", query, (time.perf_counter() - self._opened_at) * 1000)
            self._context.status.show(f"{total:,} opportunities {_matching(query)}".strip())

    async def open_current(self) -> None:
        """Open what the controls describe now (a profile was just made the shown one)."""
        await self.open(self.current())

    async def reopen(self) -> None:
        """Open what the controls describe now, if a profile is selected."""
        if self._context.profile.id is not None:
            await self.open(self.current())

    def _query_opened(self, _total: int) -> None:
        if self._context.table_model.total == 0:
            self._context.status.show("No opportunities in this view.")

    # -- sort (persisted, so the next session opens sorted the same way) -----------------------
    def remember_sort(self, query: OpportunityQuery) -> None:
        self._sort = (query.sort, query.descending)
        settings = self._context.settings
        settings.setValue("table/sort", query.sort.value)
        settings.setValue("table/descending", "true" if query.descending else "false")

    def _sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self._sort[1] else Qt.SortOrder.AscendingOrder

    # -- search box ---------------------------------------------------------------------------
    def stop(self) -> None:
        """The window is closing and its widgets go: a pending search must not fire on them."""
        self._search_timer.stop()
        self._search_timer.timeout.disconnect(self.search_now)

    def search_now(self) -> None:
        """Open the query for the box's text now (Enter, or the pause timer) unless it is open."""
        self._search_timer.stop()
        query = self._context.table_model.query
        if self._context.profile.id is not None and (
            query is None or query.search != self.search_box.text().strip()
        ):
            self._context.tasks.spawn(self.open(self.current()), name="search")

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    # -- stage tabs ---------------------------------------------------------------------------
    def _stage_tab_changed(self, _index: int) -> None:
        if self._context.profile.id is not None:
            self._context.tasks.spawn(self.open(self.current()), name="stage-tab")

    def step_tab(self, step: int) -> None:
        self.stage_tabs.setCurrentIndex((self.stage_tabs.currentIndex() + step) % self.stage_tabs.count())

    def show_stage_counts(self, summary: ProfileSummary) -> None:
        """The profile's totals (after a load or a move); with a search or filters on, the tabs
        count those matches instead, so the counts are re-read for the open query."""
        query = self._context.table_model.query
        if query is not None and query.materialized and query.profile_id == summary.profile.id:
            self._refresh_stage_counts(query)
            return
        self._counted_for = None
        self._set_tab_counts(summary.stage_counts)

    def _set_tab_counts(self, counts: Mapping[Stage, int]) -> None:
        self.stage_tabs.setTabText(0, f"All ({sum(counts.values()):,})")
        for i, stage in enumerate(PIPELINE, start=1):
            count = counts.get(stage, 0)  # an empty stage shows its name only: room for eleven tabs
            self.stage_tabs.setTabText(i, f"{stage.tab_label} ({count:,})" if count else stage.tab_label)

    def _refresh_stage_counts(self, query: OpportunityQuery) -> None:
        """Tab counts for the search and filters of `query` (all stages in one query, read off
        the UI thread after the first rows are on screen); only the newest query's counts land."""
        if query.materialized:
            target: OpportunityQuery | None = query.with_stage(None)
        elif self._counted_for is None:
            return  # the profile's totals are on the tabs already
        else:
            target = None  # back to the profile's totals
        self._counted_for = target
        self._context.tasks.spawn(self._count_stages(query.with_stage(None), target), name="stage-counts")

    async def _count_stages(self, query: OpportunityQuery, target: OpportunityQuery | None) -> None:
        counts = await self._context.services.opportunities.stage_counts(query)
        if self._counted_for == target:
            self._set_tab_counts(counts)
            self.stage_counts_shown.emit()

    # -- filters ------------------------------------------------------------------------------
    async def filter_dialog(self) -> None:
        dialog = FilterDialog(self._context.window, self.filter_bar.filters)
        if await run_dialog(dialog):
            await self.apply_filters(dialog.chosen())

    async def apply_filters(self, filters: OpportunityFilters) -> None:
        self.filter_bar.set_filters(filters)
        await self.reopen()

    # -- saved views --------------------------------------------------------------------------
    async def apply_view(self, view: SavedView) -> None:
        """Set every control from a saved view, then open it once (signals blocked meanwhile,
        so setting the search text or the tab does not open intermediate queries)."""
        self.search_box.blockSignals(True)
        self.search_box.setText(view.search)
        self.search_box.blockSignals(False)
        self.filter_bar.set_filters(view.filters)
        self._sort = (view.sort, view.descending)
        self.stage_tabs.blockSignals(True)
        tab = ALL_STAGES_TAB if view.stage is None else PIPELINE.index(view.stage) + 1
        self.stage_tabs.setCurrentIndex(tab)
        self.stage_tabs.blockSignals(False)
        if view.header_state:  # a layout of an older release is ignored (see header_layout.py)
            restore_header(self._context.table.horizontalHeader(), QByteArray(view.header_state))
        await self.reopen()


def _matching(query: OpportunityQuery) -> str:
    return f"matching “{query.search}” " if query.search else ""
