"""FROZEN COPY (issue 13, m13-speed) of catalynx_desktop/domain/matching.py as it was before the speed work:
test_matching_golden.py scores a generated set with this and with the live code and requires identical
outcomes. Do not edit.

Matching a funder to a profile: who is a funder, then a score from evidence, in plain words.

`FunderMatcher.score_row(row, evidence, gifts)` is the hot path of the scoring workflow:
- the profile's own organization, peers and excluded organizations return None (never a match);
- a federal program keeps ProfileMatcher's rules (mission from categories / CFDA agency,
  geography, amount, capacity, deadline, eligibility), reasons in words;
- any other funder is scored on MATCH_DIMENSIONS from its 990 giving evidence where there is
  some, else from the BMF with a reason that says so.

The total is the weighted mean of the dimensions that apply (a dimension with nothing known has
weight 0 in that row), then two rules: a funder outside your field (mission 0) is held below
Discover's default threshold, and a past funder of your organization is lifted above it and
always kept (`always_keep`): "gave you $25,000 in 2023" is the best lead there is.

Speed: everything profile-dependent is computed once; rows are tuples in FUNDER_COLUMNS order
(SCORING_COLUMNS plus the BMF fields the funder rules read); non-funders leave after one
classification, which needs no allocation for the usual verdicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from operator import itemgetter
from typing import Any, NamedTuple

from catalynx_desktop.domain.evidence import GivingEvidence
from catalynx_desktop.domain.gifts import Gift
from catalynx_desktop.domain.ntee import DEFAULT_NAMES, NteeNames
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.records import RecordKind, Source, SourceRecord
from catalynx_desktop.domain.scoring import (
    DEFAULT_WEIGHTS,
    SCORING_COLUMNS,
    DimensionScore,
    ProfileMatcher,
    ScoreResult,
    ScoringWeights,
    breakdown_json,
    federal_mission,
    record_to_row,
)
from tests.domain.frozen_m13 import funder_dimensions as dims_
from tests.domain.frozen_m13.funders import FEDERAL, BmfFacts, FunderClass, FunderKind, Standing, classify

MATCH_DIMENSIONS: tuple[str, ...] = (
    "mission",
    "geography",
    "amount",
    "capacity",
    "openness",
    "relationship",
    "deadline",
    "eligibility",
)
FUNDER_COLUMNS: tuple[str, ...] = (
    *SCORING_COLUMNS,
    "ein",
    "activity",  # BMF ACTIVITY (3 x 3 digits)
    "deductibility",  # BMF DEDUCTIBILITY
    "bmf_status",  # BMF STATUS (01, 02, 12, 25)
    "sort_name",  # BMF SORT_NAME
    "revenue",  # BMF REVENUE_AMT
    "cfda_numbers",  # Grants.gov CFDA numbers, comma separated
    "source",  # Source value (user_list rows are the user's grantors)
)
_C = {name: i for i, name in enumerate(FUNDER_COLUMNS)}
_KIND, _STATE, _NTEE, _SUBSECTION, _FOUNDATION = (
    _C[n] for n in ("kind", "state", "ntee_code", "subsection", "foundation_code")
)
_ASSETS, _INCOME, _CATEGORY, _NAME, _EIN = (_C[n] for n in ("assets", "income", "category", "name", "ein"))
_ACTIVITY, _DEDUCT, _BMF_STATUS, _SORT = (
    _C[n] for n in ("activity", "deductibility", "bmf_status", "sort_name")
)
_CFDA, _SOURCE = _C["cfda_numbers"], _C["source"]
_FACTS = itemgetter(_EIN, _NAME, _SUBSECTION, _FOUNDATION, _ACTIVITY, _NTEE, _BMF_STATUS, _DEDUCT, _SORT)
_FEDERAL_KIND = RecordKind.FEDERAL_OPPORTUNITY.value
_USER_LIST = Source.USER_LIST.value
_FUNDER = Standing.FUNDER

# Discover's default threshold is 0.6 (workflows/discover.py): a funder outside your field stays
# below it whatever its size or openness; a past funder stays above it.
MISSION_ZERO_CAP = 0.5
PAST_FUNDER_FLOOR = 0.85
LAPSED_FUNDER_FLOOR = 0.7
_CAP_NOTE = "; outside your field, so it stays below the match threshold"
_NOT_FEDERAL = (
    (0.5, "federal programs take applications from every eligible applicant", False),
    (0.0, "no past awards to your organization on record", False),
)


_NO_GIFTS = dims_.relationship((), date.min)[:3]
_NO_DEADLINE = dims_.deadline(None)


class MatchOutcome(NamedTuple):
    total: float  # 0..1
    dims: tuple[tuple[float, str], ...]  # (value, reason) in MATCH_DIMENSIONS order
    weights: tuple[float, ...]  # relative weight each had in this row (0 = did not apply)
    funder: FunderClass  # kind, strength and why it is a funder
    always_keep: bool  # a past funder or a grantor on the user's list: an opportunity whatever the threshold
    typical_amount: int | None  # median grant from evidence (None: unknown, not "rolling")


class FunderMatcher:
    """Scores funders for one profile; everything profile-dependent is precomputed here."""

    def __init__(
        self,
        profile: Profile,
        today: date,
        weights: ScoringWeights = DEFAULT_WEIGHTS,
        ntee: NteeNames = DEFAULT_NAMES,
    ) -> None:
        self.profile = profile
        self.today = today
        self.names = ntee
        self._legacy = ProfileMatcher(profile, today, weights, ntee)
        self._weights = weights.as_tuple(MATCH_DIMENSIONS)
        self._own_ein = "".join(c for c in (profile.ein or "") if c.isdigit()).zfill(9) if profile.ein else ""
        self.facts = _profile_facts(profile, today, ntee)
        # per-matcher memos of BMF-only dimensions (bounded by the number of codes and states)
        self._amount_unknown = dims_.amount_fit(self.facts, None)
        self._mission_cache: dict[str, dims_.Dim] = {}
        self._geo_cache: dict[str, dims_.Dim] = {}

    # -- public API ----------------------------------------------------------------------
    def classify_row(
        self, row: Sequence[Any], evidence: GivingEvidence | None = None, gifts: Sequence[Gift] = ()
    ) -> FunderClass | None:
        """Funder, peer or excluded (None: the profile's own organization)."""
        if row[_KIND] == _FEDERAL_KIND:
            return FEDERAL
        if self._own_ein and row[_EIN] == self._own_ein:
            return None
        fields = _FACTS(row)  # one C call; the NTEE code is stored upper case (validation.normalize_ntee)
        if None in fields:
            fields = tuple(f or "" for f in fields)
        facts = tuple.__new__(BmfFacts, fields)
        given = 0 if evidence is None else sum(evidence.dollars_by_year.values())
        return classify(
            facts,
            has_grants=given > 0,
            total_given=given,
            your_grantor=bool(gifts),
            on_your_list=row[_SOURCE] == _USER_LIST,
        )

    def score_row(
        self, row: Sequence[Any], evidence: GivingEvidence | None = None, gifts: Sequence[Gift] = ()
    ) -> MatchOutcome | None:
        """Hot path. None: not a match (own organization, peer, excluded)."""
        funder = self.classify_row(row, evidence, gifts)
        if funder is None or funder.standing is not _FUNDER:
            return None
        if funder is FEDERAL:
            return self._federal(row, funder)
        return self._organization(row, funder, evidence, gifts)

    def score(
        self, record: SourceRecord, evidence: GivingEvidence | None = None, gifts: Sequence[Gift] = ()
    ) -> MatchOutcome | None:
        return self.score_row(record_to_funder_row(record), evidence, gifts)

    def result(self, outcome: MatchOutcome) -> ScoreResult:
        return ScoreResult(
            outcome.total,
            tuple(
                DimensionScore(name, v, w, r)
                for name, (v, r), w in zip(MATCH_DIMENSIONS, outcome.dims, outcome.weights, strict=True)
            ),
        )

    def breakdown_json(self, outcome: MatchOutcome) -> str:
        """Same JSON shape as ScoringResult.to_json (ScoreResult.from_json reads it)."""
        return breakdown_json(outcome.total, outcome.dims, outcome.weights, MATCH_DIMENSIONS)

    # -- assembling ------------------------------------------------------------------------
    def _federal(self, row: Sequence[Any], funder: FunderClass) -> MatchOutcome:
        mission, geography, amount, capacity, deadline, eligibility = self._legacy.dimensions(row)
        category = str(row[_CATEGORY] or "").upper()
        if row[_CFDA] and category in ("", "O"):  # no useful category: the agency says the field
            by_agency = federal_mission(category, str(row[_CFDA]), self.facts.groups, self.names)
            mission = max(mission, by_agency, key=lambda d: d[0])
        parts = (
            (*mission, bool(self.facts.groups or self.facts.keywords)),
            (*geography, True),
            (*amount, True),
            (*capacity, True),
            *_NOT_FEDERAL,
            (*deadline, True),
            (*eligibility, True),
        )
        return self._combine(parts, funder, lapsed=None, typical=None)

    def _organization(
        self, row: Sequence[Any], funder: FunderClass, ev: GivingEvidence | None, gifts: Sequence[Gift]
    ) -> MatchOutcome:
        p = self.facts
        name, state, ntee = row[_NAME] or "", row[_STATE] or "", row[_NTEE] or ""
        if ev is not None:
            mission = dims_.mission_from_evidence(p, ev, ntee, name, self.names)
            geography = dims_.geography_from_evidence(p, ev, state)
            capacity = dims_.capacity_from_evidence(p, ev)
        else:
            mission = self._bmf_mission(ntee, name)
            geography = self._geo_cache.get(state) or self._geo_cache.setdefault(
                state, dims_.geography_from_bmf(p, state)
            )
            capacity = dims_.capacity_from_bmf(p, row[_ASSETS], row[_INCOME])
        if gifts:
            value, reason, applies, lapsed = dims_.relationship(gifts, self.today)
            relationship: dims_.Dim = (value, reason, applies)
        else:
            relationship, lapsed = _NO_GIFTS, False
        parts = (
            mission,
            geography,
            dims_.amount_fit(p, ev) if ev is not None else self._amount_unknown,
            capacity,
            dims_.openness(funder, ev, bool(gifts)),
            relationship,
            dims_.deadline(ev) if ev is not None else _NO_DEADLINE,
            dims_.eligibility(funder),
        )
        typical = ev.sizes.median if ev is not None and ev.sizes is not None else None
        return self._combine(parts, funder, lapsed=lapsed if gifts else None, typical=typical)

    def _bmf_mission(self, ntee: str, name: str) -> dims_.Dim:
        """mission_from_bmf, memoized by NTEE code: a million rows share a few thousand codes."""
        if self.facts.keywords:
            lowered = name.lower()
            if any(k in lowered for k in self.facts.keywords):
                return dims_.mission_from_bmf(self.facts, ntee, name, self.names)
        found = self._mission_cache.get(ntee)
        if found is None:
            found = self._mission_cache[ntee] = dims_.mission_from_bmf(self.facts, ntee, "", self.names)
        return found

    def _combine(
        self,
        parts: Sequence[tuple[float, str, bool]],
        funder: FunderClass,
        lapsed: bool | None,
        typical: int | None,
    ) -> MatchOutcome:
        """Weighted mean of the dimensions that apply, then the mission-zero and past-funder rules.

        Unrolled over the eight dimensions: a loop with appends cost ~3x as much per funder."""
        (v0, r0, a0), (v1, r1, a1), (v2, r2, a2), (v3, r3, a3) = parts[:4]
        (v4, r4, a4), (v5, r5, a5), (v6, r6, a6), (v7, r7, a7) = parts[4:]
        w = self._weights
        weights = [
            w[0] if a0 else 0.0,
            w[1] if a1 else 0.0,
            w[2] if a2 else 0.0,
            w[3] if a3 else 0.0,
            w[4] if a4 else 0.0,
            w[5] if a5 else 0.0,
            w[6] if a6 else 0.0,
            w[7] if a7 else 0.0,
        ]
        dims = [(v0, r0), (v1, r1), (v2, r2), (v3, r3), (v4, r4), (v5, r5), (v6, r6), (v7, r7)]
        weight_sum = sum(weights)
        weighted = (
            v0 * weights[0]
            + v1 * weights[1]
            + v2 * weights[2]
            + v3 * weights[3]
            + v4 * weights[4]
            + v5 * weights[5]
            + v6 * weights[6]
            + v7 * weights[7]
        )
        total = weighted / weight_sum if weight_sum else 0.0
        if lapsed is not None:
            total = max(total, LAPSED_FUNDER_FLOOR if lapsed else PAST_FUNDER_FLOOR)
        elif weights[0] > 0 and dims[0][0] == 0.0 and total > MISSION_ZERO_CAP:
            total = MISSION_ZERO_CAP
            dims[0] = (0.0, dims[0][1] + _CAP_NOTE)
        keep = lapsed is not None or funder.kind is FunderKind.YOUR_GRANTOR  # the user's grantors always show
        return MatchOutcome(min(total, 1.0), tuple(dims), tuple(weights), funder, keep, typical)


def _profile_facts(profile: Profile, today: date, names: NteeNames) -> dims_.ProfileFacts:
    codes = [
        c.strip().upper() for c in (*profile.target_ntee_codes, profile.ntee_code or "") if c and c.strip()
    ]
    exact = tuple(dict.fromkeys(c[:3] for c in codes if len(c) >= 2))
    groups = frozenset(c[0] for c in codes)
    keywords = tuple(
        sorted({k.strip().lower() for k in (*profile.keywords, *profile.focus_areas) if k.strip()})
    )
    states = frozenset(s.strip().upper() for s in profile.states if s.strip())
    return dims_.ProfileFacts(
        exact=exact,
        groups=groups,
        keywords=keywords,
        states=states,
        nationwide=profile.nationwide,
        low=profile.min_amount,
        high=profile.max_amount,
        ask=dims_.default_ask(profile.max_amount, profile.min_amount),
        revenue=profile.annual_revenue,
        field_words=" or ".join(dict.fromkeys(names.name(c) for c in exact)) or "your field",
        group_words=" or ".join(names.group_name(g) for g in sorted(groups)) or "your field",
        state_words=", ".join(sorted(states)) or "your states",
        today=today,
    )


def record_to_funder_row(record: SourceRecord) -> tuple[Any, ...]:
    """A SourceRecord as the tuple FunderMatcher scores (FUNDER_COLUMNS order).

    The BMF fields SourceRecord has no attribute for are read from `extra` (activity,
    deductibility, status, sort_name) when the importer kept them there.
    """
    extra = record.extra
    return (
        *record_to_row(record),
        record.ein or "",
        str(extra.get("activity", "")),
        str(extra.get("deductibility", "")),
        str(extra.get("bmf_status", extra.get("status", ""))),
        str(extra.get("sort_name", "")),
        record.revenue,
        ",".join(record.cfda_numbers),
        record.source.value,
    )
