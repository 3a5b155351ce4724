"""Which profile the window shows, beside the list it is chosen from.

The profile controller changes it; the query, dashboard, workflow and demo controllers read it
from their context instead of asking the profile controller (or the window).
"""

from __future__ import annotations

from catalynx_desktop.domain.profile import Profile, ProfileSummary
from catalynx_desktop.ui.models.profile_list_model import ProfileListModel


class ProfileSelection:
    def __init__(self, model: ProfileListModel) -> None:
        self.model = model  # every profile with its counts (the list on the left shows it)
        self.id: int | None = None  # the profile shown, None before one is chosen

    def summary(self) -> ProfileSummary | None:
        """The shown profile's list row (its counts), as of the last load of the list."""
        return self.model.summary(self.model.row_of(self.id or -1))

    def profile(self) -> Profile | None:
        summary = self.summary()
        return summary.profile if summary else None
