"""The organization seeking money."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from catalynx_desktop.domain.stages import PIPELINE, Stage
from catalynx_desktop.domain.validation import normalize_ein, normalize_ntee


class ProfileStatus(StrEnum):
    ACTIVE = "active"
    DRAFT = "draft"
    ARCHIVED = "archived"


@dataclass(frozen=True)
class Profile:
    name: str
    id: int | None = None
    ein: str | None = None
    ntee_code: str | None = None
    target_ntee_codes: tuple[str, ...] = ()
    focus_areas: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    nationwide: bool = False
    min_amount: int | None = None
    max_amount: int | None = None
    annual_revenue: int | None = None
    status: ProfileStatus = ProfileStatus.ACTIVE

    def validated(self) -> Profile:
        """Return a normalized copy, or raise ValueError naming the field that is wrong."""
        name = self.name.strip()
        if not name:
            raise ValueError("Name is required")
        if self.min_amount is not None and self.min_amount < 0:
            raise ValueError("Minimum amount cannot be negative")
        if self.max_amount is not None and self.max_amount < 0:
            raise ValueError("Maximum amount cannot be negative")
        if self.min_amount is not None and self.max_amount is not None and self.min_amount > self.max_amount:
            raise ValueError("Minimum amount is larger than the maximum amount")
        if self.annual_revenue is not None and self.annual_revenue < 0:
            raise ValueError("Annual revenue cannot be negative")
        states = tuple(sorted({s.strip().upper() for s in self.states if s.strip()}))
        for state in states:
            if len(state) != 2 or not state.isalpha():
                raise ValueError(f"State {state!r} must be a two-letter code")
        return replace(
            self,
            name=name,
            ein=normalize_ein(self.ein) if self.ein else None,
            ntee_code=normalize_ntee(self.ntee_code) if self.ntee_code else None,
            target_ntee_codes=tuple(normalize_ntee(c) for c in self.target_ntee_codes if c.strip()),
            focus_areas=tuple(a.strip() for a in self.focus_areas if a.strip()),
            keywords=tuple(k.strip() for k in self.keywords if k.strip()),
            states=states,
            status=ProfileStatus(self.status),
        )


@dataclass(frozen=True)
class ProfileSummary:
    """A profile as the profile list shows it: with its opportunity counts per stage."""

    profile: Profile
    stage_counts: dict[Stage, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.stage_counts.get(s, 0) for s in PIPELINE)
