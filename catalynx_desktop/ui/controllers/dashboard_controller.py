"""The Dashboard dock: the current profile's charts, drawn only while the dock is shown.

The charts (pyqtgraph + numpy, ~0.5 s to import) are built the first time the dock shows, so
start-up does not pay for them.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDockWidget, QLabel

from catalynx_desktop.domain.validation import elide

if TYPE_CHECKING:
    from catalynx_desktop.ui.controllers.context import ControllerContext
    from catalynx_desktop.ui.widgets.dashboard import DashboardPanel


class DashboardController(QObject):
    def __init__(self, context: ControllerContext) -> None:
        super().__init__(context.window)
        self._context = context
        self.panel: DashboardPanel | None = None  # built on first show
        self.dock = QDockWidget("Dashboard", context.window)
        self.dock.setObjectName("dashboard-dock")
        self.dock.setWidget(QLabel("The dashboard draws when you open it."))
        self.dock.visibilityChanged.connect(
            lambda visible: visible and context.tasks.spawn(self.refresh(), name="dashboard")
        )

    async def refresh(self) -> None:
        """Redraw the dashboard for the current profile (only while it is shown)."""
        context = self._context
        profile = context.profile.profile()
        if profile is None or profile.id is None or not self.dock.isVisible():
            return
        if self.panel is None:
            from catalynx_desktop.ui.widgets.dashboard import DashboardPanel  # lazy: see the module docstring

            self.panel = DashboardPanel(context.window)
            self.dock.setWidget(self.panel)
        today = date.today()
        data = await context.services.dashboard.for_profile(profile.id, today)
        if context.profile.id == profile.id:  # the user may have moved on meanwhile
            self.panel.show_data(elide(profile.name, 80), data, today)
