"""What the Funders view, a funder's page and "funders of organizations like mine" ask for and show.

Plain values, no SQL: storage/funder_queries.py turns the queries into whitelisted SQL.
Amounts are whole dollars; a share is a fraction of the funder's listed grants paid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from catalynx_desktop.domain.giving import GrantKind
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.recipients import MatchMethod, SizeBand, size_band


class FunderSort(StrEnum):
    NAME = "name"
    LATEST_GRANTS_PAID = "latest_grants_paid"
    GRANT_COUNT = "grant_count"
    MEDIAN_GRANT = "median_grant"
    TREND = "trend"


@dataclass(frozen=True)
class FunderQuery:
    """One state of the Funders view. profile_state / profile_group only add share columns."""

    sort: FunderSort = FunderSort.LATEST_GRANTS_PAID
    descending: bool = True
    search: str = ""
    state: str = ""  # funders based in this state ('' = any)
    accepts_applications: bool | None = None  # True = only those that accept unsolicited requests
    profile_state: str = ""
    profile_group: str = ""  # NTEE major-group letter of the selected profile


class FunderRow(NamedTuple):
    id: int
    ein: str
    name: str
    city: str
    state: str
    latest_tax_year: int
    latest_grants_paid: int
    trend: float | None  # fraction against the two years before; None = no earlier year
    grant_count: int
    median_grant: int
    accepts_applications: bool | None  # None = not stated (not a 990-PF)
    share_to_state: float | None  # of listed grants paid, to profile_state; None = not asked
    share_to_group: float | None  # to recipients of profile_group (through the BMF)


class GrantSort(StrEnum):
    AMOUNT = "amount"
    YEAR = "tax_year"
    RECIPIENT = "recipient_name"


@dataclass(frozen=True)
class GrantQuery:
    """One funder's grants (of its counting returns: paid, future and Schedule I)."""

    funder_id: int
    sort: GrantSort = GrantSort.AMOUNT
    descending: bool = True


class GrantRow(NamedTuple):
    id: int
    tax_year: int
    kind: GrantKind
    recipient_name: str
    recipient_name_line2: str
    city: str
    state: str
    purpose: str
    amount: int
    matched_org_id: int | None  # source_records id of the recipient's BMF row
    match_method: MatchMethod


class YearGiving(NamedTuple):
    tax_year: int
    grants_paid: int  # the return's own total, else its listed grants
    listed_grants: int
    listed_total: int


class Share(NamedTuple):
    key: str  # a state code or an NTEE major-group letter; '' = unknown / not matched
    grants: int
    amount: int


class PersonRow(NamedTuple):
    name: str
    title: str
    hours_per_week: str
    compensation: int | None


class HowToApply(NamedTuple):
    contact_name: str
    address: str
    phone: str
    email: str
    form_and_materials: str
    deadlines: str
    restrictions: str


class ReturnSummary(NamedTuple):
    object_id: str
    return_type: str
    tax_period: str
    tax_year: int | None
    amended: bool
    counts: bool  # the return that counts for its EIN and tax period
    grants_paid_count: int
    grants_paid_total: int
    future_grants_count: int
    officers_count: int
    preselected_only: bool | None


@dataclass(frozen=True)
class FunderDetail:
    funder: FunderRow
    q1_grant: int
    q3_grant: int
    grants_total: int
    giving_by_year: tuple[YearGiving, ...]
    states: tuple[Share, ...]  # by amount, largest first
    ntee_groups: tuple[Share, ...]
    people: tuple[PersonRow, ...]  # of the latest counting return
    how_to_apply: tuple[HowToApply, ...]  # of the latest counting 990-PF
    preselected_only: bool | None
    returns: tuple[ReturnSummary, ...]


@dataclass(frozen=True)
class LikeProfile:
    """What "organizations like mine" compares: the profile's NTEE codes, states and size."""

    ntee_codes: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    size_band: SizeBand = SizeBand.UNKNOWN

    @property
    def major_groups(self) -> tuple[str, ...]:
        return tuple(sorted({code[:1].upper() for code in self.ntee_codes if code}))

    @classmethod
    def of(cls, profile: Profile) -> LikeProfile:
        """The profile's own NTEE code and its targets, its states, its size by annual revenue."""
        codes = tuple(dict.fromkeys(c for c in (profile.ntee_code, *profile.target_ntee_codes) if c))
        return cls(codes, tuple(profile.states), size_band(profile.annual_revenue))


@dataclass(frozen=True)
class LikeMineFunder:
    """A funder ranked by its grants to recipients like the profile, with the evidence."""

    funder: FunderRow
    score: int  # each like grant counts 1, +1 for the same NTEE code, state, size band each
    like_grants: int
    like_amount: int
    evidence: tuple[GrantRow, ...] = field(default=())
