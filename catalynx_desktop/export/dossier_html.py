"""A funder dossier as one self-contained HTML page: title block, key facts, numbered sections.

The same markup serves a browser (with print CSS: A4/Letter margins, no page break inside a
table row or right after a heading) and Qt's rich-text engine (ui/reports/dossier_pdf.py), which
reads HTML 4 and a CSS subset: so the layout is tables with explicit widths and paddings, never
flex or grid, and styling that Qt ignores (page rules, borders on collapse) is only decoration.
Qt applies cell paddings only in px (CSS pixels, 1/96 in), so paddings are px; type sizes are pt.
Every value from the data goes through html.escape (report_html.e), numbers included; the
sections are in export/dossier_sections.py.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from catalynx_desktop.domain.dossier import Dossier
from catalynx_desktop.export.dossier_sections import SECTIONS
from catalynx_desktop.export.report_html import day, e, money, money_or_dash

_ACCENT = "#1f4e79"

CSS = f"""
body {{ font-family: 'Helvetica Neue', Arial, sans-serif; font-size: 10pt; color: #222; line-height: 1.35; }}
h1 {{ font-size: 20pt; color: {_ACCENT}; margin: 2pt 0 2pt 0; }}
h2 {{ font-size: 13pt; color: {_ACCENT}; border-bottom: 1px solid {_ACCENT}; margin: 16pt 0 6pt 0; padding-bottom: 2pt; }}
h3 {{ font-size: 11pt; color: #333; margin: 10pt 0 4pt 0; }}
p {{ margin: 3pt 0 3pt 0; }}
.kicker {{ font-size: 8pt; color: #666; letter-spacing: 1px; text-transform: uppercase; }}
.subtitle {{ font-size: 11pt; color: #444; }}
.muted {{ color: #777; font-style: italic; }}
.warning {{ color: #8a3b00; font-weight: bold; }}
table.data {{ border-collapse: collapse; width: 100%; margin: 4pt 0 6pt 0; }}
table.data th {{ background-color: #e8eef5; color: #1a1a1a; text-align: left; font-weight: bold; }}
table.data th, table.data td {{ border-bottom: 1px solid #d5dbe3; vertical-align: top;
  padding-left: 6px; padding-right: 6px; padding-top: 3px; padding-bottom: 3px; }}
table.pairs td.key {{ color: #555; width: 28%; }}
table.data td.num, table.data th.num {{ text-align: right; }}
table.facts {{ background-color: #f3f6fa; border: 1px solid #c9d3df; width: 100%; margin: 8pt 0 4pt 0; }}
table.facts td {{ vertical-align: top; padding-left: 9px; padding-right: 9px; padding-top: 5px; padding-bottom: 5px; }}
.label {{ color: #555; font-size: 8pt; text-transform: uppercase; }}
.value {{ font-size: 11pt; font-weight: bold; }}
.score {{ font-size: 26pt; font-weight: bold; color: {_ACCENT}; }}
.footer {{ margin-top: 18pt; font-size: 8pt; color: #777; border-top: 1px solid #ccc; padding-top: 4pt; }}
@media print {{
  @page {{ size: auto; margin: 16mm 14mm 16mm 14mm; }}
  body {{ font-size: 9.5pt; }}
  h2, h3 {{ page-break-after: avoid; break-after: avoid; }}
  tr, .facts {{ page-break-inside: avoid; break-inside: avoid; }}
  thead {{ display: table-header-group; }}
}}
"""


def _title_block(d: Dossier) -> str:
    stage = d.stage.label
    return (
        '<table width="100%" cellspacing="0" cellpadding="0"><tr>'
        '<td width="78%" valign="bottom">'
        f'<p class="kicker">Funder dossier · prepared for {e(d.profile_name)}</p>'
        f"<h1>{e(d.funder_name)}</h1>"
        f'<p class="subtitle">{e(d.title)}</p>'
        "</td>"
        '<td width="22%" align="right" valign="bottom">'
        f'<p class="label">Match score</p><p class="score">{e(round(d.score * 100))}</p>'
        f'<p class="label">Stage: {e(stage)}</p>'
        "</td></tr></table>"
    )


def _fact(label: str, value: str) -> str:
    return f'<td width="25%"><p class="label">{e(label)}</p><p class="value">{e(value or "—")}</p></td>'


def _key_facts(d: Dossier) -> str:
    r = d.record
    giving = d.giving
    latest = giving.giving_by_year[0] if giving and giving.giving_by_year else None
    typical = giving.typical_grant if giving else None
    open_tasks = d.open_tasks
    next_task = min(open_tasks, key=lambda t: t.due_date) if open_tasks else None
    if d.is_federal:
        money_fact = ("Award range", f"{money_or_dash(r.award_floor)} – {money_or_dash(r.award_ceiling)}")
        size_fact = ("Total program funding", money_or_dash(r.total_funding))
    else:
        money_fact = (
            f"Grants paid ({latest.year})" if latest else "Grants paid",
            money(latest.grants_paid) if latest else "no 990 imported",
        )
        size_fact = ("Typical grant", f"${typical.median:,}" if typical else "—")
    first = [
        ("Funder EIN", r.ein or "—"),
        ("Location", ", ".join(p for p in (r.city, r.state) if p)),
        money_fact,
        size_fact,
    ]
    second = [
        ("Amount", money(d.amount or None)),
        ("Deadline", day(d.close_date) or "none stated"),
        ("Next task", f"{next_task.kind.label}, {day(next_task.due_date)}" if next_task else "none open"),
        (
            "Our gifts from them",
            f"{len(d.gifts)} ({money(sum(g.amount or 0 for g in d.gifts))})" if d.gifts else "none",
        ),
    ]
    rows = "".join(
        "<tr>" + "".join(_fact(label, value) for label, value in group) + "</tr>" for group in (first, second)
    )
    return f'<table class="facts" width="100%" cellspacing="0">{rows}</table>'


def dossier_title(d: Dossier) -> str:
    """The document title and running footer: the funder and who the dossier is for."""
    return f"Funder dossier: {d.funder_name} · for {d.profile_name}"


def render_dossier_html(d: Dossier) -> str:
    """The complete page (UTF-8 text)."""
    sections = "".join(
        f"<h2>{n}. {e(title)}</h2>{render(d)}" for n, (title, render) in enumerate(SECTIONS, start=1)
    )
    footer = (
        f'<p class="footer">Prepared {e(day(d.generated_on))} with Catalynx Desktop from public records '
        "(IRS Exempt Organizations Business Master File, IRS Form 990 e-file returns, Grants.gov) and our own notes. "
        f"Opportunity #{e(d.opportunity_id)}, profile {e(d.profile_name)}"
        f"{' (EIN ' + e(d.profile_ein) + ')' if d.profile_ein else ''}.</p>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(dossier_title(d))}</title><style>{CSS}</style></head>"
        f"<body>{_title_block(d)}{_key_facts(d)}{sections}{footer}</body></html>\n"
    )


def write_dossier_html(path: Path, d: Dossier) -> None:
    """Write the page next to its final name and rename it into place."""
    target = Path(path)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(render_dossier_html(d))
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
