"""The dimensions of a funder's score, each from evidence when there is some, else from the BMF.

Every function returns (value 0..1, reason in plain words, applies). A dimension that does not
apply (nothing known, or nothing to compare: no amount range set, a nationwide profile) gets no
weight in the total instead of a made-up neutral value, and its reason says why.

Shares are of grant dollars in the evidence window (the last three years of returns). They are
turned into values with a square root so a generalist giving 10% to your field still counts
(10% -> 0.5) while a specialist reaches 1.0 at 40% (field) or 50% (state).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from catalynx_desktop.domain.evidence import GivingEvidence
from catalynx_desktop.domain.funders import FunderClass, FunderKind, Strength
from catalynx_desktop.domain.gifts import Gift, is_lapsed, latest_gift
from catalynx_desktop.domain.ntee import NteeNames
from catalynx_desktop.domain.scoring import DEFAULT_REQUEST, GRANTMAKER_MISSION, GRANTMAKER_REASON

Dim = tuple[float, str, bool]

FALLBACK = "no 990 grants imported; judged from the IRS master file: "
FIELD_SHARE_FULL = 0.4  # 40% of a funder's dollars to your field = a full mission match
STATE_SHARE_FULL = 0.5
FOUNDATION_PAYOUT_RATE = 0.05  # private foundations must pay out ~5% of assets a year
STALE_AFTER_YEARS = 3  # no grants in the last three years' returns: it may have stopped giving
STRENGTH_VALUE = {Strength.HIGH: 1.0, Strength.MEDIUM: 0.7, Strength.LOW: 0.4}


@dataclass(frozen=True)
class ProfileFacts:
    """Everything the dimensions need from the profile, computed once per profile."""

    exact: tuple[str, ...]  # NTEE codes (2+ chars), cut to 3 characters
    groups: frozenset[str]
    keywords: tuple[str, ...]  # lower case
    states: frozenset[str]
    nationwide: bool
    low: int | None  # ask range
    high: int | None
    ask: int
    revenue: int | None
    field_words: str  # "Food Banks & Pantries or Food Programs"
    group_words: str
    state_words: str
    today: date
    vs_ask: str  # " vs your $50k ask" (money(ask), built once)


def money(amount: float) -> str:
    if amount >= 1_000_000:
        return f"${amount / 1_000_000:.1f}M"
    if amount >= 10_000:
        return f"${amount / 1_000:.0f}k"
    return f"${amount:,.0f}"


def pct(share: float) -> str:
    return "under 1%" if 0 < share < 0.005 else f"{share:.0%}"


def _curve(share: float, full: float) -> float:
    return math.sqrt(share / full) if share < full else 1.0


def _clamp(value: float) -> float:
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value


def _top(mapping: Mapping[str, int]) -> str:
    return max(mapping.items(), key=lambda item: (item[1], item[0]))[0] if mapping else ""


# -- mission ------------------------------------------------------------------------------------
def mission_from_bmf(p: ProfileFacts, ntee: str, name: str, names: NteeNames, prefix: str = FALLBACK) -> Dim:
    """Its own NTEE code against your fields: a weaker signal than its grants, and said so."""
    if not p.groups and not p.keywords:
        return 0.5, "you have set no NTEE codes or keywords", False
    code = ntee.upper()
    if not code:
        best: tuple[float, str] = (GRANTMAKER_MISSION, "no NTEE field on record: its field is unknown")
    elif any(code.startswith(t) for t in p.exact):
        best = (0.8, f"works in {names.name(code)}, your field")
    elif code[0] in p.groups:
        best = (0.5, f"works in {names.group_name(code)}, your field's group")
    elif code[0] == "T":
        best = (GRANTMAKER_MISSION, GRANTMAKER_REASON)
    else:
        best = (0.0, f"works in {names.name(code)}, not your field")
    if best[0] < 0.5 and p.keywords:
        lowered = name.lower()
        for keyword in p.keywords:
            if keyword in lowered:
                best = (0.5, f"'{keyword}' is in its name")
                break
    return best[0], prefix + best[1], True


def mission_from_evidence(p: ProfileFacts, ev: GivingEvidence, ntee: str, name: str, names: NteeNames) -> Dim:
    """Share of its grant dollars to recipients in your NTEE codes, their group, or your keywords."""
    if not p.groups and not p.keywords:
        return 0.5, "you have set no NTEE codes or keywords", False
    known = ev.known_field_dollars
    # list comprehensions, not generators (half the cost); the sums are the same sums
    prefixes = p.exact
    exact = sum([d for code, d in ev.by_ntee.items() if code.startswith(prefixes)]) if prefixes else 0
    by_group = ev.by_group
    group = sum([by_group.get(g, 0) for g in p.groups])
    kw_dollars, kw_hit = 0, ""
    if p.keywords and ev.total:
        for text, dollars in ev.purposes:
            for keyword in p.keywords:
                if keyword in text:
                    kw_dollars += dollars
                    kw_hit = kw_hit or keyword
                    break
    if not known and not kw_dollars:
        return mission_from_bmf(
            p, ntee, name, names, "its grant recipients are not identified; judged from its own field: "
        )
    # The best of field, group and keyword share (the first on a tie); its words are built
    # for the winner only (hot path).
    value, share, what = -1.0, 0.0, ""
    if known and exact:
        share = exact / known
        value, what = _curve(share, FIELD_SHARE_FULL), "field"
    if known and group:
        option = group / known
        option_value = 0.7 * _curve(option, FIELD_SHARE_FULL)
        if option_value > value:
            value, share, what = option_value, option, "group"
    if kw_dollars:
        option = kw_dollars / ev.total
        option_value = 0.8 * _curve(option, FIELD_SHARE_FULL)
        if option_value > value:
            value, share, what = option_value, option, "keyword"
    if not what:
        most = names.group_name(_top(by_group))
        return 0.0, f"none of its grant dollars ({ev.window}) went to your field; most went to {most}", True
    words = (
        f"went to {p.field_words}"
        if what == "field"
        else f"went to {p.group_words}"
        if what == "group"
        else f"were for purposes naming '{kw_hit}'"
    )
    reason = f"{pct(share)} of its grant dollars ({ev.window}) {words}"
    coverage = known / ev.total if ev.total else 0.0
    if known and coverage < 0.25:
        reason += f" (recipients identified for {pct(coverage)} of its dollars)"
    return value, reason, True


# -- geography -----------------------------------------------------------------------------------
def geography_from_bmf(p: ProfileFacts, state: str, prefix: str = FALLBACK) -> Dim:
    if p.nationwide:
        return 0.5, "you work nationwide: where it gives does not matter", False
    if not p.states:
        return 0.5, "you have set no states", False
    if not state:
        return 0.3, prefix + "its location is unknown", True
    if state in p.states:
        return 1.0, prefix + f"based in {state}, your area", True
    return 0.1, prefix + f"based in {state}, outside your area", True


def geography_from_evidence(p: ProfileFacts, ev: GivingEvidence, state: str) -> Dim:
    if p.nationwide or not p.states:
        return geography_from_bmf(p, state)
    known = ev.known_state_dollars
    if not known:
        return geography_from_bmf(
            p, state, "its grant recipients' states are not known; judged from its address: "
        )
    by_state = ev.by_state
    share = sum([by_state.get(s, 0) for s in p.states]) / known
    if share == 0:
        most = _top(ev.by_state)
        return (
            0.0,
            f"none of its grant dollars ({ev.window}) went to {p.state_words}; most went to {most}",
            True,
        )
    return (
        _curve(share, STATE_SHARE_FULL),
        f"{pct(share)} of its grant dollars ({ev.window}) went to {p.state_words}",
        True,
    )


# -- amount fit ----------------------------------------------------------------------------------
def amount_fit(p: ProfileFacts, ev: GivingEvidence | None) -> Dim:
    """Where your ask falls among its grant sizes (quartiles of the window)."""
    if p.low is None and p.high is None:
        return 0.5, "you have set no amount range", False
    if ev is None or ev.sizes is None:
        return 0.5, "grant sizes unknown: no 990 grants imported", False
    sizes = ev.sizes
    low = p.low or 0
    high = p.high if p.high is not None else math.inf
    typical = (
        f"typical grants {money(sizes.q1)}–{money(sizes.q3)}, median {money(sizes.median)} ({ev.window})"
    )
    if low <= sizes.q3 and high >= sizes.q1:
        return 1.0, f"{typical}: your ask fits", True
    if high < sizes.q1:
        gap, side = sizes.q1 / max(high, 1), f"above your maximum {money(high)}"
    else:
        gap, side = low / max(sizes.q3, 1), f"below your minimum {money(low)}"
    value = _clamp(1.0 - 0.5 * math.log10(gap))
    if low <= sizes.maximum and high >= sizes.minimum:
        return (
            max(value, 0.5),
            f"{typical}, {side}; it has given {money(sizes.minimum)}–{money(sizes.maximum)}",
            True,
        )
    return value, f"{typical}, {side}", True


# -- capacity and trend --------------------------------------------------------------------------
def capacity_from_bmf(p: ProfileFacts, assets: int | None, income: int | None) -> Dim:
    if assets is not None:
        budget, what = (
            assets * FOUNDATION_PAYOUT_RATE,
            f"est. giving {{}} a year (5% of its {money(assets)} assets)",
        )
    elif income is not None:
        budget, what = income, "income {} a year"
    else:
        return 0.3, FALLBACK + "its size is not reported", True
    if budget <= 0:
        return 0.0, FALLBACK + what.format("$0"), True
    value = _clamp(0.5 + 0.25 * math.log10(budget / p.ask))
    return value, FALLBACK + what.format(money(budget)) + p.vs_ask, True


def capacity_from_evidence(p: ProfileFacts, ev: GivingEvidence) -> Dim:
    """Grants paid a year over the window, its trend, and whether its grantees are your size."""
    by_year = ev.dollars_by_year  # ev.yearly() without the pairs
    yearly = [by_year.get(y, 0) for y in range(ev.first_year, ev.last_year + 1)]
    average = sum(yearly) / len(yearly)
    if average <= 0:
        return 0.0, f"paid no grants in {ev.window}", True
    value = _clamp(0.5 + 0.25 * math.log10(average / p.ask))
    notes = [f"paid {money(average)} a year in grants ({ev.window}){p.vs_ask}"]
    if len(yearly) > 1:
        earlier = sum(yearly[:-1]) / (len(yearly) - 1)
        if yearly[-1] == 0:
            value *= 0.6
            notes.append(f"nothing paid in {ev.last_year}")
        elif earlier > 0 and yearly[-1] >= 1.25 * earlier:
            notes.append("growing")
        elif earlier > 0 and yearly[-1] <= 0.5 * earlier:
            value *= 0.85
            notes.append("shrinking")
        else:
            notes.append("steady")
    if ev.last_year < p.today.year - STALE_AFTER_YEARS:
        value *= 0.5
        notes.append(f"no grants reported since {ev.last_year}")
    value, size_note = _grantee_size(p, ev, value)
    if size_note:
        notes.append(size_note)
    return value, ", ".join(notes), True


def _grantee_size(p: ProfileFacts, ev: GivingEvidence, value: float) -> tuple[float, str]:
    """Your annual revenue against the size of the organizations it funds (or its median grant)."""
    if not p.revenue:
        return value, ""
    typical = ev.recipient_revenue_median
    if typical:
        ratio = p.revenue / typical
        if ratio < 0.1:
            return (
                value * 0.7,
                f"its grantees are much larger than you (median revenue {money(typical)}, yours {money(p.revenue)})",
            )
        if ratio > 10:
            return value * 0.8, f"its grantees are much smaller than you (median revenue {money(typical)})"
        return value, f"its grantees are your size (median revenue {money(typical)})"
    if ev.sizes is not None and ev.sizes.median > p.revenue / 2:
        return value * 0.8, f"its median grant {money(ev.sizes.median)} is over half your annual revenue"
    return value, ""


# -- openness, relationship, eligibility ---------------------------------------------------------
def openness(funder: FunderClass, ev: GivingEvidence | None, has_gifts: bool) -> Dim:
    preselected = ev.preselected_only if ev is not None else None
    if preselected:
        if has_gifts:
            return 1.0, "gives only to charities it picks, and it has picked you before", True
        return 0.0, "gives only to charities it picks: no unsolicited applications (its 990-PF)", True
    if preselected is False:
        return 1.0, "accepts applications (its 990-PF)", True
    if funder.kind is FunderKind.GRANTMAKING_PUBLIC_CHARITY and funder.strength is Strength.HIGH:
        return (
            0.7,
            "community foundations and United Ways usually run open grant rounds: check its website",
            True,
        )
    return 0.5, "not known whether it accepts applications (no 990-PF imported)", False


def relationship(gifts: Sequence[Gift], today: date) -> tuple[float, str, bool, bool]:
    """(value, reason, applies, lapsed): a past gift to this organization, the strongest signal."""
    if not gifts:
        return 0.0, "no gifts to your organization on record", False, False
    last = latest_gift(gifts)
    assert last is not None
    amount = f"{money(last.amount)} " if last.amount else "a gift "
    when = f"in {last.date.year}" if last.date else "(date not given)"
    reason = f"gave you {amount}{when}"
    if len(gifts) > 1:
        total = sum(g.amount or 0 for g in gifts)
        reason += f"; {len(gifts)} gifts" + (f", {money(total)} in all" if total else "")
    if last.date is not None and is_lapsed(last.date, today):
        return 0.7, reason + "; lapsed: the last gift is over 18 months old", True, True
    return 1.0, reason, True, False


def eligibility(funder: FunderClass) -> Dim:
    return STRENGTH_VALUE[funder.strength], funder.reason, True


def deadline(ev: GivingEvidence | None) -> Dim:
    if ev is not None and ev.deadlines.strip():
        text = ev.deadlines.strip()
        return 0.5, "its 990-PF says: " + (text if len(text) <= 120 else text[:120] + "…"), False
    return 0.5, "no deadline on record: ask the funder", False


def default_ask(max_amount: int | None, min_amount: int | None) -> int:
    return max_amount or min_amount or DEFAULT_REQUEST
