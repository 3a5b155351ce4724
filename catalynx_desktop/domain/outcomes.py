"""What came of a proposal: the amounts, the decision and the award period; and the gifts that
awards add to the organization's own history with its funders (the relationship signal)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from catalynx_desktop.domain.stages import Stage


@dataclass(frozen=True)
class Outcome:
    """The outcome fields of one opportunity; None means "not recorded yet"."""

    amount_requested: int | None = None
    amount_awarded: int | None = None
    decision_date: date | None = None
    award_start: date | None = None
    award_end: date | None = None

    def validated(self) -> Outcome:
        """The same outcome, or ValueError naming the field a user has to fix."""
        if self.amount_requested is not None and self.amount_requested < 0:
            raise ValueError("Amount requested cannot be negative")
        if self.amount_awarded is not None and self.amount_awarded < 0:
            raise ValueError("Amount awarded cannot be negative")
        if self.award_start and self.award_end and self.award_start > self.award_end:
            raise ValueError("The award period ends before it starts")
        return self

    @property
    def is_empty(self) -> bool:
        return self == Outcome()


@dataclass(frozen=True)
class AwardedGift:
    """A grant the organization received, known from an opportunity moved to Awarded.

    funder_ein is '' when the funder has none on record (a federal agency); date is the
    decision date, else the award start, else the day the opportunity was moved to Awarded;
    amount is None until the amount awarded is recorded.
    """

    opportunity_id: int
    funder_ein: str
    funder_name: str
    date: date | None
    amount: int | None


@dataclass(frozen=True)
class YearOutcomes:
    """One year of proposals that went out: what was asked and what came back."""

    year: int
    proposals: int
    requested: int  # sum of the amounts requested that are recorded
    awarded: int  # sum of the amounts awarded that are recorded
    awards: int  # proposals awarded that year


@dataclass(frozen=True)
class OutcomeStats:
    """The dashboard's outcome figures for one profile."""

    by_year: tuple[YearOutcomes, ...]  # oldest first
    stage_values: dict[Stage, int]  # plan .. submitted: amount requested where recorded, else listed
    stage_counts: dict[Stage, int]
    awarded: int  # opportunities at Awarded
    declined_by_funder: int

    @property
    def win_rate(self) -> float | None:
        """Awards among the proposals the funders decided on; None before any decision."""
        decided = self.awarded + self.declined_by_funder
        return self.awarded / decided if decided else None
