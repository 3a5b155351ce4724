"""Every real return in shared/data/irs990/returns against every column of expected.csv (counts
and sums computed independently of this parser), and the two real excerpts."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from catalynx_desktop.domain.giving import FiledReturn, GrantKind, ReturnType
from catalynx_desktop.sources.irs990 import ParseProblem, parse_member
from catalynx_desktop.sources.irs990.schema import era_of, names
from tests.sources.irs990.conftest import COPY, ROOTS, expected_rows

ROWS = expected_rows()
_CHECKED_ELSEWHERE = {"file_name", "line_endings", "bytes", "sha256"}


def _raw_true(value: str) -> bool:
    return value in {"X", "x", "1", "true"}


def _columns(filed: FiledReturn) -> dict[str, str]:
    """The expected.csv columns as this parser sees the return ('' = not applicable)."""
    pf = filed.return_type is ReturnType.FORM_990PF
    paid = [g for g in filed.grants if g.kind is GrantKind.PAID]
    schedule_i = [g for g in filed.grants if g.kind is GrantKind.SCHEDULE_I]
    has_i = bool(filed.schedule_i_filed)
    cash = sum(g.cash_amount or 0 for g in schedule_i)
    noncash = sum(g.noncash_amount or 0 for g in schedule_i)

    def pf_only(value: object) -> str:
        return "" if not pf or value is None else str(value)

    def i_only(value: object) -> str:
        return str(value) if has_i else ""

    return {
        "object_id": filed.object_id,
        "return_type": filed.return_type.value,
        "return_version": filed.return_version,
        "ein": filed.ein,
        "filer_name": filed.filer_name,
        "filer_name_line2": filed.filer_name_line2,
        "tax_year": str(filed.tax_year),
        "tax_period_end": filed.tax_period_end,
        "state": filed.filer_address.state,
        "pf_grants_paid_count": pf_only(len(paid)),
        "pf_grants_paid_sum": pf_only(sum(g.cash_amount or 0 for g in paid)),
        "pf_total_grants_paid_amt": pf_only(filed.financials.listed_grants_paid_total),
        "pf_future_grants_count": pf_only(len(filed.future_grants)),
        "pf_application_info_count": pf_only(len(filed.application)),
        "schedi_present": "" if filed.return_type is not ReturnType.FORM_990 else str(int(has_i)),
        "schedi_recipient_count": i_only(len(schedule_i)),
        "schedi_cash_sum": i_only(cash),
        "schedi_noncash_sum": i_only(noncash),
        "schedi_cash_plus_noncash": i_only(sum(g.amount for g in schedule_i)),
        "schedi_recipients_with_ein": i_only(sum(1 for g in schedule_i if g.recipient_ein)),
        "schedi_indiv_grp_count": i_only(len(filed.individual_grants)),
        "officer_count": str(len(filed.people)),
    }


@pytest.mark.parametrize("root", ROOTS, ids=lambda p: "copy" if p == COPY else "shared")
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["file_name"][:18])
def test_real_return_matches_every_expected_column(root: Path, row: dict[str, str]) -> None:
    data = (root / "returns" / row["file_name"]).read_bytes()
    assert len(data) == int(row["bytes"]) and hashlib.sha256(data).hexdigest() == row["sha256"]
    assert (b"\r\n" in data) == (row["line_endings"] == "CRLF")
    filed = parse_member(row["file_name"], data)
    assert isinstance(filed, FiledReturn), filed
    ours = _columns(filed)
    for column, expected in row.items():
        if column in _CHECKED_ELSEWHERE or column in ("amended_return_ind", "pf_only_preselected_ind"):
            continue
        if column == "officer_element":
            table = "990PF" if filed.return_type is ReturnType.FORM_990PF else filed.return_type.value
            people_path = names(table, era_of(filed.return_version), "").plain["people"]
            assert people_path.endswith(expected), (people_path, expected)
            continue
        assert ours[column] == expected, f"{column}: ours {ours[column]!r}, expected {expected!r}"
    assert filed.amended is _raw_true(row["amended_return_ind"])
    if filed.return_type is ReturnType.FORM_990PF:
        assert filed.preselected_only is _raw_true(row["pf_only_preselected_ind"])
    else:
        assert filed.preselected_only is None and row["pf_only_preselected_ind"] == ""
    assert filed.tax_period == row["tax_period_end"][:4] + row["tax_period_end"][5:7]
    assert filed.missing_fields == () and filed.notes == ()


def test_the_figures_a_funder_view_needs_are_read() -> None:
    """Financial lines by era, read from the real returns (values as the XML states them)."""
    by_id = {row["object_id"]: row for row in ROWS}

    def parse(object_id: str) -> FiledReturn:
        name = by_id[object_id]["file_name"]
        filed = parse_member(name, (COPY / "returns" / name).read_bytes())
        assert isinstance(filed, FiledReturn)
        return filed

    legacy = parse("200931393493000150")  # 2008v2.7 names
    assert legacy.financials.total_revenue == 500924 and legacy.financials.total_assets == 71546
    assert legacy.website == "www.richtech.com" and legacy.people[0].name == "Robert Stolle"
    assert legacy.people[0].hours_per_week == "40.00" and legacy.people[0].compensation == 4874
    pf = parse("201601249349100900")
    assert pf.financials.fair_market_value == 234286 and pf.financials.total_assets == 233129
    assert pf.financials.qualifying_distributions == 12000 and pf.financials.distributable_amount == 11666
    assert pf.financials.total_grants_paid == 12000 and pf.financials.total_revenue == 22009
    assert pf.people[0].name == "TD Bank NA" and pf.people[0].compensation == 4019  # a bank as trustee
    ez = parse("202300129349200500")
    assert ez.financials.total_assets == 300785 and ez.financials.contributions_received == 191604
    assert ez.financials.total_grants_paid is None  # line 10 left out: not stated, not 0
    assert ez.website == "WWW.UNDEFEATEDCOURAGE.ORG" and ez.tax_period == "202206"
    sched = parse("202403589349300950")
    assert sched.financials.total_grants_paid == 8355996
    assert sched.individual_grants[0].grant_type == "EMPLOYEE ASSISTANCE"
    assert sched.individual_grants[0].recipient_count == 243
    foreign_free = [g for g in sched.grants if g.address.country]
    assert foreign_free == []


def test_pf_excerpt_keeps_names_typed_into_person_elements_and_line_2() -> None:
    filed = parse_member(
        "990PF_201601249349100900_excerpt.xml", (COPY / "990PF_201601249349100900_excerpt.xml").read_bytes()
    )
    assert isinstance(filed, FiledReturn)
    paid = filed.grants_paid
    assert [g.recipient_name for g in paid][:3] == [
        "UNIVERSITY OF MASSACHUSETTS",
        "BENTLEY UNIVERSITY",
        "SETON HALL UNIVERSITY",
    ]
    church = paid[3]
    assert (church.recipient_name, church.recipient_name_line2) == ("ST JOSEPH'S CHURCH", "ATTN REVEREND")
    assert church.foundation_status == "501(C)(3)" and church.cash_amount == 6000
    assert {g.foundation_status for g in paid[:3]} == {"NONE"} and all(not g.recipient_ein for g in paid)
    assert sum(g.amount for g in paid) == filed.financials.listed_grants_paid_total == 12000
    assert len(filed.application) == 4 and filed.application[0].contact_name == "School Principal"
    assert filed.application[0].phone == "4134499535" and filed.application[0].contact_address.state == "MA"
    assert filed.preselected_only is False
    # The excerpt dropped Part II: the return still imports and says what it lacked.
    assert filed.missing_fields == ("IRS990PF/Form990PFBalanceSheetsGrp/TotalAssetsEOYAmt",)


def test_schedule_i_excerpt_reconciles_to_part_i_line_13() -> None:
    path = COPY / "990_ScheduleI_202403589349300950_excerpt.xml"
    filed = parse_member(path.name, path.read_bytes())
    assert isinstance(filed, FiledReturn)
    organizations = sum(g.amount for g in filed.grants)
    individuals = sum(i.cash_amount or 0 for i in filed.individual_grants)
    assert len(filed.grants) == 4 and all(len(g.recipient_ein) == 9 for g in filed.grants)
    assert len(filed.individual_grants) == 13
    assert filed.financials.total_grants_paid is not None
    assert abs(organizations + individuals - filed.financials.total_grants_paid) <= 1
    assert filed.grants[1].recipient_ein == "043730045"  # leading zero kept


def test_every_real_return_is_also_read_when_given_under_another_name() -> None:
    row = ROWS[3]
    data = (COPY / "returns" / row["file_name"]).read_bytes()
    filed = parse_member("some/folder/copy.xml", data)
    assert isinstance(filed, FiledReturn) and filed.object_id == "copy" and filed.ein == row["ein"]
    problem = parse_member("x/201601249349100900_public.xml", data[: len(data) // 2])
    assert isinstance(problem, ParseProblem) and problem.object_id == "201601249349100900"
    assert problem.message.startswith("x/201601249349100900_public.xml (object id 201601249349100900): ")
    assert "not readable XML" in problem.reason
