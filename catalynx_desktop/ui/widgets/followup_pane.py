"""The Details dock's Follow-up tab: the outcome, tasks, the funder's contacts and the
interactions of the current opportunity, and the button that writes its funder dossier."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from catalynx_desktop.domain.followup import Followup
from catalynx_desktop.ui.widgets.contacts_panel import ContactsPanel
from catalynx_desktop.ui.widgets.interaction_list import InteractionList
from catalynx_desktop.ui.widgets.outcome_editor import OutcomeEditor
from catalynx_desktop.ui.widgets.scrolled import fill_with_scrolling
from catalynx_desktop.ui.widgets.task_list import TaskList

NOTHING_CHOSEN = "Select an opportunity to follow it up."


class FollowupPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.opportunity_id: int | None = None
        self.heading = QLabel(NOTHING_CHOSEN)
        self.heading.setWordWrap(True)
        self.dossier_button = QPushButton("Write funder dossier…")
        self.outcome = OutcomeEditor()
        self.tasks = TaskList()
        self.contacts = ContactsPanel()
        self.interactions = InteractionList()
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.heading)
        layout.addWidget(self.dossier_button)
        for part in (self.outcome, self.tasks, self.contacts, self.interactions):
            layout.addWidget(part)
        layout.addStretch()
        fill_with_scrolling(self, content)
        self.show_followup(None)

    def show_followup(self, followup: Followup | None) -> None:
        # Shown again after a task or contact was saved: unsaved typing in the outcome stays.
        keep_outcome = (
            followup is not None
            and followup.opportunity_id == self.opportunity_id
            and self.outcome.is_edited()
        )
        self.opportunity_id = followup.opportunity_id if followup is not None else None
        self.dossier_button.setEnabled(followup is not None)
        if followup is None:
            self.heading.setText(NOTHING_CHOSEN)
            self.outcome.show_outcome(None)
            self.tasks.show_tasks(None)
            self.contacts.show_contacts(None, None)
            self.contacts.show_officers(None)
            self.interactions.show_interactions(None, ())
            return
        open_tasks = sum(not task.done for task in followup.tasks)
        self.heading.setText(
            f"{open_tasks} open task{'s' if open_tasks != 1 else ''} · "
            f"{len(followup.contacts)} contact{'s' if len(followup.contacts) != 1 else ''} at the funder · "
            f"{len(followup.interactions)} interaction{'s' if len(followup.interactions) != 1 else ''}"
        )
        if not keep_outcome:
            self.outcome.show_outcome(followup.outcome)
        self.tasks.show_tasks(followup.tasks)
        self.contacts.show_contacts(followup.contacts, followup.contact_id)
        self.contacts.show_officers(followup.officers)
        self.interactions.show_interactions(followup.interactions, followup.contacts, followup.contact_id)
