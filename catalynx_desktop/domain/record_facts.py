"""What the details pane lists about a funder or federal record: labelled facts in words, and links.

Pure: built from the stored fields and the `extra` JSON the parsers keep (Grants.gov contact,
web address, eligibility text, cost sharing; the BMF's street and ZIP), with labels.field_text
turning codes into words. Storage calls it on its reader thread; the pane only lays it out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from catalynx_desktop.domain.labels import display_name, field_text, source_name
from catalynx_desktop.domain.ntee import DEFAULT_NAMES, NteeNames

GRANTS_GOV_DETAIL_URL = "https://www.grants.gov/search-results-detail/{id}"

MONEY_FIELDS = frozenset({"award_floor", "award_ceiling", "total_funding", "assets", "income", "revenue"})

# Stored fields, in display order, with their labels.
FIELD_LABELS: dict[str, str] = {
    "kind": "Kind",
    "name": "Name",
    "funder_name": "Funder / agency",
    "opportunity_number": "Number",
    "ein": "EIN",
    "city": "City",
    "state": "State",
    "country": "Country",
    "ntee_code": "Field (NTEE)",
    "subsection": "Tax-exempt status",
    "foundation_code": "Foundation type",
    "award_floor": "Award floor",
    "award_ceiling": "Award ceiling",
    "total_funding": "Total funding",
    "assets": "Assets",
    "income": "Income",
    "revenue": "Revenue",
    "post_date": "Posted",
    "close_date": "Closes",
    "status": "Status",
    "eligible_applicants": "Eligible applicants",
    "cfda_numbers": "CFDA (Assistance Listing)",
    "category": "Category",
    "description": "Description",
}

# `extra` keys (as the parsers store them) shown after the fields, with their labels.
EXTRA_LABELS: dict[str, str] = {
    "in_care_of": "In care of",
    "street": "Street address",
    "zip": "ZIP code",
    "grantor_contact_name": "Contact",
    "grantor_contact_text": "Contact",
    "grantor_contact_email": "Contact email",
    "grantor_contact_email_description": "About the contact email",
    "grantor_contact_phone_number": "Contact phone",
    "website": "Web address",
    "additional_information_url": "Web address",
    "additional_information_text": "About the web address",
    "additional_information_on_eligibility": "Eligibility",
    "cost_sharing_or_matching_requirement": "Cost sharing or matching",
    "expected_number_of_awards": "Expected awards",
    "fiscal_year": "Fiscal year",
    "estimated_award_date": "Expected award date",
    "close_date_explanation": "About the closing date",
    "gift_date": "Last gift",
    "gift_amount": "Last gift amount",
    "gift_purpose": "Gift purpose",
}
_YES_NO = {"Yes": "Required", "No": "Not required"}


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class RecordFacts:
    facts: tuple[tuple[str, str], ...] = ()
    links: tuple[Link, ...] = ()


def _money(value: Any) -> str:
    return f"${int(value):,}" if isinstance(value, int | float) else str(value)


def _web(url: str) -> str:
    url = url.strip()
    if not url:
        return ""
    return url if url.lower().startswith(("http://", "https://")) else f"https://{url}"


def describe_record(
    record: Mapping[str, Any],
    extra: Mapping[str, Any],
    source: str,
    source_id: str,
    ntee: NteeNames = DEFAULT_NAMES,
) -> RecordFacts:
    """Labelled facts (empty values left out) and links for one stored record."""
    facts: list[tuple[str, str]] = [("Source", source_name(source))]
    for name, label in FIELD_LABELS.items():
        value = record.get(name)
        if value in (None, ""):
            continue
        text = _money(value) if name in MONEY_FIELDS else field_text(name, value, ntee)
        if text:
            facts.append((label, text))
    for key, label in EXTRA_LABELS.items():
        value = extra.get(key)
        if value in (None, "", [], {}):
            continue
        if key == "cost_sharing_or_matching_requirement":
            value = _YES_NO.get(str(value), str(value))
        elif key == "gift_amount":
            value = _money(value)
        elif key == "in_care_of" or key == "street":
            value = display_name(str(value))
        facts.append((label, str(value)))
    links: list[Link] = []
    if source == "grants_gov" and source_id.isdigit():
        links.append(Link("Open on Grants.gov", GRANTS_GOV_DETAIL_URL.format(id=source_id)))
    for key in ("website", "additional_information_url"):
        url = _web(str(extra.get(key) or ""))
        if url:
            links.append(Link("Funder's web page" if key == "website" else "More information", url))
    return RecordFacts(tuple(facts), tuple(links))
