"""What importers bring in (source records) and what the opportunity table shows (rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple

from catalynx_desktop.domain.stages import Stage


class Source(StrEnum):
    GRANTS_GOV = "grants_gov"
    IRS_BMF = "irs_bmf"
    USER_LIST = "user_list"
    DEMO = "demo"
    IRS_990 = "irs_990"  # a 990 filer with giving data and no BMF record (added from the Funders view)


class RecordKind(StrEnum):
    FEDERAL_OPPORTUNITY = "federal_opportunity"  # Grants.gov synopsis or forecast
    FOUNDATION = "foundation"  # BMF private foundation (FOUNDATION 02/03/04): a grant maker
    ORGANIZATION = "organization"  # any other exempt organization / grantor from a user list


@dataclass(frozen=True)
class SourceRecord:
    """One funder or federal opportunity, unique per (source, source_id)."""

    source: Source
    source_id: str
    kind: RecordKind
    name: str  # opportunity title, or organization name
    funder_name: str = ""  # agency, or the organization itself
    ein: str | None = None
    city: str = ""
    state: str = ""  # two-letter code; empty for international rows
    country: str = ""
    ntee_code: str = ""
    subsection: str = ""  # BMF SUBSECTION (03 = 501(c)(3))
    foundation_code: str = ""  # BMF FOUNDATION (02/03/04 = private foundation)
    is_grant_maker: bool = False
    award_floor: int | None = None
    award_ceiling: int | None = None
    total_funding: int | None = None
    assets: int | None = None
    income: int | None = None
    revenue: int | None = None
    post_date: date | None = None
    close_date: date | None = None
    status: str = ""  # posted / forecasted / closed / archived for federal; '' for organizations
    eligible_applicants: tuple[str, ...] = ()
    cfda_numbers: tuple[str, ...] = ()
    category: str = ""
    opportunity_number: str = ""
    description: str = ""
    ruling_date: str = ""  # BMF RULING, YYYYMM ('' when the BMF says 000000: none)
    extra: dict[str, Any] = field(default_factory=dict)
    # BMF codes exactly as the IRS wrote them (text, leading zeros kept; '' for other sources).
    # Several tell who makes grants: see shared/DOMAIN.md §1.
    group_exemption: str = ""  # GROUP: group exemption number, 0000 = none
    affiliation: str = ""  # AFFILIATION: 3 independent, 9 subordinate (a chapter), ...
    classification: str = ""  # CLASSIFICATION
    ruling: str = ""  # RULING as given: YYYYMM, 000000 = none
    deductibility: str = ""  # DEDUCTIBILITY: 1 deductible, 2 not, 4 by treaty
    activity: str = ""  # ACTIVITY: three 3-digit codes (602 gifts/grants to organizations, ...)
    organization_type: str = ""  # ORGANIZATION: 1 corporation, 2 trust, ...
    exempt_status: str = ""  # STATUS: 01 unconditional, 12 4947(a)(2) trust, 25 terminating PF
    tax_period: str = ""  # TAX_PERIOD as given: YYYYMM of the latest return
    asset_code: str = ""  # ASSET_CD: size class 0-9
    income_code: str = ""  # INCOME_CD: size class 0-9
    filing_requirement: str = ""  # FILING_REQ_CD: 01 990, 02 990-N, ...
    pf_filing_requirement: str = ""  # PF_FILING_REQ_CD: 1 = files a 990-PF
    accounting_period: str = ""  # ACCT_PD: month the year ends
    sort_name: str = ""  # SORT_NAME: DBA or chapter name


@dataclass(frozen=True)
class RecordError:
    """A record an importer could not take: where it is and why, in words a user can act on."""

    file: str
    record_number: int  # 1-based data line / record number within the file
    reason: str
    raw: str = ""

    def __str__(self) -> str:
        return f"{self.file}, record {self.record_number}: {self.reason}"


class OpportunityRow(NamedTuple):
    """One line of the opportunities table (denormalized for sorting without joins).

    A NamedTuple because pages of hundreds of rows are built per scroll step: tuple
    construction is several times cheaper than a dataclass.
    """

    id: int
    profile_id: int
    title: str
    funder_name: str
    stage: str  # a Stage value; see stage_enum
    score: float
    amount: int  # 0 = not stated
    close_date: str  # ISO date, '' = none / rolling
    discovered_at: str  # ISO date
    state: str
    source: str

    @property
    def stage_enum(self) -> Stage:
        return Stage(self.stage)
