"""No score changed: the live FunderMatcher against a frozen copy of the code before the speed work.

tests/domain/frozen_m13/ holds matching.py, funder_dimensions.py and funders.py as they were
before issue 13's speed work (commit 46f1886). Both score the same generated set (every row of
the real Vermont BMF plus synthetic rows that reach every classification rule, evidence shape
and gift case, for several profiles); every outcome (total, each dimension's value and reason,
weights, funder verdict, always_keep, typical amount), every breakdown JSON and every
classification must be identical. The expected values are computed here, at run time, by the
frozen code: nothing is hard-coded.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from catalynx_desktop.domain.evidence import GivingEvidence, GrantFact, build_evidence
from catalynx_desktop.domain.gifts import Gift
from catalynx_desktop.domain.matching import FUNDER_COLUMNS, FunderMatcher, record_to_funder_row
from catalynx_desktop.domain.ntee import DEFAULT_NAMES, NteeNames
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.records import RecordKind, Source, SourceRecord
from catalynx_desktop.domain.scoring import ScoringWeights
from tests.domain.frozen_m13.matching import FunderMatcher as FrozenMatcher
from tests.domain.test_matching import bmf_row

TODAY = date(2026, 11, 23)
DATA = Path(__file__).parent.parent / "data"
NTEE_CSV = Path(__file__).parent.parent.parent / "resources" / "ntee_codes.csv"
_C = {name: i for i, name in enumerate(FUNDER_COLUMNS)}
STATES = ["VT", "NH", "NY", "CA", "", None]
NTEE = ["K31", "K30", "K3", "K", "B20", "E20", "A20", "T20", "T31", "T30", "T70", "T21", "T22", "B11"]
NTEE += ["X20", "K11", "", None, "k31", "Z99"]
NAMES = [
    "ORG FUND",
    "ORG FOOD FUND",
    "VERMONT COMMUNITY FOUNDATION",
    "UNITED WAY OF X",
    "FRIENDS OF THE LIBRARY",
    "GREEN MOUNTAIN POWER FOUNDATION",
    "FOUNDATION CORP OF X",
    "READING AND LITERACY FUND",
    "",
    None,
]
SORT_NAMES = ["", None, "COMMUNITY FOUNDATION", "BANK FOUNDATION", "X"]
ACTIVITIES = ["", None, "000000000", "600000000", "602000000", "000903000", "001002003", "602600903"]


def _synthetic(i: int, rng: random.Random) -> tuple[Any, ...]:
    """One row that may reach any rule: the codes are drawn from small sets including edge values."""
    v: dict[str, Any] = dict.fromkeys(FUNDER_COLUMNS)
    if rng.random() < 0.15:
        v.update(
            kind=RecordKind.FEDERAL_OPPORTUNITY.value,
            category=rng.choice(["FN", "AG", "AR", "ED", "HL", "O", "", None, "fn"]),
            eligible_applicants=rng.choice(["12,25", "", None, "99", '["12"]', "00,01"]),
            award_floor=rng.choice([None, 0, 1_000, 100_000]),
            award_ceiling=rng.choice([None, 0, 5_000, 50_000, 500_000]),
            total_funding=rng.choice([None, 0, 5_000_000]),
            close_date=rng.choice([None, "", "2026-11-01", "2026-11-30", "2027-01-15", "2027-01-15T00:00"]),
            status=rng.choice(["posted", "forecasted", "closed", "archived", "", None]),
            state=rng.choice(STATES),
            ntee_code=rng.choice(["", None, "K31"]),
            name=rng.choice([f"Program {i}", "Food Security Program", None]),
            cfda_numbers=rng.choice(["10.310", "", None, "93.1,10.5", "84.000"]),
            source=Source.GRANTS_GOV.value,
        )
        return tuple(v[c] for c in FUNDER_COLUMNS)
    foundation = rng.choice(["04", "02", "03", "15", "16", "09", "10", "11", "12", "13", "14", "17", "21"])
    foundation = rng.choice([foundation, "15", "04", "", None])
    v.update(
        kind=rng.choice([RecordKind.FOUNDATION.value, RecordKind.ORGANIZATION.value]),
        state=rng.choice(STATES),
        ntee_code=rng.choice(NTEE),
        subsection=rng.choice(["03", "03", "03", "92", "04", "06", "07", "19", "50", "", None]),
        foundation_code=foundation,
        is_grant_maker=rng.choice([0, 1, None]),
        assets=rng.choice([None, 0, -5, 1_000, 250_000, 40_000_000, 10**9]),
        income=rng.choice([None, 0, 1_000, 3_000_000]),
        status=rng.choice(["", None]),
        name=rng.choice(NAMES),
        ein=rng.choice([f"{i:09d}", f"{i:09d}", "", None, "000000042"]),
        activity=rng.choice(ACTIVITIES),
        deductibility=rng.choice(["1", "1", "2", "", None]),
        bmf_status=rng.choice(["01", "01", "12", "25", "", None]),
        sort_name=rng.choice(SORT_NAMES),
        revenue=rng.choice([None, 50_000]),
        cfda_numbers="",
        source=rng.choice([Source.IRS_BMF.value] * 6 + [Source.USER_LIST.value]),
    )
    return tuple(v[c] for c in FUNDER_COLUMNS)


def _evidence(ein: str, rng: random.Random) -> GivingEvidence | None:
    last = rng.choice([2019, 2022, 2024, 2025])
    grants = [
        GrantFact(
            ein,
            rng.choice(["", "111111111", "222222222"]),
            rng.choice(["K31", "K30", "B20", "E20", "T20", "", "k3", "A"]) if rng.random() < 0.9 else "",
            rng.choice(["VT", "NH", "CA", "", "vt"]),
            rng.choice([0, 500, 5_000, 25_000, 100_000, 2_000_000]),
            rng.choice([last, last, last - 1, last - 2, last - 4]),
            rng.choice(["", "general support", "food pantry", "FOOD shelf", "arts", "reading program"]),
        )
        for _ in range(rng.choice([1, 2, 5, 30]))
    ]
    if rng.random() < 0.15:  # recipients never identified
        grants = [g._replace(recipient_ntee="", recipient_state="") for g in grants]
    return build_evidence(
        ein,
        grants,
        preselected_only=rng.choice([None, True, False]),
        deadlines=rng.choice(["", "  ", "March 1", "x" * 200]),
        recipient_revenue=rng.choice([None, {"111111111": 30_000}, {"222222222": 40_000_000}]),
    )


def _gifts(rng: random.Random) -> tuple[Gift, ...]:
    pick = rng.random()
    if pick < 0.6:
        return ()
    return tuple(
        Gift(
            "Someone",
            date=rng.choice(
                [None, TODAY - timedelta(days=100), TODAY - timedelta(days=900), date(2020, 1, 1)]
            ),
            amount=rng.choice([None, 0, 2_500, 25_000]),
        )
        for _ in range(rng.choice([1, 1, 3]))
    )


def _profiles() -> Iterator[Profile]:
    food = {
        "name": "Vermont food security",
        "ein": "000000042",
        "ntee_code": "K31",
        "target_ntee_codes": ("K31", "K30"),
        "keywords": ("food",),
        "states": ("VT",),
        "min_amount": 5_000,
        "max_amount": 50_000,
        "annual_revenue": 400_000,
    }
    yield Profile(**food)  # type: ignore[arg-type]
    yield Profile(**{**food, "ein": None, "annual_revenue": None, "keywords": ()})  # type: ignore[arg-type]
    yield Profile(**{**food, "nationwide": True, "states": (), "min_amount": None})  # type: ignore[arg-type]
    yield Profile(**{**food, "states": (" nh ", "VT"), "max_amount": None, "focus_areas": ("Reading",)})  # type: ignore[arg-type]
    yield Profile(name="Nothing set")
    yield Profile(name="Codes only", ntee_code="b2", target_ntee_codes=("T20", "E"), ein="12-3456789")
    yield Profile(
        name="Keywords only", keywords=("literacy", "Reading"), states=("CA",), annual_revenue=10**8
    )


@pytest.fixture(scope="module")
def rows() -> list[tuple[tuple[Any, ...], GivingEvidence | None, tuple[Gift, ...]]]:
    rng = random.Random(2026)
    with (DATA / "eo_vt.csv").open(encoding="ascii", newline="") as handle:
        real = [bmf_row(r) for r in csv.DictReader(handle)]
    out = []
    for row in real + [_synthetic(i, rng) for i in range(6_000)]:
        ein = row[_C["ein"]]
        evidence = (
            _evidence(ein or "", rng)
            if row[_C["kind"]] != "federal_opportunity" and rng.random() < 0.3
            else None
        )
        out.append((row, evidence, _gifts(rng)))
    return out


def _plain(outcome: Any) -> tuple[Any, ...] | None:
    if outcome is None:
        return None
    f = outcome.funder
    return (
        outcome.total,
        outcome.dims,
        outcome.weights,
        f.standing.value,
        f.kind and f.kind.value,
        f.strength.value,
        f.reason,
        outcome.always_keep,
        outcome.typical_amount,
    )


def _names() -> NteeNames:
    with NTEE_CSV.open(encoding="utf-8", newline="") as handle:
        return NteeNames((row["ntee"], row["description"]) for row in csv.DictReader(handle))


@pytest.mark.parametrize("profile", list(_profiles()), ids=lambda p: p.name)
def test_every_score_is_what_the_code_before_gave(
    profile: Profile, rows: list[tuple[tuple[Any, ...], GivingEvidence | None, tuple[Gift, ...]]]
) -> None:
    names = _names() if profile.ntee_code == "K31" else DEFAULT_NAMES
    weights = ScoringWeights(relationship=0.0) if profile.name == "Keywords only" else ScoringWeights()
    live = FunderMatcher(profile, TODAY, weights, names)
    frozen = FrozenMatcher(profile, TODAY, weights, names)
    funders = 0
    for row, evidence, gifts in rows:
        for ev, gs in ((evidence, gifts), (None, ())):
            new, old = live.score_row(row, ev, gs), frozen.score_row(row, ev, gs)
            assert _plain(new) == _plain(old), (row, ev, gs)
            if new is not None and old is not None:
                funders += 1
                assert live.breakdown_json(new) == frozen.breakdown_json(old)
            c_new, c_old = live.classify_row(row, ev, gs), frozen.classify_row(row, ev, gs)
            assert (c_new is None) == (c_old is None)
            if c_new is not None and c_old is not None:
                assert (c_new.standing.value, c_new.strength.value, c_new.reason) == (
                    c_old.standing.value,
                    c_old.strength.value,
                    c_old.reason,
                )
    assert funders > 1_000  # the set reaches the scoring paths, not only the exits


def test_records_score_as_before() -> None:
    """The SourceRecord entry point (record_to_funder_row) too."""
    profile = next(_profiles())
    live, frozen = FunderMatcher(profile, TODAY), FrozenMatcher(profile, TODAY)
    record = SourceRecord(
        source=Source.IRS_BMF,
        source_id="1",
        kind=RecordKind.FOUNDATION,
        name="X FOOD FUND",
        ein="030000001",
        state="VT",
        ntee_code="K31",
        foundation_code="04",
        subsection="03",
        assets=1_000_000,
    )
    assert record_to_funder_row(record)
    assert _plain(live.score(record)) == _plain(frozen.score(record))
