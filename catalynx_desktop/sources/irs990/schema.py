"""Element names of the IRS 990 / 990-EZ / 990-PF e-file schemas, by era: the one table the parser reads.

The IRS renamed nearly every element for tax year 2013 (`TaxYear` -> `TaxYr`, `Amount` -> `Amt`,
`GrantOrContriPaidDuringYear` -> `GrantOrContributionPdDurYrGrp`) but 2013 itself is transitional:
names and addresses in it still lack the `Txt`/`Cd`/`Nm` suffixes (`BusinessNameLine1`,
`USAddress/State`). From 2021 (returnVersion 2021v4.0) the 990-PF dropped Part V and renamed the
Part XII group to `PFQualifyingDistributionsGrp`. The era comes from `Return/@returnVersion`
("2015v2.0" -> 2015); a version we cannot read, or one newer than we know, gets the newest names.

Sources: ../shared/DOMAIN.md sections 2-4, the IRSx variable table (subset in
shared/data/irs990/irsx_variables_grants_subset.csv: 2013 vs 2014+ names), the IRS MeF rendering
stylesheets for 2009-2012 (names quoted in shared/data/irs990/README.md) and the Nonprofit Open
Data Collective concordance (pre-2013 names of the 990/990-EZ header and summary lines).

A path is `A/B/C` under its context (ReturnHeader, the form's element, a group row); `A|B` lists
alternatives, the first present wins (a recipient is a person name OR a business name).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from functools import lru_cache

NAMESPACE = "http://www.irs.gov/efile"


class Era(enum.IntEnum):
    LEGACY = 0  # returnVersion 2012 and older (the 2008 and 2009-2012 schemas share these names)
    Y2013 = 1  # new group names, old leaf names in names and addresses
    Y2014 = 2  # today's names
    Y2021 = 3  # 990-PF parts renumbered (Part V dropped): only the qualifying-distributions group moved


NEWEST = Era.Y2021
_VERSION = re.compile(r"\s*(\d{4})")


def era_of(return_version: str) -> Era:
    """The era whose names a return of this version uses; unknown or newer -> the newest."""
    match = _VERSION.match(return_version or "")
    if not match:
        return NEWEST
    year = int(match.group(1))
    if year <= 2012:
        return Era.LEGACY
    if year == 2013:
        return Era.Y2013
    return Era.Y2014 if year < 2021 else Era.Y2021


_SAME = ""


def _by_era(legacy: str, y2013: str = _SAME, y2014: str = _SAME, y2021: str = _SAME) -> tuple[str, ...]:
    """Names per era; an empty argument repeats the previous era's name."""
    names = [legacy]
    for name in (y2013, y2014, y2021):
        names.append(name or names[-1])
    return tuple(names)


# Address leaves, relative to a US or foreign address element. 2013 still used the old leaves.
US_ADDRESS = {
    "line1": _by_era("AddressLine1", "", "AddressLine1Txt"),
    "line2": _by_era("AddressLine2", "", "AddressLine2Txt"),
    "city": _by_era("City", "", "CityNm"),
    "state": _by_era("State", "", "StateAbbreviationCd"),
    "zip": _by_era("ZIPCode", "", "ZIPCd"),
}
FOREIGN_ADDRESS = {
    "line1": _by_era("AddressLine1", "", "AddressLine1Txt"),
    "line2": _by_era("AddressLine2", "", "AddressLine2Txt"),
    "city": _by_era("City", "", "CityNm"),
    "province": _by_era("ProvinceOrState", "", "ProvinceOrStateNm"),
    "country": _by_era("Country", "", "CountryCd"),
    "zip": _by_era("PostalCode", "", "ForeignPostalCd"),
}
_LINE1 = _by_era("BusinessNameLine1", "", "BusinessNameLine1Txt")
_LINE2 = _by_era("BusinessNameLine2", "", "BusinessNameLine2Txt")


def _under(prefix: tuple[str, ...], leaf: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{first}/{then}" for first, then in zip(prefix, leaf, strict=True))


def _either(*choices: tuple[str, ...]) -> tuple[str, ...]:
    return tuple("|".join(names) for names in zip(*choices, strict=True))


# ReturnHeader, for every form.
HEADER = {
    "return_type": _by_era("ReturnType", "ReturnTypeCd"),
    "tax_year": _by_era("TaxYear", "TaxYr"),
    "period_end": _by_era("TaxPeriodEndDate", "TaxPeriodEndDt"),
    "ein": _by_era("Filer/EIN"),
    "name1": _under(_by_era("Filer/Name", "Filer/BusinessName"), _LINE1),
    "name2": _under(_by_era("Filer/Name", "Filer/BusinessName"), _LINE2),
    "us_address": _by_era("Filer/USAddress"),
    "foreign_address": _by_era("Filer/ForeignAddress"),
}

# A person row of 990 Part VII-A.
PERSON_990 = {
    "name": _either(
        _by_era("NamePerson", "PersonNm"),
        _under(_by_era("NameBusiness", "BusinessName"), _LINE1),
    ),
    "title": _by_era("Title", "TitleTxt"),
    "hours": _by_era("AverageHoursPerWeek", "AverageHoursPerWeekRt"),
    "compensation": _by_era("ReportableCompFromOrganization", "ReportableCompFromOrgAmt"),
}
# A person row of 990-EZ Part IV and 990-PF Part VIII (2021+: VII): the same leaves.
PERSON_EZ_PF = {
    "name": _either(_by_era("PersonName", "PersonNm"), _under(_by_era("BusinessName"), _LINE1)),
    "title": _by_era("Title", "TitleTxt"),
    "hours": _by_era("AvgHoursPerWkDevotedToPosition", "AverageHrsPerWkDevotedToPosRt"),
    "compensation": _by_era("Compensation", "CompensationAmt"),
}

FORM_990 = {
    "amended": _by_era("AmendedReturn", "AmendedReturnInd"),
    "website": _by_era("WebSite", "WebsiteAddressTxt"),
    "total_assets": _by_era("TotalAssetsEOY", "TotalAssetsEOYAmt"),
    "total_revenue": _by_era("TotalRevenueCurrentYear", "CYTotalRevenueAmt"),
    "contributions": _by_era("ContributionsGrantsCurrentYear", "CYContributionsGrantsAmt"),
    "grants_paid": _by_era("GrantsAndSimilarAmntsCY", "CYGrantsAndSimilarPaidAmt"),
    "people": _by_era("Form990PartVIISectionA", "Form990PartVIISectionAGrp"),
}

FORM_990EZ = {
    "amended": _by_era("AmendedReturn", "AmendedReturnInd"),
    "website": _by_era("WebSite", "WebsiteAddressTxt"),
    "total_assets": _by_era("TotalAssets/EOY", "Form990TotalAssetsGrp/EOYAmt"),
    "total_revenue": _by_era("TotalRevenue", "TotalRevenueAmt"),
    "contributions": _by_era("ContributionsGiftsGrantsEtc", "ContributionsGiftsGrantsEtcAmt"),
    "grants_paid": _by_era("GrantsAndSimilarAmountsPaid", "GrantsAndSimilarAmountsPaidAmt"),
    "people": _by_era("OfficerDirectorTrusteeKeyEmpl", "OfficerDirectorTrusteeEmplGrp"),
}

_SUPPLEMENTARY = _by_era("SupplementaryInformation", "SupplementaryInformationGrp")
_REVENUE = _by_era("AnalysisOfRevenueAndExpenses")

FORM_990PF = {
    "amended": _by_era("AmendedReturn", "AmendedReturnInd"),
    "website": _by_era(
        "StatementsRegardingActivities/WebsiteAddress", "StatementsRegardingActyGrp/WebsiteAddressTxt"
    ),
    "fair_market_value": _by_era("FMVAssetsEOY", "FMVAssetsEOYAmt"),
    "total_assets": _by_era("BalanceSheets/TotalAssetsEOY", "Form990PFBalanceSheetsGrp/TotalAssetsEOYAmt"),
    "total_revenue": _under(_REVENUE, _by_era("TotalRevenueAndExpenses", "TotalRevAndExpnssAmt")),
    "contributions": _under(_REVENUE, _by_era("ContriReceivedRevAndExpnss", "ContriRcvdRevAndExpnssAmt")),
    "grants_paid": _under(_REVENUE, _by_era("ContriGiftsPaidRevAndExpnss", "ContriPaidRevAndExpnssAmt")),
    "qualifying_distributions": _by_era(
        "QualifyingDistributions/QualifyingDistributions",
        "QualifyingDistriPartXIIGrp/QualifyingDistributionsAmt",
        "",
        "PFQualifyingDistributionsGrp/QualifyingDistributionsAmt",
    ),
    "distributable_amount": _by_era(
        "DistributableAmount/DistributableAmountAsAdjusted",
        "DistributableAmountGrp/DistributableAsAdjustedAmt",
    ),
    "preselected": _under(
        _SUPPLEMENTARY, _by_era("OnlyContributesToPreselected", "OnlyContriToPreselectedInd")
    ),
    "paid_total": _under(
        _SUPPLEMENTARY, _by_era("TotGrantOrContriPaidDuringYear", "TotalGrantOrContriPdDurYrAmt")
    ),
    "future_total": _under(
        _SUPPLEMENTARY, _by_era("TotGrantOrContriApprovedFuture", "TotalGrantOrContriApprvFutAmt")
    ),
    "paid": _under(_SUPPLEMENTARY, _by_era("GrantOrContriPaidDuringYear", "GrantOrContributionPdDurYrGrp")),
    "future": _under(
        _SUPPLEMENTARY, _by_era("GrantOrContriApprovedForFuture", "GrantOrContriApprvForFutGrp")
    ),
    "application": _under(
        _SUPPLEMENTARY, _by_era("AppicationSubmissionInfo", "ApplicationSubmissionInfoGrp")
    ),
    "people": _by_era(
        "OfcrDirTrusteesKeyEmployeeInfo/OfcrDirTrusteesOrKeyEmployee",
        "OfficerDirTrstKeyEmplInfoGrp/OfficerDirTrstKeyEmplGrp",
    ),
}

# One grant row of 990-PF Part XV (2021+: XIV) line 3a or 3b.
PF_GRANT = {
    "person": _by_era("RecipientPersonName", "RecipientPersonNm"),
    "name1": _under(_by_era("RecipientBusinessName"), _LINE1),
    "name2": _under(_by_era("RecipientBusinessName"), _LINE2),
    "us_address": _by_era("RecipientUSAddress"),
    "foreign_address": _by_era("RecipientForeignAddress"),
    "relationship": _by_era("RecipientRelationship", "RecipientRelationshipTxt"),
    "status": _by_era("RecipientFoundationStatus", "RecipientFoundationStatusTxt"),
    "purpose": _by_era("PurposeOfGrantOrContribution", "GrantOrContributionPurposeTxt"),
    "amount": _by_era("Amount", "Amt"),
}

# One row of 990-PF Part XV line 2 (how to apply).
PF_APPLICATION = {
    "name": _by_era("RecipientName", "RecipientPersonNm"),
    "us_address": _by_era("RecipientUSAddress"),
    "foreign_address": _by_era("RecipientForeignAddress"),
    "phone": _by_era("RecipientPhoneNumber", "RecipientPhoneNum"),
    "email": _by_era("RecipientEmailAddress", "RecipientEmailAddressTxt"),
    "form": _by_era("FormAndInfoAndMaterials", "FormAndInfoAndMaterialsTxt"),
    "deadlines": _by_era("SubmissionDeadlines", "SubmissionDeadlinesTxt"),
    "restrictions": _by_era("RestrictionsOnAwards", "RestrictionsOnAwardsTxt"),
}

SCHEDULE_I = {
    "recipients": _by_era("RecipientTable"),
    "individuals": _by_era("Form990ScheduleIPartIII", "GrantsOtherAsstToIndivInUSGrp"),
}
# One row of Schedule I Part II (organizations and governments).
SCHEDULE_I_RECIPIENT = {
    "name1": _either(
        _under(_by_era("RecipientNameBusiness", "RecipientBusinessName"), _LINE1),
        _by_era("RecipientPersonName", "RecipientPersonNm"),
    ),
    "name2": _under(_by_era("RecipientNameBusiness", "RecipientBusinessName"), _LINE2),
    "us_address": _by_era("AddressUS", "USAddress"),
    "foreign_address": _by_era("AddressForeign", "ForeignAddress"),
    "ein": _by_era("EINOfRecipient", "RecipientEIN"),
    "irc_section": _by_era("IRCSection", "IRCSectionDesc"),
    "cash": _by_era("AmountOfCashGrant", "CashGrantAmt"),
    "noncash": _by_era("AmountOfNonCashAssistance", "NonCashAssistanceAmt"),
    "purpose": _by_era("PurposeOfGrant", "PurposeOfGrantTxt"),
}
# One row of Schedule I Part III (grants to individuals, by type).
SCHEDULE_I_INDIVIDUALS = {
    "type": _by_era("TypeOfGrant", "GrantTypeTxt"),
    "count": _by_era("NumberOfRecipients", "RecipientCnt"),
    "cash": _by_era("AmountOfCashGrant", "CashGrantAmt"),
    "noncash": _by_era("AmountOfNonCashAssistance", "NonCashAssistanceAmt"),
}

# Figures every return of a form is expected to carry (absent ones are reported in missing_fields).
# Optional lines (an EZ with no grants line, a PF with no future grants) are not listed.
EXPECTED = {
    "990": ("total_assets", "total_revenue", "grants_paid"),
    "990EZ": ("total_assets", "total_revenue"),
    "990PF": ("fair_market_value", "total_assets", "total_revenue"),
}

Path = tuple[tuple[str, ...], ...]  # alternatives, each a tuple of qualified tags


@dataclass(frozen=True, slots=True)
class Names:
    """A table of one era with qualified, pre-split paths: key -> alternatives -> tags."""

    era: Era
    paths: dict[str, Path]
    plain: dict[str, str]  # key -> the path as written (for missing_fields)

    def __getitem__(self, key: str) -> Path:
        return self.paths[key]


@lru_cache(maxsize=64)
def names(table_id: str, era: Era, namespace: str) -> Names:
    """The table `table_id` (see TABLES) for `era`, with tags qualified by `namespace` ('' = none)."""
    table = TABLES[table_id]
    prefix = f"{{{namespace}}}" if namespace else ""
    paths: dict[str, Path] = {}
    plain: dict[str, str] = {}
    for key, by_era in table.items():
        written = by_era[era]
        plain[key] = written
        paths[key] = tuple(tuple(prefix + tag for tag in alt.split("/")) for alt in written.split("|"))
    return Names(era, paths, plain)


TABLES: dict[str, dict[str, tuple[str, ...]]] = {
    "header": HEADER,
    "us_address": US_ADDRESS,
    "foreign_address": FOREIGN_ADDRESS,
    "990": FORM_990,
    "990EZ": FORM_990EZ,
    "990PF": FORM_990PF,
    "person_990": PERSON_990,
    "person_ez_pf": PERSON_EZ_PF,
    "pf_grant": PF_GRANT,
    "pf_application": PF_APPLICATION,
    "schedule_i": SCHEDULE_I,
    "schedule_i_recipient": SCHEDULE_I_RECIPIENT,
    "schedule_i_individuals": SCHEDULE_I_INDIVIDUALS,
}

# The element of each form under ReturnData.
FORM_ELEMENT = {"990": "IRS990", "990EZ": "IRS990EZ", "990PF": "IRS990PF"}
SCHEDULE_I_ELEMENT = "IRS990ScheduleI"
