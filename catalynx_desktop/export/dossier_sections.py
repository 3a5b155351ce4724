"""The numbered sections of a funder dossier, each a function of the Dossier returning HTML."""

from __future__ import annotations

from catalynx_desktop.domain.dossier import Dossier, GivingEvidence
from catalynx_desktop.domain.outcomes import Outcome
from catalynx_desktop.export.report_html import day, money, money_or_dash, muted, pairs, para, table

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


def _opportunity_section(d: Dossier) -> str:
    r = d.record
    requested = d.outcome.amount_requested
    rows: list[tuple[str, object]] = [
        ("Opportunity", d.title),
        ("Funder", d.funder_name),
        ("Stage", d.stage.label),
        ("Our request", money(requested) if requested is not None else ""),
        ("Amount listed", money(d.amount) if d.amount else ""),
        ("Deadline", day(d.close_date)),
        ("In our pipeline since", day(d.discovered_at)),
    ]
    if d.is_federal:
        rows += [
            ("Agency", r.agency),
            ("Opportunity number", r.opportunity_number),
            ("Assistance listings (CFDA)", r.cfda_numbers),
            ("Category", r.category),
            ("Posted", day(r.post_date)),
            ("Award floor", money_or_dash(r.award_floor) if r.award_floor else ""),
            ("Award ceiling", money_or_dash(r.award_ceiling) if r.award_ceiling else ""),
            ("Total program funding", money_or_dash(r.total_funding) if r.total_funding else ""),
        ]
    parts = [pairs(rows)]
    if r.description:
        parts.append(para(r.description))
    return "".join(parts)


def _score_section(d: Dossier) -> str:
    if not d.score_lines:
        return muted("This opportunity has not been scored yet.")
    weights = sum(line.weight for line in d.score_lines) or 1.0
    rows = [
        (line.name.capitalize(), f"{round(line.value * 100)}", f"{line.weight / weights:.0%}", line.reason)
        for line in d.score_lines
    ]
    intro = para(
        f"Overall {round(d.score * 100)} of 100: the weighted mean of the dimensions below, "
        "each computed from the funder's record and, where imported, its 990 returns."
    )
    return intro + table(("Dimension", "Score", "Weight", "Why"), rows, numeric=(1, 2))


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
        ("Assets", money_or_dash(r.assets) if r.assets is not None else ""),
        ("Income", money_or_dash(r.income) if r.income is not None else ""),
        ("Revenue", money_or_dash(r.revenue) if r.revenue is not None else ""),
        (
            "Ruling date",
            f"{r.ruling_date[4:6]}/{r.ruling_date[:4]}"
            if len(r.ruling_date) == 6 and r.ruling_date != "000000"
            else "",
        ),
        ("Eligible applicants", r.eligible_applicants),
    ]
    return pairs(facts) or muted("No record of this funder is stored.")


def _giving_section(giving: GivingEvidence | None) -> str:
    if giving is None:
        return muted(
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
            table(("Tax year", "Grants paid", "Grants listed", "Listed total"), rows, numeric=(1, 2, 3))
        )
    if giving.typical_grant:
        t = giving.typical_grant
        parts.append(
            para(
                f"Typical grant: ${t.median:,} (half of its {t.grant_count:,} grants between ${t.low:,} and ${t.high:,})."
            )
        )
    parts.append("<h3>Grants to organizations like ours</h3>")
    if giving.grants_like_ours:
        rows = [
            (g.year, g.recipient, ", ".join(p for p in (g.city, g.state) if p), f"${g.amount:,}", g.purpose)
            for g in giving.grants_like_ours
        ]
        parts.append(table(("Year", "Recipient", "Where", "Amount", "Purpose"), rows, numeric=(3,)))
    else:
        parts.append(muted("None of its listed grants went to an organization in our field or states."))
    return "".join(parts)


def _apply_section(d: Dossier) -> str:
    parts = []
    giving = d.giving
    if giving and giving.preselected_only:
        parts.append(
            para(
                "The funder states it gives only to preselected organizations: unsolicited requests are not accepted.",
                "warning",
            )
        )
    if d.is_federal:
        parts.append(
            para(
                f"Apply through Grants.gov, opportunity {d.record.opportunity_number or d.title}; closes {day(d.record.close_date) or 'with no stated date'}."
            )
        )
    guides = giving.how_to_apply if giving else ()
    if guides:
        parts.append(para("As stated in the funder's latest 990-PF (Part XV, line 2):"))
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
        parts.append(pairs(rows))
    if not parts:
        parts.append(muted("The funder's records state no application procedure."))
    return "".join(parts)


def _outcome_text(outcome: Outcome) -> str:
    bits = []
    if outcome.amount_requested is not None:
        bits.append(f"requested {money(outcome.amount_requested)}")
    if outcome.amount_awarded is not None:
        bits.append(f"awarded {money(outcome.amount_awarded)}")
    if outcome.decision_date:
        bits.append(f"decided {day(outcome.decision_date)}")
    if outcome.award_start or outcome.award_end:
        bits.append(f"award period {day(outcome.award_start) or '?'} – {day(outcome.award_end) or '?'}")
    return "; ".join(bits)


def _history_section(d: Dossier) -> str:
    parts = []
    this = _outcome_text(d.outcome)
    parts.append(para(f"This proposal: {d.stage.label}" + (f" — {this}." if this else ".")))
    parts.append("<h3>Gifts we received from this funder</h3>")
    if d.gifts:
        rows: list[tuple[object, ...]] = [
            (day(g.date) or "date not recorded", money(g.amount)) for g in d.gifts
        ]
        parts.append(table(("Date", "Amount"), rows, numeric=(1,)))
    else:
        parts.append(muted("None recorded."))
    parts.append("<h3>Our other proposals to this funder</h3>")
    if d.proposals:
        rows = [
            (p.title, p.profile_name, p.stage.label, _outcome_text(p.outcome) or "—") for p in d.proposals
        ]
        parts.append(table(("Proposal", "Profile", "Stage", "Outcome"), rows))
    else:
        parts.append(muted("None."))
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
        parts.append(table(("When", "Move", "Why", "By"), rows))
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
        parts.append(table(("Name", "Role", "Email", "Phone", "Notes"), rows))
        if d.opportunity_contact_id is not None:
            parts.append(para("★ our contact for this opportunity", "muted"))
    elif d.giving and d.giving.officers:
        rows = [(o.name, o.title) for o in d.giving.officers]
        parts.append(para("Officers, directors and trustees named in the funder's latest 990:"))
        parts.append(table(("Name", "Title"), rows))
    else:
        parts.append(muted("No contacts recorded."))
    if d.interactions:
        parts.append("<h3>Interactions</h3>")
        rows = [(day(i.happened_on), i.kind.label, i.contact_name or "—", i.note) for i in d.interactions]
        parts.append(table(("Date", "Kind", "With", "Note"), rows))
    return "".join(parts)


def _tasks_section(d: Dossier) -> str:
    if not d.tasks:
        return muted("No tasks.")
    rows = [
        (
            day(t.due_date),
            t.kind.label,
            "done" if t.done else ("overdue" if t.due_date < d.generated_on else "open"),
            t.note,
            t.origin.label,
        )
        for t in d.tasks
    ]
    return table(("Due", "Task", "Status", "Note", "Source"), rows)


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
        parts.append(para(" · ".join(extras)))
    if d.notes:
        parts.extend(para(line) for line in d.notes.splitlines() if line.strip())
    return "".join(parts) or muted("No notes.")


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
