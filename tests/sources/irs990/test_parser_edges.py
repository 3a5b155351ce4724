"""What the parser refuses (one reason each) and what it still imports with a note."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalynx_desktop.domain.giving import FiledReturn
from catalynx_desktop.sources.irs990 import ParseProblem, parse_member, parse_return
from catalynx_desktop.sources.irs990.reader import iter_returns
from tests.datagen.irs990_gen import GenOptions, ReturnFactory
from tests.sources.irs990.conftest import COPY

PF = (COPY / "returns" / "201601249349100900_public.xml").read_bytes()


def _problem(data: bytes) -> str:
    result = parse_member("202400000000000001_public.xml", data)
    assert isinstance(result, ParseProblem), result
    return result.reason


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "this is not readable XML"),
        (b"<Return xmlns='http://www.irs.gov/efile'><ReturnHeader>", "this is not readable XML"),
        (b"<Grants/>", "the root element is <Grants>, not an IRS e-file <Return>"),
        (
            b"<Return xmlns='http://www.irs.gov/efile' returnVersion='2020v1.0'/>",
            "the return has no ReturnHeader",
        ),
        (
            PF.replace(b"<EIN>046662754</EIN>", b"<EIN>4666275</EIN>"),
            "the filer's EIN '4666275' is not 9 digits",
        ),
        (PF.replace(b"<EIN>046662754</EIN>", b""), "the return names no filer EIN"),
        (
            PF.replace(
                b"<TaxPeriodEndDt>2015-12-31</TaxPeriodEndDt>", b"<TaxPeriodEndDt>12/31/2015</TaxPeriodEndDt>"
            ),
            "the tax period end (TaxPeriodEndDt) '12/31/2015' is not a date (YYYY-MM-DD)",
        ),
        (
            PF.replace(b"<ReturnTypeCd>990PF</ReturnTypeCd>", b"<ReturnTypeCd>990T</ReturnTypeCd>"),
            "form 990T is not one we import (990, 990-EZ, 990-PF)",
        ),
        (
            PF.replace(b"<ReturnTypeCd>990PF</ReturnTypeCd>", b"<ReturnTypeCd>990</ReturnTypeCd>"),
            "ReturnData has no IRS990 element for this form 990",
        ),
        (
            b"<!DOCTYPE r [<!ENTITY a '" + b"x" * 10 + b"'>]><Return/>",
            "the return has no ReturnHeader",
        ),
    ],
)
def test_a_return_that_cannot_be_imported_gives_one_reason(data: bytes, reason: str) -> None:
    assert _problem(data).startswith(reason)


def test_odd_values_import_with_notes_and_missing_lines_are_listed() -> None:
    gen = ReturnFactory(GenOptions(seed=4, grants=(3, 3))).make("990PF", era="2021")
    gen.grants[0].purpose = "P" * 10_000
    xml = gen.xml().replace(f"<Amt>{gen.grants[1].cash}</Amt>".encode(), b"<Amt>12 dollars</Amt>")
    xml = xml.replace(b"<FMVAssetsEOYAmt>", b"<FMVAssetsEOYAmtX>").replace(
        b"</FMVAssetsEOYAmt>", b"</FMVAssetsEOYAmtX>"
    )
    filed = parse_return(xml, object_id="x", max_field_chars=500)
    assert filed.grants[0].purpose == "P" * 500 and filed.grants[1].cash_amount is None
    assert filed.notes == (
        "GrantOrContributionPurposeTxt was cut to 500 of its 10,000 characters",
        "Amt '12 dollars' is not a whole number of dollars; left empty",
    )
    assert filed.missing_fields == ("IRS990PF/FMVAssetsEOYAmt",)
    assert filed.financials.fair_market_value is None and len(filed.grants) == 3


def test_cents_a_utf8_bom_and_a_missing_return_type_are_read() -> None:
    data = b"\xef\xbb\xbf" + PF.replace(b"<Amt>2000</Amt>", b"<Amt>2000.00</Amt>", 1)
    data = data.replace(b"<ReturnTypeCd>990PF</ReturnTypeCd>", b"")
    filed = parse_member("201601249349100900_public.xml", data)
    assert isinstance(filed, FiledReturn) and filed.return_type.value == "990PF"  # from ReturnData
    assert filed.grants[0].cash_amount == 2000 and filed.notes == ()


def test_iter_returns_reads_and_parses_in_one_process(tmp_path: Path) -> None:
    results = list(iter_returns(COPY / "returns"))
    assert len(results) == 8 and all(isinstance(r, FiledReturn) for r in results)
