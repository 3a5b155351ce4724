"""Scoring hot path, in one process: records/s of ProfileMatcher (before) and FunderMatcher (after).

    python3 benchmarks/bench_matching.py [--records 200000] [--evidence-share 0.05]

Synthetic rows shaped like a Discover run (not timed): 8% Grants.gov opportunities, 92% BMF
organizations (10% private foundations, 4% grantmaking public charities, 66% other public
charities, 20% non-501(c)(3)s), and 990 giving evidence for a share of the funders. Both
matchers score the same rows for the same profile; FunderMatcher also looks up each row's
evidence by EIN, as the scoring workflow will. Prints records/s and the ratio.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date
from typing import Any

from catalynx_desktop.domain.evidence import GrantFact, build_evidence
from catalynx_desktop.domain.matching import FUNDER_COLUMNS, FunderMatcher
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.scoring import SCORING_COLUMNS, ProfileMatcher

TODAY = date(2026, 11, 23)
STATES = ["VT", "NH", "NY", "MA", "CA", "TX", "ME", "CT"]
NTEE = ["K31", "K30", "B20", "E20", "A20", "P20", "T20", "T31", "C32", "", "X20", "S20"]


def _row(i: int, rng: random.Random) -> tuple[Any, ...]:
    v: dict[str, Any] = dict.fromkeys(FUNDER_COLUMNS)
    if i % 100 < 8:
        v.update(
            kind="federal_opportunity",
            category=rng.choice(["FN", "AG", "AR", "ED", "HL", "O"]),
            eligible_applicants="12,25",
            award_ceiling=rng.choice([None, 50_000, 500_000]),
            total_funding=5_000_000,
            close_date="2027-01-15",
            status="posted",
            name=f"Program {i}",
            cfda_numbers="10.310",
            source="grants_gov",
        )
        return tuple(v[c] for c in FUNDER_COLUMNS)
    pick = rng.random()
    foundation, subsection, deduct, activity = "15", "03", "1", "000000000"
    if pick < 0.10:
        foundation = "04"
    elif pick < 0.14:
        activity = "600000000"
    elif pick < 0.34:
        foundation, subsection, deduct = "00", rng.choice(["04", "06", "07"]), "2"
    v.update(
        kind="foundation" if foundation == "04" else "organization",
        state=rng.choice(STATES),
        ntee_code=rng.choice(NTEE),
        subsection=subsection,
        foundation_code=foundation,
        is_grant_maker=int(foundation == "04"),
        assets=rng.randrange(10_000, 50_000_000),
        income=rng.randrange(0, 5_000_000),
        status="",
        name=f"ORG {i} FOOD FUND",
        ein=f"{i:09d}",
        activity=activity,
        deductibility=deduct,
        bmf_status="01",
        sort_name="",
        revenue=None,
        cfda_numbers="",
        source="irs_bmf",
    )
    return tuple(v[c] for c in FUNDER_COLUMNS)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--evidence-share", type=float, default=0.05)
    args = parser.parse_args()
    rng = random.Random(13)
    rows = [_row(i, rng) for i in range(args.records)]
    legacy_rows = [r[: len(SCORING_COLUMNS)] for r in rows]
    funders = [r for r in rows if r[FUNDER_COLUMNS.index("foundation_code")] == "04"]
    evidence = {}
    for r in rng.sample(funders, int(len(funders) * args.evidence_share * 10) or 1):
        ein = r[FUNDER_COLUMNS.index("ein")]
        grants = [
            GrantFact(
                ein,
                "",
                rng.choice(NTEE),
                rng.choice(STATES),
                rng.randrange(500, 100_000),
                rng.choice([2022, 2023, 2024]),
                rng.choice(["general support", "food pantry", "arts"]),
            )
            for _ in range(rng.randrange(5, 60))
        ]
        evidence[ein] = build_evidence(ein, grants, preselected_only=rng.random() < 0.7)
    profile = Profile(
        name="Food",
        ein="000000042",
        ntee_code="K31",
        target_ntee_codes=("K31", "K30"),
        keywords=("food",),
        states=("VT",),
        min_amount=5_000,
        max_amount=50_000,
        annual_revenue=400_000,
    )
    legacy = ProfileMatcher(profile, TODAY)
    start = time.perf_counter()
    for row in legacy_rows:
        legacy.score_row(row)
    before = len(rows) / (time.perf_counter() - start)
    matcher = FunderMatcher(profile, TODAY)
    ein_at, get = FUNDER_COLUMNS.index("ein"), evidence.get
    start = time.perf_counter()
    kept = 0
    for row in rows:
        outcome = matcher.score_row(row, get(row[ein_at]))
        kept += outcome is not None
    after = len(rows) / (time.perf_counter() - start)
    print(f"{len(rows):,} rows, {len(evidence):,} funders with 990 evidence, {kept:,} scored as funders")
    print(f"before  ProfileMatcher.score_row   {before:>10,.0f} records/s")
    print(f"after   FunderMatcher.score_row    {after:>10,.0f} records/s  ({after / before:.2f}x)")


if __name__ == "__main__":
    main()
