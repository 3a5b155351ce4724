"""Display labels: codes in words, EINs formatted, shouting names in their usual case."""

from __future__ import annotations

import csv
from pathlib import Path

from catalynx_desktop.domain.labels import (
    applicant_names,
    category_names,
    display_name,
    field_text,
    format_ein,
    foundation_type_name,
    funder_kind,
    source_name,
    subsection_name,
)
from catalynx_desktop.resources import ntee_names

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def test_codes_in_words():
    assert source_name("irs_bmf") == "IRS Business Master File"
    assert source_name("grants_gov") == "Grants.gov"
    assert source_name("user_list") == "Your grantor list"
    assert subsection_name("03") == "501(c)(3)" and subsection_name("04") == "501(c)(4)"
    assert subsection_name("92").startswith("4947(a)(1)")
    assert foundation_type_name("04") == "Private non-operating foundation"
    assert foundation_type_name("15").startswith("Publicly supported")
    assert applicant_names("12 25") == (
        "nonprofits with 501(c)(3) status (other than higher education); others (see the eligibility text)"
    )
    assert category_names("ED HL") == "Education; Health"
    assert funder_kind("irs_bmf", "foundation", "04", "03", True) == "Private foundation"
    assert funder_kind("grants_gov", "federal_opportunity", "", "", False) == "Federal program"
    assert funder_kind("irs_bmf", "organization", "15", "03", False) == "Organization"


def test_ein_and_ntee():
    assert format_ein("123456789") == "12-3456789"
    assert format_ein("12-3456789") == "12-3456789"
    assert format_ein("12345") == "12345"  # not an EIN: shown as stored
    names = ntee_names()
    assert len(names) == 681
    assert field_text("ntee_code", "K31", names) == "Food Banks & Pantries (K31)"
    assert field_text("ntee_code", "T310", names).startswith("Community Foundations")


def test_shouting_names_in_their_usual_case():
    assert display_name("YMCA OF GREATER BURLINGTON VT INC") == "YMCA of Greater Burlington VT Inc"
    assert display_name("AMERICAN LEGION 1ST DISTRICT") == "American Legion 1st District"
    assert display_name("THE MCCARTHY FAMILY FOUNDATION") == "The McCarthy Family Foundation"
    assert display_name("FRIENDS OF THE O'BRIEN LIBRARY LLC") == "Friends of the O'Brien Library LLC"
    assert display_name("USA DANCE INC") == "USA Dance Inc"
    assert display_name("Harbor Arts Collective") == "Harbor Arts Collective"  # not shouting: as given


def test_every_vt_bmf_name_loses_its_capitals_but_keeps_its_letters():
    with (SHARED / "irs_eo_bmf" / "eo_vt.csv").open(encoding="ascii", newline="") as handle:
        names = [row["NAME"] for row in csv.DictReader(handle)]
    assert len(names) > 6000
    for name in names:
        shown = display_name(name)
        assert shown.upper() == name  # same letters, only the case changes
        if any(len(w) > 5 for w in name.split()):
            assert not shown.isupper(), name
