"""A funder dossier as one self-contained HTML page: title block, key facts, numbered sections.

Qt applies cell paddings only in px (CSS pixels, 1/96 in), so paddings are px; sizes of type are pt.

The same markup serves a browser (with print CSS: A4/Letter margins, no page break inside a
table row or right after a heading) and Qt's rich-text engine (ui/reports/dossier_pdf.py), which
reads HTML 4 and a CSS subset: so the layout is tables with explicit widths and paddings, never
flex or grid, and styling that Qt ignores (page rules, borders on collapse) is only decoration.
Every value from the data goes through html.escape (`_e`), including numbers.
"""

from __future__ import annotations

import html
import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from catalynx_desktop.domain.dossier import Dossier, GivingEvidence
from catalynx_desktop.domain.outcomes import Outcome

_FOUNDATION_CODES = {
    "02": "Private operating foundation (exempt from excise tax)",
    "03": "Private operating foundation",
    "04": "Private non-operating foundation",
    "10": "Church",
    "11": "School",
    "12": "Hospital or medical research organization",
    "15": "Publicly supported organization",
    "16": "Public charity, 509(a)(2)",
    "17": "Supporting organization, 509(a)(3)",
}
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


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def money(amount: int | None) -> str:
    return "not stated" if amount is None else f"${amount:,}"


def _money_or_dash(amount: int | None) -> str:
    return "—" if amount is None else f"${amount:,}"


def _day(text: str | date | None) -> str:
    """'2027-03-01' -> 'Mar 1, 2027'; '' -> ''."""
    if not text:
        return ""
    try:
        day = text if isinstance(text, date) else date.fromisoformat(str(text)[:10])
    except ValueError:
        return str(text)
    return f"{day:%b} {day.day}, {day.year}"


_NUMERIC = ' class="num" align="right"'


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: Sequence[int] = ()) -> str:
    """A data table; columns listed in `numeric` are right-aligned (Qt reads the align attribute)."""
    head = "".join(f"<th{_NUMERIC if i in numeric else ''}>{_e(h)}</th>" for i, h in enumerate(headers))
    body = []
    for row in rows:
        cells = "".join(f"<td{_NUMERIC if i in numeric else ''}>{_e(v)}</td>" for i, v in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return (
        '<table class="data" width="100%" cellspacing="0">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _pairs(rows: Iterable[tuple[str, object]]) -> str:
    """A label / value table (no header row); rows with an empty value are left out."""
    body = "".join(
        f'<tr><td class="key" width="28%">{_e(label)}</td><td>{_e(value)}</td></tr>'
        for label, value in rows
        if value
    )
    return (
        f'<table class="data pairs" width="100%" cellspacing="0"><tbody>{body}</tbody></table>'
        if body
        else ""
    )


def _para(text: str, css: str = "") -> str:
    css_attr = f' class="{css}"' if css else ""
    return f"<p{css_attr}>{_e(text)}</p>"


def _none(text: str) -> str:
    return _para(text, "muted")


def _title_block(d: Dossier) -> str:
    stage = d.stage.label
    return (
        '<table width="100%" cellspacing="0" cellpadding="0"><tr>'
        '<td width="78%" valign="bottom">'
        f'<p class="kicker">Funder dossier · prepared for {_e(d.profile_name)}</p>'
        f"<h1>{_e(d.funder_name)}</h1>"
        f'<p class="subtitle">{_e(d.title)}</p>'
        "</td>"
        '<td width="22%" align="right" valign="bottom">'
        f'<p class="label">Match score</p><p class="score">{_e(round(d.score * 100))}</p>'
        f'<p class="label">Stage: {_e(stage)}</p>'
        "</td></tr></table>"
    )


def _fact(label: str, value: str) -> str:
    return f'<td width="25%"><p class="label">{_e(label)}</p><p class="value">{_e(value or "—")}</p></td>'


def _key_facts(d: Dossier) -> str:
    r = d.record
    giving = d.giving
    latest = giving.giving_by_year[0] if giving and giving.giving_by_year else None
    typical = giving.typical_grant if giving else None
    open_tasks = d.open_tasks
    next_task = min(open_tasks, key=lambda t: t.due_date) if open_tasks else None
    if d.is_federal:
        money_fact = ("Award range", f"{_money_or_dash(r.award_floor)} – {_money_or_dash(r.award_ceiling)}")
        size_fact = ("Total program funding", _money_or_dash(r.total_funding))
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
        ("Deadline", _day(d.close_date) or "none stated"),
        ("Next task", f"{next_task.kind.label}, {_day(next_task.due_date)}" if next_task else "none open"),
        (
            "Our gifts from them",
            f"{len(d.gifts)} ({money(sum(g.amount or 0 for g in d.gifts))})" if d.gifts else "none",
        ),
    ]
    rows = "".join(
        "<tr>" + "".join(_fact(label, value) for label, value in group) + "</tr>" for group in (first, second)
    )
    return f'<table class="facts" width="100%" cellspacing="0">{rows}</table>'


def _opportunity_section(d: Dossier) -> str:
    r = d.record
    requested = d.outcome.amount_requested
    rows: list[tuple[str, object]] = [
        ("Opportunity", d.title),
        ("Funder", d.funder_name),
        ("Stage", d.stage.label),
        ("Our request", money(requested) if requested is not None else ""),
        ("Amount listed", money(d.amount) if d.amount else ""),
        ("Deadline", _day(d.close_date)),
        ("In our pipeline since", _day(d.discovered_at)),
    ]
    if d.is_federal:
        rows += [
            ("Agency", r.agency),
            ("Opportunity number", r.opportunity_number),
            ("Assistance listings (CFDA)", r.cfda_numbers),
            ("Category", r.category),
            ("Posted", _day(r.post_date)),
            ("Award floor", _money_or_dash(r.award_floor) if r.award_floor else ""),
            ("Award ceiling", _money_or_dash(r.award_ceiling) if r.award_ceiling else ""),
            ("Total program funding", _money_or_dash(r.total_funding) if r.total_funding else ""),
        ]
    parts = [_pairs(rows)]
    if r.description:
        parts.append(_para(r.description))
    return "".join(parts)


def _score_section(d: Dossier) -> str:
    if not d.score_lines:
        return _none("This opportunity has not been scored yet.")
    weights = sum(line.weight for line in d.score_lines) or 1.0
    rows = [
        (line.name.capitalize(), f"{round(line.value * 100)}", f"{line.weight / weights:.0%}", line.reason)
        for line in d.score_lines
    ]
    intro = _para(
        f"Overall {round(d.score * 100)} of 100: the weighted mean of the dimensions below, "
        "each computed from the funder's record and, where imported, its 990 returns."
    )
    return intro + _table(("Dimension", "Score", "Weight", "Why"), rows, numeric=(1, 2))


def _funder_section(d: Dossier) -> str:
    r = d.record
    facts = [
        ("Name", r.name),
        ("EIN", r.ein),
        ("City, state", ", ".join(p for p in (r.city, r.state) if p)),
        ("NTEE code", r.ntee_code),
        (
            "IRS subsection",
            f"501(c)({int(r.subsection)})"
            if r.subsection.isdigit() and int(r.subsection) < 30
            else r.subsection,
        ),
        (
            "Foundation type",
            _FOUNDATION_CODES.get(
                r.foundation_code, f"code {r.foundation_code}" if r.foundation_code else ""
            ),
        ),
        ("Assets", _money_or_dash(r.assets) if r.assets is not None else ""),
        ("Income", _money_or_dash(r.income) if r.income is not None else ""),
        ("Revenue", _money_or_dash(r.revenue) if r.revenue is not None else ""),
        (
            "Ruling date",
            f"{r.ruling_date[4:6]}/{r.ruling_date[:4]}"
            if len(r.ruling_date) == 6 and r.ruling_date != "000000"
            else "",
        ),
        ("Eligible applicants", r.eligible_applicants),
    ]
    return _pairs(facts) or _none("No record of this funder is stored.")


def _giving_section(giving: GivingEvidence | None) -> str:
    if giving is None:
        return _none(
            "No 990 return of this funder is imported: import the IRS 990 e-file returns to see "
            "its giving by year and its grants to organizations like yours."
        )
    parts = []
    if giving.giving_by_year:
        rows: list[tuple[object, ...]] = [
            (y.year, money(y.grants_paid), f"{y.grant_count:,}", money(y.listed_total))
            for y in giving.giving_by_year
        ]
        parts.append(
            _table(("Tax year", "Grants paid", "Grants listed", "Listed total"), rows, numeric=(1, 2, 3))
        )
    if giving.typical_grant:
        t = giving.typical_grant
        parts.append(
            _para(
                f"Typical grant: ${t.median:,} (half of its {t.grant_count:,} grants between ${t.low:,} and ${t.high:,})."
            )
        )
    parts.append("<h3>Grants to organizations like ours</h3>")
    if giving.grants_like_ours:
        rows = [
            (g.year, g.recipient, ", ".join(p for p in (g.city, g.state) if p), f"${g.amount:,}", g.purpose)
            for g in giving.grants_like_ours
        ]
        parts.append(_table(("Year", "Recipient", "Where", "Amount", "Purpose"), rows, numeric=(3,)))
    else:
        parts.append(_none("None of its listed grants went to an organization in our field or states."))
    return "".join(parts)


def _apply_section(d: Dossier) -> str:
    parts = []
    giving = d.giving
    if giving and giving.preselected_only:
        parts.append(
            _para(
                "The funder states it gives only to preselected organizations: unsolicited requests are not accepted.",
                "warning",
            )
        )
    if d.is_federal:
        parts.append(
            _para(
                f"Apply through Grants.gov, opportunity {d.record.opportunity_number or d.title}; closes {_day(d.record.close_date) or 'with no stated date'}."
            )
        )
    guides = giving.how_to_apply if giving else ()
    if guides:
        parts.append(_para("As stated in the funder's latest 990-PF (Part XV, line 2):"))
    for number, guide in enumerate(guides, start=1):
        if len(guides) > 1:
            parts.append(f"<h3>Route {number} of {len(guides)}</h3>")
        rows = [
            ("Send to", guide.contact_name),
            ("Address", guide.address),
            ("Phone", guide.phone),
            ("Email", guide.email),
            ("Form and materials", guide.form_and_materials),
            ("Deadlines", guide.deadlines),
            ("Restrictions", guide.restrictions),
        ]
        parts.append(_pairs(rows))
    if not parts:
        parts.append(_none("The funder's records state no application procedure."))
    return "".join(parts)


def _outcome_text(outcome: Outcome) -> str:
    bits = []
    if outcome.amount_requested is not None:
        bits.append(f"requested {money(outcome.amount_requested)}")
    if outcome.amount_awarded is not None:
        bits.append(f"awarded {money(outcome.amount_awarded)}")
    if outcome.decision_date:
        bits.append(f"decided {_day(outcome.decision_date)}")
    if outcome.award_start or outcome.award_end:
        bits.append(f"award period {_day(outcome.award_start) or '?'} – {_day(outcome.award_end) or '?'}")
    return "; ".join(bits)


def _history_section(d: Dossier) -> str:
    parts = []
    this = _outcome_text(d.outcome)
    parts.append(_para(f"This proposal: {d.stage.label}" + (f" — {this}." if this else ".")))
    parts.append("<h3>Gifts we received from this funder</h3>")
    if d.gifts:
        rows: list[tuple[object, ...]] = [
            (_day(g.date) or "date not recorded", money(g.amount)) for g in d.gifts
        ]
        parts.append(_table(("Date", "Amount"), rows, numeric=(1,)))
    else:
        parts.append(_none("None recorded."))
    parts.append("<h3>Our other proposals to this funder</h3>")
    if d.proposals:
        rows = [
            (p.title, p.profile_name, p.stage.label, _outcome_text(p.outcome) or "—") for p in d.proposals
        ]
        parts.append(_table(("Proposal", "Profile", "Stage", "Outcome"), rows))
    else:
        parts.append(_none("None."))
    if d.history:
        parts.append("<h3>Pipeline history of this opportunity</h3>")
        rows = [
            (
                h.moved_at_local,
                f"{h.from_stage.label if h.from_stage else '—'} → {h.to_stage.label}",
                h.reason,
                h.moved_by,
            )
            for h in d.history
        ]
        parts.append(_table(("When", "Move", "Why", "By"), rows))
    return "".join(parts)


def _contacts_section(d: Dossier) -> str:
    parts = []
    if d.contacts:
        rows: list[tuple[object, ...]] = [
            (
                ("★ " if c.id == d.opportunity_contact_id else "") + c.name,
                c.role,
                c.email,
                c.phone,
                c.notes or c.origin.label,
            )
            for c in d.contacts
        ]
        parts.append(_table(("Name", "Role", "Email", "Phone", "Notes"), rows))
        if d.opportunity_contact_id is not None:
            parts.append(_para("★ our contact for this opportunity", "muted"))
    elif d.giving and d.giving.officers:
        rows = [(o.name, o.title) for o in d.giving.officers]
        parts.append(_para("Officers, directors and trustees named in the funder's latest 990:"))
        parts.append(_table(("Name", "Title"), rows))
    else:
        parts.append(_none("No contacts recorded."))
    if d.interactions:
        parts.append("<h3>Interactions</h3>")
        rows = [(_day(i.happened_on), i.kind.label, i.contact_name or "—", i.note) for i in d.interactions]
        parts.append(_table(("Date", "Kind", "With", "Note"), rows))
    return "".join(parts)


def _tasks_section(d: Dossier) -> str:
    if not d.tasks:
        return _none("No tasks.")
    rows = [
        (
            _day(t.due_date),
            t.kind.label,
            "done" if t.done else ("overdue" if t.due_date < d.generated_on else "open"),
            t.note,
            t.origin.label,
        )
        for t in d.tasks
    ]
    return _table(("Due", "Task", "Status", "Note", "Source"), rows)


def _notes_section(d: Dossier) -> str:
    parts = []
    extras = []
    if d.rating:
        extras.append(f"Rating: {'★' * d.rating}{'☆' * (5 - d.rating)}")
    if d.priority:
        extras.append(f"Priority: {d.priority}")
    if d.tags:
        extras.append(f"Tags: {', '.join(d.tags)}")
    if extras:
        parts.append(_para(" · ".join(extras)))
    if d.notes:
        parts.extend(_para(line) for line in d.notes.splitlines() if line.strip())
    return "".join(parts) or _none("No notes.")


SECTIONS = (
    ("The opportunity", _opportunity_section),
    ("Why it fits: the score and its reasons", _score_section),
    ("The funder", _funder_section),
    ("Giving history", lambda d: _giving_section(d.giving)),
    ("How to apply", _apply_section),
    ("Our history with this funder", _history_section),
    ("Contacts", _contacts_section),
    ("Tasks and deadlines", _tasks_section),
    ("Notes", _notes_section),
)


def dossier_title(d: Dossier) -> str:
    """The document title and running footer: the funder and who the dossier is for."""
    return f"Funder dossier: {d.funder_name} · for {d.profile_name}"


def render_dossier_html(d: Dossier) -> str:
    """The complete page (UTF-8 text)."""
    sections = "".join(
        f"<h2>{n}. {_e(title)}</h2>{render(d)}" for n, (title, render) in enumerate(SECTIONS, start=1)
    )
    footer = (
        f'<p class="footer">Prepared {_e(_day(d.generated_on))} with Catalynx Desktop from public records '
        "(IRS Exempt Organizations Business Master File, IRS Form 990 e-file returns, Grants.gov) and our own notes. "
        f"Opportunity #{_e(d.opportunity_id)}, profile {_e(d.profile_name)}"
        f"{' (EIN ' + _e(d.profile_ein) + ')' if d.profile_ein else ''}.</p>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(dossier_title(d))}</title><style>{CSS}</style></head>"
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
