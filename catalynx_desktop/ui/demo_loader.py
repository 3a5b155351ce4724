"""Load generated demo data from the window (File menu, empty state), with progress and Cancel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from catalynx_desktop.workflows.demo.generator import DemoPlan

if TYPE_CHECKING:
    from catalynx_desktop.ui.main_window import MainWindow

SMALL_DEMO = DemoPlan(profiles=5, opportunities=50_000)


class DemoLoader(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    async def load(self, plan: DemoPlan) -> None:
        """Generate `plan` into the database, then show its first profile. A cancelled load
        adds nothing (the loader rolls back), so only the status line changes."""
        window = self.window
        cancel = window.long_action.begin("Loading demo data…", plan.opportunities)
        try:
            result = await window.services.load_demo(plan, window.long_action.set_progress, cancel)
        except InterruptedError:
            window.status_label.setText("Demo load cancelled; nothing was added.")
            return
        finally:
            window.long_action.end()
        window.profiles.current_id = result.profile_ids[0] if result.profile_ids else None
        await window.reload()
        window.status_label.setText(
            f"Loaded {len(result.profile_ids)} demo profiles and {result.opportunities:,} opportunities."
        )
