"""The history of interactions on an opportunity (date, kind, with whom, note), newest first, with
a form to add one and a button to delete the selected one. It only shows and asks."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop.domain.contacts import Contact, Interaction, InteractionKind, NewInteraction
from catalynx_desktop.ui.widgets.task_list import date_edit, picked_day, selection_table

HEADERS = ("Date", "Kind", "With", "Note")


class InteractionList(QGroupBox):
    add_requested = Signal(object)  # NewInteraction
    delete_requested = Signal(int)  # interaction id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Interactions", parent)
        self.interactions: list[Interaction] = []
        self.table = selection_table(HEADERS)
        self.day = date_edit()
        self.kind = QComboBox()
        for kind in InteractionKind:
            self.kind.addItem(kind.label, kind)
        self.person = QComboBox()
        self.note = QLineEdit()
        self.note.setPlaceholderText("what was said or agreed")
        self.add_button = QPushButton("Add interaction")
        self.delete_button = QPushButton("Delete interaction…")
        self.add_button.clicked.connect(lambda: self.add_requested.emit(self.entered()))
        self.delete_button.clicked.connect(self._delete)
        self.table.itemSelectionChanged.connect(
            lambda: self.delete_button.setEnabled(self.selected_interaction() is not None)
        )
        form = QHBoxLayout()
        form.addWidget(self.day)
        form.addWidget(self.kind)
        form.addWidget(self.person)
        form.addWidget(self.note, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.show_interactions(None, ())

    def show_interactions(
        self,
        interactions: Sequence[Interaction] | None,
        contacts: Sequence[Contact],
        chosen_id: int | None = None,
    ) -> None:
        self.setEnabled(interactions is not None)
        self.interactions = list(interactions or ())
        self.table.setRowCount(len(self.interactions))
        for row, done in enumerate(self.interactions):
            texts = (done.happened_on.isoformat(), done.kind.label, done.contact_name, done.note)
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.person.clear()
        self.person.addItem("— with nobody named —", None)
        for contact in contacts:
            self.person.addItem(contact.name, contact.id)
        # the opportunity's own contact is the usual other side
        self.person.setCurrentIndex(max(self.person.findData(chosen_id), 0) if chosen_id is not None else 0)
        self.note.clear()
        self.delete_button.setEnabled(False)

    def entered(self) -> NewInteraction:
        return NewInteraction(
            picked_day(self.day),
            InteractionKind(self.kind.currentData()),
            self.note.text(),
            self.person.currentData(),
        )

    def selected_interaction(self) -> Interaction | None:
        rows = self.table.selectionModel().selectedRows()
        return self.interactions[rows[0].row()] if rows else None

    def _delete(self) -> None:
        if (interaction := self.selected_interaction()) is not None:
            self.delete_requested.emit(interaction.id)
