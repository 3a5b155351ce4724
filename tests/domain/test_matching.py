"""Funder matching: the reported cases of issue 13 on the real Vermont BMF, and the evidence rules."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalynx_desktop.domain.evidence import GrantFact, build_evidence
from catalynx_desktop.domain.funders import FunderKind
from catalynx_desktop.domain.gifts import Gift
from catalynx_desktop.domain.matching import (
    FUNDER_COLUMNS,
    MATCH_DIMENSIONS,
    MISSION_ZERO_CAP,
    FunderMatcher,
    MatchOutcome,
    record_to_funder_row,
)
from catalynx_desktop.domain.ntee import NteeNames
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.records import RecordKind, Source, SourceRecord
from catalynx_desktop.domain.scoring import ScoreResult

TODAY = date(2026, 11, 23)
THRESHOLD = 0.6  # Discover's default (workflows/discover.py)
DATA = Path(__file__).parent.parent / "data"
NTEE_CSV = Path(__file__).parent.parent.parent / "resources" / "ntee_codes.csv"
FOOD_SHELF_EIN = "030000001"
# NTEE-like codes (K31, T70Z) or Grants.gov codes shown as codes: never in a reason
RAW_CODE = re.compile(r"\b[A-Z]\d{2}[A-Z0-9]?\b|\b(code|category) [A-Z0-9]{1,3}\b|\(\d{2}\)")


@pytest.fixture(scope="module")
def names() -> NteeNames:
    with NTEE_CSV.open(encoding="utf-8", newline="") as handle:
        return NteeNames((row["ntee"], row["description"]) for row in csv.DictReader(handle))


@pytest.fixture(scope="module")
def vt_rows() -> list[tuple[Any, ...]]:
    with (DATA / "eo_vt.csv").open(encoding="ascii", newline="") as handle:
        return [bmf_row(r) for r in csv.DictReader(handle)]


def bmf_row(r: dict[str, str]) -> tuple[Any, ...]:
    """A BMF line as storage would select it (FUNDER_COLUMNS order)."""
    private = r["FOUNDATION"] in ("02", "03", "04")
    values: dict[str, Any] = dict.fromkeys(FUNDER_COLUMNS)
    values.update(
        kind=(RecordKind.FOUNDATION if private else RecordKind.ORGANIZATION).value,
        state=r["STATE"],
        ntee_code=r["NTEE_CD"],
        subsection=r["SUBSECTION"],
        foundation_code=r["FOUNDATION"],
        is_grant_maker=int(private),
        assets=int(r["ASSET_AMT"]) if r["ASSET_AMT"] else None,
        income=int(r["INCOME_AMT"]) if r["INCOME_AMT"] else None,
        status="",
        name=r["NAME"],
        ein=r["EIN"],
        activity=r["ACTIVITY"],
        deductibility=r["DEDUCTIBILITY"],
        bmf_status=r["STATUS"],
        sort_name=r["SORT_NAME"],
        revenue=int(r["REVENUE_AMT"]) if r["REVENUE_AMT"] else None,
        cfda_numbers="",
        source=Source.IRS_BMF.value,
    )
    return tuple(values[c] for c in FUNDER_COLUMNS)


def food_profile(ein: str = FOOD_SHELF_EIN, **changes: Any) -> Profile:
    fields: dict[str, Any] = {
        "name": "Vermont food security",
        "ein": ein,
        "ntee_code": "K31",
        "target_ntee_codes": ("K31", "K30"),
        "states": ("VT",),
        "min_amount": 5_000,
        "max_amount": 50_000,
        "annual_revenue": 400_000,
    }
    fields.update(changes)
    return Profile(**fields)


def named(rows: list[tuple[Any, ...]], name: str) -> tuple[Any, ...]:
    (row,) = [r for r in rows if r[FUNDER_COLUMNS.index("name")] == name]
    return row


def reasons(outcome: MatchOutcome) -> list[str]:
    return [r for _, r in outcome.dims]


def assert_words(outcome: MatchOutcome) -> None:
    for reason in reasons(outcome):
        assert reason and not RAW_CODE.search(reason), reason


def test_vermont_discover_keeps_funders_not_peers(vt_rows: list[tuple[Any, ...]], names: NteeNames) -> None:
    # the profile is a real Vermont food shelf: its own EIN must never come back
    shelf = next(r for r in vt_rows if r[FUNDER_COLUMNS.index("ntee_code")].startswith("K31"))
    own_ein = shelf[FUNDER_COLUMNS.index("ein")]
    matcher = FunderMatcher(food_profile(own_ein), TODAY, ntee=names)
    outcomes = {row[FUNDER_COLUMNS.index("ein")]: (row, matcher.score_row(row)) for row in vt_rows}
    assert outcomes[own_ein][1] is None
    scored = {ein: o for ein, (_, o) in outcomes.items() if o is not None}
    passing = {ein: o for ein, o in scored.items() if o.total >= THRESHOLD}
    kinds = {o.funder.kind for o in scored.values()}
    print(
        f"\n{len(vt_rows)} BMF rows -> {len(scored)} funders scored, {len(passing)} at or above {THRESHOLD}"
    )
    assert kinds == {FunderKind.PRIVATE_FOUNDATION, FunderKind.GRANTMAKING_PUBLIC_CHARITY}
    for row, outcome in outcomes.values():
        ntee = row[FUNDER_COLUMNS.index("ntee_code")]
        if ntee[:3] in ("K31", "K30") and row[FUNDER_COLUMNS.index("foundation_code")] in ("15", "16"):
            assert outcome is None, row  # peer food shelves and pantries are not opportunities
        if outcome is not None:
            assert_words(outcome)
            assert 0.0 <= outcome.total <= 1.0
    vcf = scored["222712160"]
    ben_and_jerrys = scored["030300865"]
    for outcome in (vcf, ben_and_jerrys):
        assert outcome.total >= THRESHOLD
        assert outcome.dims[0][1].startswith("no 990 grants imported; judged from the IRS master file")
    assert "gives in many fields; no grants imported to tell which" in vcf.dims[0][1]
    assert "field is unknown" in ben_and_jerrys.dims[0][1]  # blank NTEE: unknown, not a mismatch
    # amount unknown without grants: says so and weighs nothing (no "rolling", no made-up value)
    assert ben_and_jerrys.dims[2][1] == "grant sizes unknown: no 990 grants imported"
    assert ben_and_jerrys.weights[2] == 0 and ben_and_jerrys.weights[6] == 0
    assert ben_and_jerrys.typical_amount is None


def test_foundation_in_another_field_stays_below_threshold(
    vt_rows: list[tuple[Any, ...]], names: NteeNames
) -> None:
    matcher = FunderMatcher(food_profile(), TODAY, ntee=names)
    rich_arts = named(vt_rows, "BEN & JERRYS FOUNDATION")
    as_arts = list(rich_arts)
    as_arts[FUNDER_COLUMNS.index("ntee_code")] = "A20"
    outcome = matcher.score_row(tuple(as_arts))
    assert outcome is not None and outcome.dims[0][0] == 0.0
    assert outcome.total <= MISSION_ZERO_CAP < THRESHOLD
    assert outcome.dims[0][1].endswith("works in Arts & Culture, not your field")
    # with grants that fit on every other count, the arts funder is held below the threshold
    evidence = build_evidence(
        "030300865",
        _grants("030300865", [("A20", "VT", 20_000, y) for y in (2023, 2024, 2025)] * 100),
        preselected_only=False,
    )
    capped = matcher.score_row(tuple(as_arts), evidence)
    assert capped is not None and capped.total == MISSION_ZERO_CAP < THRESHOLD
    assert capped.dims[0][1] == (
        "none of its grant dollars (2023–2025) went to your field; most went to Arts, Culture & Humanities"
        "; outside your field, so it stays below the match threshold"
    )
    uncapped = sum(v * w for (v, _), w in zip(capped.dims, capped.weights, strict=True)) / sum(capped.weights)
    assert uncapped > THRESHOLD  # what it would have scored without the rule


def test_arts_federal_program_with_mission_zero_does_not_pass(names: NteeNames) -> None:
    arts = SourceRecord(
        Source.GRANTS_GOV,
        "1",
        RecordKind.FEDERAL_OPPORTUNITY,
        "Our Town",
        category="AR",
        eligible_applicants=("12",),
        award_ceiling=50_000,
        total_funding=10_000_000,
        status="posted",
        close_date=date(2027, 3, 1),
    )
    food = SourceRecord(
        Source.GRANTS_GOV,
        "2",
        RecordKind.FEDERAL_OPPORTUNITY,
        "Community Food Projects",
        category="FN",
        eligible_applicants=("12", "25"),
        award_ceiling=50_000,
        total_funding=10_000_000,
        status="posted",
        close_date=date(2027, 3, 1),
    )
    matcher = FunderMatcher(food_profile(), TODAY, ntee=names)
    arts_outcome, food_outcome = matcher.score(arts), matcher.score(food)
    assert arts_outcome is not None and food_outcome is not None
    assert arts_outcome.funder.kind is FunderKind.FEDERAL_PROGRAM
    assert arts_outcome.total < THRESHOLD <= food_outcome.total
    assert arts_outcome.dims[0][1].startswith("funds Arts, outside your field")
    assert (
        food_outcome.dims[0][1]
        == "funds Food and Nutrition, which matches your field (Food, Agriculture & Nutrition)"
    )
    assert food_outcome.dims[7][1] == "open to nonprofits with 501(c)(3) status (other than higher education)"
    for outcome in (arts_outcome, food_outcome):
        assert_words(outcome)
        assert outcome.weights[4] == outcome.weights[5] == 0  # openness, relationship: not for federal


def test_cfda_agency_says_the_field_when_the_category_does_not(names: NteeNames) -> None:
    usda = SourceRecord(
        Source.GRANTS_GOV,
        "3",
        RecordKind.FEDERAL_OPPORTUNITY,
        "Rural grants",
        category="O",
        cfda_numbers=("10.855",),
        eligible_applicants=("12",),
        status="posted",
    )
    outcome = FunderMatcher(food_profile(), TODAY, ntee=names).score(usda)
    assert outcome is not None and outcome.dims[0][0] == 0.5
    assert outcome.dims[0][1] == "a Department of Agriculture program, an agency that funds your field"


def _grants(funder: str, spec: list[tuple[str, str, int, int]], purpose: str = "") -> list[GrantFact]:
    return [
        GrantFact(funder, f"9{i:08d}", ntee, state, amount, year, purpose)
        for i, (ntee, state, amount, year) in enumerate(spec)
    ]


def _foundation_row(ein: str, name: str, state: str = "NY", ntee: str = "T20") -> tuple[Any, ...]:
    record = SourceRecord(
        Source.IRS_BMF,
        ein,
        RecordKind.FOUNDATION,
        name,
        ein=ein,
        state=state,
        ntee_code=ntee,
        subsection="03",
        foundation_code="04",
        is_grant_maker=True,
        assets=20_000_000,
    )
    return record_to_funder_row(record)


def test_evidence_beats_the_master_file(names: NteeNames) -> None:
    matcher = FunderMatcher(food_profile(), TODAY, ntee=names)
    food_funder = build_evidence(
        "100000001",
        _grants(
            "100000001",
            [("K31", "VT", 20_000, y) for y in (2022, 2023, 2024)] + [("B20", "NY", 10_000, 2024)],
        ),
        preselected_only=False,
    )
    cancer_funder = build_evidence(
        "100000002",
        _grants("100000002", [("H30", "NY", 20_000, y) for y in (2022, 2023, 2024)]),
        preselected_only=False,
    )
    assert food_funder is not None and cancer_funder is not None
    food = matcher.score_row(_foundation_row("100000001", "FOOD FUND", "NY"), food_funder)
    cancer = matcher.score_row(_foundation_row("100000002", "CANCER RESEARCH FUND", "NY"), cancer_funder)
    assert food is not None and cancer is not None
    assert food.funder.kind is FunderKind.PRIVATE_FOUNDATION and "on its 990 returns" in food.funder.reason
    assert food.dims[0][0] == 1.0
    assert (
        food.dims[0][1]
        == "86% of its grant dollars (2022–2024) went to Food Banks & Pantries or Food Programs"
    )
    assert food.dims[1][1] == "86% of its grant dollars (2022–2024) went to VT"  # based in NY, gives in VT
    assert food.dims[2] == (1.0, "typical grants $18k–$20k, median $20k (2022–2024): your ask fits")
    assert food.dims[4] == (1.0, "accepts applications (its 990-PF)")
    assert food.typical_amount == 20_000
    assert cancer.dims[0][0] == 0.0 and "most went to Medical Research" in cancer.dims[0][1]
    assert cancer.total <= MISSION_ZERO_CAP < THRESHOLD <= food.total
    for outcome in (food, cancer):
        assert_words(outcome)
        # without the rules' adjustments, the total is the weighted mean of what applies
        result = ScoreResult.from_json(matcher.breakdown_json(outcome))
        assert [d.name for d in result.breakdown] == list(MATCH_DIMENSIONS)
        assert result.total == pytest.approx(outcome.total, abs=1e-4)
    mean = sum(v * w for (v, _), w in zip(food.dims, food.weights, strict=True)) / sum(food.weights)
    assert food.total == pytest.approx(mean)


def test_keywords_in_purposes_count_for_mission(names: NteeNames) -> None:
    profile = food_profile(target_ntee_codes=("K31",), ntee_code=None, keywords=("hunger",))
    evidence = build_evidence(
        "100000003", _grants("100000003", [("", "VT", 10_000, 2024)] * 3, purpose="Hunger relief in Vermont")
    )
    assert evidence is not None
    outcome = FunderMatcher(profile, TODAY, ntee=names).score_row(
        _foundation_row("100000003", "X FUND"), evidence
    )
    assert outcome is not None
    assert outcome.dims[0] == (0.8, "100% of its grant dollars (2024) were for purposes naming 'hunger'")


def test_invitation_only_funders_sink_with_the_reason(names: NteeNames) -> None:
    matcher = FunderMatcher(food_profile(), TODAY, ntee=names)
    spec = [("K31", "VT", 20_000, y) for y in (2023, 2024)]
    row = _foundation_row("100000004", "CLOSED FUND")
    open_ = matcher.score_row(
        row, build_evidence("100000004", _grants("100000004", spec), preselected_only=False)
    )
    closed = matcher.score_row(
        row, build_evidence("100000004", _grants("100000004", spec), preselected_only=True)
    )
    assert open_ is not None and closed is not None
    assert closed.total < open_.total
    assert closed.dims[4] == (
        0.0,
        "gives only to charities it picks: no unsolicited applications (its 990-PF)",
    )


def test_past_funders_are_the_strongest_lead(names: NteeNames) -> None:
    matcher = FunderMatcher(food_profile(), TODAY, ntee=names)
    row = _foundation_row("100000005", "ARTS TRUST", ntee="A20")  # another field, out of state
    recent = [Gift("Arts Trust", "100000005", date=date(2025, 12, 1), amount=25_000)]
    old = [
        Gift("Arts Trust", "100000005", date=date(2023, 6, 1), amount=25_000),
        Gift("Arts Trust", "100000005", date=date(2021, 6, 1), amount=10_000),
    ]
    plain = matcher.score_row(row)
    current = matcher.score_row(row, gifts=recent)
    lapsed = matcher.score_row(row, gifts=old)
    assert plain is not None and current is not None and lapsed is not None
    assert plain.total <= MISSION_ZERO_CAP and not plain.always_keep
    assert current.funder.kind is FunderKind.YOUR_GRANTOR and current.always_keep
    assert current.total >= 0.85 and current.dims[5] == (1.0, "gave you $25k in 2025")
    assert lapsed.always_keep and THRESHOLD <= lapsed.total < current.total
    assert (
        lapsed.dims[5][1]
        == "gave you $25k in 2023; 2 gifts, $35k in all; lapsed: the last gift is over 18 months old"
    )


def test_revenue_is_used_against_grantee_size(names: NteeNames) -> None:
    spec = [("K31", "VT", 20_000, y) for y in (2023, 2024)]
    evidence = build_evidence(
        "100000006",
        _grants("100000006", spec),
        recipient_revenue={"900000000": 50_000_000, "900000001": 50_000_000},
    )
    row = _foundation_row("100000006", "BIG FUND")
    small = FunderMatcher(food_profile(annual_revenue=400_000), TODAY, ntee=names).score_row(row, evidence)
    fits = FunderMatcher(food_profile(annual_revenue=20_000_000), TODAY, ntee=names).score_row(row, evidence)
    assert small is not None and fits is not None
    assert "its grantees are much larger than you (median revenue $50.0M, yours $400k)" in small.dims[3][1]
    assert "its grantees are your size" in fits.dims[3][1]
    assert small.dims[3][0] < fits.dims[3][0]


def test_amount_fit_follows_the_grant_sizes(names: NteeNames) -> None:
    spec = [("K31", "VT", amount, 2024) for amount in (1_000, 2_000, 2_500, 3_000, 5_000)]
    evidence = build_evidence("100000007", _grants("100000007", spec))
    row = _foundation_row("100000007", "SMALL GIFTS FUND")
    fits = FunderMatcher(food_profile(min_amount=1_000, max_amount=5_000), TODAY, ntee=names).score_row(
        row, evidence
    )
    above = FunderMatcher(food_profile(min_amount=50_000, max_amount=90_000), TODAY, ntee=names).score_row(
        row, evidence
    )
    assert fits is not None and above is not None
    assert fits.dims[2][0] == 1.0
    assert above.dims[2][0] < 0.5
    assert above.dims[2][1] == "typical grants $2,000–$3,000, median $2,500 (2024), below your minimum $50k"


def test_a_grantor_on_your_list_is_always_a_funder(names: NteeNames) -> None:
    listed = SourceRecord(
        Source.USER_LIST, "name:LOCAL ROTARY|VT", RecordKind.ORGANIZATION, "Local Rotary", state="VT"
    )
    matcher = FunderMatcher(food_profile(), TODAY, ntee=names)
    bare = matcher.score(listed)
    assert bare is not None and bare.funder.kind is FunderKind.YOUR_GRANTOR
    assert bare.funder.reason == "on your list of grantors" and bare.always_keep
    gave = matcher.score(listed, gifts=[Gift("Local Rotary", state="VT", date=date(2026, 5, 1), amount=500)])
    assert gave is not None and gave.always_keep and gave.total >= 0.85
    assert (
        gave.dims[5] == (1.0, "gave you $500 in 2026")
        and gave.funder.reason == "has given to your organization"
    )
    assert_words(gave)


_codes = st.sampled_from(["K31", "K30", "B20", "A20", "T20", "T31", "E22I", "", "Z99"])
_states = st.sampled_from(["VT", "NY", "CA", ""])
_grant_facts = st.lists(
    st.builds(
        GrantFact,
        funder_ein=st.just("100000009"),
        recipient_ein=st.sampled_from(["", "900000001", FOOD_SHELF_EIN]),
        recipient_ntee=_codes,
        recipient_state=_states,
        amount=st.integers(0, 5_000_000),
        year=st.integers(2015, 2026),
        purpose=st.sampled_from(["", "food pantry", "general support"]),
    ),
    max_size=30,
)
_profiles = st.builds(
    food_profile,
    target_ntee_codes=st.lists(_codes.filter(bool), max_size=2).map(tuple),
    states=st.lists(_states.filter(bool), max_size=2).map(tuple),
    nationwide=st.booleans(),
    min_amount=st.one_of(st.none(), st.integers(0, 100_000)),
    max_amount=st.one_of(st.none(), st.integers(100_000, 1_000_000)),
    annual_revenue=st.one_of(st.none(), st.integers(0, 10**8)),
    keywords=st.lists(st.sampled_from(["food", "arts"]), max_size=1).map(tuple),
)


@settings(max_examples=200, deadline=None)
@given(
    profile=_profiles,
    grants=_grant_facts,
    preselected=st.sampled_from([None, True, False]),
    ntee=_codes,
    state=_states,
    foundation=st.sampled_from(["04", "03", "15", "16", "10", "17", ""]),
    subsection=st.sampled_from(["03", "92", "07"]),
    activity=st.sampled_from(["000000000", "600000000", "602000000", ""]),
    assets=st.one_of(st.none(), st.integers(-1000, 10**9)),
    gift_dates=st.lists(st.one_of(st.none(), st.dates(date(2015, 1, 1), date(2026, 11, 1))), max_size=2),
)
def test_every_outcome_is_in_range_explained_and_in_words(
    profile: Profile,
    grants: list[GrantFact],
    preselected: bool | None,
    ntee: str,
    state: str,
    foundation: str,
    subsection: str,
    activity: str,
    assets: int | None,
    gift_dates: list[date | None],
) -> None:
    record = SourceRecord(
        Source.IRS_BMF,
        "100000009",
        RecordKind.ORGANIZATION,
        "SOME FUND",
        ein="100000009",
        state=state,
        ntee_code=ntee,
        subsection=subsection,
        foundation_code=foundation,
        assets=assets,
        extra={"activity": activity, "deductibility": "1", "bmf_status": "01"},
    )
    evidence = build_evidence("100000009", grants, preselected_only=preselected)
    gifts = [Gift("Some Fund", "100000009", date=d, amount=1_000) for d in gift_dates]
    matcher = FunderMatcher(profile, TODAY)
    outcome = matcher.score(record, evidence, gifts)
    if outcome is None:
        assert (
            not gifts and evidence is None and matcher.classify_row(record_to_funder_row(record)) is not None
        )
        return
    assert 0.0 <= outcome.total <= 1.0 and len(outcome.dims) == len(MATCH_DIMENSIONS)
    for value, reason in outcome.dims:
        assert 0.0 <= value <= 1.0 and reason and not RAW_CODE.search(reason), reason
    if gifts:
        assert outcome.always_keep and outcome.total >= 0.7
    again = ScoreResult.from_json(matcher.breakdown_json(outcome))
    assert [d.reason for d in again.breakdown] == [r for _, r in outcome.dims]
