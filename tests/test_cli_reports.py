"""`deadlines --ics` and `dossier --out`, run as a user would: a separate process per command."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

import pypdf
from icalendar import Calendar

from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.domain.tasks import NewTask, TaskKind
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.task_store import TaskRepository
from tests.fresh_loop import arun
from tests.storage.dossier_fixture import FUNDER_NAME, build_dossier_db
from tests.test_cli import cli


def _data_dir(tmp_path) -> tuple[str, int]:
    """A data directory with the dossier opportunity, plus tasks due around today."""

    async def build() -> int:
        db, opportunity_id = await build_dossier_db(tmp_path)
        try:
            today = date.today()
            tasks = TaskRepository(db)
            await tasks.add(
                opportunity_id, NewTask(TaskKind.REPORT_DUE, today - timedelta(days=3), "late report")
            )
            await tasks.add(
                opportunity_id, NewTask(TaskKind.FOLLOW_UP, today + timedelta(days=2), "thank-you call")
            )
            await tasks.add(
                opportunity_id, NewTask(TaskKind.OTHER, today + timedelta(days=20), "board packet")
            )
            await tasks.add(
                opportunity_id, NewTask(TaskKind.OTHER, today + timedelta(days=200), "next cycle")
            )
            # a declined opportunity's task stays out of the list and the calendar
            (other,) = (
                await db.fetch_all("SELECT id FROM opportunities WHERE id <> ? LIMIT 1", (opportunity_id,))
            )[0]
            await tasks.add(other, NewTask(TaskKind.OTHER, today, "hidden task"))
            await OpportunityRepository(db).move_stage([other], Stage.DECLINED)
        finally:
            await db.close()
        return opportunity_id

    return str(tmp_path), arun(build())


def test_deadlines_lists_the_buckets_and_writes_a_calendar(tmp_path):
    data_dir, _opportunity = _data_dir(tmp_path)
    ics = tmp_path / "deadlines.ics"
    out = cli("deadlines", "--ics", str(ics), "--data-dir", data_dir)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "Overdue (1)" and "late report" in lines[1] and FUNDER_NAME in lines[1]
    assert "This week (1)" in lines and "This month (1)" in lines
    assert "next cycle" not in out.stdout and "hidden task" not in out.stdout
    # every open task, whatever its date (the fixture's letter of inquiry too), none that is done
    calendar = Calendar.from_ical(ics.read_bytes())
    summaries = sorted(str(e["DESCRIPTION"]).splitlines()[-1] for e in calendar.walk("VEVENT"))
    assert summaries == sorted(
        [
            "Note: late report",
            "Note: thank-you call",
            "Note: board packet",
            "Note: next cycle",
            "Note: Letter to the HS principal",
        ]
    )
    assert all(FUNDER_NAME in str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert f"wrote 5 open tasks to {ics}" in out.stdout


def test_dossier_writes_pdf_and_html(tmp_path):
    data_dir, opportunity = _data_dir(tmp_path)
    pdf = tmp_path / "dossier.pdf"
    out = cli("dossier", "--opportunity", str(opportunity), "--out", str(pdf), "--data-dir", data_dir)
    assert out.returncode == 0, out.stderr
    reader = pypdf.PdfReader(pdf)
    text = " ".join(unicodedata.normalize("NFKC", " ".join(p.extract_text() for p in reader.pages)).split())
    assert FUNDER_NAME in text and "late report" in text and "MA is in your scope" in text
    assert f"({len(reader.pages)} pages)" in out.stdout
    html = tmp_path / "dossier.html"
    out = cli("dossier", "--opportunity", str(opportunity), "--out", str(html), "--data-dir", data_dir)
    assert out.returncode == 0, out.stderr
    page = html.read_text(encoding="utf-8")
    assert FUNDER_NAME in page and "board packet" in page


def test_dossier_refuses_unknown_formats_and_opportunities(tmp_path):
    data_dir, opportunity = _data_dir(tmp_path)
    wrong = cli(
        "dossier",
        "--opportunity",
        str(opportunity),
        "--out",
        str(tmp_path / "d.docx"),
        "--data-dir",
        data_dir,
    )
    assert wrong.returncode == 2 and ".pdf or .html" in wrong.stderr
    missing = cli(
        "dossier", "--opportunity", "999999", "--out", str(tmp_path / "d.pdf"), "--data-dir", data_dir
    )
    assert missing.returncode == 2 and "no opportunity 999999" in missing.stderr
    assert not (tmp_path / "d.pdf").exists()
