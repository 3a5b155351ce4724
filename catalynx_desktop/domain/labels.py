"""Words a user reads instead of the codes the sources store: the one place for display labels.

NTEE names are NteeNames' (domain/ntee.py) and Grants.gov applicant and category names are
federal_codes.py's; this module adds what they do not cover (source names, IRS subsection and
foundation codes, EINs, organization names the BMF stores in capitals) and one entry point per
stored field, `field_text()`, that the details pane and the export share. Pure: no Qt, no I/O.
"""

from __future__ import annotations

import re
from functools import lru_cache

from catalynx_desktop.domain.federal_codes import applicant_name, category_name
from catalynx_desktop.domain.funders import FunderKind
from catalynx_desktop.domain.ntee import DEFAULT_NAMES, NteeNames

# Stored source values (domain.records.Source, and the 990 returns' importer) -> names.
SOURCE_NAMES: dict[str, str] = {
    "irs_bmf": "IRS Business Master File",
    "grants_gov": "Grants.gov",
    "irs990": "IRS Form 990 returns",
    "user_list": "Your grantor list",
    "demo": "Demo data",
}

# BMF FOUNDATION (DOMAIN.md §1).
FOUNDATION_TYPES: dict[str, str] = {
    "00": "Not a 501(c)(3) organization",
    "02": "Private operating foundation (exempt from excise tax)",
    "03": "Private operating foundation",
    "04": "Private non-operating foundation",
    "09": "Suspense",
    "10": "Church",
    "11": "School",
    "12": "Hospital or medical research organization",
    "13": "Supports a government college or university",
    "14": "Governmental unit",
    "15": "Publicly supported organization (170(b)(1)(A)(vi))",
    "16": "Publicly supported organization (509(a)(2))",
    "17": "Supporting organization (509(a)(3))",
    "18": "Public safety testing organization (509(a)(4))",
    "21": "Supporting organization, Type I",
    "22": "Supporting organization, Type II",
    "23": "Supporting organization, Type III functionally integrated",
    "24": "Supporting organization, Type III not functionally integrated",
}

# BMF SUBSECTION codes that are not 501(c)(N) (DOMAIN.md §1).
_OTHER_SUBSECTIONS: dict[str, str] = {
    "40": "501(d) religious or apostolic association",
    "50": "501(e) cooperative hospital service organization",
    "60": "501(f) cooperative educational service organization",
    "70": "501(k) child care organization",
    "71": "Charitable risk pool",
    "81": "Qualified state tuition program",
    "92": "4947(a)(1) trust treated as a private foundation",
}

RECORD_KINDS: dict[str, str] = {
    "federal_opportunity": "Federal opportunity",
    "foundation": "Private foundation",
    "organization": "Organization",
}

_PRIVATE_FOUNDATION_CODES = frozenset({"02", "03", "04"})


def source_name(source: str) -> str:
    return SOURCE_NAMES.get(source, source.replace("_", " ").capitalize())


def format_ein(ein: str | None) -> str:
    """'123456789' -> '12-3456789'; anything that is not 9 digits is shown as stored."""
    digits = "".join(ch for ch in (ein or "") if ch.isdigit())
    return f"{digits[:2]}-{digits[2:]}" if len(digits) == 9 else (ein or "")


def subsection_name(code: str) -> str:
    """'03' -> '501(c)(3)'; 01-29 -> 501(c)(N); the few others by name."""
    code = code.strip()
    if code in _OTHER_SUBSECTIONS:
        return _OTHER_SUBSECTIONS[code]
    if code.isdigit() and 1 <= int(code) <= 29:
        return f"501(c)({int(code)})"
    return f"IRS subsection {code}" if code else ""


def foundation_type_name(code: str) -> str:
    code = code.strip().zfill(2) if code.strip() else ""
    return FOUNDATION_TYPES.get(code, f"IRS foundation code {code}" if code else "")


def funder_kind(source: str, kind: str, foundation_code: str, subsection: str, grant_maker: bool) -> str:
    """What kind of funder a stored record is, in the words of FunderKind.label."""
    if kind == "federal_opportunity" or source == "grants_gov":
        found = FunderKind.FEDERAL_PROGRAM
    elif source == "user_list":
        found = FunderKind.YOUR_GRANTOR
    elif kind == "foundation" or foundation_code in _PRIVATE_FOUNDATION_CODES or subsection == "92":
        found = FunderKind.PRIVATE_FOUNDATION
    elif grant_maker:
        found = FunderKind.GRANTMAKING_PUBLIC_CHARITY
    else:
        return "Organization"
    return found.label.capitalize()


def applicant_names(codes: str) -> str:
    """'12 13 25' (as stored) -> 'nonprofits with 501(c)(3) status …; …'."""
    return "; ".join(applicant_name(code) for code in _codes(codes))


def category_names(codes: str) -> str:
    return "; ".join(category_name(code) for code in _codes(codes))


def ntee_text(code: str, names: NteeNames = DEFAULT_NAMES) -> str:
    """'K31' -> 'Food Banks & Pantries (K31)': the name first, the code for those who know it."""
    code = code.strip().upper()
    return f"{names.name(code)} ({code})" if code else ""


def _codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,;|]+", text.strip()) if c]


# -- names in their usual case -------------------------------------------------------------------
# Kept in capitals: acronyms common in organization names, and state codes (IN, OR, ME, HI, OK,
# DE, LA, AL, CO, ID, OH are left out: in a name they are far more often words or abbreviations).
_UPPER = frozenset(
    [
        "YMCA", "YWCA", "YMHA", "USA", "US", "USO", "VFW", "NAACP", "PTA", "PTO", "PTSA", "LLC", "LLP", "PC",
        "NA", "DBA", "AFL", "CIO", "AARP", "BPOE", "IOOF", "UAW", "SEIU", "NEA", "AFT", "NFL", "NBA", "CEO",
        "HIV", "AIDS", "STEM", "ESL", "ARC", "FFA", "UMC", "AME", "CME", "RSVP", "TV", "FM", "AM", "NYC",
        "DC", "II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII", "AK", "AZ", "AR", "CA",
        "CT", "FL", "GA", "IA", "IL", "KS", "KY", "MA", "MD", "MI", "MN", "MO", "MS", "NC",
        "ND", "NE", "NH", "NJ", "NM", "NV", "NY", "PA", "PR", "RI", "SC", "SD", "TN", "TX",
        "UT", "VA", "VI", "VT", "WA", "WI", "WV", "WY", "GU",
    ]
)  # fmt: skip
# Abbreviations without a vowel that are words, not acronyms.
_ABBREVIATIONS = frozenset(
    [
        "FDN", "ST", "DR", "JR", "SR", "MT", "CTR", "CNTR", "CNTY", "SVC", "SVCS", "SCHL", "MTN", "PKWY",
        "BLVD", "HWY", "BROS", "MGMT", "DEPT", "JCT", "FT", "PT",
    ]
)  # fmt: skip
_SMALL = frozenset(
    [
        "a", "an", "and", "as", "at", "but", "by", "de", "del", "for", "from", "in", "of", "on",
        "or", "the", "to", "with", "la", "le", "du", "van", "von",
    ]
)  # fmt: skip
_ORDINAL = re.compile(r"^(\d+)(ST|ND|RD|TH)$")
_WORD = re.compile(r"[A-Z0-9']+|[^A-Z0-9']+")


def _word(word: str, first: bool) -> str:
    if word in _UPPER:
        return word
    ordinal = _ORDINAL.match(word)
    if ordinal:
        return ordinal.group(1) + ordinal.group(2).lower()
    lower = word.lower()
    if not first and lower in _SMALL:
        return lower
    if word in _ABBREVIATIONS:
        return word.capitalize()
    if not any(ch in "AEIOUY" for ch in word) and word.isalpha() and len(word) > 1:
        return word  # no vowel: an acronym (NRCS, PTSD), not a word
    if lower.startswith("mc") and len(word) > 3:
        return "Mc" + word[2:].capitalize()
    if "'" in word:  # O'BRIEN -> O'Brien, but ST MARY'S -> St Mary's
        head, _, tail = word.partition("'")
        return head.capitalize() + "'" + (tail.capitalize() if len(head) == 1 else tail.lower())
    return word.capitalize()


@lru_cache(maxsize=65_536)  # a page repeats funder names; the table formats ~250 rows a page
def display_name(name: str) -> str:
    """A name in its usual case where the source shouts ('YMCA OF GREATER VT INC' ->
    'YMCA of Greater VT Inc'); names with any lower-case letter are kept as given."""
    if not name.isupper():
        return name
    parts = _WORD.findall(name)
    out = []
    first = True
    for part in parts:
        if part[0].isalnum() or part[0] == "'":
            out.append(_word(part, first))
            first = False
        else:
            out.append(part)
    return "".join(out)


# -- one stored field as text ---------------------------------------------------------------------
def field_text(name: str, value: object, ntee: NteeNames = DEFAULT_NAMES) -> str:
    """A stored source-record field as the user reads it (details pane, export)."""
    if value is None:
        return ""
    text = str(value)
    match name:
        case "ein":
            return format_ein(text)
        case "subsection":
            return subsection_name(text)
        case "foundation_code":
            return foundation_type_name(text)
        case "ntee_code":
            return ntee_text(text, ntee)
        case "eligible_applicants":
            return applicant_names(text)
        case "category":
            return category_names(text)
        case "kind":
            return RECORD_KINDS.get(text, text)
        case "source":
            return source_name(text)
        case "name" | "funder_name":
            return display_name(text)
        case "city":
            return display_name(text)
    return text
