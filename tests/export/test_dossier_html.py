"""The dossier as HTML: a real layout with every section, every value escaped."""

from __future__ import annotations

import html
from html.parser import HTMLParser

from catalynx_desktop.export.dossier_html import render_dossier_html, write_dossier_html
from catalynx_desktop.storage.dossier_store import load_dossier
from tests.fresh_loop import arun as run  # not asyncio.run: it would unset the GUI tests' qasync loop
from tests.storage.dossier_fixture import FUNDER_NAME, TODAY, build_dossier_db


class _Outline(HTMLParser):
    """Headings, table count, text and every tag seen, to check structure without regexes."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("h1", "h2", "h3"):
            self._in = tag
            self.headings.append((tag, ""))

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        self.text.append(data)
        if self._in:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, text + data)


def _dossier(tmp_path, **kwargs):
    async def scenario():
        db, opportunity_id = await build_dossier_db(tmp_path, **kwargs)
        try:
            return await load_dossier(db, opportunity_id, TODAY)
        finally:
            await db.close()

    return run(scenario())


def test_the_page_has_the_layout_and_the_facts(tmp_path):
    dossier = _dossier(tmp_path)
    page = render_dossier_html(dossier)
    outline = _Outline()
    outline.feed(page)
    text = " ".join(outline.text)
    assert outline.headings[0] == ("h1", FUNDER_NAME)
    sections = [t for tag, t in outline.headings if tag == "h2"]
    assert sections == [
        "1. The opportunity",
        "2. Why it fits: the score and its reasons",
        "3. The funder",
        "4. Giving history",
        "5. How to apply",
        "6. Our history with this funder",
        "7. Contacts",
        "8. Tasks and deadlines",
        "9. Notes",
    ]
    assert outline.tags.count("table") >= 8 and "@media print" in page
    for line in dossier.score_lines:  # every reason of the score, in words
        assert line.reason in text
    for task in dossier.tasks:
        assert task.note in text and task.kind.label in text
    assert "Letter of inquiry" in text and "Jan 15, 2027" in text
    assert "UNIVERSITY OF MASSACHUSETTS" in text and "$12,000" in text  # giving history and like ours
    assert "Application submitted to the HS Principal" in text  # how to apply, from the 990-PF
    assert "Alex Moreno" in text and "★ Alex Moreno" in text  # the opportunity's contact
    assert "2024 scholarship round" in text and "awarded $4,000" in text
    assert "Private non-operating foundation" in text


def test_every_value_is_escaped(tmp_path):
    page = render_dossier_html(_dossier(tmp_path))
    assert "<script>" not in page and "<b>bold</b>" not in page
    assert html.escape("Amounts <script>alert(1)</script> & more") in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_without_990_data_the_page_says_so_and_writes_atomically(tmp_path):
    dossier = _dossier(tmp_path, with_giving=False)
    out = tmp_path / "dossier.html"
    write_dossier_html(out, dossier)
    page = out.read_text(encoding="utf-8")
    assert "No 990 return of this funder is imported" in page and FUNDER_NAME in page
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
