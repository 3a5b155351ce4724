"""Matching a funder to a profile: who is a funder, then a score from evidence, in plain words.

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

Speed (issue 13: at least ProfileMatcher's records/s in bench_matching, with the same
outcomes; tests/domain/test_matching_golden.py compares every outcome with a frozen copy of the
code before): everything profile-dependent is computed once; rows are tuples in FUNDER_COLUMNS
order (SCORING_COLUMNS plus the BMF fields the funder rules read); a BMF row's verdict is
memoized by its codes (funders.classify_codes, and public_charity for names without a telling
word), so most non-funders leave after one dict lookup; a federal program's weights, and a
BMF-only funder's openness and eligibility, are constants per matcher.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from operator import itemgetter
from typing import Any, NamedTuple

from catalynx_desktop.domain import funder_dimensions as dims_
from catalynx_desktop.domain.evidence import GivingEvidence
from catalynx_desktop.domain.funders import (
    FEDERAL,
    BmfFacts,
    FunderClass,
    FunderKind,
    Standing,
    by_grants,
    classify,
    classify_codes,
    name_may_decide,
    public_charity,
)
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
# what classify_codes reads, then what public_charity reads beyond the name (memo key of score_row)
_CODES = itemgetter(_FOUNDATION, _SUBSECTION, _BMF_STATUS, _DEDUCT, _ACTIVITY, _NTEE)
# distinct code combinations memoized per matcher: the national BMF has a few thousand (NTEE x
# activity); ~200 bytes each, 10 MB at most. Beyond it rows are classified without the memo (same verdicts).
_CODE_MEMO_MAX = 50_000
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


(_OPENNESS_FEDERAL, _RELATIONSHIP_FEDERAL) = ((value, reason) for value, reason, _ in _NOT_FEDERAL)
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
        self._agency_cache: dict[tuple[str, str], tuple[float, str]] = {}  # federal_mission by CFDA
        # (verdict, whether the name may change it) by a row's raw _CODES: see _learn_codes
        self._by_codes: dict[tuple[Any, ...], tuple[FunderClass, bool]] = {}
        self._by_verdict: dict[int, tuple[FunderClass, dims_.Dim, dims_.Dim]] = {}  # see _bmf_only
        # a federal program's weights do not depend on the row: mission applies when you set a
        # field, openness and relationship never do (see _federal)
        w = self._weights
        mission_w = w[0] if (self.facts.groups or self.facts.keywords) else 0.0
        self._federal_w = (mission_w, w[1], w[2], w[3], 0.0, 0.0, w[6], w[7])
        self._federal_w_sum = sum(self._federal_w)

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
        """Hot path. None: not a match (own organization, peer, excluded).

        The verdicts are classify_row's, reached by shorter ways for the usual rows: a row with
        no evidence, no gifts and not on the user's list (most of the BMF) is classified from
        its codes (memoized per matcher) and, for a public charity, its name, without building a
        BmfFacts; a row with grants in its evidence is a funder by its codes alone."""
        if row[_KIND] == _FEDERAL_KIND:
            return self._federal(row, FEDERAL)
        if self._own_ein and row[_EIN] == self._own_ein:
            return None
        if gifts or row[_SOURCE] == _USER_LIST:
            funder = self.classify_row(row, evidence, gifts)
            if funder is None or funder.standing is not _FUNDER:
                return None
            return self._organization(row, funder, evidence, gifts)
        if evidence is not None:
            given = sum(evidence.dollars_by_year.values())
            if given > 0:
                funder = by_grants(row[_FOUNDATION] or "", row[_SUBSECTION] or "", given)
                return self._organization(row, funder, evidence, gifts)
        codes = _CODES(row)
        known = self._by_codes.get(codes)
        if known is None:
            known = self._learn_codes(codes)
        verdict, by_name = known
        if by_name:  # a public charity: a name with a telling word is judged in full
            name, sort_name = row[_NAME] or "", row[_SORT] or ""
            if name_may_decide(name, sort_name):
                activity, ntee, foundation = codes[4] or "", codes[5] or "", codes[0] or ""
                verdict = public_charity(name, sort_name, activity, ntee, foundation)
        if verdict.standing is not _FUNDER:
            return None
        if evidence is not None:  # evidence without grant dollars (rare): its dimensions still read it
            return self._organization(row, verdict, evidence, ())
        return self._bmf_only(row, verdict)

    def _learn_codes(self, codes: tuple[Any, ...]) -> tuple[FunderClass, bool]:
        """(verdict, whether the name may change it) for a row's raw codes (_CODES order).

        Decided by classify_codes alone, or a public charity: then the verdict for a name
        without a telling word (funders.name_may_decide), which public_charity gives from the
        activity, NTEE and foundation codes alone."""
        foundation, subsection, status, deductibility, activity, ntee = (c or "" for c in codes)
        by_codes = classify_codes(foundation, subsection, status, deductibility)
        known = (
            (by_codes, False)
            if by_codes is not None
            else (public_charity("", "", activity, ntee, foundation), True)
        )
        if len(self._by_codes) < _CODE_MEMO_MAX:
            self._by_codes[codes] = known
        return known

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
        """ProfileMatcher's dimensions, plus the agency's field; openness and relationship never
        apply, so the weights are the matcher's constant `_federal_w` (same sums as _combine)."""
        mission, geography, amount, capacity, deadline, eligibility = self._legacy.dimensions(row)
        if row[_CFDA]:
            category = str(row[_CATEGORY] or "").upper()
            if category in ("", "O"):  # no useful category: the agency says the field
                key = (category, str(row[_CFDA]))
                by_agency = self._agency_cache.get(key)
                if by_agency is None:
                    by_agency = federal_mission(category, key[1], self.facts.groups, self.names)
                    if len(self._agency_cache) < _CODE_MEMO_MAX:
                        self._agency_cache[key] = by_agency
                mission = max(mission, by_agency, key=_value)
        w = self._federal_w
        v0 = mission[0]
        weighted = (
            v0 * w[0]
            + geography[0] * w[1]
            + amount[0] * w[2]
            + capacity[0] * w[3]
            + 0.5 * w[4]
            + 0.0 * w[5]
            + deadline[0] * w[6]
            + eligibility[0] * w[7]
        )
        weight_sum = self._federal_w_sum
        total = weighted / weight_sum if weight_sum else 0.0
        if w[0] > 0 and v0 == 0.0 and total > MISSION_ZERO_CAP:
            total = MISSION_ZERO_CAP
            mission = (0.0, mission[1] + _CAP_NOTE)
        dims = (
            mission,
            geography,
            amount,
            capacity,
            _OPENNESS_FEDERAL,
            _RELATIONSHIP_FEDERAL,
            deadline,
            eligibility,
        )
        return _tuple_new(MatchOutcome, (1.0 if total > 1.0 else total, dims, w, funder, False, None))

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
            dims_.openness(funder, ev, True if gifts else False),  # noqa: SIM210 -- bool() is a call per row
            relationship,
            dims_.deadline(ev) if ev is not None else _NO_DEADLINE,
            dims_.eligibility(funder),
        )
        typical = ev.sizes.median if ev is not None and ev.sizes is not None else None
        return self._combine(parts, funder, lapsed if gifts else None, typical)

    def _bmf_only(self, row: Sequence[Any], funder: FunderClass) -> MatchOutcome:
        """_organization without evidence or gifts: only mission, geography and capacity vary
        by row; openness and eligibility depend on the verdict alone (memoized per verdict:
        classify_codes and public_charity return module constants, checked with `is`)."""
        static = self._by_verdict.get(id(funder))
        if static is None or static[0] is not funder:
            static = (funder, dims_.openness(funder, None, False), dims_.eligibility(funder))
            self._by_verdict[id(funder)] = static
        p = self.facts
        state = row[_STATE] or ""
        geography = self._geo_cache.get(state)
        if geography is None:
            geography = self._geo_cache[state] = dims_.geography_from_bmf(p, state)
        parts = (
            self._bmf_mission(row[_NTEE] or "", row[_NAME] or ""),
            geography,
            self._amount_unknown,
            dims_.capacity_from_bmf(p, row[_ASSETS], row[_INCOME]),
            static[1],
            _NO_GIFTS,
            _NO_DEADLINE,
            static[2],
        )
        return self._combine(parts, funder, None, None)

    def _bmf_mission(self, ntee: str, name: str) -> dims_.Dim:
        """mission_from_bmf, memoized by NTEE code: a million rows share a few thousand codes."""
        keywords = self.facts.keywords
        if keywords:
            lowered = name.lower()
            for keyword in keywords:
                if keyword in lowered:
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
        p0, p1, p2, p3, p4, p5, p6, p7 = parts
        v0, r0, a0 = p0
        v1, r1, a1 = p1
        v2, r2, a2 = p2
        v3, r3, a3 = p3
        v4, r4, a4 = p4
        v5, r5, a5 = p5
        v6, r6, a6 = p6
        v7, r7, a7 = p7
        w0, w1, w2, w3, w4, w5, w6, w7 = self._weights
        weights = (
            w0 if a0 else 0.0,
            w1 if a1 else 0.0,
            w2 if a2 else 0.0,
            w3 if a3 else 0.0,
            w4 if a4 else 0.0,
            w5 if a5 else 0.0,
            w6 if a6 else 0.0,
            w7 if a7 else 0.0,
        )
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
        elif weights[0] > 0 and v0 == 0.0 and total > MISSION_ZERO_CAP:
            total = MISSION_ZERO_CAP
            r0 += _CAP_NOTE
        dims = ((v0, r0), (v1, r1), (v2, r2), (v3, r3), (v4, r4), (v5, r5), (v6, r6), (v7, r7))
        keep = lapsed is not None or funder.kind is FunderKind.YOUR_GRANTOR  # the user's grantors always show
        return _tuple_new(MatchOutcome, (1.0 if total > 1.0 else total, dims, weights, funder, keep, typical))


def _value(dim: tuple[float, str]) -> float:
    return dim[0]


# MatchOutcome(*fields) without the NamedTuple's Python-level __new__ (hot path)
_tuple_new = tuple.__new__


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
    ask = dims_.default_ask(profile.max_amount, profile.min_amount)
    return dims_.ProfileFacts(
        exact=exact,
        groups=groups,
        keywords=keywords,
        states=states,
        nationwide=profile.nationwide,
        low=profile.min_amount,
        high=profile.max_amount,
        ask=ask,
        revenue=profile.annual_revenue,
        field_words=" or ".join(dict.fromkeys(names.name(c) for c in exact)) or "your field",
        group_words=" or ".join(names.group_name(g) for g in sorted(groups)) or "your field",
        state_words=", ".join(sorted(states)) or "your states",
        today=today,
        vs_ask=f" vs your {dims_.money(ask)} ask",
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
