"""Synthetic but realistic demo data: profiles, funders (federal opportunities and foundations) and
opportunities. Pure Python and deterministic for a seed; rows come out as tuples in the column
order named by storage/demo_store.py's *_COLUMNS so it can insert millions with executemany.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.scoring import SCORING_COLUMNS, ProfileMatcher
from catalynx_desktop.domain.stages import PIPELINE, Stage
from catalynx_desktop.resources import demo_seed, ntee_codes
from catalynx_desktop.storage.demo_store import FUNDER_COLUMNS

# Where each scoring input sits in a funder row (FUNDER_COLUMNS order); "" for absent ones.
_SCORING_SOURCE = tuple(FUNDER_COLUMNS.index(c) if c in FUNDER_COLUMNS else None for c in SCORING_COLUMNS)


def _scoring_row(funder: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(funder[i] if i is not None else "" for i in _SCORING_SOURCE)


# How demo opportunities spread over the pipeline: most are still being discovered.
STAGE_WEIGHTS: dict[Stage, float] = {
    Stage.DISCOVER: 0.60,
    Stage.PLAN: 0.15,
    Stage.ANALYZE: 0.10,
    Stage.EXAMINE: 0.06,
    Stage.APPROACH: 0.04,
    Stage.DECLINED: 0.05,
}
_STAGE_RANK = {stage: rank for rank, stage in enumerate(PIPELINE)}


@dataclass(frozen=True)
class DemoPlan:
    profiles: int
    opportunities: int  # in total, spread evenly over the profiles
    seed: int = 20261123

    def per_profile(self, index: int) -> int:
        base, extra = divmod(self.opportunities, max(self.profiles, 1))
        return base + (1 if index < extra else 0)

    @property
    def funders(self) -> int:
        """Enough funders that every profile's opportunities point at distinct records."""
        return max(self.per_profile(0), 1)


class DemoGenerator:
    def __init__(self, plan: DemoPlan, today: date | None = None) -> None:
        self.plan = plan
        self.today = today or date.today()
        self._rng = random.Random(plan.seed)
        seed = demo_seed()
        self._seed = seed
        codes = [code for code in ntee_codes() if len(code) == 3]
        self._ntee = codes

    def profiles(self) -> list[Profile]:
        rng, seed = self._rng, self._seed
        names = seed["profile_names"]
        profiles = []
        for index in range(self.plan.profiles):
            name = names[index % len(names)]
            if index >= len(names):
                name = f"{name} {index // len(names) + 1}"
            own = rng.choice(self._ntee)
            low = rng.choice([5_000, 10_000, 25_000, 50_000])
            nationwide = rng.random() < 0.2
            profiles.append(
                Profile(
                    name=name,
                    ein=f"{rng.randrange(10, 99)}{rng.randrange(0, 10_000_000):07d}",
                    ntee_code=own,
                    target_ntee_codes=(own, rng.choice(self._ntee)),
                    focus_areas=tuple(rng.sample(seed["focus_areas"], 2)),
                    keywords=tuple(rng.sample(seed["focus_areas"], 3)),
                    states=() if nationwide else tuple(sorted(rng.sample(seed["states"], 2))),
                    nationwide=nationwide,
                    min_amount=low,
                    max_amount=low * rng.choice([10, 20, 50]),
                    annual_revenue=rng.randrange(100_000, 20_000_000, 1000),
                )
            )
        return profiles

    def funder_rows(self) -> Iterator[tuple[Any, ...]]:
        """Source records: one in three a federal opportunity, the rest private foundations."""
        rng, states, ntee = self._rng, self._seed["states"], self._ntee
        for n in range(self.plan.funders):
            state = states[n % len(states)]
            code = ntee[rng.randrange(len(ntee))]
            yield self._federal_row(n, code) if n % 3 == 0 else self._foundation_row(n, code, state)

    def _federal_row(self, n: int, code: str) -> tuple[Any, ...]:
        """A federal funding opportunity (random draws in a fixed order: the seed decides all)."""
        rng, seed, today = self._rng, self._seed, self.today
        verbs, subjects, suffixes = seed["title_verbs"], seed["title_subjects"], seed["title_suffixes"]
        agencies = seed["agencies"]
        title = (
            f"{verbs[rng.randrange(len(verbs))]} {subjects[rng.randrange(len(subjects))]} "
            f"{suffixes[rng.randrange(len(suffixes))]}"
        )
        ceiling = rng.randrange(10, 500) * 5_000
        posted = today - timedelta(days=rng.randrange(0, 240))
        closes = posted + timedelta(days=rng.randrange(20, 300))
        return (
            "demo",
            f"G{n}",
            "federal_opportunity",
            title,
            agencies[rng.randrange(len(agencies))],
            None,
            "",
            "",
            code,
            "",
            "",
            0,
            ceiling // 10,
            ceiling,
            ceiling * rng.randrange(5, 40),
            None,
            None,
            posted.isoformat(),
            closes.isoformat(),
            "posted" if closes >= today else "closed",
            "12 13 25",
            f"DEMO-{n:07d}",
            f"{title}: demo federal funding opportunity.",
        )

    def _foundation_row(self, n: int, code: str, state: str) -> tuple[Any, ...]:
        """A private foundation in `state` (random draws in a fixed order: the seed decides all)."""
        rng, seed = self._rng, self._seed
        first, second, fsuffix = (
            seed["foundation_first"],
            seed["foundation_second"],
            seed["foundation_suffixes"],
        )
        cities = seed["cities"]
        name = (
            f"{first[rng.randrange(len(first))]} {second[rng.randrange(len(second))]} "
            f"{fsuffix[rng.randrange(len(fsuffix))]}"
        )
        assets = rng.randrange(50, 50_000) * 10_000
        return (
            "demo",
            f"F{n}",
            "foundation",
            name,
            name,
            f"{n + 100_000_000:09d}",
            cities[rng.randrange(len(cities))],
            state,
            code,
            "03",
            "04",
            1,
            None,
            None,
            None,
            assets,
            assets // rng.randrange(8, 25),
            None,
            None,
            "",
            "",
            "",
            f"{name}: private foundation making grants in {state}.",
        )

    def batches(
        self, first_funder_id: int, profiles: list[Profile], batch_size: int = 20_000
    ) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        """(funder rows with their id first, opportunity rows) per batch of funders.

        Profile p's opportunities are a window of plan.per_profile(p) consecutive funders
        (wrapping around), so every (profile, funder) pair is unique and memory stays one batch.
        Scores are the real, explainable scores of each funder against its profile.
        """
        rng, plan, today = self._rng, self.plan, self.today
        total = plan.funders
        profile_ids = [int(p.id or 0) for p in profiles]
        matchers = [ProfileMatcher(p, today) for p in profiles]
        windows = [
            (index * total // max(len(profile_ids), 1), plan.per_profile(index))
            for index in range(len(profile_ids))
        ]
        stage_list, stage_weights = list(STAGE_WEIGHTS), list(STAGE_WEIGHTS.values())
        funders: list[tuple[Any, ...]] = []
        opportunities: list[tuple[Any, ...]] = []
        for n, row in enumerate(self.funder_rows()):
            funder_id = first_funder_id + n
            funders.append((funder_id, *row))
            is_federal = row[2] == "federal_opportunity"
            amount = int(row[13] if is_federal else (row[15] or 0) // 200)
            scoring_row = None
            for profile_id, matcher, (start, count) in zip(profile_ids, matchers, windows, strict=True):
                if (n - start) % total >= count:
                    continue
                if scoring_row is None:
                    scoring_row = _scoring_row(row)
                score, dims = matcher.score_row(scoring_row)
                stage = rng.choices(stage_list, stage_weights)[0]
                discovered = today - timedelta(days=rng.randrange(0, 365))
                opportunities.append(
                    (
                        profile_id,
                        funder_id,
                        "demo",
                        row[1],
                        row[3],
                        row[4],
                        row[7],
                        stage.value,
                        _STAGE_RANK[stage],
                        round(score, 4),
                        matcher.breakdown_json(score, dims),
                        amount,
                        row[18] or "",
                        discovered.isoformat(),
                    )
                )
            if len(funders) >= batch_size:
                yield funders, opportunities
                funders, opportunities = [], []
        if funders:
            yield funders, opportunities
