"""Who counts as a funder, checked against every row of the real Vermont BMF extract."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from catalynx_desktop.domain.funders import (
    BmfFacts,
    FunderClass,
    FunderKind,
    Standing,
    Strength,
    classify,
    is_own_organization,
)

EO_VT = Path(__file__).parent.parent / "data" / "eo_vt.csv"


@pytest.fixture(scope="module")
def vt_rows() -> list[dict[str, str]]:
    with EO_VT.open(encoding="ascii", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def verdicts(vt_rows: list[dict[str, str]]) -> dict[str, tuple[dict[str, str], FunderClass]]:
    return {row["EIN"]: (row, classify(BmfFacts.from_columns(row))) for row in vt_rows}


def _by_name(verdicts: dict[str, tuple[dict[str, str], FunderClass]], name: str) -> FunderClass:
    (verdict,) = [v for row, v in verdicts.values() if row["NAME"] == name]
    return verdict


def test_named_vermont_funders_are_kept(verdicts: dict[str, tuple[dict[str, str], FunderClass]]) -> None:
    vcf = _by_name(verdicts, "VERMONT COMMUNITY FOUNDATION")
    assert vcf.standing is Standing.FUNDER and vcf.kind is FunderKind.GRANTMAKING_PUBLIC_CHARITY
    assert vcf.strength is Strength.HIGH and "community foundation" in vcf.reason
    # blank NTEE code, FOUNDATION 04: a private foundation whatever its NTEE
    ben_and_jerrys = _by_name(verdicts, "BEN & JERRYS FOUNDATION")
    assert ben_and_jerrys.kind is FunderKind.PRIVATE_FOUNDATION and ben_and_jerrys.strength is Strength.HIGH
    united_way = _by_name(verdicts, "UNITED WAY OF NORTHWEST VERMONT INC")
    assert united_way.kind is FunderKind.GRANTMAKING_PUBLIC_CHARITY


def test_food_shelves_are_peers(verdicts: dict[str, tuple[dict[str, str], FunderClass]]) -> None:
    food = [
        (row, v)
        for row, v in verdicts.values()
        if row["NTEE_CD"][:3] in ("K31", "K30")
        or any(w in row["NAME"] for w in ("FOOD SHELF", "FOOD PANTRY"))
    ]
    assert len(food) >= 50
    peers = [row["NAME"] for row, v in food if v.standing is Standing.PEER]
    funders = [row["NAME"] for row, v in food if v.is_funder]
    print(f"\nfood shelves and pantries: {len(food)}, peers {len(peers)}, funders {funders}")
    assert len(peers) >= 0.9 * len(food)
    for row, verdict in food:
        if verdict.standing is Standing.PEER:
            assert "no sign of grantmaking" in verdict.reason or "single organization" in verdict.reason
        if row["FOUNDATION"] in ("15", "16") and verdict.is_funder:
            assert row["ACTIVITY"] != "000000000" or row["NTEE_CD"].startswith("T")


def test_counts_over_the_whole_file_are_sane(verdicts: dict[str, tuple[dict[str, str], FunderClass]]) -> None:
    counts = Counter((v.standing.value, v.kind.value if v.kind else "") for _, v in verdicts.values())
    strengths = Counter((v.kind.value, v.strength.value) for _, v in verdicts.values() if v.kind)
    print(f"\n{len(verdicts)} rows: {sorted(counts.items())}\nfunder strengths: {sorted(strengths.items())}")
    assert sum(counts.values()) == 6535
    for row, verdict in verdicts.values():
        foundation = row["FOUNDATION"]
        if foundation == "04" and row["STATUS"] != "25":
            assert verdict.kind is FunderKind.PRIVATE_FOUNDATION, row["NAME"]
        if foundation in ("15", "16") and verdict.is_funder:
            assert verdict.kind is FunderKind.GRANTMAKING_PUBLIC_CHARITY
            activity = {row["ACTIVITY"][i : i + 3] for i in (0, 3, 6)}
            signals = (
                row["NTEE_CD"][:3] in ("T20", "T21", "T22", "T30", "T31", "T70"),
                bool(activity & {"600", "602", "903"}),
                "COMMUNITY FOUNDATION" in row["NAME"] or "UNITED WAY" in row["NAME"],
                "FOUNDATION" in row["NAME"],  # the corporate-name guess needs the word
            )
            assert any(signals), row["NAME"]
        if (
            foundation in ("10", "11", "12", "13", "14")
            or row["DEDUCTIBILITY"] == "2"
            or row["STATUS"] == "25"
        ):
            assert verdict.standing is Standing.EXCLUDED, row["NAME"]
        words = re.sub(r"990|501\(c\)\(\d+\)", "", verdict.reason)  # form names are words too
        assert verdict.reason and not any(ch.isdigit() for ch in words), verdict.reason
    private = counts[("funder", "private_foundation")]
    public = counts[("funder", "grantmaking_public_charity")]
    assert 300 <= private <= 370  # 297 FOUNDATION 04 (not ending) + operating fdns + 4947 trusts
    assert 50 <= public <= 150  # out of 4,174 FOUNDATION 15/16 public charities
    assert counts[("peer", "")] > 3500
    # the three FOUNDATION 04 rows ending their private foundation status are excluded, with the reason
    ending = [v for row, v in verdicts.values() if row["FOUNDATION"] == "04" and row["STATUS"] == "25"]
    assert len(ending) == 3 and all("ending its private foundation status" in v.reason for v in ending)


def test_grants_on_990s_make_a_grantmaker() -> None:
    shelf = BmfFacts("030000001", "HUNGER FREE VERMONT", "03", "15", "000000000", "K31", "01", "1")
    assert classify(shelf).standing is Standing.PEER
    giving = classify(shelf, has_grants=True, total_given=125_000)
    assert giving.kind is FunderKind.GRANTMAKING_PUBLIC_CHARITY and "$125,000" in giving.reason
    church = shelf._replace(foundation="10")
    assert classify(church).standing is Standing.EXCLUDED
    assert classify(church, your_grantor=True).kind is FunderKind.YOUR_GRANTOR
    trust = shelf._replace(subsection="92", foundation="00", ntee="")
    assert classify(trust).kind is FunderKind.PRIVATE_FOUNDATION
    assert classify(trust, has_grants=True).kind is FunderKind.PRIVATE_FOUNDATION
    assert classify(shelf._replace(subsection="07", deductibility="1")).reason.startswith(
        "a social or recreational club"
    )


def test_own_ein_is_never_a_match() -> None:
    assert is_own_organization("03-0300865", "030300865")
    assert is_own_organization("30300865", "030300865")  # leading zero lost in a spreadsheet
    assert not is_own_organization("030300865", "222712160")
    assert not is_own_organization(None, "222712160")
    assert not is_own_organization("030300865", None)


def test_a_name_without_telling_words_does_not_change_a_public_charitys_verdict(
    vt_rows: list[dict[str, str]],
) -> None:
    """name_may_decide lets Discover memoize public_charity by codes: for every real VT row (and
    the same codes under made-up names) a name it calls silent gives the no-name verdict."""
    from catalynx_desktop.domain.funders import name_may_decide, public_charity

    names = [(r["NAME"], r["SORT_NAME"]) for r in vt_rows]
    names += [("FRIENDS", "OF THE LIBRARY"), ("X", "UNITED WAY"), ("ACME BANK", "FOUNDATION"), ("", "")]
    silent = 0
    for row, (name, sort_name) in zip(vt_rows * 2, names + names[::-1], strict=False):
        facts = BmfFacts.from_columns(row)
        codes = (facts.activity, facts.ntee, facts.foundation)
        full = public_charity(name, sort_name, *codes)
        if not name_may_decide(name, sort_name):
            silent += 1
            assert full == public_charity("", "", *codes), (name, sort_name, codes)
    assert silent > len(vt_rows) // 2
