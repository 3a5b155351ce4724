"""The Dashboard dock: the current profile's charts, drawn only while the dock is shown.

The charts (pyqtgraph + numpy, ~0.5 s to import) are built the first time the dock shows, so
start-up does not pay for them.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDockWidget, QLabel

if TYPE_CHECKING:
    from catalynx_desktop.ui.dashboard import DashboardPanel
    from catalynx_desktop.ui.main_window import MainWindow


class DashboardController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.panel: DashboardPanel | None = None  # built on first show
        self.dock = QDockWidget("Dashboard", window)
        self.dock.setObjectName("dashboard-dock")
        self.dock.setWidget(QLabel("The dashboard draws when you open it."))
        self.dock.visibilityChanged.connect(
            lambda visible: visible and window.tasks.spawn(self.refresh(), name="dashboard")
        )

    async def refresh(self) -> None:
        """Redraw the dashboard for the current profile (only while it is shown)."""
        window = self.window
        profile = window.profiles.selected()
        if profile is None or profile.id is None or not self.dock.isVisible():
            return
        if self.panel is None:
            from catalynx_desktop.ui.dashboard import DashboardPanel  # lazy: see the module docstring

            self.panel = DashboardPanel(window)
            self.dock.setWidget(self.panel)
        today = date.today()
        data = await window.services.dashboard.for_profile(profile.id, today)
        if window.profiles.current_id == profile.id:  # the user may have moved on meanwhile
            self.panel.show_data(profile.name, data, today)
