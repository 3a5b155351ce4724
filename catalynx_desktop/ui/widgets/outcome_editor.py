"""What came of a proposal, as the user types it: amounts in dollars, dates, the award period.
Empty fields stay "not recorded"; bad input is refused with a reason and nothing is saved."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLineEdit, QPushButton, QWidget

from catalynx_desktop.domain.outcomes import Outcome
from catalynx_desktop.ui.widgets.form_fields import error_label, parse_day, parse_dollars

DATE_HINT = "YYYY-MM-DD"


def _money(amount: int | None) -> str:
    return f"${amount:,}" if amount is not None else ""


def _day(day: date | None) -> str:
    return day.isoformat() if day else ""


def _texts(outcome: Outcome) -> tuple[str, ...]:
    return (
        _money(outcome.amount_requested),
        _money(outcome.amount_awarded),
        _day(outcome.decision_date),
        _day(outcome.award_start),
        _day(outcome.award_end),
    )


class OutcomeEditor(QGroupBox):
    save_requested = Signal(object)  # a validated Outcome

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Outcome", parent)
        self._shown_texts: tuple[str, ...] = ()
        self.requested = QLineEdit()
        self.awarded = QLineEdit()
        for money in (self.requested, self.awarded):
            money.setPlaceholderText("$ (whole dollars)")
        self.decision = QLineEdit()
        self.award_start = QLineEdit()
        self.award_end = QLineEdit()
        for day in (self.decision, self.award_start, self.award_end):
            day.setPlaceholderText(DATE_HINT)
        self.problem = error_label()
        self.save_button = QPushButton("Save outcome")
        self.save_button.clicked.connect(self.save)
        form = QFormLayout(self)
        form.addRow("Amount requested", self.requested)
        form.addRow("Amount awarded", self.awarded)
        form.addRow("Decision date", self.decision)
        form.addRow("Award period starts", self.award_start)
        form.addRow("Award period ends", self.award_end)
        form.addRow(self.problem)
        form.addRow(self.save_button)
        self.show_outcome(None)

    def show_outcome(self, outcome: Outcome | None) -> None:
        """The stored outcome (None: no opportunity, nothing to edit)."""
        self.setEnabled(outcome is not None)
        shown = outcome or Outcome()
        for field, text in zip(self._fields(), _texts(shown), strict=True):
            field.setText(text)
        self._shown_texts = _texts(shown)
        self.problem.setText("")

    def _fields(self) -> tuple[QLineEdit, ...]:
        return (self.requested, self.awarded, self.decision, self.award_start, self.award_end)

    def is_edited(self) -> bool:
        """True while the fields differ from the outcome last shown (unsaved typing)."""
        return tuple(f.text() for f in self._fields()) != self._shown_texts

    def outcome(self) -> Outcome:
        """What the fields say, or ValueError naming the field to fix."""
        return Outcome(
            amount_requested=parse_dollars(self.requested.text(), "Amount requested"),
            amount_awarded=parse_dollars(self.awarded.text(), "Amount awarded"),
            decision_date=parse_day(self.decision.text(), "Decision date"),
            award_start=parse_day(self.award_start.text(), "Award period start"),
            award_end=parse_day(self.award_end.text(), "Award period end"),
        ).validated()

    def save(self) -> None:
        """Save button and Ctrl+S: emit the outcome, or say what is wrong with it."""
        if not self.isEnabled():
            return
        try:
            outcome = self.outcome()
        except ValueError as error:
            self.problem.setText(str(error))
            return
        self.problem.setText("")
        self.save_requested.emit(outcome)
