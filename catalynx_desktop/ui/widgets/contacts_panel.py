"""The funder's people (990 officers and the user's own): a table, a form to add or change one,
and which of them is our contact for this opportunity. It only shows and asks; the controller writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop.domain.contacts import Contact, NewContact
from catalynx_desktop.domain.followup import OfficerOffer
from catalynx_desktop.ui.widgets.form_fields import error_label
from catalynx_desktop.ui.widgets.task_list import selection_table

HEADERS = ("Name", "Role", "Email", "Phone", "Notes", "From")
NO_CONTACT = "— nobody chosen —"


class ContactsPanel(QGroupBox):
    add_requested = Signal(object)  # NewContact without the funder (the opportunity's funder is used)
    update_requested = Signal(int, object)  # contact id, NewContact (the contact's funder kept)
    delete_requested = Signal(int)  # contact id
    contact_chosen = Signal(object)  # contact id, or None for nobody
    officers_requested = Signal()  # copy the people the funder's latest 990 names

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Contacts at the funder", parent)
        self.contacts: list[Contact] = []
        self.ours = QComboBox()
        self.ours.activated.connect(lambda _index: self.contact_chosen.emit(self.ours.currentData()))
        self.table = selection_table(HEADERS)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.name = QLineEdit()
        self.role = QLineEdit()
        self.email = QLineEdit()
        self.phone = QLineEdit()
        self.notes = QLineEdit()
        self.problem = error_label()
        self.add_button = QPushButton("Add contact")
        self.update_button = QPushButton("Save changes")
        self.delete_button = QPushButton("Delete contact…")
        self.add_button.clicked.connect(self._add)
        self.update_button.clicked.connect(self._update)
        self.delete_button.clicked.connect(self._delete)
        self.officers: OfficerOffer | None = None
        self.officers_button = QPushButton()
        self.officers_button.clicked.connect(self.officers_requested.emit)
        form = QFormLayout()
        for label, field in (
            ("Name", self.name),
            ("Role", self.role),
            ("Email", self.email),
            ("Phone", self.phone),
            ("Notes", self.notes),
        ):
            form.addRow(label, field)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.update_button, self.delete_button):
            buttons.addWidget(button)
        ours = QFormLayout()
        ours.addRow("Our contact for this opportunity", self.ours)
        layout = QVBoxLayout(self)
        layout.addLayout(ours)
        layout.addWidget(self.officers_button)
        layout.addWidget(self.table)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self.show_contacts(None, None)
        self.show_officers(None)

    def show_officers(self, offer: OfficerOffer | None) -> None:
        """The button that copies the people of the funder's latest 990, when it names anyone;
        greyed out once they are all contacts."""
        self.officers = offer
        self.officers_button.setVisible(offer is not None)
        if offer is not None:
            self.officers_button.setText(offer.button_text())
            self.officers_button.setToolTip(offer.tooltip())
            self.officers_button.setEnabled(offer.new > 0)

    def show_contacts(self, contacts: Sequence[Contact] | None, chosen_id: int | None) -> None:
        self.setEnabled(contacts is not None)
        self.contacts = list(contacts or ())
        self.table.setRowCount(len(self.contacts))
        for row, contact in enumerate(self.contacts):
            texts = (
                contact.name,
                contact.role,
                contact.email,
                contact.phone,
                contact.notes,
                contact.origin.label,
            )
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.ours.clear()
        self.ours.addItem(NO_CONTACT, None)
        for contact in self.contacts:
            self.ours.addItem(
                f"{contact.name} ({contact.role})" if contact.role else contact.name, contact.id
            )
        self.ours.setCurrentIndex(max(self.ours.findData(chosen_id), 0) if chosen_id is not None else 0)
        self.table.clearSelection()
        self._show_in_form(None)
        self.problem.setText("")

    def selected_contact(self) -> Contact | None:
        rows = self.table.selectionModel().selectedRows()
        return self.contacts[rows[0].row()] if rows else None

    def select_contact(self, contact_id: int) -> None:
        for row, contact in enumerate(self.contacts):
            if contact.id == contact_id:
                self.table.selectRow(row)

    def entered(self) -> NewContact:
        """What the form says, unchecked: storage fills in the funder and validates (one rule, in
        the domain); a refusal comes back through show_problem()."""
        return NewContact(
            name=self.name.text(),
            role=self.role.text(),
            email=self.email.text(),
            phone=self.phone.text(),
            notes=self.notes.text(),
        )

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)

    def _show_in_form(self, contact: Contact | None) -> None:
        for field, text in (
            (self.name, contact.name if contact else ""),
            (self.role, contact.role if contact else ""),
            (self.email, contact.email if contact else ""),
            (self.phone, contact.phone if contact else ""),
            (self.notes, contact.notes if contact else ""),
        ):
            field.setText(text)
        self.update_button.setEnabled(contact is not None)
        self.delete_button.setEnabled(contact is not None)

    def _selection_changed(self) -> None:
        self._show_in_form(self.selected_contact())

    def _add(self) -> None:
        self.problem.setText("")
        self.add_requested.emit(self.entered())

    def _update(self) -> None:
        if (contact := self.selected_contact()) is not None:
            self.problem.setText("")
            kept = replace(
                self.entered(), funder_ein=contact.funder_ein, source_record_id=contact.source_record_id
            )
            self.update_requested.emit(contact.id, kept)

    def _delete(self) -> None:
        if (contact := self.selected_contact()) is not None:
            self.delete_requested.emit(contact.id)
