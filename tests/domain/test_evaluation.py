"""Back-test of the funder ranking: a hand-made case with an obvious answer, and generated giving."""

from __future__ import annotations

import pytest

from catalynx_desktop.domain.evaluation import (
    FEW_RECIPIENTS,
    OrgFacts,
    TooLittleData,
    back_test,
    recipient_profile,
    shortfall,
)
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


def test_progress_after_each_recipient_and_cancel_before_the_next() -> None:
    grants, orgs = generate(seed=13, funders=40, recipients=300)
    seen: list[tuple[int, int]] = []
    result = back_test(
        grants, orgs, max_recipients=30, progress=lambda done, total: seen.append((done, total))
    )
    assert seen == [(i, 30) for i in range(31)]  # before each recipient, then done
    assert result == back_test(grants, orgs, max_recipients=30)  # the hooks change no figure
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 3  # the user pressed Cancel while the third recipient was scored

    with pytest.raises(InterruptedError):
        back_test(grants, orgs, max_recipients=30, cancelled=cancelled)
    assert len(asked) == 4  # asked before every recipient, and stopped at the first yes


def test_too_little_data_says_what_to_import() -> None:
    with pytest.raises(TooLittleData) as raised:
        back_test([], {})
    assert raised.value.advice.startswith("No 990 grants are imported yet. Import IRS 990 e-file returns")
    one_year = [g for g in _grants() if g.year == 2024]
    thin = back_test(one_year, _orgs())
    assert thin.funders == 0 and "learns from the other years" in (shortfall(thin) or "")
    few = back_test(_grants(), _orgs())
    assert few.recipients == 4 < FEW_RECIPIENTS
    assert (shortfall(few) or "").startswith(
        "Only 4 organizations that received grants in 2024 can be tested"
    )
    grants, orgs = generate(seed=13, funders=40, recipients=300)
    assert shortfall(back_test(grants, orgs, max_recipients=30)) is None
