"""An opportunity's follow-up as the UI sees it: outcome, tasks, the funder's contacts, the
opportunity's contact, interactions, and its funder dossier written to a file.

Thin on purpose (as records.py): each method is one repository call, so the UI holds one
small service instead of three repositories. `load` reads the whole follow-up part of the
Details pane in one hop; the dossier is read in one hop and written off the UI thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from catalynx_desktop.domain.contacts import Contact, Interaction, NewContact, NewInteraction
from catalynx_desktop.domain.dossier import Dossier
from catalynx_desktop.domain.followup import Followup
from catalynx_desktop.domain.outcomes import Outcome
from catalynx_desktop.domain.tasks import NewTask, Task, TaskKind
from catalynx_desktop.export.dossier_html import dossier_title, render_dossier_html, write_dossier_html
from catalynx_desktop.storage.contact_store import ContactRepository
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.dossier_store import load_dossier
from catalynx_desktop.storage.errors import classify
from catalynx_desktop.storage.followup_store import load_followup, opportunity_of_funder
from catalynx_desktop.storage.outcome_store import OutcomeRepository
from catalynx_desktop.storage.task_store import TaskRepository

# Qt's printing lives in ui/reports (services import no Qt): the window hands its PDF writer in.
# (path, html, title) -> pages written; it must be safe to call off the GUI thread.
PdfWriter = Callable[[Path, str, str], int]
DOSSIER_SUFFIXES = (".pdf", ".html", ".htm")


@dataclass(frozen=True)
class WrittenDossier:
    path: Path
    funder_name: str
    pages: int | None  # None for HTML (one page, however long)


class Followups:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._outcomes = OutcomeRepository(db)
        self._tasks = TaskRepository(db)
        self._contacts = ContactRepository(db)

    async def load(self, opportunity_id: int) -> Followup | None:
        """Outcome, tasks, contacts and interactions in one read; None if the opportunity is gone."""
        return await load_followup(self._db, opportunity_id)

    # -- outcome --------------------------------------------------------------------------
    async def outcome(self, opportunity_id: int) -> Outcome:
        return await self._outcomes.outcome(opportunity_id)

    async def save_outcome(self, opportunity_id: int, outcome: Outcome) -> Outcome:
        return await self._outcomes.save(opportunity_id, outcome)

    # -- tasks ----------------------------------------------------------------------------
    async def tasks(self, opportunity_id: int) -> list[Task]:
        return await self._tasks.tasks(opportunity_id)

    async def add_task(self, opportunity_id: int, new: NewTask) -> Task:
        return await self._tasks.add(opportunity_id, new)

    async def update_task(
        self,
        task_id: int,
        *,
        done: bool | None = None,
        due_date: date | None = None,
        note: str | None = None,
        kind: TaskKind | None = None,
    ) -> Task:
        return await self._tasks.update(task_id, done=done, due_date=due_date, note=note, kind=kind)

    async def delete_task(self, task_id: int) -> bool:
        return await self._tasks.delete(task_id)

    # -- contacts and interactions --------------------------------------------------------
    async def contacts(self, opportunity_id: int) -> list[Contact]:
        """Everyone known at the opportunity's funder."""
        return await self._contacts.for_opportunity(opportunity_id)

    async def add_contact(self, opportunity_id: int, new: NewContact) -> Contact:
        """A new person at the opportunity's funder (the funder's keys come from storage)."""
        return await self._contacts.add_at_opportunity_funder(opportunity_id, new)

    async def update_contact(self, contact_id: int, new: NewContact) -> Contact:
        return await self._contacts.update(contact_id, new)

    async def delete_contact(self, contact_id: int) -> bool:
        return await self._contacts.delete(contact_id)

    async def add_officers(self, opportunity_id: int) -> int:
        """Copy the people the funder's latest 990 names as its contacts; how many were new."""
        return await self._contacts.add_opportunity_officers(opportunity_id)

    async def set_contact(self, opportunity_id: int, contact_id: int | None) -> None:
        """Make `contact_id` the opportunity's contact (None: no contact)."""
        await self._contacts.set_opportunity_contact(opportunity_id, contact_id)

    async def interactions(self, opportunity_id: int) -> list[Interaction]:
        return await self._contacts.interactions(opportunity_id)

    async def add_interaction(self, opportunity_id: int, new: NewInteraction) -> Interaction:
        return await self._contacts.add_interaction(opportunity_id, new)

    async def delete_interaction(self, interaction_id: int) -> bool:
        return await self._contacts.delete_interaction(interaction_id)

    # -- dossier --------------------------------------------------------------------------
    async def opportunity_of_funder(self, profile_id: int, funder_ein: str) -> int | None:
        """The profile's opportunity on this funder (a funder's page writes its dossier), or None."""
        return await self._db.read(lambda conn: opportunity_of_funder(conn, int(profile_id), funder_ein))

    async def dossier(self, opportunity_id: int, today: date | None = None) -> Dossier | None:
        return await load_dossier(self._db, opportunity_id, today)

    async def write_dossier(
        self, opportunity_id: int, path: Path, write_pdf: PdfWriter, today: date | None = None
    ) -> WrittenDossier:
        """Write the opportunity's dossier to `path` (.pdf through `write_pdf`, else HTML).

        LookupError when the opportunity is gone; ValueError for a name that is neither PDF nor
        HTML; StorageError (environment) when the file cannot be written. Rendering and writing run on a worker thread."""
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix not in DOSSIER_SUFFIXES:
            raise ValueError(f"A dossier is written as .pdf or .html, not {target.name}")
        dossier = await self.dossier(opportunity_id, today)
        if dossier is None:
            raise LookupError(f"opportunity {opportunity_id} no longer exists")
        try:
            if suffix == ".pdf":
                pages = await asyncio.to_thread(
                    lambda: write_pdf(target, render_dossier_html(dossier), dossier_title(dossier))
                )
                return WrittenDossier(target, dossier.funder_name, pages)
            await asyncio.to_thread(write_dossier_html, target, dossier)
        except OSError as error:  # a full or read-only disk, a folder gone: the usual words
            raise classify(error, target) from error
        return WrittenDossier(target, dossier.funder_name, None)
