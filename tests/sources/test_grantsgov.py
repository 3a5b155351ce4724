"""Grants.gov extract parser: the real record, generated zips (XSD-valid), bad records, fuzz."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalynx_desktop.domain.records import RecordError, RecordKind, Source, SourceRecord
from catalynx_desktop.sources.base import FormatError
from catalynx_desktop.sources.grantsgov import NAMESPACE, GrantsGovParser, html_to_text
from tests.datagen.grantsgov_gen import (
    grants_xml_chunks,
    has_data_descriptor,
    write_grants_xml,
    write_grants_zip,
)
from tests.sources.conftest import REAL_GRANT, XSD_FILE


def doc(*records: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Grants xmlns="{NAMESPACE}">'
        + "".join(records)
        + "</Grants>"
    ).encode()


def synopsis(opp_id: str = "1", **fields: str) -> str:
    values = {
        "OpportunityID": opp_id,
        "OpportunityTitle": f"Title {opp_id}",
        "PostDate": "01152025",
        "CloseDate": "03152025",
        "LastUpdatedDate": "01152025",
        "AwardCeiling": "50000",
        "AwardFloor": "0",
        **fields,
    }
    return (
        "<OpportunitySynopsisDetail_1_0>"
        + "".join(f"<{k}>{v}</{k}>" for k, v in values.items())
        + "</OpportunitySynopsisDetail_1_0>"
    )


def parse(path: Path, as_of: date = date(2025, 2, 1)) -> tuple[list[SourceRecord], list[RecordError]]:
    items = list(GrantsGovParser(path, as_of=as_of))
    return (
        [i for i in items if isinstance(i, SourceRecord)],
        [i for i in items if isinstance(i, RecordError)],
    )


def test_real_record_parses_with_dates_amounts_and_unescaped_html() -> None:
    records, errors = parse(REAL_GRANT)
    assert errors == []
    (record,) = records
    assert record.source is Source.GRANTS_GOV and record.source_id == "131073"
    assert record.kind is RecordKind.FEDERAL_OPPORTUNITY
    assert record.name == "Cooperative Ecosystem Studies Unit, Piedmont South Atlantic Coast CESU"
    assert record.funder_name == "Geological Survey" and record.opportunity_number == "G12AS20003"
    assert (record.post_date, record.close_date) == (date(2011, 11, 17), date(2011, 11, 29))
    assert (record.award_floor, record.award_ceiling, record.total_funding) == (
        None,
        None,
        31900,
    )  # 0 = not stated
    assert record.cfda_numbers == ("15.808",) and record.eligible_applicants == ("25",)
    assert record.category == "ST"
    assert record.status == "archived"  # ArchiveDate 12/17/2011 has passed; kept, marked as such
    # The extract escapes HTML twice: "&amp;lt;br/&amp;gt;" must end up as a line break.
    assert record.extra["grantor_contact_text"] == "Faith Graves, 703-648-7356\nfgraves@usgs.gov"


def test_real_record_and_generated_documents_validate_against_the_official_xsd() -> None:
    xmlschema = pytest.importorskip("xmlschema")
    schema = xmlschema.XMLSchema(str(XSD_FILE))
    schema.validate(str(REAL_GRANT))
    buffer = io.BytesIO()
    write_grants_xml(buffer, 400, seed=3, forecast_share=0.3)
    errors = list(schema.iter_errors(io.BytesIO(buffer.getvalue())))
    assert errors == [], errors[:3]


@pytest.mark.parametrize("streamed", [False, True], ids=["normal-zip", "streamed-zip"])
def test_generated_zip_parses_every_record(tmp_path: Path, streamed: bool) -> None:
    path = write_grants_zip(tmp_path / "GrantsDBExtract.zip", 3000, streamed=streamed, seed=5)
    assert has_data_descriptor(path) is streamed
    parser = GrantsGovParser(path)
    records = list(parser)
    assert len(records) == 3000 and all(isinstance(r, SourceRecord) for r in records)
    assert len({r.source_id for r in records}) == 3000
    assert parser.bytes_read == parser.bytes_total
    forecasts = [r for r in records if r.extra["record_type"] == "forecast"]
    assert len(forecasts) == 600
    assert {r.status for r in forecasts} <= {"forecasted", "archived"}
    assert all("&lt;" not in r.description and "<p>" not in r.description for r in records)
    assert any("Applicants must & should" in r.description for r in records)


def test_interleaved_synopses_and_forecasts_and_bare_xml(tmp_path: Path) -> None:
    path = tmp_path / "extract.xml"
    path.write_text(
        "".join(grants_xml_chunks(500, seed=9, interleave=True, forecast_share=0.5)), encoding="utf-8"
    )
    records, errors = parse(path)
    assert errors == [] and len(records) == 500
    kinds = [r.extra["record_type"] for r in records]
    assert kinds != sorted(kinds)  # really interleaved


def test_statuses_are_derived_and_closed_or_archived_records_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "status.xml"
    path.write_bytes(
        doc(
            synopsis("1"),
            synopsis("2", CloseDate="01202025"),
            synopsis("3", ArchiveDate="01252025"),
            synopsis("4", CloseDate=""),
        )
    )
    records, _ = parse(path, as_of=date(2025, 2, 1))
    assert [r.status for r in records] == ["posted", "closed", "archived", "posted"]


def test_bad_records_are_reported_by_record_number_and_the_rest_parse(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(
        doc(
            synopsis("1"),
            synopsis("2", PostDate="13452025"),  # record 2: bad date
            synopsis("3", AwardCeiling="none", AwardFloor="0"),  # ok: not stated
            synopsis("ABC"),  # record 4: bad id
            synopsis("5", EstimatedTotalProgramFunding="12.5"),  # record 5: bad amount
            "<SomethingElse><X>1</X></SomethingElse>",  # record 6: unknown type
            synopsis("7", Description="&amp;lt;b&amp;gt;Bold&amp;lt;/b&amp;gt; &amp;amp; more"),
        )
    )
    records, errors = parse(path)
    assert [r.source_id for r in records] == ["1", "3", "7"]
    assert records[1].award_ceiling is None and records[1].award_floor is None
    assert records[2].description == "Bold & more"
    by_number = {e.record_number: e.reason for e in errors}
    assert sorted(by_number) == [2, 4, 5, 6]
    assert "PostDate '13452025'" in by_number[2]
    assert "OpportunityID is 'ABC'" in by_number[4]
    assert "12.5" in by_number[5]
    assert "SomethingElse" in by_number[6]


def test_truncated_xml_keeps_the_records_before_the_damage(tmp_path: Path) -> None:
    full = doc(*(synopsis(str(i)) for i in range(1, 11)))
    path = tmp_path / "cut.xml"
    path.write_bytes(full[: full.index(b"<OpportunityID>8<")])
    records, errors = parse(path)
    assert [r.source_id for r in records] == [str(i) for i in range(1, 8)]
    (error,) = errors
    assert error.record_number == 8 and "malformed" in error.reason


def test_cut_off_zip_is_reported_not_raised(tmp_path: Path) -> None:
    path = write_grants_zip(tmp_path / "GrantsDBExtract.zip", 2000, seed=1)
    data = path.read_bytes()
    # Keep the central directory (so it opens) but corrupt the middle of the compressed data.
    damaged = data[:2000] + bytes(len(data) // 2) + data[2000 + len(data) // 2 :]
    path.write_bytes(damaged)
    items = list(GrantsGovParser(path))
    assert isinstance(items[-1], RecordError)
    assert all(isinstance(i, (SourceRecord, RecordError)) for i in items)


def test_zip_without_xml_and_wrong_root_fail_with_one_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "GrantsDBExtract.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(FormatError, match=re.escape("GrantsDBExtract.zip: this zip holds no Grants.gov XML")):
        list(GrantsGovParser(path))
    other = tmp_path / "other.xml"
    other.write_text("<?xml version='1.0'?><Return xmlns='http://www.irs.gov/efile'><a/></Return>")
    with pytest.raises(FormatError, match=re.escape("other.xml: the XML root is <Return>")):
        list(GrantsGovParser(other))


def test_html_to_text_handles_double_escaping_and_plain_text() -> None:
    assert html_to_text("plain text ") == "plain text"
    assert html_to_text("a &lt;br/&gt;b&lt;p&gt;c&lt;/p&gt;") == "a\nb\nc"
    assert html_to_text("x &amp;nbsp;y &lt; 5") == "x y < 5"
    assert html_to_text("AT&amp;T") == "AT&T"


_xml_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.dictionaries(
        st.sampled_from(
            [
                "OpportunityID",
                "PostDate",
                "CloseDate",
                "AwardCeiling",
                "AwardFloor",
                "EstimatedTotalProgramFunding",
                "ArchiveDate",
                "Description",
                "OpportunityTitle",
                "CFDANumbers",
            ]
        ),
        _xml_text,
        max_size=10,
    ),
    tail=st.binary(max_size=60),
)
def test_fuzzed_values_and_bytes_never_crash_the_parser(
    tmp_path: Path, values: dict[str, str], tail: bytes
) -> None:
    from xml.sax.saxutils import escape

    record = (
        "<OpportunitySynopsisDetail_1_0>"
        + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in values.items())
        + "</OpportunitySynopsisDetail_1_0>"
    )
    path = tmp_path / "fuzz.xml"
    path.write_bytes(doc(synopsis("1"), record)[: -len("</Grants>")] + tail)
    try:
        items = list(GrantsGovParser(path))
    except FormatError:
        return  # acceptable only for a broken document start, which this never is
    assert all(isinstance(i, (SourceRecord, RecordError)) for i in items)
    assert isinstance(items[0], SourceRecord) and items[0].source_id == "1"
