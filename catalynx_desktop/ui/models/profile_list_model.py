"""The profile list: one row per profile with its opportunity count and per-stage counts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from catalynx_desktop.domain.profile import Profile, ProfileSummary
from catalynx_desktop.domain.stages import PIPELINE, Stage
from catalynx_desktop.domain.validation import elide

Index = QModelIndex | QPersistentModelIndex
PROFILE_ID_ROLE = Qt.ItemDataRole.UserRole + 1

HEADERS = ("Profile", "Total", *(stage.label for stage in PIPELINE))


class ProfileListModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._summaries: list[ProfileSummary] = []

    def set_summaries(self, summaries: list[ProfileSummary]) -> None:
        self.beginResetModel()
        self._summaries = list(summaries)
        self.endResetModel()

    def update_counts(self, profile_id: int, counts: dict[Stage, int]) -> None:
        """Refresh one profile's counts in place (after a stage move) without a reset."""
        for row, summary in enumerate(self._summaries):
            if summary.profile.id == profile_id:
                self._summaries[row] = ProfileSummary(summary.profile, dict(counts))
                self.dataChanged.emit(self.index(row, 1), self.index(row, len(HEADERS) - 1))
                return

    def summary(self, row: int) -> ProfileSummary | None:
        return self._summaries[row] if 0 <= row < len(self._summaries) else None

    def row_of(self, profile_id: int) -> int:
        for row, summary in enumerate(self._summaries):
            if summary.profile.id == profile_id:
                return row
        return -1

    def profiles(self) -> list[Profile]:
        return [s.profile for s in self._summaries]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._summaries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        summary = self.summary(index.row()) if index.isValid() else None
        if summary is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:  # elided: a huge stored name must not reach the text layout whole
                return elide(summary.profile.name)
            if column == 1:
                return f"{summary.total:,}"
            return f"{summary.stage_counts.get(PIPELINE[column - 2], 0):,}"
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            p = summary.profile
            scope = "nationwide" if p.nationwide else ", ".join(p.states) or "no states"
            return f"{elide(p.name, 300)}\nEIN {p.ein or '—'} · NTEE {p.ntee_code or '—'} · {scope} · {p.status.value}"
        if role == PROFILE_ID_ROLE:
            return summary.profile.id
        return None
