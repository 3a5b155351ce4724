"""Filters for the opportunity table: a dialog to set them and a bar of removable chips."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop.domain.details import Priority
from catalynx_desktop.domain.labels import source_name
from catalynx_desktop.domain.ntee import MAJOR_GROUPS
from catalynx_desktop.domain.places import RECORD_STATES
from catalynx_desktop.domain.query import OpportunityFilters
from catalynx_desktop.domain.records import Source
from catalynx_desktop.ui.widgets.choice_list import ChoiceList
from catalynx_desktop.ui.widgets.form_fields import accept_if_valid, error_label, parse_dollars


class FilterDialog(QDialog):
    def __init__(self, parent: QWidget | None, filters: OpportunityFilters) -> None:
        super().__init__(parent)
        self.setWindowTitle("Filter opportunities")
        self.min_amount = QLineEdit("" if filters.min_amount is None else str(filters.min_amount))
        self.max_amount = QLineEdit("" if filters.max_amount is None else str(filters.max_amount))
        self.closes = QSpinBox()
        self.closes.setRange(0, 3650)
        self.closes.setSpecialValueText("any time")  # 0 = no deadline filter
        self.closes.setSuffix(" days")
        self.closes.setValue(filters.closes_within_days or 0)
        self.min_score = QDoubleSpinBox()
        self.max_score = QDoubleSpinBox()
        for spin, value, default in (
            (self.min_score, filters.min_score, 0.0),
            (self.max_score, filters.max_score, 1.0),
        ):
            spin.setRange(0.0, 1.0)
            spin.setSingleStep(0.05)
            spin.setValue(default if value is None else value)
        # Choices by name; the filters keep the codes the records store.
        self.states = ChoiceList({code: f"{name} ({code})" for code, name in RECORD_STATES.items()})
        self.states.set_codes(filters.states)
        self.sources = ChoiceList({s.value: source_name(s.value) for s in Source}, visible_rows=4)
        self.sources.set_codes(filters.sources)
        self.ntee = ChoiceList(MAJOR_GROUPS)
        self.ntee.set_codes(filters.ntee_groups)
        self.priorities = {p: QCheckBox(p.value.capitalize() or "None") for p in Priority}
        for priority, box in self.priorities.items():
            box.setChecked(priority.value in filters.priorities)
        self.tag = QLineEdit(filters.tag)
        priority_row = QHBoxLayout()
        for box in self.priorities.values():
            priority_row.addWidget(box)
        form = QFormLayout()
        form.addRow("Amount from ($)", self.min_amount)
        form.addRow("Amount up to ($)", self.max_amount)
        form.addRow("Closes within", self.closes)
        form.addRow("Score from", self.min_score)
        form.addRow("Score up to", self.max_score)
        form.addRow("States", self.states)
        form.addRow("Sources", self.sources)
        form.addRow("Field (NTEE)", self.ntee)
        form.addRow("Priority", priority_row)
        form.addRow("Tag", self.tag)
        self.problem = error_label()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Reset
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Reset).clicked.connect(self._reset)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _reset(self) -> None:
        for line in (self.min_amount, self.max_amount, self.tag):
            line.setText("")
        for choices in (self.states, self.sources, self.ntee):
            choices.set_codes(())
        self.closes.setValue(0)
        self.min_score.setValue(0.0)
        self.max_score.setValue(1.0)
        for box in self.priorities.values():
            box.setChecked(False)

    def chosen(self) -> OpportunityFilters:
        """The filters the fields describe; ValueError naming the field that is wrong."""
        low, high = (
            parse_dollars(self.min_amount.text(), "Amount from"),
            parse_dollars(self.max_amount.text(), "Amount up to"),
        )
        if low is not None and high is not None and low > high:
            raise ValueError("Amount from is larger than Amount up to")
        if self.min_score.value() > self.max_score.value():
            raise ValueError("Score from is larger than Score up to")
        states = self.states.codes()
        groups = self.ntee.codes()
        return OpportunityFilters(
            min_amount=low,
            max_amount=high,
            closes_within_days=self.closes.value() or None,
            min_score=self.min_score.value() or None,
            max_score=None if self.max_score.value() >= 1.0 else self.max_score.value(),
            states=states,
            sources=self.sources.codes(),
            ntee_groups=groups,
            priorities=tuple(p.value for p, box in self.priorities.items() if box.isChecked()),
            tag=self.tag.text().strip().lower(),
        )

    def accept(self) -> None:
        accept_if_valid(self, self.chosen, self.problem)


class FilterBar(QWidget):
    """'Filters…' and one chip per active filter; clicking a chip's × removes that filter."""

    edit_requested = Signal()
    filters_changed = Signal(object)  # OpportunityFilters

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filters = OpportunityFilters()
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.edit_button = QPushButton("Filters…")
        self.edit_button.clicked.connect(self.edit_requested.emit)
        self._layout.addWidget(self.edit_button)
        self._chips: list[QPushButton] = []
        self._layout.addStretch(1)

    def set_filters(self, filters: OpportunityFilters) -> None:
        self.filters = filters
        for chip in self._chips:
            self._layout.removeWidget(chip)
            chip.deleteLater()
        self._chips = []
        for field, label in filters.chips():
            chip = QPushButton(f"{label}  ×")
            chip.setToolTip("Remove this filter")
            chip.setFlat(True)
            chip.setStyleSheet(
                "QPushButton { border: 1px solid palette(mid); border-radius: 9px; padding: 2px 8px; }"
            )
            chip.clicked.connect(
                lambda _checked=False, f=field: self.filters_changed.emit(self.filters.without(f))
            )
            self._layout.insertWidget(self._layout.count() - 1, chip)
            self._chips.append(chip)
        if len(self._chips) > 1:
            clear = QPushButton("Clear all")
            clear.setFlat(True)
            clear.clicked.connect(lambda: self.filters_changed.emit(OpportunityFilters()))
            self._layout.insertWidget(self._layout.count() - 1, clear)
            self._chips.append(clear)

    @property
    def chip_labels(self) -> list[str]:
        return [chip.text() for chip in self._chips]
