"""Words instead of codes, and what Details shows, on records imported from the real sample files."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QLineEdit

from catalynx_desktop.app import close_main_window, open_main_window
from catalynx_desktop.domain.labels import display_name
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.query import OpportunityFilters
from catalynx_desktop.paths import resolve_paths
from catalynx_desktop.storage.stage_counts import recount_stage_counts
from catalynx_desktop.ui.models.opportunity_table_model import ID_ROLE
from catalynx_desktop.ui.widgets.filter_bar import FilterDialog
from tests.gui.test_main_window import wait_for

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
GRANTS_GOV = SHARED / "grantsgov" / "real_record_OppID131073_usgs_2011.xml"
BMF = SHARED / "irs_eo_bmf" / "eo_vt.csv"
CODE = re.compile(r"\b(irs_bmf|grants_gov|user_list)\b")


def _add_federal_opportunity(data_dir: Path, profile_id: int) -> int:
    """The Grants.gov record (closed in 2011, so Discover leaves it out) as an opportunity."""
    with sqlite3.connect(resolve_paths(data_dir).database) as conn:
        record_id, title, agency = conn.execute(
            "SELECT id, name, funder_name FROM source_records WHERE source = 'grants_gov'"
        ).fetchone()
        cursor = conn.execute(
            "INSERT INTO opportunities (profile_id, source_record_id, source, source_id, title, funder_name) "
            "VALUES (?, ?, 'grants_gov', '131073', ?, ?)",
            (profile_id, record_id, title, agency),
        )
        recount_stage_counts(conn, [profile_id])
        return int(cursor.lastrowid)


def _facts(window) -> dict[str, str]:
    form = window.details.pane.facts
    facts = {}
    for row in range(form.rowCount()):
        label = form.itemAt(row, form.ItemRole.LabelRole).widget().text()
        facts[label] = form.itemAt(row, form.ItemRole.FieldRole).widget().text()
    return facts


async def _show(window, opportunity_id: int) -> dict[str, str]:
    await window.details.show_opportunity(opportunity_id)
    return _facts(window)


def test_words_instead_of_codes_and_what_details_shows(qtbot, run, data_dir, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(QUrl(url).toString()) or True)

    async def scenario():
        window = await open_main_window(data_dir)
        try:
            await window.profiles.save(
                Profile(
                    name="Green Mountain Arts", ntee_code="A20", states=("VT",), target_ntee_codes=("A20",)
                )
            )
            await window.workflows.import_files([BMF, GRANTS_GOV])
            await window.workflows.wait_all()
            await window.workflows.discover_current_profile()
            await window.workflows.wait_all()
            profile_id = window.profiles.current_id
            federal_id = _add_federal_opportunity(data_dir, profile_id)
            await window.reload()
            model = window.table_model
            await wait_for(lambda: model.rowCount() > 1)
            await model.wait_idle()

            # the table: BMF names (capitals in the file) in their usual case
            with sqlite3.connect(resolve_paths(data_dir).database) as conn:
                stored = dict(conn.execute("SELECT id, funder_name FROM opportunities"))
                foundation_id = conn.execute(
                    "SELECT o.id FROM opportunities o JOIN source_records r ON r.id = o.source_record_id "
                    "WHERE r.foundation_code = '04' AND r.ntee_code != '' ORDER BY o.id LIMIT 1"
                ).fetchone()[0]
            shouting = 0
            for row in range(min(model.rowCount(), 200)):
                shown = model.index(row, 1).data()
                opportunity_id = model.index(row, 0).data(ID_ROLE)
                if opportunity_id in stored and stored[opportunity_id].isupper():
                    shouting += 1
                    assert shown == display_name(stored[opportunity_id]) and not shown.isupper(), shown
            assert shouting > 0

            # Details of the federal opportunity: words, contact, web address, eligibility, cost sharing
            facts = await _show(window, federal_id)
            assert facts["Source"] == "Grants.gov"
            assert facts["Kind"] == "Federal opportunity"
            assert "Contact" in facts and "Contact email" in facts
            assert facts["Web address"].startswith("http")
            assert "Eligibility" in facts and len(facts["Eligibility"]) > 20
            assert facts["Cost sharing or matching"] in {"Required", "Not required"}
            assert not re.search(r"\b\d\d\b", facts.get("Eligible applicants", "x")), facts[
                "Eligible applicants"
            ]
            links = {b.text(): b for b in window.details.pane.link_buttons}
            grants_gov = next(b for text, b in links.items() if text.startswith("Open on Grants.gov"))
            grants_gov.click()
            assert opened[-1] == "https://www.grants.gov/search-results-detail/131073"
            more = next(b for text, b in links.items() if text.startswith("More information"))
            more.click()
            assert opened[-1] == facts["Web address"]

            # Details of a private foundation from the BMF
            facts = await _show(window, foundation_id)
            assert facts["Source"] == "IRS Business Master File"
            assert re.fullmatch(r"\d\d-\d{7}", facts["EIN"]), facts["EIN"]
            assert facts["Tax-exempt status"] == "501(c)(3)"
            assert facts["Foundation type"] == "Private non-operating foundation"
            assert re.fullmatch(r"[A-Za-z].* \([A-Z]\w{1,3}\)", facts["Field (NTEE)"]), facts["Field (NTEE)"]
            assert "Street address" in facts and not facts["Name"].isupper()
            assert not any(CODE.search(text) for text in facts.values())

            # the score breakdown's "Why" wraps and every reason fits its row at the default width
            QApplication.processEvents()
            breakdown = window.details.pane.breakdown
            assert breakdown.rowCount() > 0
            why = breakdown.columnWidth(3)
            assert why >= 150
            for row in range(breakdown.rowCount()):
                text = breakdown.item(row, 3).text()
                needed = breakdown.fontMetrics().boundingRect(0, 0, why - 8, 10_000, 0x1000, text).height()
                assert breakdown.rowHeight(row) >= needed, (text, breakdown.rowHeight(row), needed)
            assert breakdown.horizontalScrollBar().maximum() == 0

            # Filters: choices by name, never codes to type; chips in words
            dialog = FilterDialog(window, OpportunityFilters())
            assert "Arts, Culture & Humanities" in dialog.ntee.names()
            assert "IRS Business Master File" in dialog.sources.names()
            assert "Vermont (VT)" in dialog.states.names()
            assert not any(isinstance(w, QLineEdit) for w in (dialog.ntee, dialog.sources, dialog.states))
            dialog.sources.set_codes(["irs_bmf"])
            dialog.ntee.set_codes(["A"])
            await window.query.apply_filters(dialog.chosen())
            chips = " ".join(window.query.filter_bar.chip_labels)
            assert "IRS Business Master File" in chips and "Arts, Culture & Humanities" in chips
            assert not CODE.search(chips)
        finally:
            await close_main_window(window)

    run(scenario(), timeout=240)
