"""Generate IRS 990 / 990-EZ / 990-PF e-file returns of every schema era, and TEOS-like bulk zips.

Returns are shaped like the real ones in shared/data/irs990 (namespace http://www.irs.gov/efile,
Return/@returnVersion, ReturnHeader, ReturnData/IRS990*), with the element names of their era,
written here from DOMAIN.md and the IRS stylesheets, independently of the parser's own table:
- legacy (returnVersion 2009-2012): `ReturnType`, `Filer/Name/BusinessNameLine1`, `Amount`,
  `GrantOrContriPaidDuringYear`, `AppicationSubmissionInfo` (sic), Schedule I `AmountOfCashGrant`;
- 2013: today's group names, but `BusinessNameLine1` and `USAddress/State` without suffixes;
- 2014-2020: today's names (`Txt`, `Cd`, `Nm`, `Amt`);
- 2021+: 990-PF parts renumbered (`PFQualifyingDistributionsGrp`); `newer` (2031v1.0) the same names
  under a version no parser knows.
Each GenReturn keeps the figures it was built from, so tests compare a parse with the truth.
Variety: 990 with or without Schedule I (recipients with and without EIN, cash and non-cash, foreign
addresses, Part III individuals), 990-PF with 0..N grants paid and future grants, application
info, preselected or not, organizations typed into person-name elements, 990-EZ, amended returns,
empty grant tables. All of it is deterministic from the seed.

Planted giving (for the matching back-test): with `plant > 0`, that share of the grant-making
returns (990-PF and 990 with Schedule I) get a `Focus`: 1-2 fields (NTEE major-group letters) and
1-3 states. `focus_share` of such a funder's grants go to recipients of those fields in those
states; the rest go anywhere. Recipients come from one pool (`recipient_pool`, the same seed gives
the same pool): each has a name carrying its field's keywords (e.g. "BURLINGTON FOOD BANK" for K),
an EIN, a city and a state, so a generated BMF can be built from the same pool. A funder files
under one EIN across `years` consecutive returns. `GenReturn.focus` and each `GenGrant.field`
hold the truth a back-test scores against.

Zips: `write_teos_zip` streams members one by one (memory independent of size) with our own zip
writer, because zipfile cannot write Deflate64: method 8 (zlib) or 9 (inflate64's Deflater) by
`deflate64_share`, ZIP64 records when asked or needed, members as `{folder}/{OBJECT_ID}_public.xml`,
some 990-T members, and `index_{YYYY}.csv` beside the zip listing every member.

    python -m tests.datagen.irs990_gen OUT_DIR RETURNS [--seed N] [--deflate64 0.3] [--zip64]
"""

from __future__ import annotations

import csv
import random
import struct
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

import inflate64

NS = "http://www.irs.gov/efile"
ERAS = ("legacy", "2013", "2014", "2021", "newer")
FIELDS = {  # NTEE major group -> words a recipient of that field carries in its name
    "A": ("ARTS COUNCIL", "SYMPHONY ORCHESTRA", "ART MUSEUM", "THEATRE COMPANY"),
    "B": ("ELEMENTARY SCHOOL PTO", "LITERACY PROJECT", "COMMUNITY COLLEGE FOUNDATION"),
    "C": ("LAND TRUST", "WATERSHED COUNCIL", "CONSERVATION COMMISSION"),
    "D": ("HUMANE SOCIETY", "ANIMAL SHELTER"),
    "E": ("COMMUNITY HEALTH CENTER", "HOSPITAL FOUNDATION", "HOSPICE"),
    "K": ("FOOD BANK", "FOOD PANTRY", "MEALS ON WHEELS"),
    "L": ("HOUSING TRUST", "HABITAT FOR HUMANITY"),
    "P": ("FAMILY SERVICES", "YOUTH SERVICES", "BOYS AND GIRLS CLUB"),
    "X": ("PARISH", "MINISTRIES"),
}
STATES = ("VT", "NH", "ME", "MA", "NY", "PA", "OH", "CA", "TX", "FL", "CO", "WA")
_TOWNS = ("BURLINGTON", "SPRINGFIELD", "FRANKLIN", "GREENVILLE", "CLINTON", "SALEM", "FAIRVIEW", "MADISON")
_COUNTRIES = (("CA", "ON", "TORONTO"), ("GB", "", "LONDON"), ("KE", "", "NAIROBI"))
_PURPOSES = ("GENERAL SUPPORT", "SCHOLARSHIP", "CAPITAL CAMPAIGN", "PROGRAM SUPPORT", "OPERATING")
_STATUSES = ("PC", "501(C)(3)", "NONE", "GOV", "POF")
_TITLES = ("PRESIDENT", "TREASURER", "SECRETARY", "DIRECTOR", "TRUSTEE", "EXECUTIVE DIRECTOR")
_PEOPLE = ("MARY SMITH", "JOHN DOE", "ANA GARCIA", "WEI CHEN", "ROBERT BROWN", "FATIMA ALI")
_FORM_DIGIT = {"990PF": "1", "990EZ": "2", "990": "3", "990T": "0"}
_TAX_YEARS = {"legacy": (2009, 2012), "2013": (2013, 2013), "2014": (2014, 2020), "2021": (2021, 2024)}


@dataclass(frozen=True)
class GenAddress:
    line1: str
    city: str
    state: str = ""  # US
    zip: str = ""
    line2: str = ""
    country: str = ""  # set for a foreign address
    province: str = ""


@dataclass(frozen=True)
class Recipient:
    name: str
    ein: str
    address: GenAddress
    field: str  # NTEE major group letter


@dataclass
class GenGrant:
    kind: str  # paid, future, schedule_i
    name: str
    line2: str = ""
    as_person: bool = False  # typed into RecipientPersonNm (990-PF)
    ein: str = ""  # Schedule I only
    address: GenAddress = GenAddress("", "")
    relationship: str = ""
    status: str = ""
    purpose: str = ""
    cash: int | None = None
    noncash: int | None = None
    field: str = ""  # the recipient's field (truth for back-tests)


@dataclass
class GenPerson:
    name: str
    title: str
    hours: str
    compensation: int
    as_business: bool = False


@dataclass
class GenApplication:
    name: str
    address: GenAddress
    phone: str
    email: str
    form: str
    deadlines: str
    restrictions: str


@dataclass(frozen=True)
class Focus:
    fields: tuple[str, ...]
    states: tuple[str, ...]
    share: float


@dataclass
class GenReturn:
    """One generated return and the figures it states (None = line left out)."""

    object_id: str
    form: str  # 990, 990EZ, 990PF, 990T
    era: str
    version: str
    ein: str
    name: str
    name2: str
    address: GenAddress
    tax_year: int
    period_end: str  # YYYY-MM-DD
    amended: bool = False
    website: str = ""
    financials: dict[str, int | None] = field(default_factory=dict)
    grants: list[GenGrant] = field(default_factory=list)
    individuals: list[tuple[str, int, int, int | None]] = field(default_factory=list)
    people: list[GenPerson] = field(default_factory=list)
    applications: list[GenApplication] = field(default_factory=list)
    preselected: bool | None = None
    schedule_i: bool = False
    focus: Focus | None = None

    @property
    def member_name(self) -> str:
        return f"{self.object_id}_public.xml"

    def xml(self) -> bytes:
        return render(self)


# ------------------------------------------------------------------ names by era


class _Names:
    """The generator's own view of the element names of one era."""

    def __init__(self, era: str) -> None:
        self.era = era
        self.legacy = era == "legacy"
        self.suffixed = era not in ("legacy", "2013")  # Txt/Cd/Nm leaves from 2014

    def pick(self, legacy: str, current: str) -> str:
        return legacy if self.legacy else current

    def leaf(self, old: str, new: str) -> str:
        """Names and address leaves: still old in 2013."""
        return new if self.suffixed else old


def _e(tag: str, value: object) -> str:
    return f"<{tag}>{escape(str(value))}</{tag}>"


def _opt(tag: str, value: object) -> str:
    return "" if value is None or value == "" else _e(tag, value)


def _address(n: _Names, us_tag: str, foreign_tag: str, a: GenAddress) -> str:
    line1, line2 = n.leaf("AddressLine1", "AddressLine1Txt"), n.leaf("AddressLine2", "AddressLine2Txt")
    city = n.leaf("City", "CityNm")
    if a.country:
        inner = (
            _e(line1, a.line1)
            + _opt(line2, a.line2)
            + _e(city, a.city)
            + _opt(n.leaf("ProvinceOrState", "ProvinceOrStateNm"), a.province)
            + _e(n.leaf("Country", "CountryCd"), a.country)
            + _opt(n.leaf("PostalCode", "ForeignPostalCd"), a.zip)
        )
        return f"<{foreign_tag}>{inner}</{foreign_tag}>"
    inner = (
        _e(line1, a.line1)
        + _opt(line2, a.line2)
        + _e(city, a.city)
        + _e(n.leaf("State", "StateAbbreviationCd"), a.state)
        + _e(n.leaf("ZIPCode", "ZIPCd"), a.zip)
    )
    return f"<{us_tag}>{inner}</{us_tag}>"


def _business(n: _Names, tag: str, line1: str, line2: str = "") -> str:
    inner = _e(n.leaf("BusinessNameLine1", "BusinessNameLine1Txt"), line1) + _opt(
        n.leaf("BusinessNameLine2", "BusinessNameLine2Txt"), line2
    )
    return f"<{tag}>{inner}</{tag}>"


# ------------------------------------------------------------------ rendering


def render(r: GenReturn) -> bytes:
    n = _Names(r.era)
    body = {"990": _form_990, "990EZ": _form_990ez, "990PF": _form_990pf, "990T": _form_990t}[r.form](n, r)
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\r\n'
        f'<Return xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'returnVersion="{r.version}">\r\n{_header(n, r)}\r\n<ReturnData documentCnt="1">{body}</ReturnData>\r\n'
        "</Return>\r\n"
    )
    return xml.encode("utf-8")


def _header(n: _Names, r: GenReturn) -> str:
    begin = f"{r.tax_year}-{'01' if r.period_end.endswith('12-31') else '07'}-01"
    return (
        '<ReturnHeader binaryAttachmentCnt="0">'
        + _e(n.pick("Timestamp", "ReturnTs"), f"{r.tax_year + 1}-05-14T10:36:04-05:00")
        + _e(n.pick("TaxPeriodEndDate", "TaxPeriodEndDt"), r.period_end)
        + _e(n.pick("ReturnType", "ReturnTypeCd"), r.form)
        + _e(n.pick("TaxPeriodBeginDate", "TaxPeriodBeginDt"), begin)
        + "<Filer>"
        + _e("EIN", r.ein)
        + _business(n, n.pick("Name", "BusinessName"), r.name, r.name2)
        + _e(n.pick("NameControl", "BusinessNameControlTxt"), r.name[:4])
        + _address(n, "USAddress", "ForeignAddress", r.address)
        + "</Filer>"
        + _e(n.pick("TaxYear", "TaxYr"), r.tax_year)
        + "</ReturnHeader>"
    )


def _people(
    n: _Names, group: str, r: GenReturn, leaves: tuple[str, str, str, str], business_tag: str = "BusinessName"
) -> str:
    name_tag, title_tag, hours_tag, comp_tag = leaves
    rows = []
    for p in r.people:
        who = _business(n, business_tag, p.name) if p.as_business else _e(name_tag, p.name)
        rows.append(
            f"<{group}>{who}{_e(title_tag, p.title)}{_e(hours_tag, p.hours)}{_e(comp_tag, p.compensation)}</{group}>"
        )
    return "".join(rows)


def _form_990(n: _Names, r: GenReturn) -> str:
    f = r.financials
    people = _people(
        n,
        n.pick("Form990PartVIISectionA", "Form990PartVIISectionAGrp"),
        r,
        (
            n.pick("NamePerson", "PersonNm"),
            n.pick("Title", "TitleTxt"),
            n.pick("AverageHoursPerWeek", "AverageHoursPerWeekRt"),
            n.pick("ReportableCompFromOrganization", "ReportableCompFromOrgAmt"),
        ),
        n.pick("NameBusiness", "BusinessName"),
    )
    form = (
        "<IRS990>"
        + (_e(n.pick("AmendedReturn", "AmendedReturnInd"), "X") if r.amended else "")
        + _opt(n.pick("WebSite", "WebsiteAddressTxt"), r.website)
        + _opt(n.pick("ContributionsGrantsCurrentYear", "CYContributionsGrantsAmt"), f.get("contributions"))
        + _opt(n.pick("TotalRevenueCurrentYear", "CYTotalRevenueAmt"), f.get("total_revenue"))
        + _opt(n.pick("GrantsAndSimilarAmntsCY", "CYGrantsAndSimilarPaidAmt"), f.get("grants_paid"))
        + _opt(n.pick("TotalAssetsEOY", "TotalAssetsEOYAmt"), f.get("total_assets"))
        + _e(n.pick("GrantsToOrganizations", "GrantsToOrganizationsInd"), "1" if r.schedule_i else "0")
        + people
        + "</IRS990>"
    )
    return form + (_schedule_i(n, r) if r.schedule_i else "")


def _schedule_i(n: _Names, r: GenReturn) -> str:
    rows = []
    for g in r.grants:
        rows.append(
            "<RecipientTable>"
            + _business(n, n.pick("RecipientNameBusiness", "RecipientBusinessName"), g.name, g.line2)
            + _address(
                n, n.pick("AddressUS", "USAddress"), n.pick("AddressForeign", "ForeignAddress"), g.address
            )
            + _opt(n.pick("EINOfRecipient", "RecipientEIN"), g.ein)
            + _opt(n.pick("IRCSection", "IRCSectionDesc"), g.status)
            + _opt(n.pick("AmountOfCashGrant", "CashGrantAmt"), g.cash)
            + _opt(n.pick("AmountOfNonCashAssistance", "NonCashAssistanceAmt"), g.noncash)
            + _opt(n.pick("PurposeOfGrant", "PurposeOfGrantTxt"), g.purpose)
            + "</RecipientTable>"
        )
    group = n.pick("Form990ScheduleIPartIII", "GrantsOtherAsstToIndivInUSGrp")
    for kind, count, cash, noncash in r.individuals:
        rows.append(
            f"<{group}>"
            + _e(n.pick("TypeOfGrant", "GrantTypeTxt"), kind)
            + _e(n.pick("NumberOfRecipients", "RecipientCnt"), count)
            + _e(n.pick("AmountOfCashGrant", "CashGrantAmt"), cash)
            + _opt(n.pick("AmountOfNonCashAssistance", "NonCashAssistanceAmt"), noncash)
            + f"</{group}>"
        )
    return "<IRS990ScheduleI>" + "".join(rows) + "</IRS990ScheduleI>"


def _form_990ez(n: _Names, r: GenReturn) -> str:
    f = r.financials
    assets = f.get("total_assets")
    assets_xml = (
        ""
        if assets is None
        else (
            f"<TotalAssets>{_e('BOY', 0)}{_e('EOY', assets)}</TotalAssets>"
            if n.legacy
            else f"<Form990TotalAssetsGrp>{_e('BOYAmt', 0)}{_e('EOYAmt', assets)}</Form990TotalAssetsGrp>"
        )
    )
    people = _people(
        n,
        n.pick("OfficerDirectorTrusteeKeyEmpl", "OfficerDirectorTrusteeEmplGrp"),
        r,
        (
            n.pick("PersonName", "PersonNm"),
            n.pick("Title", "TitleTxt"),
            n.pick("AvgHoursPerWkDevotedToPosition", "AverageHrsPerWkDevotedToPosRt"),
            n.pick("Compensation", "CompensationAmt"),
        ),
    )
    return (
        "<IRS990EZ>"
        + (_e(n.pick("AmendedReturn", "AmendedReturnInd"), "X") if r.amended else "")
        + _opt(n.pick("WebSite", "WebsiteAddressTxt"), r.website)
        + _opt(
            n.pick("ContributionsGiftsGrantsEtc", "ContributionsGiftsGrantsEtcAmt"), f.get("contributions")
        )
        + _opt(n.pick("TotalRevenue", "TotalRevenueAmt"), f.get("total_revenue"))
        + _opt(n.pick("GrantsAndSimilarAmountsPaid", "GrantsAndSimilarAmountsPaidAmt"), f.get("grants_paid"))
        + assets_xml
        + people
        + "</IRS990EZ>"
    )


def _form_990pf(n: _Names, r: GenReturn) -> str:
    f = r.financials
    analysis = (
        "<AnalysisOfRevenueAndExpenses>"
        + _opt(n.pick("ContriReceivedRevAndExpnss", "ContriRcvdRevAndExpnssAmt"), f.get("contributions"))
        + _opt(n.pick("TotalRevenueAndExpenses", "TotalRevAndExpnssAmt"), f.get("total_revenue"))
        + _opt(n.pick("ContriGiftsPaidRevAndExpnss", "ContriPaidRevAndExpnssAmt"), f.get("grants_paid"))
        + "</AnalysisOfRevenueAndExpenses>"
    )
    balance = n.pick("BalanceSheets", "Form990PFBalanceSheetsGrp")
    qualifying = {"legacy": "QualifyingDistributions", "2013": "QualifyingDistriPartXIIGrp"}.get(
        n.era, "QualifyingDistriPartXIIGrp" if n.era == "2014" else "PFQualifyingDistributionsGrp"
    )
    officers = _people(
        n,
        n.pick("OfcrDirTrusteesOrKeyEmployee", "OfficerDirTrstKeyEmplGrp"),
        r,
        (
            n.pick("PersonName", "PersonNm"),
            n.pick("Title", "TitleTxt"),
            n.pick("AvgHoursPerWkDevotedToPosition", "AverageHrsPerWkDevotedToPosRt"),
            n.pick("Compensation", "CompensationAmt"),
        ),
    )
    officers_group = n.pick("OfcrDirTrusteesKeyEmployeeInfo", "OfficerDirTrstKeyEmplInfoGrp")
    return (
        "<IRS990PF>"
        + (_e(n.pick("AmendedReturn", "AmendedReturnInd"), "X") if r.amended else "")
        + _opt(n.pick("FMVAssetsEOY", "FMVAssetsEOYAmt"), f.get("fair_market_value"))
        + analysis
        + f"<{balance}>{_opt(n.pick('TotalAssetsEOY', 'TotalAssetsEOYAmt'), f.get('total_assets'))}</{balance}>"
        + _pf_statements(n, r)
        + f"<{officers_group}>{officers}</{officers_group}>"
        + _pf_distributions(n, r, qualifying)
        + _pf_supplementary(n, r)
        + "</IRS990PF>"
    )


def _pf_statements(n: _Names, r: GenReturn) -> str:
    group = n.pick("StatementsRegardingActivities", "StatementsRegardingActyGrp")
    return f"<{group}>{_opt(n.pick('WebsiteAddress', 'WebsiteAddressTxt'), r.website)}</{group}>"


def _pf_distributions(n: _Names, r: GenReturn, qualifying: str) -> str:
    f = r.financials
    out = ""
    if f.get("distributable_amount") is not None:
        group = n.pick("DistributableAmount", "DistributableAmountGrp")
        leaf = n.pick("DistributableAmountAsAdjusted", "DistributableAsAdjustedAmt")
        out += f"<{group}>{_e(leaf, f['distributable_amount'])}</{group}>"
    if f.get("qualifying_distributions") is not None:
        leaf = n.pick("QualifyingDistributions", "QualifyingDistributionsAmt")
        out += f"<{qualifying}>{_e(leaf, f['qualifying_distributions'])}</{qualifying}>"
    return out


def _pf_grant(n: _Names, tag: str, g: GenGrant) -> str:
    who = (
        _e(n.pick("RecipientPersonName", "RecipientPersonNm"), g.name)
        if g.as_person
        else _business(n, "RecipientBusinessName", g.name, g.line2)
    )
    return (
        f"<{tag}>"
        + who
        + _address(n, "RecipientUSAddress", "RecipientForeignAddress", g.address)
        + _opt(n.pick("RecipientRelationship", "RecipientRelationshipTxt"), g.relationship)
        + _opt(n.pick("RecipientFoundationStatus", "RecipientFoundationStatusTxt"), g.status)
        + _opt(n.pick("PurposeOfGrantOrContribution", "GrantOrContributionPurposeTxt"), g.purpose)
        + _e(n.pick("Amount", "Amt"), g.cash)
        + f"</{tag}>"
    )


def _pf_supplementary(n: _Names, r: GenReturn) -> str:
    f = r.financials
    parts = (
        [_e(n.pick("OnlyContributesToPreselected", "OnlyContriToPreselectedInd"), "X")]
        if r.preselected
        else []
    )
    app_tag = n.pick("AppicationSubmissionInfo", "ApplicationSubmissionInfoGrp")
    for a in r.applications:
        parts.append(
            f"<{app_tag}>"
            + _e(n.pick("RecipientName", "RecipientPersonNm"), a.name)
            + _address(n, "RecipientUSAddress", "RecipientForeignAddress", a.address)
            + _opt(n.pick("RecipientPhoneNumber", "RecipientPhoneNum"), a.phone)
            + _opt(n.pick("RecipientEmailAddress", "RecipientEmailAddressTxt"), a.email)
            + _e(n.pick("FormAndInfoAndMaterials", "FormAndInfoAndMaterialsTxt"), a.form)
            + _e(n.pick("SubmissionDeadlines", "SubmissionDeadlinesTxt"), a.deadlines)
            + _e(n.pick("RestrictionsOnAwards", "RestrictionsOnAwardsTxt"), a.restrictions)
            + f"</{app_tag}>"
        )
    paid_tag = n.pick("GrantOrContriPaidDuringYear", "GrantOrContributionPdDurYrGrp")
    future_tag = n.pick("GrantOrContriApprovedForFuture", "GrantOrContriApprvForFutGrp")
    parts += [_pf_grant(n, paid_tag, g) for g in r.grants if g.kind == "paid"]
    parts.append(
        _opt(n.pick("TotGrantOrContriPaidDuringYear", "TotalGrantOrContriPdDurYrAmt"), f.get("paid_total"))
    )
    parts += [_pf_grant(n, future_tag, g) for g in r.grants if g.kind == "future"]
    parts.append(
        _opt(n.pick("TotGrantOrContriApprovedFuture", "TotalGrantOrContriApprvFutAmt"), f.get("future_total"))
    )
    group = n.pick("SupplementaryInformation", "SupplementaryInformationGrp")
    return f"<{group}>{''.join(parts)}</{group}>"


def _form_990t(n: _Names, r: GenReturn) -> str:
    return f"<IRS990T>{_e('UnrelatedBusinessTaxableIncomeAmt', r.financials.get('total_revenue') or 0)}</IRS990T>"


# ------------------------------------------------------------------ random content


def recipient_pool(seed: int, size: int = 600) -> list[Recipient]:
    """Recipients with field words in their names, spread over STATES and FIELDS (stable per seed)."""
    rng = random.Random(f"pool-{seed}")
    pool = []
    for i in range(size):
        field_code = rng.choice(sorted(FIELDS))
        state = rng.choice(STATES)
        town = rng.choice(_TOWNS)
        name = f"{town} {rng.choice(FIELDS[field_code])} {_roman(i)}".strip()
        address = GenAddress(f"{rng.randint(1, 999)} MAIN ST", town, state, f"{rng.randint(1000, 99999):05d}")
        pool.append(Recipient(name, f"{rng.randint(10_000_000, 999_999_999):09d}", address, field_code))
    return pool


def _roman(i: int) -> str:
    """A short distinct suffix so pool names are unique (chapters of the same charity)."""
    return "" if i < len(_TOWNS) else f"CHAPTER {i}"


@dataclass
class GenOptions:
    seed: int = 0
    eras: tuple[str, ...] = ERAS
    pf_share: float = 0.6
    ez_share: float = 0.1
    grants: tuple[int, int] = (0, 12)  # grants per grant-making return
    plant: float = 0.0  # share of grant-making returns with a Focus
    focus_share: float = 0.85
    years: int = 1  # consecutive returns per filer
    pool_size: int = 600


class ReturnFactory:
    """Builds GenReturns one by one (deterministic from the options' seed)."""

    def __init__(self, options: GenOptions | None = None) -> None:
        options = options or GenOptions()
        self.o = options
        self.rng = random.Random(options.seed)
        self.pool = recipient_pool(options.seed, options.pool_size)
        self.sequence = 0

    def returns(self, count: int) -> Iterator[GenReturn]:
        made = 0
        while made < count:
            form = self._form()
            filer = self._filer(form)
            for offset in range(min(self.o.years, count - made)):
                yield self.make(form, filer=filer, year_offset=offset)
                made += 1

    def _form(self) -> str:
        roll = self.rng.random()
        return (
            "990PF"
            if roll < self.o.pf_share
            else ("990EZ" if roll < self.o.pf_share + self.o.ez_share else "990")
        )

    def _filer(self, form: str) -> dict[str, object]:
        rng = self.rng
        focus = None
        if form in ("990PF", "990") and rng.random() < self.o.plant:
            fields = tuple(rng.sample(sorted(FIELDS), rng.randint(1, 2)))
            focus = Focus(fields, tuple(rng.sample(STATES, rng.randint(1, 3))), self.o.focus_share)
        town = rng.choice(_TOWNS)
        return {
            "ein": f"{rng.randint(1_000_000, 999_999_999):09d}",
            "name": f"{rng.choice(_PEOPLE).split()[1]} FAMILY {'FOUNDATION' if form == '990PF' else 'FUND INC'}",
            "address": GenAddress(
                f"{rng.randint(1, 99)} ELM ST", town, rng.choice(STATES), f"{rng.randint(1000, 99999):05d}"
            ),
            "era": rng.choice(self.o.eras),
            "focus": focus,
        }

    def make(
        self,
        form: str,
        *,
        filer: dict[str, object] | None = None,
        era: str | None = None,
        year_offset: int = 0,
        **overrides: object,
    ) -> GenReturn:
        rng = self.rng
        filer = filer or self._filer(form)
        era = era or str(filer["era"])
        low, high = _TAX_YEARS.get(era, (2030, 2030))
        tax_year = min(rng.randint(low, high) + year_offset, high)
        fiscal = rng.random() < 0.3
        period_end = f"{tax_year + 1}-06-30" if fiscal else f"{tax_year}-12-31"
        self.sequence += 1
        object_id = (
            f"{tax_year + 1}{rng.randint(0, 9999):04d}9349{_FORM_DIGIT[form]}{self.sequence % 100000:05d}"
        )
        version = "2031v1.0" if era == "newer" else f"{tax_year}v{rng.randint(1, 5)}.{rng.randint(0, 3)}"
        r = GenReturn(
            object_id=object_id,
            form=form,
            era=era,
            version=version,
            ein=str(filer["ein"]),
            name=str(filer["name"]),
            name2="C/O TRUST DEPT" if rng.random() < 0.15 else "",
            address=filer["address"],  # type: ignore[arg-type]
            tax_year=tax_year,
            period_end=period_end,
            amended=rng.random() < 0.1,
            website=f"WWW.{str(filer['name']).split()[0]}.ORG" if rng.random() < 0.5 else "",
            focus=filer["focus"],  # type: ignore[arg-type]
        )
        self._fill(r)
        for key, value in overrides.items():
            setattr(r, key, value)
        return r

    def _fill(self, r: GenReturn) -> None:
        rng = self.rng
        r.people = [self._person(r.form) for _ in range(rng.randint(0, 6))]
        revenue = rng.randint(10_000, 5_000_000)
        r.financials = {"total_revenue": revenue, "total_assets": rng.randint(50_000, 90_000_000)}
        r.financials["contributions"] = rng.randint(0, revenue) if rng.random() < 0.8 else None
        if r.form == "990PF":
            self._fill_pf(r)
        elif r.form == "990":
            self._fill_990(r)
        elif r.form == "990EZ":
            r.financials["grants_paid"] = rng.randint(0, 20_000) if rng.random() < 0.5 else None

    def _fill_pf(self, r: GenReturn) -> None:
        rng = self.rng
        r.grants = [self._grant(r, "paid") for _ in range(rng.randint(*self.o.grants))]
        r.grants += [self._grant(r, "future") for _ in range(rng.randint(0, 3) if rng.random() < 0.3 else 0)]
        paid = sum(g.cash or 0 for g in r.grants if g.kind == "paid")
        future = [g.cash or 0 for g in r.grants if g.kind == "future"]
        f = r.financials
        f["grants_paid"] = paid
        f["paid_total"] = paid if r.grants or rng.random() < 0.5 else None
        f["future_total"] = sum(future) if future else None
        f["fair_market_value"] = int((f["total_assets"] or 0) * rng.uniform(0.9, 1.3))
        f["qualifying_distributions"] = paid + rng.randint(0, 50_000)
        f["distributable_amount"] = rng.randint(0, paid + 10_000) if rng.random() < 0.9 else None
        r.preselected = rng.random() < 0.7
        if not r.preselected:
            r.applications = [self._application() for _ in range(rng.randint(1, 2))]

    def _fill_990(self, r: GenReturn) -> None:
        rng = self.rng
        r.schedule_i = rng.random() < 0.6
        if r.schedule_i:
            r.grants = [self._grant(r, "schedule_i") for _ in range(rng.randint(*self.o.grants))]
            r.individuals = [
                (
                    rng.choice(("SCHOLARSHIPS", "EMERGENCY ASSISTANCE")),
                    rng.randint(1, 300),
                    rng.randint(1_000, 90_000),
                    rng.choice((None, rng.randint(1, 5_000))),
                )
                for _ in range(rng.randint(0, 2))
            ]
        listed = sum(g.cash or 0 for g in r.grants) + sum(g.noncash or 0 for g in r.grants)
        r.financials["grants_paid"] = listed + sum(c for _, _, c, _ in r.individuals)

    def _recipient(self, r: GenReturn) -> Recipient:
        focus = r.focus
        if focus is not None and self.rng.random() < focus.share:
            fitting = [p for p in self.pool if p.field in focus.fields and p.address.state in focus.states]
            if fitting:
                return self.rng.choice(fitting)
        return self.rng.choice(self.pool)

    def _grant(self, r: GenReturn, kind: str) -> GenGrant:
        rng = self.rng
        recipient = self._recipient(r)
        address = recipient.address
        if rng.random() < 0.05:
            country, province, city = rng.choice(_COUNTRIES)
            address = GenAddress("1 HIGH ST", city, "", "A1B 2C3", country=country, province=province)
        g = GenGrant(
            kind=kind,
            name=recipient.name,
            address=address,
            purpose=rng.choice(_PURPOSES),
            field=recipient.field,
        )
        if kind == "schedule_i":
            g.ein = recipient.ein if rng.random() < 0.8 else ""
            g.status = "501(C)(3)" if g.ein else "GOVERNMENT"
            g.cash = rng.randint(5_001, 500_000) if rng.random() < 0.9 else None
            g.noncash = rng.randint(100, 90_000) if g.cash is None or rng.random() < 0.2 else None
        else:
            g.as_person = rng.random() < 0.4  # organizations typed into the person-name element
            g.line2 = "ATTN DIRECTOR" if not g.as_person and rng.random() < 0.1 else ""
            g.status = rng.choice(_STATUSES)
            g.relationship = "NONE"
            g.cash = rng.choice((rng.randint(100, 10_000), rng.randint(10_000, 250_000)))
        return g

    def _person(self, form: str) -> GenPerson:
        rng = self.rng
        business = form == "990PF" and rng.random() < 0.15  # a bank as trustee
        name = "FIRST COUNTY BANK NA" if business else rng.choice(_PEOPLE)
        return GenPerson(
            name,
            rng.choice(_TITLES),
            f"{rng.choice((1, 2, 5, 10, 40))}.00",
            rng.choice((0, 0, rng.randint(1_000, 200_000))),
            business,
        )

    def _application(self) -> GenApplication:
        rng = self.rng
        address = GenAddress(
            "10 OAK AVE", rng.choice(_TOWNS), rng.choice(STATES), f"{rng.randint(1000, 99999):05d}"
        )
        return GenApplication(
            rng.choice(_PEOPLE),
            address,
            f"{rng.randint(2000000000, 9999999999)}",
            "grants@example.org" if rng.random() < 0.5 else "",
            "LETTER OF INQUIRY & BUDGET",
            rng.choice(("NONE", "MARCH 1 AND SEPTEMBER 1")),
            "501(C)(3) ORGANIZATIONS <IN STATE> ONLY",
        )


def generate_returns(count: int, options: GenOptions | None = None) -> Iterator[GenReturn]:
    return ReturnFactory(options).returns(count)


# ------------------------------------------------------------------ TEOS-like zips


@dataclass
class ZipSummary:
    path: Path
    index: Path | None
    members: int = 0
    deflate64: int = 0
    forms: dict[str, int] = field(default_factory=dict)
    object_ids: list[str] = field(default_factory=list)


class ZipWriter:
    """A minimal streaming zip writer: stored, Deflate (8) or Deflate64 (9), ZIP64 when needed."""

    def __init__(self, stream: BinaryIO, *, force_zip64: bool = False) -> None:
        self.stream = stream
        self.force_zip64 = force_zip64
        self.entries: list[
            tuple[bytes, int, int, int, int, int]
        ] = []  # name, method, crc, csize, usize, offset

    def add(self, name: str, data: bytes, method: int = 8) -> None:
        if method == 8:
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed = packer.compress(data) + packer.flush()
        elif method == 9:
            deflater = inflate64.Deflater()
            packed = deflater.deflate(data) + deflater.flush()
        else:
            packed = data
        crc, offset, encoded = zlib.crc32(data), self.stream.tell(), name.encode()
        big = self.force_zip64 or len(data) >= 0xFFFFFFFF or len(packed) >= 0xFFFFFFFF
        extra = struct.pack("<HHQQ", 1, 16, len(data), len(packed)) if big else b""
        sizes = (0xFFFFFFFF, 0xFFFFFFFF) if big else (len(packed), len(data))
        version = 45 if big else 20
        header = struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            version,
            0x800,
            method,
            0,
            0x21,
            crc,
            *sizes,
            len(encoded),
            len(extra),
        )
        self.stream.write(header + encoded + extra + packed)
        self.entries.append((encoded, method, crc, len(packed), len(data), offset))

    def close(self) -> None:
        start = self.stream.tell()
        for encoded, method, crc, csize, usize, offset in self.entries:
            big = self.force_zip64 or max(csize, usize, offset) >= 0xFFFFFFFF
            extra = struct.pack("<HHQQQ", 1, 24, usize, csize, offset) if big else b""
            values = (0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF) if big else (csize, usize, offset)
            self.stream.write(
                struct.pack(
                    "<4sHHHHHHIIIHHHHHII",
                    b"PK\x01\x02",
                    45 if big else 20,
                    45 if big else 20,
                    0x800,
                    method,
                    0,
                    0x21,
                    crc,
                    values[0],
                    values[1],
                    len(encoded),
                    len(extra),
                    0,
                    0,
                    0,
                    0o100644 << 16,
                    values[2],
                )
                + encoded
                + extra
            )
        self._end(start, self.stream.tell() - start)

    def _end(self, start: int, size: int) -> None:
        count = len(self.entries)
        if self.force_zip64 or count >= 0xFFFF or start >= 0xFFFFFFFF or size >= 0xFFFFFFFF:
            end64 = self.stream.tell()
            self.stream.write(
                struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, start)
            )
            self.stream.write(struct.pack("<4sIQI", b"PK\x06\x07", 0, end64, 1))
            count, size, start = 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF
        self.stream.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, size, start, 0))


def write_teos_zip(
    path: Path | str,
    returns: Iterable[GenReturn],
    *,
    seed: int = 0,
    deflate64_share: float = 0.0,
    zip64: bool = False,
    other_forms: float = 0.0,
    folder: str | None = None,
    index: bool = True,
) -> ZipSummary:
    """Write `returns` (plus `other_forms` share of 990-T members) as a TEOS-like zip, and its index."""
    path = Path(path)
    rng = random.Random(f"zip-{seed}")
    factory = ReturnFactory(GenOptions(seed=seed + 7919))
    year = _zip_year(path.name)
    summary = ZipSummary(path, path.parent / f"index_{year}.csv" if index else None)
    rows: list[list[str]] = []
    with path.open("wb") as stream:
        writer = ZipWriter(stream, force_zip64=zip64)
        for r in returns:
            extra = [factory.make("990T", era="2021")] if rng.random() < other_forms else []
            for member in (r, *extra):
                method = 9 if rng.random() < deflate64_share else 8
                name = f"{folder}/{member.member_name}" if folder else member.member_name
                writer.add(name, member.xml(), method)
                summary.members += 1
                summary.deflate64 += method == 9
                summary.forms[member.form] = summary.forms.get(member.form, 0) + 1
                summary.object_ids.append(member.object_id)
                rows.append(_index_row(len(rows) + 1, member, year))
        writer.close()
    if summary.index is not None:
        with summary.index.open("w", newline="", encoding="utf-8") as out:
            csv_writer = csv.writer(out, lineterminator="\r\n")
            csv_writer.writerow(
                [
                    "RETURN_ID",
                    "FILING_TYPE",
                    "EIN",
                    "TAX_PERIOD",
                    "SUB_DATE",
                    "TAXPAYER_NAME",
                    "RETURN_TYPE",
                    "DLN",
                    "OBJECT_ID",
                    "XML_BATCH_ID",
                ]
            )
            csv_writer.writerows(rows)
    return summary


def _zip_year(name: str) -> str:
    return name[:4] if name[:4].isdigit() else "2024"


def _index_row(number: int, r: GenReturn, year: str) -> list[str]:
    period = r.period_end[:4] + r.period_end[5:7]
    return [
        str(19_000_000 + number),
        "EFILE",
        r.ein,
        period,
        year,
        r.name,
        r.form,
        f"9349{number:010d}",
        r.object_id,
        f"{year}05A",
    ]


def main(argv: list[str]) -> None:
    out, count = Path(argv[0]), int(argv[1])
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 0
    share = float(argv[argv.index("--deflate64") + 1]) if "--deflate64" in argv else 0.0
    out.mkdir(parents=True, exist_ok=True)
    summary = write_teos_zip(
        out / "2024_TEOS_XML_05A.zip",
        generate_returns(count, GenOptions(seed=seed)),
        seed=seed,
        deflate64_share=share,
        zip64="--zip64" in argv,
        other_forms=0.03,
        folder="2024_TEOS_XML_05A",
    )
    print(f"{summary.path}: {summary.members} members ({summary.deflate64} Deflate64), index {summary.index}")


if __name__ == "__main__":
    main(sys.argv[1:])
