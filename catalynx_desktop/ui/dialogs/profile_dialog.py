"""Create or edit a profile. Validation is the domain's (Profile.validated with the NTEE list);
the dialog only shows its messages.

NTEE fields complete from the 681 codes by any word of their names ("food" offers K31 Food
Banks & Pantries); under each field a line says what the codes mean or what the field is for.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRegularExpression, QStringListModel, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop.domain.places import US_STATES
from catalynx_desktop.domain.profile import Profile, ProfileStatus
from catalynx_desktop.domain.validation import MAX_NAME, elide
from catalynx_desktop.ui.widgets.form_fields import accept_if_valid, error_label, parse_dollars, split_list

HELP = {
    "ntee": "Your own organization's field. Type a word (e.g. 'arts', 'food') and pick a code.",
    "targets": "The fields of the funders' giving you want: a funder that gives to these fields "
    "ranks higher. Several codes, comma-separated.",
    "focus": "Your programs in your own words (e.g. 'after-school tutoring'): matched against "
    "what funders say they fund, and shown in reasons.",
    "keywords": "Words that must appear in a funder's name or an opportunity's text to count as a "
    "hit (e.g. 'literacy, library').",
    "states": "Where you work: two-letter US state or territory codes (VT, NY, PR, DC).",
}


class CodeListCompleter(QCompleter):
    """Completes the last comma-separated entry by any part of 'K31 — Food Banks & Pantries',
    and puts only the code into the field."""

    def __init__(self, entries: list[str], field: QLineEdit) -> None:
        super().__init__(field)
        self._entries = QStringListModel(entries, self)  # parented: Python must not collect it
        self.setModel(self._entries)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setMaxVisibleItems(12)
        self._field = field
        field.setCompleter(self)

    def splitPath(self, path: str) -> list[str]:
        return [path.rsplit(",", 1)[-1].strip()]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        code = str(index.data()).split(" ", 1)[0]
        text = self._field.text()
        head = text.rsplit(",", 1)[0] + ", " if "," in text else ""
        return head + code


def _help(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setEnabled(False)  # drawn in the palette's muted colour
    return label


class ProfileDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None = None,
        profile: Profile | None = None,
        ntee_names: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit profile" if profile and profile.id else "New profile")
        self.setMinimumWidth(680)  # NTEE names and keyword lists fit without scrolling sideways
        self._original = profile
        self._ntee_names = dict(ntee_names or {})
        self.result_profile: Profile | None = None

        self.name = QLineEdit()
        self.name.setMaxLength(MAX_NAME)
        self.ein = QLineEdit()
        self.ein.setPlaceholderText("9 digits, e.g. 12-3456789")
        self.ein.setValidator(QRegularExpressionValidator(QRegularExpression(r"^\d{0,2}-?\d{0,7}$")))
        entries = [f"{code} — {name}" for code, name in sorted(self._ntee_names.items())]
        self.ntee = QLineEdit()
        self.ntee.setPlaceholderText("type a word, e.g. food, and pick a code")
        self.ntee_completer = CodeListCompleter(entries, self.ntee)
        self.target_ntee = QLineEdit()
        self.target_ntee.setPlaceholderText("type a word and pick; several codes, comma-separated")
        self.target_completer = CodeListCompleter(entries, self.target_ntee)
        self.ntee_help = _help(HELP["ntee"])
        self.target_help = _help(HELP["targets"])
        self.focus_areas = QLineEdit()
        self.keywords = QLineEdit()
        self.states = QLineEdit()
        self.states.setPlaceholderText("e.g. VT, NH")
        self.states_completer = CodeListCompleter(
            [f"{code} — {name}" for code, name in sorted(US_STATES.items())], self.states
        )
        self.nationwide = QCheckBox("Nationwide")
        self.min_amount = QLineEdit()
        self.max_amount = QLineEdit()
        self.annual_revenue = QLineEdit()
        self.status = QComboBox()
        for status in ProfileStatus:
            self.status.addItem(status.value.capitalize(), status)
        self.error = error_label()
        self.ntee.textChanged.connect(lambda text: self._name_codes(text, self.ntee_help, HELP["ntee"]))
        self.target_ntee.textChanged.connect(
            lambda text: self._name_codes(text, self.target_help, HELP["targets"])
        )
        self._lay_out()
        if profile is not None:
            self._fill(profile)

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("&Name", self.name)
        form.addRow("&EIN", self.ein)
        form.addRow("Own &NTEE code", self.ntee)
        form.addRow("", self.ntee_help)
        form.addRow("&Target NTEE codes", self.target_ntee)
        form.addRow("", self.target_help)
        form.addRow("&Focus areas", self.focus_areas)
        form.addRow("", _help(HELP["focus"]))
        form.addRow("&Keywords", self.keywords)
        form.addRow("", _help(HELP["keywords"]))
        form.addRow("&States", self.states)
        form.addRow("", _help(HELP["states"]))
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

    def _name_codes(self, text: str, label: QLabel, fallback: str) -> None:
        """Under an NTEE field: the names of the codes typed so far (or the field's help)."""
        named = [
            f"{code.upper()} {self._ntee_names[code.upper()]}"
            for code in split_list(text)
            if code.upper() in self._ntee_names
        ]
        label.setText(elide("; ".join(named), 300) if named else fallback)

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
        ).validated(self._ntee_names or None)

    def accept(self) -> None:
        def validate() -> None:
            self.result_profile = self.profile_from_fields()

        accept_if_valid(self, validate, self.error)
