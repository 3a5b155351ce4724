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
    ruling_date: str = ""  # BMF RULING, YYYYMM
    extra: dict[str, Any] = field(default_factory=dict)


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
