"""Load generated demo data from the window (File menu, empty state), with progress and Cancel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from catalynx_desktop.ui.controllers.async_signal import AsyncSignal
from catalynx_desktop.workflows.demo.generator import DemoPlan

if TYPE_CHECKING:
    from catalynx_desktop.ui.controllers.context import ControllerContext
    from catalynx_desktop.ui.controllers.long_action import LongAction

SMALL_DEMO = DemoPlan(profiles=5, opportunities=50_000)


class DemoLoader(QObject):
    def __init__(self, context: ControllerContext, long_action: LongAction) -> None:
        super().__init__(context.window)
        self._context = context
        self._long_action = long_action  # the status bar's progress and Cancel
        self.reload_requested = AsyncSignal[[]]()  # the new profiles: the window re-reads its list

    async def load(self, plan: DemoPlan) -> None:
        """Generate `plan` into the database, then show its first profile. A cancelled load
        adds nothing (the loader rolls back), so only the status line changes."""
        context, long_action = self._context, self._long_action
        cancel = long_action.begin("Loading demo data…", plan.opportunities)
        try:
            result = await context.services.load_demo(plan, long_action.set_progress, cancel)
        except InterruptedError:
            context.status.show("Demo load cancelled; nothing was added.")
            return
        finally:
            long_action.end()
        context.profile.id = result.profile_ids[0] if result.profile_ids else None
        await self.reload_requested.emit()
        context.status.show(
            f"Loaded {len(result.profile_ids)} demo profiles and {result.opportunities:,} opportunities."
        )
