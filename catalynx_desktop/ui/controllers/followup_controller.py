"""The Details dock's Follow-up tab: follows the table's current row, saves the outcome, tasks,
contacts and interactions the user edits, and writes the funder dossier.

One awaited service call loads the whole tab (services.followup.load); every edit is one write
followed by that one read, so the tab always shows what is stored. Answers for a row the user
already left are dropped (a generation token, as in details_controller)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QModelIndex, QObject, Signal
from PySide6.QtWidgets import QFileDialog

from catalynx_desktop.domain.contacts import NewContact, NewInteraction
from catalynx_desktop.domain.followup import Followup
from catalynx_desktop.domain.outcomes import Outcome
from catalynx_desktop.domain.tasks import NewTask
from catalynx_desktop.ui.dialogs.awaiting import confirm, run_dialog
from catalynx_desktop.ui.models.opportunity_table_model import ID_ROLE
from catalynx_desktop.ui.reports.dossier_pdf import write_dossier_pdf
from catalynx_desktop.ui.widgets.followup_pane import FollowupPane
from catalynx_desktop.workflows.engine import RunResult
from catalynx_desktop.workflows.importing.workflow import IMPORT_STEP

if TYPE_CHECKING:
    from catalynx_desktop.services.followup import WrittenDossier
    from catalynx_desktop.ui.controllers.context import ControllerContext

T = TypeVar("T")
GONE = "That is no longer in the database (it was deleted meanwhile)."
LAST_DOSSIER_DIR = "dossier/last_dir"


class FollowupController(QObject):
    changed = Signal(int)  # an opportunity whose tasks, outcome or contacts were written

    def __init__(self, context: ControllerContext) -> None:
        super().__init__(context.window)
        self._context = context
        self._generation = 0  # bumped on every row change: slow answers for a left row are dropped
        self.opportunity_id: int | None = None  # the table's current opportunity
        self.pane = FollowupPane()
        self._connect_pane()
        context.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        context.table_model.modelReset.connect(self._cleared)

    def _connect_pane(self) -> None:
        pane, spawn = self.pane, self._context.tasks.spawn
        pane.outcome.save_requested.connect(lambda outcome: spawn(self.save_outcome(outcome)))
        pane.tasks.add_requested.connect(lambda new: spawn(self.add_task(new)))
        pane.tasks.update_requested.connect(lambda task_id, new: spawn(self.update_task(task_id, new)))
        pane.tasks.done_toggled.connect(lambda task_id, done: spawn(self.set_task_done(task_id, done)))
        pane.tasks.delete_requested.connect(lambda task_id: spawn(self.delete_task(task_id)))
        pane.contacts.add_requested.connect(lambda new: spawn(self.add_contact(new)))
        pane.contacts.update_requested.connect(lambda cid, new: spawn(self.update_contact(cid, new)))
        pane.contacts.delete_requested.connect(lambda cid: spawn(self.delete_contact(cid)))
        pane.contacts.contact_chosen.connect(lambda cid: spawn(self.set_contact(cid)))
        pane.contacts.officers_requested.connect(lambda: spawn(self.add_officers()))
        pane.interactions.add_requested.connect(lambda new: spawn(self.add_interaction(new)))
        pane.interactions.delete_requested.connect(lambda iid: spawn(self.delete_interaction(iid)))
        pane.dossier_button.clicked.connect(lambda: spawn(self.write_dossier_dialog()))

    # -- following the table --------------------------------------------------------------
    def _cleared(self) -> None:
        self._generation += 1
        self.opportunity_id = None
        self.pane.show_followup(None)

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        opportunity_id = current.data(ID_ROLE) if current.isValid() else None
        if opportunity_id is None:
            self._cleared()
            return
        self._generation += 1
        self.opportunity_id = opportunity_id
        self._context.tasks.spawn(self.show_opportunity(opportunity_id, self._generation), name="followup")

    async def show_opportunity(self, opportunity_id: int, generation: int | None = None) -> Followup | None:
        """Load the tab for `opportunity_id` (one call); None if it is gone."""
        if generation is None:  # a direct call (tests, after a write): this is now the current one
            self._generation += 1
            generation = self._generation
            self.opportunity_id = opportunity_id
        followup = await self._context.services.followup.load(opportunity_id)
        if generation == self._generation:  # drop answers for rows left behind
            self.pane.show_followup(followup)
        return followup

    async def run_finished(self, result: RunResult, _parameters: Mapping[str, Any]) -> None:
        """An import may have given the shown opportunity a 990-PF deadline task, or its funder
        people to offer as contacts: show the tab as stored."""
        if IMPORT_STEP in result.steps and self.opportunity_id is not None:
            await self.show_opportunity(self.opportunity_id)

    async def _written(self, write: Awaitable[T], done: str | Callable[[T], str]) -> T | None:
        """Await one write for the shown opportunity, show the tab as stored, then say `done`
        (or what `done` makes of the result). A vanished opportunity or task is said on the
        status line, not raised."""
        opportunity_id = self.pane.opportunity_id
        result: T | None = None
        try:
            written = await write
            result, said = written, done if isinstance(done, str) else done(written)
        except LookupError:
            said = GONE
        if opportunity_id is not None:
            self.changed.emit(opportunity_id)
            if opportunity_id == self.opportunity_id:
                await self.show_opportunity(opportunity_id)
        self._context.status.show(said)  # once the tab shows it
        return result

    # -- outcome and tasks ----------------------------------------------------------------
    async def save_outcome(self, outcome: Outcome | None = None) -> Outcome | None:
        """Save the outcome shown (or `outcome`); Ctrl+S on the Follow-up tab."""
        opportunity_id = self.pane.opportunity_id
        if opportunity_id is None:
            return None
        if outcome is None:
            try:
                outcome = self.pane.outcome.outcome()
            except ValueError as error:
                self.pane.outcome.problem.setText(str(error))
                return None
        return await self._written(self._save_outcome(opportunity_id, outcome), "Outcome saved.")

    async def _save_outcome(self, opportunity_id: int, outcome: Outcome) -> Outcome:
        saved = await self._context.services.followup.save_outcome(opportunity_id, outcome)
        if self.pane.opportunity_id == opportunity_id:  # saved: the fields are no longer unsaved typing
            self.pane.outcome.show_outcome(saved)
        return saved

    async def add_task(self, new: NewTask) -> None:
        if (opportunity_id := self.pane.opportunity_id) is not None:
            await self._written(self._context.services.followup.add_task(opportunity_id, new), "Task added.")

    async def update_task(self, task_id: int, new: NewTask) -> None:
        change = self._context.services.followup.update_task(
            task_id, kind=new.kind, due_date=new.due_date, note=new.note
        )
        await self._written(change, "Task saved.")

    async def set_task_done(self, task_id: int, done: bool) -> None:
        change = self._context.services.followup.update_task(task_id, done=done)
        await self._written(change, "Task done." if done else "Task open again.")

    async def delete_task(self, task_id: int) -> None:
        task = next((t for t in self.pane.tasks.tasks if t.id == task_id), None)
        what = f"“{task.summary()}” due {task.due_date.isoformat()}" if task else "this task"
        if await confirm(self._context.window, "Delete task", f"Delete {what}?"):
            await self._written(self._context.services.followup.delete_task(task_id), "Task deleted.")

    # -- contacts and interactions --------------------------------------------------------
    async def _contact_write(self, write: Awaitable[T], done: str) -> T | None:
        try:
            return await self._written(write, done)
        except ValueError as error:  # a name missing, an email that is not one: said by the form
            self.pane.contacts.show_problem(str(error))
            return None

    async def add_contact(self, new: NewContact) -> None:
        if (opportunity_id := self.pane.opportunity_id) is not None:
            added = self._context.services.followup.add_contact(opportunity_id, new)
            await self._contact_write(added, "Contact added.")

    async def update_contact(self, contact_id: int, new: NewContact) -> None:
        await self._contact_write(
            self._context.services.followup.update_contact(contact_id, new), "Contact saved."
        )

    async def delete_contact(self, contact_id: int) -> None:
        contact = next((c for c in self.pane.contacts.contacts if c.id == contact_id), None)
        question = (
            f"Delete {contact.name if contact else 'this contact'}? Their interactions stay, without a name."
        )
        if await confirm(self._context.window, "Delete contact", question):
            await self._written(
                self._context.services.followup.delete_contact(contact_id), "Contact deleted."
            )

    async def set_contact(self, contact_id: int | None) -> None:
        if (opportunity_id := self.pane.opportunity_id) is not None:
            chosen = self._context.services.followup.set_contact(opportunity_id, contact_id)
            await self._written(chosen, "Contact chosen." if contact_id is not None else "No contact chosen.")

    async def add_officers(self) -> int | None:
        """Copy the people the funder's latest 990 names as its contacts; how many were new."""
        opportunity_id, offer = self.pane.opportunity_id, self.pane.contacts.officers
        if opportunity_id is None or offer is None:
            return None
        added = self._context.services.followup.add_officers(opportunity_id)
        return await self._written(added, lambda n: _officers_added(n, offer.form))

    async def add_interaction(self, new: NewInteraction) -> None:
        if (opportunity_id := self.pane.opportunity_id) is not None:
            added = self._context.services.followup.add_interaction(opportunity_id, new)
            await self._written(added, "Interaction added.")

    async def delete_interaction(self, interaction_id: int) -> None:
        if await confirm(self._context.window, "Delete interaction", "Delete this interaction?"):
            deleted = self._context.services.followup.delete_interaction(interaction_id)
            await self._written(deleted, "Interaction deleted.")

    # -- dossier --------------------------------------------------------------------------
    async def write_dossier_dialog(self, opportunity_id: int | None = None) -> WrittenDossier | None:
        """Ask where (PDF by default, HTML allowed), then write the dossier of `opportunity_id`
        (default: the table's current opportunity)."""
        chosen_id = opportunity_id if opportunity_id is not None else self.opportunity_id
        if chosen_id is None:
            self._context.status.show("Select an opportunity to write its funder dossier.")
            return None
        settings = self._context.settings
        folder = Path(str(settings.value(LAST_DOSSIER_DIR, str(Path.home()))))
        name = self._file_name(chosen_id)
        dialog = QFileDialog(self._context.window, "Write funder dossier", str(folder / name))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["PDF (*.pdf)", "Web page (*.html *.htm)"])
        dialog.setDefaultSuffix("pdf")
        if not await run_dialog(dialog) or not dialog.selectedFiles():
            return None
        path = Path(dialog.selectedFiles()[0])
        if dialog.selectedNameFilter().startswith("Web") and path.suffix.lower() not in (".html", ".htm"):
            path = path.with_suffix(".html")
        settings.setValue(LAST_DOSSIER_DIR, str(path.parent))
        return await self.write_dossier(chosen_id, path)

    def _file_name(self, opportunity_id: int) -> str:
        """'Dossier - <funder>.pdf' when the table shows the opportunity, else a plain name."""
        index = self._context.table.currentIndex()
        row = self._context.table_model.row_at(index.row()) if index.isValid() else None
        if row is None or row.id != opportunity_id or not row.funder_name.strip():
            return "Funder dossier.pdf"
        funder = "".join(c if c.isalnum() or c in " .,&'-" else " " for c in row.funder_name)
        return f"Dossier - {' '.join(funder.split())[:80]}.pdf"

    async def write_dossier(self, opportunity_id: int, path: Path) -> WrittenDossier:
        """Write it off the UI thread; the status line says where. Failures reach the error display."""
        status = self._context.status
        status.show(f"Writing the funder dossier to {path}…")
        written = await self._context.services.followup.write_dossier(opportunity_id, path, write_dossier_pdf)
        pages = f" ({written.pages} page{'s' if written.pages != 1 else ''})" if written.pages else ""
        status.show(f"Dossier of {written.funder_name}{pages} written to {written.path}")
        return written


def _officers_added(added: int, form: str) -> str:
    if added == 0:
        return f"No one new: everyone its {form} names is a contact already."
    return f"{added} {'person' if added == 1 else 'people'} from its {form} added as contacts."
