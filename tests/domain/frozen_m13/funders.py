"""FROZEN COPY (issue 13, m13-speed) of catalynx_desktop/domain/funders.py as it was before the speed work:
test_matching_golden.py scores a generated set with this and with the live code and requires identical
outcomes. Do not edit.

Who counts as a funder: the one place the rules live (DOMAIN.md §1, "plausible grantmaker").

A grant researcher wants organizations that give money: private foundations, grantmaking public
charities (community foundations, federated funds such as United Ways, corporate foundations),
federal programs and the user's own past grantors. A public charity with no evidence of
grantmaking is a PEER (an organization like theirs: "who funds my peers" is a fair question,
a funding opportunity it is not). Some organizations are rarely funders at all (EXCLUDED).

Every verdict carries a plain-words reason and a strength: the weight DOMAIN.md's table gives
the signal that decided it (FOUNDATION 04 high, a 4947 trust medium, operating foundations low).
Grants reported on 990 returns beat every guess from the master file.

Speed: Discover classifies every BMF row (1.9M), so the usual verdicts are module constants
(no allocation per row) and the checks are plain string compares, cheapest first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import NamedTuple


class FunderKind(StrEnum):
    PRIVATE_FOUNDATION = "private_foundation"
    GRANTMAKING_PUBLIC_CHARITY = "grantmaking_public_charity"  # community fdns, United Ways, corporate
    FEDERAL_PROGRAM = "federal_program"
    YOUR_GRANTOR = "your_grantor"  # on the user's gift list, or gave to their organization

    @property
    def label(self) -> str:
        """The user's words (the `kind` of `matches --json`)."""
        return _KIND_LABELS[self]


_KIND_LABELS = {
    FunderKind.PRIVATE_FOUNDATION: "private foundation",
    FunderKind.GRANTMAKING_PUBLIC_CHARITY: "grantmaking public charity",
    FunderKind.FEDERAL_PROGRAM: "federal program",
    FunderKind.YOUR_GRANTOR: "your grantor",
}


class Standing(StrEnum):
    FUNDER = "funder"  # a funding opportunity (kind says which)
    PEER = "peer"  # a public charity with no evidence of grantmaking: never in the pipeline
    EXCLUDED = "excluded"  # rarely a funder (church, hospital, not deductible, ending PF status, ...)


class Strength(StrEnum):
    """How much the deciding signal weighs (DOMAIN.md §1 table)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True, slots=True)
class FunderClass:
    standing: Standing
    kind: FunderKind | None  # set for funders only
    strength: Strength
    reason: str

    @property
    def is_funder(self) -> bool:
        return self.standing is Standing.FUNDER


class BmfFacts(NamedTuple):
    """The BMF fields the rules read, as the IRS gives them (text, codes with leading zeros)."""

    ein: str = ""
    name: str = ""
    subsection: str = ""
    foundation: str = ""
    activity: str = ""  # 3 x 3 digits
    ntee: str = ""
    status: str = ""
    deductibility: str = ""
    sort_name: str = ""

    @classmethod
    def from_columns(cls, row: Mapping[str, str]) -> BmfFacts:
        """From a mapping keyed by BMF column names (EIN, NAME, SUBSECTION, ... as in the file)."""
        get = row.get
        return cls(
            (get("EIN") or "").strip(),
            (get("NAME") or "").strip(),
            (get("SUBSECTION") or "").strip(),
            (get("FOUNDATION") or "").strip(),
            (get("ACTIVITY") or "").strip(),
            (get("NTEE_CD") or "").strip().upper(),
            (get("STATUS") or "").strip(),
            (get("DEDUCTIBILITY") or "").strip(),
            (get("SORT_NAME") or "").strip(),
        )


def is_own_organization(profile_ein: str | None, ein: str | None) -> bool:
    """The profile's own organization is never a match (EINs compared as 9 digits)."""
    if not profile_ein or not ein:
        return False
    return _digits(profile_ein) == _digits(ein)


def _digits(ein: str) -> str:
    return "".join(c for c in ein if c.isdigit()).zfill(9)


def _funder(kind: FunderKind, strength: Strength, reason: str) -> FunderClass:
    return FunderClass(Standing.FUNDER, kind, strength, reason)


_PF = FunderKind.PRIVATE_FOUNDATION
_PUBLIC = FunderKind.GRANTMAKING_PUBLIC_CHARITY
FEDERAL = _funder(FunderKind.FEDERAL_PROGRAM, Strength.HIGH, "federal grant program")
GAVE_TO_YOU = _funder(FunderKind.YOUR_GRANTOR, Strength.HIGH, "has given to your organization")
ON_YOUR_LIST = _funder(FunderKind.YOUR_GRANTOR, Strength.HIGH, "on your list of grantors")
_NON_OPERATING = _funder(_PF, Strength.HIGH, "private non-operating foundation: makes grants to charities")
_OPERATING = _funder(
    _PF, Strength.LOW, "private operating foundation: runs its own programs, grants are a side line"
)
_TRUST = _funder(
    _PF, Strength.MEDIUM, "charitable trust treated as a private foundation: often pays fixed beneficiaries"
)
_ENDING_PF = FunderClass(
    Standing.EXCLUDED, None, Strength.HIGH, "ending its private foundation status: rarely a funder"
)
_NOT_DEDUCTIBLE = FunderClass(
    Standing.EXCLUDED, None, Strength.HIGH, "gifts to it are not tax-deductible: rarely a funder"
)
_RARELY = {
    "10": "a church",
    "11": "a school",
    "12": "a hospital or medical research organization",
    "13": "supports a government college or university",
    "14": "a governmental unit",
}
_RARELY_CLASSES = {
    code: FunderClass(Standing.EXCLUDED, None, Strength.HIGH, f"{what}: rarely a funder")
    for code, what in _RARELY.items()
}
# IRS Publication 557 names of the 501(c) subsections common in the BMF.
_SUBSECTIONS = {
    "01": "a corporation organized under an act of Congress",
    "02": "a title-holding corporation",
    "04": "a social welfare organization",
    "05": "a labor, agricultural or horticultural organization",
    "06": "a business league or chamber of commerce",
    "07": "a social or recreational club",
    "08": "a fraternal beneficiary society",
    "09": "a voluntary employees' beneficiary association",
    "10": "a domestic fraternal society",
    "12": "a mutual company or cooperative",
    "13": "a cemetery company",
    "14": "a credit union",
    "19": "a veterans' organization",
    "91": "a charitable trust filing a 990",
}
_NO_SIGNAL = FunderClass(
    Standing.PEER,
    None,
    Strength.LOW,
    "public charity with no sign of grantmaking (no 990 grants imported; not a foundation, "
    "community foundation or United Way)",
)
_ONE_INSTITUTION = FunderClass(
    Standing.PEER, None, Strength.LOW, "raises money for a single organization, not a grantmaker to others"
)
_SUPPORTING = FunderClass(
    Standing.PEER,
    None,
    Strength.LOW,
    "supporting organization: gives to the institutions it supports, rarely to others",
)
_COMMUNITY_NAME = _funder(_PUBLIC, Strength.HIGH, "community foundation or United Way (by its name)")
_FEDERATED_ACTIVITY = _funder(_PUBLIC, Strength.HIGH, "federated fund or United Way (IRS activity)")
_PUBLIC_NTEE = {
    "T30": _funder(_PUBLIC, Strength.HIGH, "public foundation (its NTEE field)"),
    "T31": _funder(_PUBLIC, Strength.HIGH, "community foundation (its NTEE field)"),
    "T70": _funder(_PUBLIC, Strength.HIGH, "federated giving program (its NTEE field)"),
    "T20": _funder(_PUBLIC, Strength.MEDIUM, "calls itself a grantmaking foundation (its NTEE field)"),
    "T21": _funder(_PUBLIC, Strength.MEDIUM, "calls itself a corporate foundation (its NTEE field)"),
    "T22": _funder(_PUBLIC, Strength.MEDIUM, "calls itself an independent foundation (its NTEE field)"),
}
_GRANTS_ACTIVITY = _funder(
    _PUBLIC, Strength.MEDIUM, "says it makes gifts, grants or loans to other organizations (IRS activity)"
)
_COMMUNITY_TRUST = _funder(_PUBLIC, Strength.MEDIUM, "community trust (IRS activity)")
_CORPORATE = _funder(_PUBLIC, Strength.MEDIUM, "looks like a company's foundation (by its name)")
_SUPPORTING_CODES = frozenset({"17", "21", "22", "23", "24"})
# `<COMPANY/BANK> ... FOUNDATION`: the company word BEFORE "FOUNDATION" ("X FOUNDATION CORP" is a
# legal suffix, not a company; VT has four such 15/16s that are not corporate foundations).
_CORPORATE_NAME = re.compile(
    r"\b(BANK|BANCORP|COMPANY|CORPORATION|CORP|INSURANCE|MUTUAL|SAVINGS|ELECTRIC|POWER|TELEPHONE|"
    r"INDUSTRIES|CREDIT UNION)\b.*\bFOUNDATION\b"
)


def _public_charity(facts: BmfFacts) -> FunderClass:
    """A 501(c)(3) public charity (FOUNDATION 09-24 except 10-14): funder only on a grantmaking signal."""
    names = facts.name + " " + facts.sort_name if facts.sort_name else facts.name
    if "COMMUNITY FOUNDATION" in names or "UNITED WAY" in names:
        return _COMMUNITY_NAME
    activity = facts.activity
    # most rows have no legacy activity codes: skip the slicing for them (Discover's hot path)
    codes = (activity[0:3], activity[3:6], activity[6:9]) if activity.strip("0") else ()
    if "600" in codes:
        return _FEDERATED_ACTIVITY
    ntee = facts.ntee
    # "Friends of the library" and NTEE xx11 (single-organization support) raise money for one
    # institution; their T or activity codes are often loose (VT: FRIENDS OF ... with T31, 602).
    if ntee[1:3] == "11" or names.startswith("FRIENDS OF"):
        return _ONE_INSTITUTION
    by_ntee = _PUBLIC_NTEE.get(ntee[:3])
    if by_ntee is not None:
        return by_ntee
    if "602" in codes:
        return _GRANTS_ACTIVITY
    if "903" in codes:
        return _COMMUNITY_TRUST
    if _corporate(facts.name) or _corporate(facts.sort_name):
        return _CORPORATE
    if facts.foundation in _SUPPORTING_CODES:
        return _SUPPORTING
    return _NO_SIGNAL


def _corporate(name: str) -> bool:
    """`<COMPANY/BANK> ... FOUNDATION` in one name (not a company NAME with a fund's SORT_NAME)."""
    return "FOUNDATION" in name and _CORPORATE_NAME.search(name) is not None


def _given(kind: FunderKind, total_given: int) -> FunderClass:
    what = f"reported {_dollars(total_given)} in grants" if total_given > 0 else "lists grants"
    return _funder(kind, Strength.HIGH, f"{what} on its 990 returns")


def _dollars(amount: int) -> str:
    return f"${amount:,}"


def classify(
    facts: BmfFacts,
    *,
    has_grants: bool = False,
    total_given: int = 0,
    your_grantor: bool = False,
    on_your_list: bool = False,
) -> FunderClass:
    """Funder (with its kind), peer or excluded, from BMF facts and any giving evidence.

    has_grants / total_given: grants on the organization's imported 990 returns.
    your_grantor: it gave to the profile's organization (a gift on the user's list or a 990 grant).
    on_your_list: the user listed it as a grantor (a list row without gifts on record).
    """
    if your_grantor:
        return GAVE_TO_YOU
    if on_your_list:
        return ON_YOUR_LIST
    foundation, subsection = facts.foundation, facts.subsection
    private = foundation in ("02", "03", "04") or subsection == "92"
    if has_grants or total_given > 0:
        return _given(_PF if private else _PUBLIC, total_given)
    if facts.status == "25":
        return _ENDING_PF
    rarely = _RARELY_CLASSES.get(foundation)
    if rarely is not None:
        return rarely
    if facts.deductibility == "2":
        return _NOT_DEDUCTIBLE
    if foundation == "04":
        return _NON_OPERATING
    if foundation in ("02", "03"):
        return _OPERATING
    if subsection == "92":
        return _TRUST
    if subsection != "03":
        return _not_a_charity(subsection)
    return _public_charity(facts)


@cache  # a handful of subsections: one verdict object each
def _not_a_charity(subsection: str) -> FunderClass:
    what = _SUBSECTIONS.get(subsection)
    if what is None:
        what = (
            f"a 501(c)({subsection.lstrip('0')}) organization" if subsection else "not a registered charity"
        )
    return FunderClass(
        Standing.EXCLUDED, None, Strength.MEDIUM, f"{what}: not a charity, rarely funds charities"
    )
