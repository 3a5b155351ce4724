"""Moving the selected opportunities to a pipeline stage, and undoing the last move.

After a move only what it changed is refreshed: one profile's counts, and the moved rows (patched
in place when the view's membership and order cannot have changed, else the open query re-read).
"""

from __future__ import annotations

import getpass
from collections.abc import Collection
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from catalynx_desktop.domain.query import SortKey
from catalynx_desktop.domain.stage_move import StageMove
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.ui.controllers.async_signal import AsyncSignal
from catalynx_desktop.ui.dialogs.awaiting import run_dialog
from catalynx_desktop.ui.dialogs.stage_move_dialog import StageMoveDialog
from catalynx_desktop.ui.widgets.opportunity_table_view import (
    refresh_keeping_scroll,
    selected_opportunity_ids,
)

if TYPE_CHECKING:
    from catalynx_desktop.ui.controllers.context import ControllerContext


class StageMoveController(QObject):
    undo_available = Signal(bool)  # drives the Undo action's enabled state

    def __init__(self, context: ControllerContext) -> None:
        super().__init__(context.window)
        self._context = context
        self._last_move: StageMove | None = None  # one level of undo
        # These profiles' counts changed; awaited, so a move is done once the counts are re-read.
        self.counts_changed = AsyncSignal[[Collection[int]]]()

    async def move_selection_dialog(self, stage: Stage | None = None) -> None:
        """Ask for the stage (preset by Ctrl+1…) and a reason, then move the selected rows."""
        context = self._context
        ids = selected_opportunity_ids(context.table)
        if not ids:
            context.status.show("Select one or more opportunities first.")
            return
        dialog = StageMoveDialog(context.window, len(ids), stage)
        if await run_dialog(dialog):
            to_stage, reason = dialog.chosen()
            await self.move(ids, to_stage, reason)

    async def move(self, ids: list[int], stage: Stage, reason: str = "") -> StageMove:
        move = await self._context.services.opportunities.move_stage(
            ids, stage, reason, moved_by=_user_name()
        )
        await self._show_move(move)
        self._last_move = move if move.moved else self._last_move  # a no-op move keeps the older undo
        self.undo_available.emit(self._last_move is not None)
        self._context.status.show(f"Moved {len(move.moved):,} to {stage.label}. Ctrl+Z undoes it.")
        return move

    async def undo(self) -> StageMove | None:
        context = self._context
        move, self._last_move = self._last_move, None
        self.undo_available.emit(False)
        if move is None:
            context.status.show("Nothing to undo.")
            return None
        undone = await context.services.opportunities.undo_stage_move(move, moved_by=_user_name())
        await self.counts_changed.emit(undone.profile_ids)
        await refresh_keeping_scroll(context.table, context.table_model)
        context.status.show(f"Undid the move of {len(undone.moved):,} to {move.to_stage.label}.")
        return undone

    async def _show_move(self, move: StageMove) -> None:
        """Refresh only what the move changed: the moved rows, and one profile's counts."""
        context = self._context
        await self.counts_changed.emit(move.profile_ids)
        query = context.table_model.query
        if query is None or not move.moved:
            return
        if query.stage is None and query.sort is not SortKey.STAGE:
            # Membership and order are unchanged: patch the loaded rows in place, no read at all.
            moved_ids = {opportunity_id for opportunity_id, _from in move.moved}
            stage = move.to_stage.value
            context.table_model.patch_rows(moved_ids, lambda row: row._replace(stage=stage))
        else:
            await refresh_keeping_scroll(context.table, context.table_model)


def _user_name() -> str:
    """Recorded in the stage history as who moved it."""
    try:
        return getpass.getuser()
    except Exception:
        return ""
