"""The dossier as PDF through Qt's printing (offscreen), read back with pypdf."""

from __future__ import annotations

import os
import threading
import unicodedata
from pathlib import Path

import pypdf
import pytest

from catalynx_desktop.export.dossier_html import dossier_title, render_dossier_html
from catalynx_desktop.storage.dossier_store import load_dossier
from catalynx_desktop.ui.reports.dossier_pdf import render_page_images, write_dossier_pdf
from tests.storage.dossier_fixture import FUNDER_NAME, TODAY, build_dossier_db


def _pdf_text(path) -> tuple[int, str]:
    reader = pypdf.PdfReader(path)
    text = " ".join(page.extract_text() for page in reader.pages)
    # extraction keeps ligatures (ﬁ) and breaks words with tabs: compare normalized words
    return len(reader.pages), " ".join(unicodedata.normalize("NFKC", text).split())


# The PDF is laid out on a worker thread (the UI thread never waits on it); that thread has no Qt
# event dispatcher, so QTextDocument's layout timers say so. The PDF itself is checked below.
@pytest.mark.qt_log_ignore(
    r"QBasicTimer::start: current thread's event dispatcher has already been destroyed"
)
def test_the_pdf_holds_the_funder_the_reasons_and_the_tasks(qapp, run, tmp_path):
    db, opportunity_id = run(build_dossier_db(tmp_path))
    try:
        dossier = run(load_dossier(db, opportunity_id, TODAY))
    finally:
        run(db.close())
    out = tmp_path / "dossier.pdf"
    result: list[int] = []
    # written on a worker thread, as the window does through asyncio.to_thread
    worker = threading.Thread(
        target=lambda: result.append(
            write_dossier_pdf(out, render_dossier_html(dossier), dossier_title(dossier))
        )
    )
    worker.start()
    worker.join(60)
    pages, text = _pdf_text(out)
    assert result == [pages] and pages >= 2
    assert FUNDER_NAME in text and "for Berkshire Scholars Fund" in text  # title block and running footer
    for line in dossier.score_lines:
        assert " ".join(line.reason.split()) in text
    for task in dossier.tasks:
        assert task.note in text
    assert "Letter of inquiry" in text and "Follow-up" in text
    assert "UNIVERSITY OF MASSACHUSETTS" in text and "Application submitted to the HS Principal" in text
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert pypdf.PdfReader(out).metadata.title == dossier_title(dossier)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_page_images_are_letter_pages(qapp, run, tmp_path):
    """Set CATALYNX_SCREENSHOTS=DIR to keep page 1 (README's image comes from here)."""
    db, opportunity_id = run(build_dossier_db(tmp_path))
    try:
        dossier = run(load_dossier(db, opportunity_id, TODAY))
    finally:
        run(db.close())
    images = render_page_images(render_dossier_html(dossier), dossier_title(dossier), dpi=100)
    assert images and all((img.width(), img.height()) == (850, 1100) for img in images)  # 8.5 x 11 in
    # something is drawn in the body (not a blank sheet)
    first = images[0]
    assert any(first.pixelColor(x, y).lightness() < 128 for x in range(80, 760, 5) for y in range(80, 240, 5))
    out = Path(os.environ.get("CATALYNX_SCREENSHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    assert first.save(str(out / "dossier-page1.png"))
