"""The organization seeking money."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from catalynx_desktop.domain.stages import PIPELINE, Stage
from catalynx_desktop.domain.validation import (
    MAX_NAME,
    bounded,
    bounded_list,
    known_ntee,
    normalize_ein,
    normalize_ntee,
    normalize_state,
)


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

    def validated(self, ntee_names: Mapping[str, str] | None = None) -> Profile:
        """Return a normalized copy, or raise ValueError naming the field that is wrong.

        With `ntee_names` (the NTEE list, code -> name) every code must be on it; without, only
        its form is checked (imports and stored profiles predating the list check)."""
        name = bounded(self.name.strip(), MAX_NAME, "Name")
        if not name:
            raise ValueError("Name is required")
        self._check_amounts()

        def ntee(code: str) -> str:
            return known_ntee(code, ntee_names) if ntee_names is not None else normalize_ntee(code)

        targets = bounded_list(tuple(c for c in self.target_ntee_codes if c.strip()), "Target NTEE codes")
        focus = bounded_list(tuple(a.strip() for a in self.focus_areas if a.strip()), "Focus areas")
        keywords = bounded_list(tuple(k.strip() for k in self.keywords if k.strip()), "Keywords")
        states = bounded_list(tuple(s for s in self.states if s.strip()), "States", item_limit=20)
        return replace(
            self,
            name=name,
            ein=normalize_ein(self.ein) if self.ein else None,
            ntee_code=ntee(self.ntee_code) if self.ntee_code else None,
            target_ntee_codes=tuple(dict.fromkeys(ntee(c) for c in targets)),
            focus_areas=focus,
            keywords=keywords,
            states=tuple(sorted({normalize_state(s) for s in states})),
            status=ProfileStatus(self.status),
        )

    def _check_amounts(self) -> None:
        if self.min_amount is not None and self.min_amount < 0:
            raise ValueError("Minimum amount cannot be negative")
        if self.max_amount is not None and self.max_amount < 0:
            raise ValueError("Maximum amount cannot be negative")
        if self.min_amount is not None and self.max_amount is not None and self.min_amount > self.max_amount:
            raise ValueError("Minimum amount is larger than the maximum amount")
        if self.annual_revenue is not None and self.annual_revenue < 0:
            raise ValueError("Annual revenue cannot be negative")


@dataclass(frozen=True)
class ProfileSummary:
    """A profile as the profile list shows it: with its opportunity counts per stage."""

    profile: Profile
    stage_counts: dict[Stage, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.stage_counts.get(s, 0) for s in PIPELINE)
