"""The Details dock's Follow-up tab and the dossier action, through the real window on a real
database holding a real 990-PF funder (tests/storage/dossier_fixture)."""

from __future__ import annotations

import asyncio
import sqlite3
import unicodedata
from datetime import date

import pypdf
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox

from catalynx_desktop.app import close_main_window, open_main_window
from catalynx_desktop.domain.errors import StorageError
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.storage.outcome_store import awarded_gifts
from catalynx_desktop.ui.models.opportunity_table_model import ID_ROLE
from tests.gui.test_main_window import wait_for
from tests.storage.dossier_fixture import FUNDER_EIN, FUNDER_NAME, build_dossier_db

# The PDF is laid out on a worker thread (see tests/gui/test_dossier_pdf.py for why Qt says this).
pytestmark = pytest.mark.qt_log_ignore(
    r"QBasicTimer::start: current thread's event dispatcher has already been destroyed"
)


def _seed(run, data_dir) -> int:
    data_dir.mkdir(parents=True, exist_ok=True)
    db, opportunity_id = run(build_dossier_db(data_dir))
    run(db.close())
    return opportunity_id


def _add_close_date_task(data_dir, opportunity_id: int) -> None:
    """An automatic task as task_store's close-date sync stores it (its own tests cover the sync)."""
    with sqlite3.connect(resolve_paths(data_dir).database) as conn:
        conn.execute(
            "INSERT INTO opportunity_tasks (opportunity_id, kind, due_date, note, origin) "
            "VALUES (?, 'full_proposal', '2027-02-01', 'Grants.gov close date', 'grants_gov_close_date')",
            (opportunity_id,),
        )


def _rows(data_dir, sql, params=()):
    with sqlite3.connect(resolve_paths(data_dir).database) as conn:
        return conn.execute(sql, params).fetchall()


async def _select(window, opportunity_id: int) -> None:
    """Make `opportunity_id` the table's current row, as a click would, and wait for the tab."""
    model = window.table_model
    await wait_for(lambda: model.rowCount() >= 1)
    await model.wait_idle()
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data(ID_ROLE) == opportunity_id)
    window.table.setCurrentIndex(model.index(row, 0))
    pane = window.followup.pane
    await wait_for(lambda: pane.opportunity_id == opportunity_id and pane.tasks.tasks)


async def _answer(button: QMessageBox.StandardButton) -> None:
    """Click `button` on the confirmation the window shows."""
    await wait_for(
        lambda: any(b.isVisible() for b in QApplication.topLevelWidgets() if isinstance(b, QMessageBox))
    )
    box = next(b for b in QApplication.topLevelWidgets() if isinstance(b, QMessageBox) and b.isVisible())
    box.button(button).click()


def _pdf_text(path) -> str:
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())


def test_outcome_tasks_contacts_and_interactions_from_the_window(qtbot, run, data_dir):
    opportunity_id = _seed(run, data_dir)
    _add_close_date_task(data_dir, opportunity_id)
    (earlier_id,) = _rows(data_dir, "SELECT id FROM opportunities WHERE source_id = 'earlier'")[0]

    async def scenario():
        window = await open_main_window(data_dir)
        try:
            await _select(window, opportunity_id)
            pane = window.followup.pane
            # a slow answer for a row the user already left is dropped
            left_behind = window.followup._generation - 1
            await window.followup.show_opportunity(earlier_id, left_behind)
            assert pane.opportunity_id == opportunity_id and len(pane.tasks.tasks) == 3
            window.details.dock.show()
            window.details.tabs.setCurrentWidget(pane)

            # Outcome: a bad period is refused with a reason and nothing is stored
            editor = pane.outcome
            editor.requested.setText("$12,500")
            editor.awarded.setText("10000")
            editor.decision.setText("2027-03-01")
            editor.award_start.setText("2027-04-01")
            editor.award_end.setText("3/31/2027")
            editor.save_button.click()
            assert "ends before it starts" in editor.problem.text()
            editor.award_end.setText("2028-03-31")
            window._save_details()  # Ctrl+S on the Follow-up tab saves the outcome
            await wait_for(lambda: window.status_label.text() == "Outcome saved.")
            stored = _rows(
                data_dir,
                "SELECT amount_requested, amount_awarded, decision_date, award_start, award_end "
                "FROM opportunity_outcomes WHERE opportunity_id = ?",
                (opportunity_id,),
            )
            assert stored == [(12_500, 10_000, "2027-03-01", "2027-04-01", "2028-03-31")]
            assert (editor.requested.text(), editor.awarded.text()) == ("$12,500", "$10,000")  # as money

            # an award feeds the organization's history with this funder
            await window.stage_moves.move([opportunity_id], Stage.AWARDED, "board approved")
            with sqlite3.connect(resolve_paths(data_dir).database) as conn:
                profile_id = conn.execute(
                    "SELECT profile_id FROM opportunities WHERE id = ?", (opportunity_id,)
                ).fetchone()[0]
                gifts = {g.opportunity_id: g for g in awarded_gifts(conn, profile_id)}
            assert (gifts[opportunity_id].funder_ein, gifts[opportunity_id].amount) == (FUNDER_EIN, 10_000)
            assert gifts[opportunity_id].date == date(2027, 3, 1)

            # Tasks: the automatic one says so and can only be marked done
            tasks = pane.tasks
            auto = next(t for t in tasks.tasks if t.note == "Grants.gov close date")
            assert tasks.table.item(tasks.tasks.index(auto), 4).text() == "automatic: Grants.gov close date"
            tasks.select_task(auto.id)
            assert not tasks.update_button.isEnabled() and not tasks.delete_button.isEnabled()
            assert "mark it done" in tasks.delete_button.toolTip()
            # add, mark done, edit, delete (after a confirmation)
            tasks.kind.setCurrentIndex(tasks.kind.findText("Report due"))
            tasks.due.setDate(QDate(2027, 9, 30))
            tasks.note.setText("Final report to the trustee")
            tasks.add_button.click()
            await wait_for(lambda: len(tasks.tasks) == 4)
            added = next(t for t in tasks.tasks if t.note == "Final report to the trustee")
            assert _rows(
                data_dir, "SELECT kind, due_date, done FROM opportunity_tasks WHERE id = ?", (added.id,)
            ) == [("report_due", "2027-09-30", 0)]
            row = tasks.tasks.index(added)
            assert tasks.table.item(row, 2).text() == "Report due"
            editor.requested.setText("13000")  # typing not saved yet survives the task's save
            tasks.table.item(row, 0).setCheckState(Qt.CheckState.Checked)
            await wait_for(
                lambda: (
                    _rows(data_dir, "SELECT done FROM opportunity_tasks WHERE id = ?", (added.id,)) == [(1,)]
                )
            )
            await wait_for(lambda: any(t.id == added.id and t.done for t in tasks.tasks))
            assert editor.requested.text() == "13000" and editor.is_edited()
            tasks.select_task(added.id)
            tasks.note.setText("Final report, signed")
            tasks.update_button.click()
            await wait_for(lambda: any(t.note == "Final report, signed" for t in tasks.tasks))
            tasks.select_task(added.id)
            tasks.delete_button.click()
            await _answer(QMessageBox.StandardButton.No)  # kept
            await asyncio.sleep(0.05)
            assert _rows(data_dir, "SELECT count(*) FROM opportunity_tasks WHERE id = ?", (added.id,)) == [
                (1,)
            ]
            tasks.select_task(added.id)
            tasks.delete_button.click()
            await _answer(QMessageBox.StandardButton.Yes)
            await wait_for(lambda: len(tasks.tasks) == 3)
            assert _rows(data_dir, "SELECT count(*) FROM opportunity_tasks WHERE id = ?", (added.id,)) == [
                (0,)
            ]

            # Contacts: a bad email is refused in words; then added at the opportunity's funder
            contacts = pane.contacts
            contacts.name.setText("Jo  Doe")
            contacts.role.setText("Trust officer")
            contacts.email.setText("jo at example")
            contacts.add_button.click()
            await wait_for(lambda: "not an email address" in contacts.problem.text())
            contacts.email.setText("jo@example.org")
            contacts.add_button.click()
            await wait_for(lambda: any(c.name == "Jo Doe" for c in contacts.contacts))
            jo = next(c for c in contacts.contacts if c.name == "Jo Doe")
            assert _rows(
                data_dir, "SELECT funder_ein, role, email, origin FROM funder_contacts WHERE id = ?", (jo.id,)
            ) == [(FUNDER_EIN, "Trust officer", "jo@example.org", "user")]
            contacts.select_contact(jo.id)
            contacts.phone.setText("413 555 0100")
            contacts.update_button.click()
            await wait_for(lambda: any(c.phone == "413 555 0100" for c in contacts.contacts))
            # our contact for this opportunity, chosen from the list
            index = contacts.ours.findData(jo.id)
            contacts.ours.setCurrentIndex(index)
            contacts.ours.activated.emit(index)
            await wait_for(
                lambda: (
                    _rows(
                        data_dir,
                        "SELECT contact_id FROM opportunity_contacts WHERE opportunity_id = ?",
                        (opportunity_id,),
                    )
                    == [(jo.id,)]
                )
            )
            await wait_for(
                lambda: (
                    contacts.ours.currentData() == jo.id and window.status_label.text() == "Contact chosen."
                )
            )

            # Interactions: with our contact by default; added, then deleted
            interactions = pane.interactions
            assert interactions.person.currentData() == jo.id
            interactions.day.setDate(QDate(2026, 12, 2))
            interactions.kind.setCurrentIndex(interactions.kind.findText("Meeting"))
            interactions.note.setText("Site visit at the school")
            interactions.add_button.click()
            await wait_for(
                lambda: any(i.note == "Site visit at the school" for i in interactions.interactions)
            )
            assert interactions.table.item(0, 2).text() == "Jo Doe"
            assert _rows(
                data_dir,
                "SELECT happened_on, kind, contact_id FROM interactions WHERE note = ?",
                ("Site visit at the school",),
            ) == [("2026-12-02", "meeting", jo.id)]
            before = len(interactions.interactions)
            interactions.table.selectRow(0)
            interactions.delete_button.click()
            await _answer(QMessageBox.StandardButton.Yes)
            await wait_for(lambda: len(interactions.interactions) == before - 1)
            assert _rows(
                data_dir, "SELECT count(*) FROM interactions WHERE note = ?", ("Site visit at the school",)
            ) == [(0,)]

            # deleting the contact (confirmed) leaves the opportunity with nobody chosen
            contacts.select_contact(jo.id)
            contacts.delete_button.click()
            await _answer(QMessageBox.StandardButton.Yes)
            await wait_for(lambda: all(c.id != jo.id for c in contacts.contacts))
            assert contacts.ours.currentData() is None
            assert _rows(
                data_dir, "SELECT count(*) FROM opportunity_contacts WHERE contact_id = ?", (jo.id,)
            ) == [(0,)]
        finally:
            await close_main_window(window)

    run(scenario(), timeout=120)


def test_write_the_funder_dossier_from_the_window(qtbot, run, data_dir, tmp_path):
    opportunity_id = _seed(run, data_dir)

    async def scenario():
        window = await open_main_window(data_dir)
        try:
            await _select(window, opportunity_id)
            assert window.dossier_action.isEnabled()
            assert window.dossier_action.shortcut().toString() == "Ctrl+P"

            # the action's save dialog: PDF by default, written off the UI thread, path on the status line
            out = tmp_path / "mcneil.pdf"
            window.dossier_action.trigger()
            await wait_for(lambda: any(d.isVisible() for d in window.findChildren(QFileDialog)))
            dialog = next(d for d in window.findChildren(QFileDialog) if d.isVisible())
            assert dialog.defaultSuffix() == "pdf"
            assert dialog.findChild(QLineEdit, "fileNameEdit").text() == f"Dossier - {FUNDER_NAME}.pdf"
            dialog.setDirectory(str(tmp_path))
            dialog.findChild(QLineEdit, "fileNameEdit").setText("mcneil")  # typed without .pdf
            dialog.accept()
            await wait_for(lambda: window.status_label.text().endswith(f"written to {out}"), timeout=60)
            text = _pdf_text(out)
            assert FUNDER_NAME in text and "Alex Moreno" in text and "Letter to the HS principal" in text
            assert "Dossier of" in window.status_label.text() and "page" in window.status_label.text()

            # HTML when asked for, from the Details button's own path
            written = await window.followup.write_dossier(opportunity_id, tmp_path / "mcneil.html")
            assert written.pages is None and FUNDER_NAME in (tmp_path / "mcneil.html").read_text(
                encoding="utf-8"
            )

            # a folder that is not there: one clear message, nothing half-written
            with pytest.raises(StorageError) as failure:
                await window.followup.write_dossier(opportunity_id, tmp_path / "gone" / "d.pdf")
            assert str(tmp_path / "gone") in failure.value.user_message
        finally:
            await close_main_window(window)

    run(scenario(), timeout=120)


def test_the_funder_page_writes_the_dossier_of_the_profiles_opportunity(qtbot, run, data_dir, tmp_path):
    opportunity_id = _seed(run, data_dir)
    (funder_id,) = _rows(data_dir, "SELECT id FROM funders WHERE ein = ?", (FUNDER_EIN,))[0]

    async def scenario():
        window = await open_main_window(data_dir)
        try:
            funders = window.funders
            await funders.open_funder(funder_id)
            assert funders.page.dossier_button.isEnabled()
            assert (
                await window.services.followup.opportunity_of_funder(
                    window.profile_selection.profile().id, FUNDER_EIN
                )
                == opportunity_id
            )
            funders.page.dossier_button.click()
            await wait_for(lambda: any(d.isVisible() for d in window.findChildren(QFileDialog)))
            dialog = next(d for d in window.findChildren(QFileDialog) if d.isVisible())
            dialog.setDirectory(str(tmp_path))
            dialog.findChild(QLineEdit, "fileNameEdit").setText("from-funder-page.pdf")
            dialog.accept()
            out = tmp_path / "from-funder-page.pdf"
            await wait_for(lambda: window.status_label.text().endswith(f"written to {out}"), timeout=60)
            assert "Scholarships for Berkshire County seniors" in _pdf_text(out)

            # another profile has no opportunity on this funder: no dossier to write from its page
            await window.profiles.save(Profile(name="Another organization"))
            await wait_for(lambda: not funders.page.dossier_button.isEnabled())
        finally:
            await close_main_window(window)

    run(scenario(), timeout=120)
