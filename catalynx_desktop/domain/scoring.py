"""Explainable scoring of a source record (funder or federal opportunity) against a profile.

Six weighted dimensions, each with a value in [0, 1] and a one-line reason the details pane
shows: mission (NTEE), geography, amount fit, grant-making capacity, deadline timing and
eligibility. The total is the weighted mean, so it stays in [0, 1] for any weights >= 0.

Performance: Discover scores every imported record (millions) for one profile, so everything
that depends only on the profile is computed once in `ProfileMatcher`, and the hot path works
on plain tuples in `SCORING_COLUMNS` order (what the storage layer selects) instead of
building a `SourceRecord` per row.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

from catalynx_desktop.domain.federal_codes import CFDA_AGENCY_GROUPS, applicant_name, category_name
from catalynx_desktop.domain.ntee import DEFAULT_NAMES, NteeNames
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.records import RecordKind, SourceRecord


@dataclass(frozen=True)
class ScoringWeights:
    """THE place the weights live. Relative weights: the total divides by their sum."""

    # Mission dominates: a funder that is open, rich and eligible but works in another field
    # is not a lead (with mission at 0 the other five can reach at most 0.6).
    mission: float = 0.40
    geography: float = 0.15
    amount: float = 0.10
    capacity: float = 0.15
    deadline: float = 0.10
    eligibility: float = 0.10
    # Evidence dimensions of the funder matcher (domain/matching.py); the six above keep their
    # names (the settings file stores them as weight_<name>). Relationship is heavy on purpose:
    # a funder that already gave to this organization is the best lead there is.
    openness: float = 0.15
    relationship: float = 0.30

    def __post_init__(self) -> None:
        values = [getattr(self, f.name) for f in fields(self)]
        if any(v < 0 or math.isnan(v) for v in values) or sum(values) <= 0:
            raise ValueError("scoring weights must be >= 0 and not all zero")

    def as_tuple(self, names: Sequence[str] | None = None) -> tuple[float, ...]:
        """Weights of `names` (default: the six dimensions of ProfileMatcher), in that order."""
        return tuple(getattr(self, name) for name in (DIMENSIONS if names is None else names))


DEFAULT_WEIGHTS = ScoringWeights()
DIMENSIONS: tuple[str, ...] = ("mission", "geography", "amount", "capacity", "deadline", "eligibility")

# Rules of thumb the dimensions use (not weights; they shape one dimension's value).
CLOSING_SOON_DAYS = 21  # less than three weeks to write an application
FOUNDATION_PAYOUT_RATE = 0.05  # private foundations must pay out ~5% of assets a year
DEFAULT_REQUEST = 100_000  # the ask we compare capacity against when the profile states none
NONPROFIT_APPLICANT_CODES: dict[str, str] = {
    "12": "nonprofits with 501(c)(3) status",
    "13": "nonprofits without 501(c)(3) status",
    "25": "others (see the eligibility text)",
    "99": "unrestricted",
}
PRIVATE_FOUNDATION_CODES = {"02", "03", "04"}
# NTEE major group T (philanthropy, grantmaking foundations: T20 private, T31 community): their
# code says what they ARE, not what they fund: a weak signal below "field unknown" of a
# mismatch's 0 and the group match's 0.6, never a fixed 0.5 that floated any foundation up.
GRANTMAKER_NTEE_GROUP = "T"
GRANTMAKER_MISSION = 0.35
GRANTMAKER_REASON = "gives in many fields; no grants imported to tell which"
# Grants.gov funding-activity categories -> the NTEE major group that does that work, so a
# federal opportunity (which has no NTEE code) can still match a profile's field.
CATEGORY_TO_NTEE_GROUP: dict[str, str] = {
    "AG": "K",
    "AR": "A",
    "BC": "S",
    "CD": "S",
    "DPR": "M",
    "ED": "B",
    "ELT": "J",
    "EN": "C",
    "ENV": "C",
    "FN": "K",
    "HL": "E",
    "HO": "L",
    "HU": "A",
    "ISS": "P",
    "LJL": "I",
    "NR": "C",
    "RD": "S",
    "ST": "U",
    "CP": "W",
    "IS": "U",
}

# Column order of the tuples the hot path scores; storage selects exactly these columns.
SCORING_COLUMNS: tuple[str, ...] = (
    "kind",
    "state",
    "ntee_code",
    "subsection",
    "foundation_code",
    "is_grant_maker",
    "award_floor",
    "award_ceiling",
    "total_funding",
    "assets",
    "income",
    "close_date",
    "status",
    "eligible_applicants",
    "category",
    "name",
)
(
    _KIND,
    _STATE,
    _NTEE,
    _SUBSECTION,
    _FOUNDATION,
    _GRANT_MAKER,
    _FLOOR,
    _CEILING,
    _TOTAL,
    _ASSETS,
    _INCOME,
    _CLOSE,
    _STATUS,
    _ELIGIBLE,
    _CATEGORY,
    _NAME,
) = range(len(SCORING_COLUMNS))

_FEDERAL = RecordKind.FEDERAL_OPPORTUNITY.value
_FOUNDATION_KIND = RecordKind.FOUNDATION.value
_CODE_RE = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class DimensionScore:
    name: str
    value: float  # 0..1
    weight: float  # the weight it had when scored (relative)
    reason: str


@dataclass(frozen=True)
class ScoreResult:
    total: float  # 0..1
    breakdown: tuple[DimensionScore, ...]

    def dimension(self, name: str) -> DimensionScore:
        for dim in self.breakdown:
            if dim.name == name:
                return dim
        raise KeyError(name)

    def to_json(self) -> str:
        return breakdown_json(
            self.total, [(d.value, d.reason) for d in self.breakdown], tuple(d.weight for d in self.breakdown)
        )

    @classmethod
    def from_json(cls, text: str) -> ScoreResult:
        """Parse what `to_json`/`breakdown_json` stored ('{}' -> an empty result)."""
        data = json.loads(text or "{}")
        dims = tuple(
            DimensionScore(str(n), float(v), float(w), str(r)) for n, v, w, r in data.get("dims", ())
        )
        return cls(float(data.get("total", 0.0)), dims)


def breakdown_json(
    total: float,
    dims: Sequence[tuple[float, str]],
    weights: Sequence[float],
    names: Sequence[str] = DIMENSIONS,
) -> str:
    """Compact JSON kept in opportunities.score_breakdown: the total and [name, value, weight, reason]."""
    return json.dumps(
        {
            "total": round(total, 4),
            "dims": [[name, round(v, 4), w, r] for name, (v, r), w in zip(names, dims, weights, strict=True)],
        },
        separators=(",", ":"),
    )


def _money(amount: float) -> str:
    if amount >= 1_000_000:
        return f"${amount / 1_000_000:.1f}M"
    if amount >= 10_000:
        return f"${amount / 1_000:.0f}k"
    return f"${amount:,.0f}"


def _clamp(value: float) -> float:
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value


def parse_applicant_codes(text: str | Sequence[str]) -> tuple[str, ...]:
    """Eligible applicant codes from '12,25', '["12","25"]' or a tuple: two-digit strings."""
    if not isinstance(text, str):
        text = ",".join(text)
    return tuple(code.zfill(2) for code in _CODE_RE.findall(text))


class ProfileMatcher:
    """Scores records for one profile; everything profile-dependent is precomputed here."""

    def __init__(
        self,
        profile: Profile,
        today: date,
        weights: ScoringWeights = DEFAULT_WEIGHTS,
        ntee: NteeNames = DEFAULT_NAMES,
    ) -> None:
        self.profile = profile
        self.today = today
        self.weights = weights
        self.ntee = ntee
        self._weights = weights.as_tuple()
        total_weight = sum(self._weights)
        if total_weight <= 0:
            raise ValueError("at least one of the six scoring weights must be above zero")
        self._norm = tuple(w / total_weight for w in self._weights)
        codes = [
            c.strip().upper()
            for c in (*profile.target_ntee_codes, profile.ntee_code or "")
            if c and c.strip()
        ]
        self._exact = tuple(c for c in codes if len(c) >= 2)
        self._groups = frozenset(c[0] for c in codes)
        # sorted: a set's order varies per process (hash seed) and the reason text must not
        self._keywords = tuple(
            sorted({k.strip().lower() for k in (*profile.keywords, *profile.focus_areas) if k.strip()})
        )
        self._states = frozenset(s.strip().upper() for s in profile.states)
        self._nationwide = profile.nationwide
        self._min = profile.min_amount
        self._max = profile.max_amount
        self._request = profile.max_amount or profile.min_amount or DEFAULT_REQUEST
        self._today_iso = today.isoformat()
        self._soon_iso = (today + timedelta(days=CLOSING_SOON_DAYS)).isoformat()

    # -- public API ----------------------------------------------------------------------
    def score_row(self, row: Sequence[Any]) -> tuple[float, tuple[tuple[float, str], ...]]:
        """Hot path: (total, ((value, reason) per dimension in DIMENSIONS order))."""
        dims = (
            self._mission(row),
            self._geography(row),
            self._amount(row),
            self._capacity(row),
            self._deadline(row),
            self._eligibility(row),
        )
        n = self._norm
        total = (
            dims[0][0] * n[0]
            + dims[1][0] * n[1]
            + dims[2][0] * n[2]
            + dims[3][0] * n[3]
            + dims[4][0] * n[4]
            + dims[5][0] * n[5]
        )
        return _clamp(total), dims

    def dimensions(self, row: Sequence[Any]) -> tuple[tuple[float, str], ...]:
        """The six (value, reason) pairs in DIMENSIONS order, for callers that weigh them otherwise."""
        return (
            self._mission(row),
            self._geography(row),
            self._amount(row),
            self._capacity(row),
            self._deadline(row),
            self._eligibility(row),
        )

    def result_from_row(self, row: Sequence[Any]) -> ScoreResult:
        total, dims = self.score_row(row)
        return ScoreResult(
            total,
            tuple(
                DimensionScore(name, v, w, r)
                for name, (v, r), w in zip(DIMENSIONS, dims, self._weights, strict=True)
            ),
        )

    def breakdown_json(self, total: float, dims: Sequence[tuple[float, str]]) -> str:
        return breakdown_json(total, dims, self._weights)

    def score(self, record: SourceRecord) -> ScoreResult:
        return self.result_from_row(record_to_row(record))

    # -- dimensions (each returns (value, reason)) ----------------------------------------
    def _mission(self, row: Sequence[Any]) -> tuple[float, str]:
        if not self._groups and not self._keywords:
            return 0.5, "you have set no NTEE codes or keywords"
        code = (row[_NTEE] or "").upper()
        best = (0.0, "no mission match")
        if code:
            for target in self._exact:
                if code == target or (len(target) >= 3 and code.startswith(target)):
                    return 1.0, f"works in {self.ntee.name(code)}, your field"
            if code[0] in self._groups:
                best = (0.6, f"works in {self.ntee.group_name(code)}, your field's group")
            elif code[0] == GRANTMAKER_NTEE_GROUP:
                best = (GRANTMAKER_MISSION, GRANTMAKER_REASON)
            else:
                best = (0.0, f"works in {self.ntee.name(code)}, not your field")
        elif row[_KIND] == _FEDERAL and row[_CATEGORY]:
            best = federal_mission(str(row[_CATEGORY]), "", self._groups, self.ntee)
        else:
            best = (0.25, "no NTEE field on record")
        if best[0] < 0.5 and self._keywords:
            name = (row[_NAME] or "").lower()
            for keyword in self._keywords:
                if keyword in name:
                    return 0.5, f"'{keyword}' is in its name"
        return best

    def _geography(self, row: Sequence[Any]) -> tuple[float, str]:
        state = row[_STATE] or ""
        if row[_KIND] == _FEDERAL and not state:
            return 1.0, "federal opportunity, nationwide"
        if state and state in self._states:
            return 1.0, f"{state} is in your scope"
        if self._nationwide:
            return 0.8, f"you work nationwide ({state or 'location unknown'})"
        if not self._states:
            return 0.5, "no geographic scope set"
        if not state:
            return 0.3, "funder location unknown"
        return 0.0, f"{state} is outside your scope"

    def _amount(self, row: Sequence[Any]) -> tuple[float, str]:
        if self._min is None and self._max is None:
            return 0.5, "no amount preference set"
        ceiling, floor = row[_CEILING], row[_FLOOR]
        amount = ceiling or floor
        if not amount:
            return 0.5, "amount not stated"
        low = self._min or 0
        high = self._max
        if high is not None and floor and floor > high:
            return 0.4, f"minimum award {_money(floor)} above your maximum {_money(high)}"
        if amount >= low:
            return 1.0, f"up to {_money(amount)} fits your range"
        return 0.8 * amount / low, f"only up to {_money(amount)}, below your minimum {_money(low)}"

    def _capacity(self, row: Sequence[Any]) -> tuple[float, str]:
        kind = row[_KIND]
        if kind == _FEDERAL:
            budget = row[_TOTAL] if row[_TOTAL] is not None else row[_CEILING]
            what = "total funding" if row[_TOTAL] is not None else "award ceiling"
        elif kind == _FOUNDATION_KIND or row[_GRANT_MAKER]:
            assets, income = row[_ASSETS], row[_INCOME]
            if assets is not None:
                budget, what = assets * FOUNDATION_PAYOUT_RATE, "est. giving (5% of assets)"
            else:
                budget, what = income, "income"
        else:
            return 0.1, "not a known grant maker"
        if budget is None:
            return 0.3, "capacity not reported"
        if budget <= 0:
            return 0.0, f"{what}: none reported"
        # log scale around the request: budget = request -> 0.5, 100x request -> 1.0
        value = _clamp(0.5 + 0.25 * math.log10(budget / self._request))
        return value, f"{what} {_money(budget)} vs your {_money(self._request)} ask"

    def _deadline(self, row: Sequence[Any]) -> tuple[float, str]:
        status = (row[_STATUS] or "").lower()
        if status in ("closed", "archived"):
            return 0.0, f"{status}"
        close = row[_CLOSE]
        if close:
            close = str(close)[:10]
            if close < self._today_iso:
                return 0.0, f"closed on {close}"
            days = (date.fromisoformat(close) - self.today).days
            if close <= self._soon_iso:
                return 0.5, f"closing soon: {close} ({days} days)"
            return 1.0, f"open until {close} ({days} days)"
        if status == "forecasted":
            return 0.7, "forecasted, no deadline yet"
        return 0.8, "rolling, no deadline"

    def _eligibility(self, row: Sequence[Any]) -> tuple[float, str]:
        if row[_KIND] == _FEDERAL:
            return federal_eligibility(row[_ELIGIBLE] or "")
        foundation = row[_FOUNDATION] or ""
        if foundation == "04":
            return 1.0, "private non-operating foundation: grants to charities"
        if foundation in PRIVATE_FOUNDATION_CODES:
            return 0.7, "private operating foundation: runs its own programs"
        if row[_GRANT_MAKER]:
            return 0.8, "known grant maker"
        subsection = row[_SUBSECTION] or ""
        if subsection == "03":
            return 0.4, "public charity: grants are occasional"
        if subsection:
            return 0.2, f"501(c)({subsection.lstrip('0')}) organization: rarely funds charities"
        return 0.5, "eligibility unknown"


def federal_eligibility(applicants: str | Sequence[str]) -> tuple[float, str]:
    """Open to nonprofits? From the Grants.gov eligible-applicant codes, in words."""
    codes = parse_applicant_codes(applicants)
    if not codes:
        return 0.5, "eligible applicants not stated"
    for code in codes:
        if code in NONPROFIT_APPLICANT_CODES:
            return 1.0, f"open to {applicant_name(code)}"
    shown = ", ".join(applicant_name(code) for code in codes[:3])
    more = f" and {len(codes) - 3} more" if len(codes) > 3 else ""
    return 0.0, f"not open to nonprofits (only {shown}{more})"


def federal_mission(
    categories: str, cfda_numbers: str, groups: frozenset[str], ntee: NteeNames
) -> tuple[float, str]:
    """A federal opportunity has no NTEE code: its funding categories (or, failing those, its
    agency's CFDA prefix) say which NTEE major groups it serves."""
    named = [c for c in _CODE_SPLIT.split(categories.upper()) if c and c != "O"]
    for code in named:
        group = CATEGORY_TO_NTEE_GROUP.get(code)
        if group and group in groups:
            return 0.6, f"funds {category_name(code)}, which matches your field ({ntee.group_name(group)})"
    if not named:
        for number in _CODE_SPLIT.split(cfda_numbers):
            agency = CFDA_AGENCY_GROUPS.get(number[:2]) if number else None
            if agency and set(agency[1]) & groups:
                return 0.5, f"a {agency[0]} program, an agency that funds your field"
        if categories.strip():
            return 0.25, "funding category 'Other': field not stated"
        return 0.25, "funding category not stated"
    shown = ", ".join(category_name(c) for c in named[:3])
    return 0.0, f"funds {shown}, outside your field"


_CODE_SPLIT = re.compile(r"[\s,;|\[\]\"']+")


def record_to_row(record: SourceRecord) -> tuple[Any, ...]:
    """A SourceRecord as the tuple the hot path scores (same shape storage selects)."""
    return (
        record.kind.value,
        record.state,
        record.ntee_code,
        record.subsection,
        record.foundation_code,
        int(record.is_grant_maker),
        record.award_floor,
        record.award_ceiling,
        record.total_funding,
        record.assets,
        record.income,
        record.close_date.isoformat() if record.close_date else None,
        record.status,
        ",".join(record.eligible_applicants),
        record.category,
        record.name,
    )


def score(
    profile: Profile, record: SourceRecord, today: date, weights: ScoringWeights = DEFAULT_WEIGHTS
) -> ScoreResult:
    """Score one record. For many records build one ProfileMatcher and call it per record."""
    return ProfileMatcher(profile, today, weights).score(record)
