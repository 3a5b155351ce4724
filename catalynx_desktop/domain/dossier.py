"""A funder dossier: everything a researcher hands to an executive director about one opportunity.

A plain value gathered by one storage read (storage/dossier_store.py) and rendered to HTML
(export/dossier_html.py) or PDF (ui/reports/dossier_pdf.py). What the data does not know stays
empty (giving history before any 990 is imported, an outcome not recorded yet) and the
renderers say so in words instead of showing blanks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from catalynx_desktop.domain.contacts import Contact, Interaction
from catalynx_desktop.domain.details import StageChange
from catalynx_desktop.domain.funder_views import HowToApply
from catalynx_desktop.domain.outcomes import AwardedGift, Outcome
from catalynx_desktop.domain.scoring import DimensionScore
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.domain.tasks import Task


@dataclass(frozen=True)
class FunderRecord:
    """The funder as its source record states it (BMF organization or Grants.gov opportunity)."""

    name: str
    ein: str = ""
    kind: str = ""  # RecordKind value
    city: str = ""
    state: str = ""
    ntee_code: str = ""
    subsection: str = ""
    foundation_code: str = ""
    assets: int | None = None
    income: int | None = None
    revenue: int | None = None
    ruling_date: str = ""  # YYYYMM
    agency: str = ""  # federal: the agency; organizations: ''
    opportunity_number: str = ""
    cfda_numbers: str = ""
    category: str = ""
    eligible_applicants: str = ""
    award_floor: int | None = None
    award_ceiling: int | None = None
    total_funding: int | None = None
    post_date: str = ""
    close_date: str = ""
    description: str = ""


@dataclass(frozen=True)
class YearGiving:
    """A tax year of the funder's giving from its counting 990 returns."""

    year: int
    grants_paid: int | None  # the return's own total line (or the listed grants' sum)
    grant_count: int  # grants listed one by one
    listed_total: int


@dataclass(frozen=True)
class TypicalGrant:
    low: int  # first quartile
    median: int
    high: int  # third quartile
    grant_count: int


@dataclass(frozen=True)
class LikeGrant:
    """A grant the funder paid to an organization like ours (same field, else same state)."""

    year: int
    recipient: str
    city: str
    state: str
    amount: int
    purpose: str


@dataclass(frozen=True)
class Officer:
    name: str
    title: str


@dataclass(frozen=True)
class GivingEvidence:
    """What the funder's 990 returns say (None on a Dossier when none is imported)."""

    giving_by_year: tuple[YearGiving, ...] = ()
    typical_grant: TypicalGrant | None = None
    grants_like_ours: tuple[LikeGrant, ...] = ()
    how_to_apply: tuple[HowToApply, ...] = ()  # from the funder's latest 990-PF
    preselected_only: bool | None = None  # "contributes only to preselected organizations"
    officers: tuple[Officer, ...] = ()


@dataclass(frozen=True)
class PastProposal:
    """Another proposal of our organization to the same funder, with what came of it."""

    opportunity_id: int
    title: str
    profile_name: str
    stage: Stage
    outcome: Outcome


@dataclass(frozen=True)
class Dossier:
    generated_on: date
    opportunity_id: int
    title: str
    profile_name: str
    profile_ein: str
    funder_name: str
    stage: Stage
    score: float
    score_lines: tuple[DimensionScore, ...]
    amount: int  # the opportunity's amount (0 = not stated)
    close_date: str  # ISO or ''
    discovered_at: str
    rating: int | None
    priority: str
    tags: tuple[str, ...]
    notes: str
    record: FunderRecord
    giving: GivingEvidence | None
    outcome: Outcome
    gifts: tuple[AwardedGift, ...]  # from this funder to our organization
    proposals: tuple[PastProposal, ...]  # our other proposals to this funder
    contacts: tuple[Contact, ...]
    opportunity_contact_id: int | None
    interactions: tuple[Interaction, ...]
    tasks: tuple[Task, ...]
    history: tuple[StageChange, ...]

    @property
    def open_tasks(self) -> tuple[Task, ...]:
        return tuple(t for t in self.tasks if not t.done)

    @property
    def is_federal(self) -> bool:
        return self.record.kind == "federal_opportunity"
