"""Back-test of the funder ranking: a hand-made case with an obvious answer, and generated giving."""

from __future__ import annotations

import pytest

from catalynx_desktop.domain.evaluation import OrgFacts, back_test, recipient_profile
from catalynx_desktop.domain.evidence import GrantFact
from tests.datagen.giving_gen import generate

FOOD_VT = OrgFacts("900000001", "VT FOOD SHELF", "VT", "K31", "03", "15", revenue=300_000)


def _orgs() -> dict[str, OrgFacts]:
    orgs = [
        FOOD_VT,
        OrgFacts("900000002", "OTHER VT FOOD SHELF", "VT", "K31", "03", "15"),
        OrgFacts("900000003", "NY MUSEUM", "NY", "A50", "03", "15"),
        OrgFacts("900000004", "CA HOSPITAL", "CA", "E22", "03", "12"),
        OrgFacts("100000001", "BIG ARTS FOUNDATION", "NY", "T20", "03", "04", assets=900_000_000),
        OrgFacts("100000002", "BIG HEALTH FOUNDATION", "CA", "T20", "03", "04", assets=800_000_000),
        OrgFacts("100000003", "VT HUNGER FUND", "VT", "T20", "03", "04", assets=2_000_000),
        OrgFacts("100000004", "GREEN MOUNTAIN FOOD TRUST", "VT", "", "03", "04", assets=1_000_000),
    ]
    return {o.ein: o for o in orgs}


def _grants() -> list[GrantFact]:
    big = [GrantFact("100000001", "900000003", "A50", "NY", 2_000_000, y) for y in (2022, 2023, 2024)] + [
        GrantFact("100000002", "900000004", "E22", "CA", 1_500_000, y) for y in (2022, 2023, 2024)
    ]
    food = [
        GrantFact("100000003", "900000002", "K31", "VT", 20_000, 2022),
        GrantFact("100000003", "900000002", "K31", "VT", 25_000, 2023),
        GrantFact("100000004", "900000002", "K31", "VT", 5_000, 2023),
        GrantFact("100000003", FOOD_VT.ein, "K31", "VT", 15_000, 2024),  # hidden: the truth
        GrantFact("100000004", FOOD_VT.ein, "K31", "VT", 5_000, 2024),
        GrantFact("100000003", "900000002", "K31", "VT", 25_000, 2024),
    ]
    return big + food


def test_hand_made_case_ranks_the_local_food_funders_first() -> None:
    result = back_test(_grants(), _orgs(), ks=(1, 2, 4))
    assert result.year == 2024 and result.funders == 4
    # 2024 recipients: the VT food shelf, the other food shelf, the museum and the hospital
    assert result.recipients == 4 and result.skipped == 0
    # the food shelf's funders rank first and second; the baseline puts them after the big two
    assert result.matcher.recall[2] > result.baseline.recall[2]
    assert result.matcher.mrr == pytest.approx(1.0)
    assert result.baseline.mrr < result.matcher.mrr
    for recall in (result.matcher.recall, result.baseline.recall):
        assert recall[4] == pytest.approx(1.0)  # all four funders are ranked: every truth is found
    lines = result.lines()
    assert lines[0] == "year 2024 hidden: 4 recipients, 4 funders ranked"
    assert lines[1].startswith("matching: recall@1 ") and "mean reciprocal rank 1.000" in lines[1]


def test_recipient_profile_comes_from_its_bmf_record() -> None:
    profile = recipient_profile(FOOD_VT)
    assert profile.ein == FOOD_VT.ein and profile.target_ntee_codes == ("K31",)
    assert profile.states == ("VT",) and profile.annual_revenue == 300_000


def test_nothing_to_test_is_said_plainly() -> None:
    with pytest.raises(ValueError, match="no grants to back-test"):
        back_test([], {})


def test_generated_giving_beats_largest_givers_first_twofold() -> None:
    grants, orgs = generate(seed=13, funders=300, recipients=2000)
    result = back_test(grants, orgs, max_recipients=250)
    print("\n" + "\n".join(result.lines()))
    assert result.recipients == 250 and result.funders == 300
    assert result.matcher.recall[20] >= 2 * result.baseline.recall[20]
    assert result.matcher.mrr > result.baseline.mrr
