"""A short scrolling list of named choices with check boxes: the user picks words, the caller gets codes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

_CODE_ROLE = int(Qt.ItemDataRole.UserRole) + 1


class ChoiceList(QListWidget):
    """One checkable row per (code, name); `codes()` is what is checked, in the order it was checked
    (a filter chip then reads as the user built it)."""

    def __init__(
        self, choices: Mapping[str, str], visible_rows: int = 5, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._checked: list[str] = []
        for code, name in choices.items():
            item = QListWidgetItem(name)
            item.setData(_CODE_ROLE, code)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.addItem(item)
        self.setMaximumHeight(self.sizeHintForRow(0) * visible_rows + 2 * self.frameWidth() + 4)
        self.itemClicked.connect(self._toggle)  # a click anywhere on the row, not only the box
        self.itemChanged.connect(self._changed)

    def _toggle(self, item: QListWidgetItem) -> None:
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def _changed(self, item: QListWidgetItem) -> None:
        code = str(item.data(_CODE_ROLE))
        if code in self._checked:
            self._checked.remove(code)
        if item.checkState() == Qt.CheckState.Checked:
            self._checked.append(code)

    def _items(self) -> list[QListWidgetItem]:
        return [self.item(row) for row in range(self.count())]

    def codes(self) -> tuple[str, ...]:
        return tuple(self._checked)

    def set_codes(self, codes: Iterable[str]) -> None:
        """Check exactly these codes (case-insensitive), in their order; unknown codes are ignored."""
        by_code = {str(i.data(_CODE_ROLE)).lower(): i for i in self._items()}
        for item in self._items():
            item.setCheckState(Qt.CheckState.Unchecked)
        for code in codes:
            wanted = by_code.get(code.strip().lower())
            if wanted is not None:
                wanted.setCheckState(Qt.CheckState.Checked)

    def names(self) -> list[str]:
        return [i.text() for i in self._items()]

    # A line edit's API, so code that sets a filter from text ("vt, nh") keeps working.
    def setText(self, text: str) -> None:
        self.set_codes(p for p in text.replace(";", ",").split(",") if p.strip())

    def text(self) -> str:
        return ", ".join(self.codes())
