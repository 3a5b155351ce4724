"""Create or edit a profile. Validation is the domain's (Profile.validated); errors show inline."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop.domain.profile import Profile, ProfileStatus
from catalynx_desktop.ui.widgets.form_fields import accept_if_valid, error_label, parse_dollars, split_list


class ProfileDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, profile: Profile | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit profile" if profile and profile.id else "New profile")
        self._original = profile
        self.result_profile: Profile | None = None

        self.name = QLineEdit()
        self.ein = QLineEdit()
        self.ein.setPlaceholderText("9 digits, e.g. 12-3456789")
        self.ein.setValidator(QRegularExpressionValidator(QRegularExpression(r"^\d{0,2}-?\d{0,7}$")))
        self.ntee = QLineEdit()
        self.ntee.setPlaceholderText("e.g. E32")
        self.target_ntee = QLineEdit()
        self.target_ntee.setPlaceholderText("comma-separated, e.g. E32, E40")
        self.focus_areas = QLineEdit()
        self.keywords = QLineEdit()
        self.states = QLineEdit()
        self.states.setPlaceholderText("two-letter codes, e.g. VT, NH")
        self.nationwide = QCheckBox("Nationwide")
        self.min_amount = QLineEdit()
        self.max_amount = QLineEdit()
        self.annual_revenue = QLineEdit()
        self.status = QComboBox()
        for status in ProfileStatus:
            self.status.addItem(status.value.capitalize(), status)
        self.error = error_label()

        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("&EIN", self.ein)
        form.addRow("Own NTEE code", self.ntee)
        form.addRow("Target NTEE codes", self.target_ntee)
        form.addRow("Focus areas", self.focus_areas)
        form.addRow("Keywords", self.keywords)
        form.addRow("States", self.states)
        form.addRow("", self.nationwide)
        form.addRow("Min amount ($)", self.min_amount)
        form.addRow("Max amount ($)", self.max_amount)
        form.addRow("Annual revenue ($)", self.annual_revenue)
        form.addRow("Status", self.status)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        if profile is not None:
            self._fill(profile)

    def _fill(self, p: Profile) -> None:
        self.name.setText(p.name)
        self.ein.setText(p.ein or "")
        self.ntee.setText(p.ntee_code or "")
        self.target_ntee.setText(", ".join(p.target_ntee_codes))
        self.focus_areas.setText(", ".join(p.focus_areas))
        self.keywords.setText(", ".join(p.keywords))
        self.states.setText(", ".join(p.states))
        self.nationwide.setChecked(p.nationwide)
        self.min_amount.setText("" if p.min_amount is None else str(p.min_amount))
        self.max_amount.setText("" if p.max_amount is None else str(p.max_amount))
        self.annual_revenue.setText("" if p.annual_revenue is None else str(p.annual_revenue))
        self.status.setCurrentIndex(max(self.status.findData(p.status), 0))

    def profile_from_fields(self) -> Profile:
        """The profile the fields describe, validated; raises ValueError naming the bad field."""
        return Profile(
            id=self._original.id if self._original else None,
            name=self.name.text(),
            ein=self.ein.text().strip() or None,
            ntee_code=self.ntee.text().strip() or None,
            target_ntee_codes=split_list(self.target_ntee.text()),
            focus_areas=split_list(self.focus_areas.text()),
            keywords=split_list(self.keywords.text()),
            states=split_list(self.states.text()),
            nationwide=self.nationwide.isChecked(),
            min_amount=parse_dollars(self.min_amount.text(), "Min amount"),
            max_amount=parse_dollars(self.max_amount.text(), "Max amount"),
            annual_revenue=parse_dollars(self.annual_revenue.text(), "Annual revenue"),
            status=self.status.currentData(),
        ).validated()

    def accept(self) -> None:
        def validate() -> None:
            self.result_profile = self.profile_from_fields()

        accept_if_valid(self, validate, self.error)
