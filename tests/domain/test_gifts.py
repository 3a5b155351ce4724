"""Gifts: grouped per funder by EIN, else by the IRS-normalized name and state; lapsed after 18 months."""

from __future__ import annotations

from datetime import date

from catalynx_desktop.domain.gifts import (
    Gift,
    add_new_gifts,
    gift_key,
    gifts_by_funder,
    gifts_for,
    is_lapsed,
    is_same_gift,
    months_between,
    normalize_org_name,
)


def test_names_are_normalized_as_the_irs_writes_them() -> None:
    assert normalize_org_name("The Ben & Jerry's Foundation, Inc.") == "BEN AND JERRYS FOUNDATION"
    assert normalize_org_name("BEN & JERRYS FOUNDATION") == "BEN AND JERRYS FOUNDATION"
    assert normalize_org_name("St. Albans Fdn Co") == "SAINT ALBANS FOUNDATION"
    # FOUNDATION is kept: a hospital and its foundation are two organizations
    assert normalize_org_name("X Hospital") != normalize_org_name("X Hospital Foundation")


def test_many_gifts_per_funder_none_lost() -> None:
    gifts = [
        Gift(
            "Ben & Jerry's Foundation", "03-0300865", "VT", date=date(2023, 6, 1), amount=25_000, row_number=2
        ),
        Gift(
            "BEN & JERRYS FOUNDATION", "030300865", "VT", date=date(2021, 5, 1), amount=10_000, row_number=3
        ),
        Gift("The Local Rotary Club", None, "vt", date=date(2024, 1, 1), amount=500, row_number=4),
        Gift("Local Rotary Club, Inc.", None, "VT", amount=250, row_number=5),
    ]
    grouped = gifts_by_funder(gifts)
    assert [g.row_number for g in grouped["030300865"]] == [3, 2]  # oldest first
    assert [g.row_number for g in grouped[gift_key(None, "LOCAL ROTARY CLUB", "VT")]] == [4, 5]
    # a BMF record with an EIN also collects the gifts listed by its name and state only
    listed = gifts_by_funder([*gifts, Gift("Ben and Jerrys Foundation", None, "VT", amount=1, row_number=6)])
    found = gifts_for(listed, "030300865", "BEN & JERRYS FOUNDATION", "VT")
    assert sorted(g.row_number for g in found) == [2, 3, 6]


def test_lapsed_after_eighteen_months() -> None:
    assert months_between(date(2023, 6, 15), date(2024, 12, 14)) == 17
    assert months_between(date(2023, 6, 15), date(2024, 12, 15)) == 18
    assert not is_lapsed(date(2023, 6, 15), date(2024, 12, 31))
    assert is_lapsed(date(2023, 6, 15), date(2025, 1, 15))


def _gift(ein: str, amount: int | None, day: date | None, file: str = "grantors.xlsx") -> Gift:
    return Gift("Lake Champlain Fund", ein, date=day, amount=amount, file=file)


def test_an_award_also_in_the_list_is_one_gift() -> None:
    known = {"046662754": [_gift("046662754", 4_000, date(2024, 6, 1))]}
    add_new_gifts(known, [_gift("046662754", 4_000, date(2024, 5, 15), "award recorded here")])
    assert [g.file for g in known["046662754"]] == ["grantors.xlsx"]


def test_different_amounts_years_or_funders_are_different_gifts() -> None:
    known = {"046662754": [_gift("046662754", 4_000, date(2024, 6, 1))]}
    add_new_gifts(
        known,
        [
            _gift("046662754", 5_000, date(2024, 6, 1), "990"),  # another amount
            _gift("046662754", 4_000, date(2022, 12, 31), "990"),  # two years before
            _gift("030179440", 4_000, date(2024, 6, 1), "990"),  # another funder
        ],
    )
    assert [g.file for g in known["046662754"]] == ["grantors.xlsx", "990", "990"]
    assert [g.file for g in known["030179440"]] == ["990"]


def test_each_known_gift_stands_for_one_new_one() -> None:
    """Two $4,000 grants in one 990 year and one of them in the list: two gifts, not one or three."""
    known = {"046662754": [_gift("046662754", 4_000, date(2024, 3, 1))]}
    add_new_gifts(
        known,
        [
            _gift("046662754", 4_000, date(2024, 12, 31), "990"),
            _gift("046662754", 4_000, date(2024, 12, 31), "990"),
        ],
    )
    assert [g.file for g in known["046662754"]] == ["grantors.xlsx", "990"]


def test_an_undated_or_unknown_amount() -> None:
    assert is_same_gift(_gift("046662754", 4_000, None), _gift("046662754", 4_000, date(2024, 1, 1)))
    assert not is_same_gift(
        _gift("046662754", None, None), _gift("046662754", None, None)
    )  # no amount: can't tell
