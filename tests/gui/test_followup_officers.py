"""The Follow-up tab's button that copies the people a funder's latest 990 names as contacts, and
a 990-PF's stated deadline arriving with an import, through the real window on the real returns
imported by the real 990 import."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from catalynx_desktop.app import close_main_window, open_main_window
from catalynx_desktop.domain.contacts import ContactOrigin
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.services import AppServices
from catalynx_desktop.storage.stage_counts import recount_stage_counts
from catalynx_desktop.ui.models.opportunity_table_model import ID_ROLE
from catalynx_desktop.workflows.importing.irs990_import import import_returns
from catalynx_desktop.workflows.runs import RunStatus
from tests.gui.test_main_window import wait_for
from tests.sources.irs990.conftest import COPY, expected_rows
from tests.storage.test_funder_pipeline import PF_EIN, SCHEDULE_I_EIN
from tests.storage.test_stated_deadline_sync import pipeline_opportunity, return_stating

OFFICERS = {row["ein"]: int(row["officer_count"]) for row in expected_rows()}


async def _seed(data_dir) -> tuple[int, int]:
    """The eight real returns imported; a profile with the 990 funder and the 990-PF funder."""
    services = await AppServices.open(resolve_paths(data_dir))
    try:
        assert (await import_returns(services.db, COPY / "returns", workers=1)).inserted == 8
        profile = await services.profiles.create(Profile(name="Poudre Valley Arts", states=("CO",)))
        assert profile.id is not None
        on_990 = await services.funders.add_to_pipeline(profile.id, SCHEDULE_I_EIN)
        on_pf = await services.funders.add_to_pipeline(profile.id, PF_EIN)
        assert on_990 is not None and on_pf is not None
        return on_990.opportunity_id, on_pf.opportunity_id
    finally:
        await services.close()


def _count(data_dir, ein: str) -> int:
    with sqlite3.connect(resolve_paths(data_dir).database) as conn:
        sql = "SELECT count(*) FROM funder_contacts WHERE funder_ein = ? AND origin = 'irs_990'"
        return int(conn.execute(sql, (ein,)).fetchone()[0])


async def _select(window, opportunity_id: int) -> None:
    model = window.table_model
    await wait_for(lambda: model.rowCount() >= 2)
    await model.wait_idle()
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data(ID_ROLE) == opportunity_id)
    window.table.setCurrentIndex(model.index(row, 0))
    pane = window.followup.pane
    await wait_for(lambda: pane.opportunity_id == opportunity_id and pane.contacts.officers is not None)


def test_the_officers_button_adds_the_990s_people_once(qtbot, run, data_dir):
    data_dir.mkdir(parents=True, exist_ok=True)
    on_990, on_pf = run(_seed(data_dir), timeout=120)
    named = OFFICERS[SCHEDULE_I_EIN]

    async def scenario():
        window = await open_main_window(data_dir)
        try:
            pane = window.followup.pane
            window.details.dock.show()
            window.details.tabs.setCurrentWidget(pane)
            await _select(window, on_990)
            contacts = pane.contacts
            button = contacts.officers_button
            assert button.isVisible() and button.isEnabled()
            assert button.text() == f"Add the {named} people named in its 2023 990"
            assert contacts.contacts == []

            button.click()
            await wait_for(lambda: len(contacts.contacts) == named)
            await wait_for(
                lambda: window.status_label.text() == f"{named} people from its 990 added as contacts."
            )
            assert _count(data_dir, SCHEDULE_I_EIN) == named
            assert {c.origin for c in contacts.contacts} == {ContactOrigin.IRS_990}
            assert {contacts.table.item(r, 5).text() for r in range(named)} == {"from the funder's 990"}
            assert pane.heading.text().startswith(f"0 open tasks · {named} contacts at the funder")
            # all of them are contacts now: the button says so and pressing it again adds none
            assert button.isVisible() and not button.isEnabled()
            assert button.text() == f"The {named} people named in its 2023 990 are all contacts"
            assert "among the contacts already" in button.toolTip()
            button.click()
            assert await window.followup.add_officers() == 0
            await wait_for(lambda: window.status_label.text().startswith("No one new"))
            assert _count(data_dir, SCHEDULE_I_EIN) == named and len(contacts.contacts) == named

            # the 990-PF funder's return names one trustee
            await _select(window, on_pf)
            assert button.text() == "Add the person named in its 2015 990-PF" and button.isEnabled()
            button.click()
            await wait_for(lambda: [c.name for c in contacts.contacts] == ["TD Bank NA"])
            assert window.status_label.text() == "1 person from its 990-PF added as contacts."
            assert button.text() == "The person named in its 2015 990-PF is a contact"
            assert _count(data_dir, PF_EIN) == OFFICERS[PF_EIN] == 1
        finally:
            await close_main_window(window)

    run(scenario(), timeout=120)


async def _seed_shortlist(data_dir) -> int:
    """A profile's opportunity on the 990-PF funder's BMF record, in Plan; no return imported."""
    services = await AppServices.open(resolve_paths(data_dir))
    try:
        profile_id, opportunity_id = await pipeline_opportunity(services)
        await services.db.write(lambda conn: recount_stage_counts(conn, [profile_id]))
        await services.opportunities.move_stage([opportunity_id], Stage.PLAN, "shortlisted")
        return opportunity_id
    finally:
        await services.close()


def test_a_990_import_shows_its_deadline_task_in_the_window(qtbot, run, data_dir, tmp_path):
    data_dir.mkdir(parents=True, exist_ok=True)
    opportunity_id = run(_seed_shortlist(data_dir), timeout=120)
    # a date the Deadlines dock lists (it shows the next month): ten days from now, as filers write it
    due = date.today() + timedelta(days=10)
    text = f"{due:%B} {due.day}TH".upper()
    folder = return_stating(tmp_path / "returns", text)

    async def scenario():
        window = await open_main_window(data_dir)
        try:
            pane, deadlines = window.followup.pane, window.deadlines
            model = window.table_model
            await wait_for(lambda: model.rowCount() == 1)
            await model.wait_idle()
            window.table.setCurrentIndex(model.index(0, 0))
            await wait_for(lambda: pane.opportunity_id == opportunity_id)
            assert pane.tasks.tasks == [] and pane.contacts.officers is None
            await deadlines.show()
            await wait_for(lambda: deadlines.model.query is not None)
            assert deadlines.model.rowCount() == 0

            handles = await window.workflows.import_files([folder], show_report=False)
            assert (await handles[0].wait()).status == RunStatus.SUCCEEDED
            # the dock and the tab show the new task without being asked; the officer appears too
            await wait_for(lambda: deadlines.model.rowCount() == 1)
            await wait_for(lambda: len(pane.tasks.tasks) == 1 and pane.contacts.officers is not None)
            (task,) = pane.tasks.tasks
            assert (task.due_date, task.note) == (
                due,
                f"Stated in the funder's 990-PF: {text}",
            )
            assert deadlines.model.row_at(0).task.id == task.id
            assert pane.contacts.officers_button.text() == "Add the person named in its 2015 990-PF"
        finally:
            await close_main_window(window)

    run(scenario(), timeout=120)
