"""What an IRS 990 / 990-PF / 990-EZ e-file return says about giving: the filer, its figures,
each grant it lists, how to apply and the people it names.

Pure values: the parser (sources/irs990/) builds them, storage keeps them, scoring reads them.
Codes and identifiers stay text as the IRS gives them (EINs are 9 digits, leading zeros kept;
tax periods are YYYYMM). An amount the return does not state is None, never 0.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class ReturnType(enum.StrEnum):
    """The forms we keep (990-T and others are skipped by the importer)."""

    FORM_990 = "990"
    FORM_990PF = "990PF"
    FORM_990EZ = "990EZ"


class GrantKind(enum.StrEnum):
    """Which list of the return a grant comes from."""

    PAID = "paid"  # 990-PF Part XV (2021+: XIV) line 3a, paid during the year
    FUTURE = "future"  # 990-PF line 3b, approved for future payment: never added to paid
    SCHEDULE_I = "schedule_i"  # 990 Schedule I Part II, grants to organizations and governments


@dataclass(frozen=True, slots=True)
class Address:
    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""  # two-letter code for a US address, else ''
    zip: str = ""
    country: str = ""  # '' for a US address; the country code/name for a foreign one
    province: str = ""  # a foreign address's province or state


@dataclass(frozen=True, slots=True)
class Grant:
    kind: GrantKind
    recipient_name: str  # BusinessNameLine1 or PersonNm (organizations are often typed there)
    recipient_name_line2: str = ""
    recipient_ein: str = ""  # Schedule I only, when given; 9 digits
    address: Address = Address()
    foundation_status: str = ""  # 990-PF free text (NONE, PC, 501(C)(3)); Schedule I IRC section
    relationship: str = ""
    purpose: str = ""
    cash_amount: int | None = None  # 990-PF Amt, or Schedule I CashGrantAmt
    noncash_amount: int | None = None  # Schedule I NonCashAssistanceAmt

    @property
    def amount(self) -> int:
        """Cash plus non-cash, what the grant is worth to the recipient."""
        return (self.cash_amount or 0) + (self.noncash_amount or 0)


@dataclass(frozen=True, slots=True)
class IndividualGrants:
    """990 Schedule I Part III: grants to individuals in the US, reported per type, not per person."""

    grant_type: str
    recipient_count: int | None
    cash_amount: int | None
    noncash_amount: int | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """An officer, director, trustee or key employee (990 Part VII, 990-EZ Part IV, 990-PF Part VIII)."""

    name: str
    title: str = ""
    hours_per_week: str = ""  # as given (a decimal as text)
    compensation: int | None = None


@dataclass(frozen=True, slots=True)
class ApplicationInfo:
    """990-PF how to apply (one ApplicationSubmissionInfoGrp)."""

    contact_name: str = ""
    contact_address: Address = Address()
    phone: str = ""
    email: str = ""
    form_and_materials: str = ""
    deadlines: str = ""
    restrictions: str = ""


@dataclass(frozen=True, slots=True)
class Financials:
    total_assets: int | None = None  # book value, end of year
    fair_market_value: int | None = None  # 990-PF head, item I
    total_revenue: int | None = None
    contributions_received: int | None = None
    total_grants_paid: int | None = None  # as reported in the return's own total line
    qualifying_distributions: int | None = None  # 990-PF
    distributable_amount: int | None = None  # 990-PF
    listed_grants_paid_total: int | None = None  # 990-PF Part XV line 3a total (TotalGrantOrContriPdDurYrAmt)
    future_grants_total: int | None = None  # 990-PF Part XV line 3b total (TotalGrantOrContriApprvFutAmt)


@dataclass(frozen=True, slots=True)
class FiledReturn:
    """One return, everything we keep of it."""

    object_id: str  # 18 digits, the IRS e-file id
    ein: str
    return_type: ReturnType
    return_version: str  # Return/@returnVersion, e.g. 2015v2.0
    tax_year: int | None
    tax_period: str  # YYYYMM of the period end (the key with the EIN)
    tax_period_end: str  # YYYY-MM-DD as given
    amended: bool
    filer_name: str
    filer_name_line2: str = ""
    filer_address: Address = Address()
    website: str = ""
    financials: Financials = Financials()
    grants: tuple[Grant, ...] = ()
    individual_grants: tuple[IndividualGrants, ...] = ()
    people: tuple[Person, ...] = ()
    application: tuple[ApplicationInfo, ...] = ()
    preselected_only: bool | None = None  # 990-PF OnlyContriToPreselectedInd; None when not a 990-PF
    schedule_i_filed: bool | None = None  # 990: Schedule I is in the return (even empty); None otherwise
    # Element paths this return's schema version should have had but did not, for the import report.
    missing_fields: tuple[str, ...] = field(default=())
    # Values present but unreadable (an amount that is not a whole number, a cut field), for the report.
    notes: tuple[str, ...] = field(default=())

    @property
    def grants_paid(self) -> tuple[Grant, ...]:
        """Grants listed one by one as paid: 990-PF paid during the year and Schedule I."""
        return tuple(g for g in self.grants if g.kind is not GrantKind.FUTURE)

    @property
    def future_grants(self) -> tuple[Grant, ...]:
        return tuple(g for g in self.grants if g.kind is GrantKind.FUTURE)
