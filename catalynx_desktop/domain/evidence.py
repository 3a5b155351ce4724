"""What a funder really gives, from the grants on its 990 returns: the evidence scoring reads.

One `GivingEvidence` per funder, independent of any profile: dollars by year, and for the last
three years of its returns (the window) dollars by recipient NTEE code and major group, by
recipient state, grant sizes, purposes, and whether it gives only to charities it picks.

Storage keeps per-funder aggregates and can fill the value directly; `build_evidence` builds it
from plain `GrantFact` rows (used by the back-test and the tests). Pure: no I/O.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from catalynx_desktop.domain.gifts import Gift

WINDOW_YEARS = 3  # grant professionals read the last three returns (DOMAIN.md §7)
PURPOSES_KEPT = 200  # distinct purpose texts kept per funder (largest dollars first): bounded memory


class GrantFact(NamedTuple):
    """One grant paid, as scoring and the back-test need it."""

    funder_ein: str
    recipient_ein: str  # '' when the recipient is not matched to an IRS record
    recipient_ntee: str  # the recipient's NTEE code from the BMF ('' unknown)
    recipient_state: str
    amount: int
    year: int  # tax year of the return
    purpose: str = ""


@dataclass(frozen=True, slots=True)
class GrantSizes:
    count: int
    minimum: int
    q1: int
    median: int
    q3: int
    maximum: int

    @classmethod
    def of(cls, amounts: Iterable[int]) -> GrantSizes | None:
        values = sorted(a for a in amounts if a > 0)
        if not values:
            return None
        if len(values) == 1:
            only = values[0]
            return cls(1, only, only, only, only, only)
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        return cls(len(values), values[0], round(q1), round(median), round(q3), values[-1])


@dataclass(frozen=True, slots=True)
class GivingEvidence:
    ein: str
    dollars_by_year: Mapping[int, int]  # every year imported (grants paid)
    first_year: int  # the window the shares below cover
    last_year: int
    total: int  # grant dollars in the window
    by_ntee: Mapping[str, int] = field(default_factory=dict)  # recipient NTEE, 3 chars -> dollars
    by_group: Mapping[str, int] = field(default_factory=dict)  # recipient NTEE letter -> dollars
    by_state: Mapping[str, int] = field(default_factory=dict)  # recipient state -> dollars
    sizes: GrantSizes | None = None
    purposes: tuple[tuple[str, int], ...] = ()  # (lower-case purpose text, dollars)
    preselected_only: bool | None = None  # 990-PF: only gives to preselected charities
    deadlines: str = ""  # 990-PF SubmissionDeadlinesTxt, as given
    recipient_revenue_median: int | None = None  # typical grantee size (BMF revenue of matched recipients)

    @property
    def window(self) -> str:
        return (
            str(self.last_year)
            if self.first_year == self.last_year
            else f"{self.first_year}–{self.last_year}"
        )

    @property
    def known_field_dollars(self) -> int:
        """Dollars in the window whose recipient NTEE is known."""
        return sum(self.by_group.values())

    @property
    def known_state_dollars(self) -> int:
        return sum(self.by_state.values())

    def yearly(self) -> list[tuple[int, int]]:
        """(year, dollars) for every year of the window, zero where nothing was reported."""
        return [(y, self.dollars_by_year.get(y, 0)) for y in range(self.first_year, self.last_year + 1)]


def build_evidence(
    ein: str,
    grants: Iterable[GrantFact],
    *,
    years: int = WINDOW_YEARS,
    preselected_only: bool | None = None,
    deadlines: str = "",
    recipient_revenue: Mapping[str, int] | None = None,
) -> GivingEvidence | None:
    """Evidence from one funder's grants (other funders' rows are ignored); None without grants."""
    mine = [g for g in grants if g.funder_ein == ein and g.amount > 0]
    if not mine:
        return None
    by_year: dict[int, int] = defaultdict(int)
    for g in mine:
        by_year[g.year] += g.amount
    last = max(by_year)
    first = max(last - years + 1, min(by_year))  # only years with returns imported: no made-up zeros
    window = [g for g in mine if g.year >= first]
    by_ntee: dict[str, int] = defaultdict(int)
    by_group: dict[str, int] = defaultdict(int)
    by_state: dict[str, int] = defaultdict(int)
    purposes: dict[str, int] = defaultdict(int)
    for g in window:
        code = g.recipient_ntee.strip().upper()
        if code:
            by_ntee[code[:3]] += g.amount
            by_group[code[0]] += g.amount
        if g.recipient_state:
            by_state[g.recipient_state.upper()] += g.amount
        if g.purpose.strip():
            purposes[g.purpose.strip().lower()] += g.amount
    kept = sorted(purposes.items(), key=lambda item: (-item[1], item[0]))[:PURPOSES_KEPT]
    revenues = [
        recipient_revenue[g.recipient_ein]
        for g in window
        if recipient_revenue and g.recipient_ein in recipient_revenue
    ]
    return GivingEvidence(
        ein=ein,
        dollars_by_year=dict(by_year),
        first_year=first,
        last_year=last,
        total=sum(g.amount for g in window),
        by_ntee=dict(by_ntee),
        by_group=dict(by_group),
        by_state=dict(by_state),
        sizes=GrantSizes.of(g.amount for g in window),
        purposes=tuple(kept),
        preselected_only=preselected_only,
        deadlines=deadlines,
        recipient_revenue_median=round(statistics.median(revenues)) if revenues else None,
    )


def evidence_by_funder(
    grants: Iterable[GrantFact], *, years: int = WINDOW_YEARS
) -> dict[str, GivingEvidence]:
    """`build_evidence` for every funder in `grants`, in one pass over the rows."""
    per_funder: dict[str, list[GrantFact]] = defaultdict(list)
    for g in grants:
        per_funder[g.funder_ein].append(g)
    out: dict[str, GivingEvidence] = {}
    for ein, rows in per_funder.items():
        evidence = build_evidence(ein, rows, years=years)
        if evidence is not None:
            out[ein] = evidence
    return out


def gifts_from_grants(
    recipient_ein: str, grants: Iterable[GrantFact], funder_names: Mapping[str, str]
) -> dict[str, list[Gift]]:
    """Grants on 990 returns paid to `recipient_ein` (the profile's organization), per funder EIN.

    A return gives the tax year only: the gift is dated the last day of that year, the most
    generous reading for "lapsed" (18 months without a gift).
    """
    out: dict[str, list[Gift]] = defaultdict(list)
    if not recipient_ein:
        return {}
    for g in grants:
        if g.recipient_ein == recipient_ein and g.amount > 0:
            out[g.funder_ein].append(
                Gift(
                    funder_name=funder_names.get(g.funder_ein, ""),
                    ein=g.funder_ein,
                    date=date(g.year, 12, 31),
                    amount=g.amount,
                    purpose=g.purpose,
                    file=f"990 return, tax year {g.year}",
                )
            )
    return dict(out)
