"""IRS EO BMF parser: the real Vermont file, malformed lines, and fuzzed input."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalynx_desktop.domain.records import RecordError, RecordKind, Source, SourceRecord
from catalynx_desktop.sources.base import FormatError, fast_record
from catalynx_desktop.sources.bmf import BMF_HEADER, BmfParser
from tests.sources.conftest import VT_FILE

HEADER = ",".join(BMF_HEADER).encode() + b"\r\n"
GOOD = (
    b"010180687,WINDSOR IMPROVEMENT CORPORATION,% HAROLD PYKE,PO BOX 455,WINDSOR,VT,05089-0455,0000,03,3,"
    b"1000,200211,1,15,000000000,1,01,202406,6,4,01,0,06,1416834,433360,324462,S30,\r\n"
)


def good_line(
    ein: str,
    name: str = "TEST ORG",
    foundation: str = "15",
    ruling: str = "200211",
    state: str = "VT",
    city: str = "BURLINGTON",
    ntee: str = "S30",
) -> bytes:
    return (
        f"{ein},{name},,1 MAIN ST,{city},{state},05401,0000,03,3,1000,{ruling},1,{foundation},000000000,1,01,"
        f"202406,6,4,01,0,06,100,-20,,{ntee},\r\n"
    ).encode()


def parse(path: Path) -> tuple[list[SourceRecord], list[RecordError]]:
    items = list(BmfParser(path))
    return (
        [i for i in items if isinstance(i, SourceRecord)],
        [i for i in items if isinstance(i, RecordError)],
    )


def test_real_vermont_file_parses_completely_with_spot_checked_fields() -> None:
    parser = BmfParser(VT_FILE)
    records, errors = [], []
    for item in parser:
        (records if isinstance(item, SourceRecord) else errors).append(item)
    assert errors == []
    assert len(records) == 6535
    assert parser.records_read == 6535
    assert parser.bytes_read == parser.bytes_total == 1_140_667
    by_ein = {r.ein: r for r in records}
    assert len(by_ein) == 6535
    first = by_ein["010180687"]  # leading zero kept
    assert (first.name, first.city, first.state, first.country) == (
        "WINDSOR IMPROVEMENT CORPORATION",
        "WINDSOR",
        "VT",
        "US",
    )
    assert (first.ntee_code, first.subsection, first.foundation_code, first.ruling_date) == (
        "S30",
        "03",
        "15",
        "200211",
    )
    assert (first.assets, first.income, first.revenue) == (1416834, 433360, 324462)
    assert first.kind is RecordKind.ORGANIZATION and not first.is_grant_maker
    assert first.source is Source.IRS_BMF and first.source_id == "010180687"
    assert first.extra["zip"] == "05089-0455"
    # One of the two real rows whose quoted NAME holds a comma.
    assert by_ein["030185556"].name == "NORTH COUNTRY HOSPITAL & HEALTH CENTER,INC"
    # 4-character NTEE, kept as is.
    assert by_ein["010471151"].ntee_code == "C40Z"
    # Private foundations (FOUNDATION 02/03/04: 4 + 43 + 303 in this file) are grant makers.
    foundations = [r for r in records if r.kind is RecordKind.FOUNDATION]
    assert len(foundations) == 350
    assert all(r.is_grant_maker and r.foundation_code in {"02", "03", "04"} for r in foundations)
    assert sum(r.is_grant_maker for r in records) == 350
    # RULING 000000 (no ruling date) is real data, not an error.
    assert by_ein["030103260"].ruling_date == ""
    # Blank amounts are None, not 0.
    assert any(r.assets is None for r in records)


def test_malformed_lines_are_reported_with_line_numbers_and_the_rest_parses(tmp_path: Path) -> None:
    lines = [
        HEADER,  # line 1
        good_line("000000001"),  # 2 ok
        b'000000002,"BAD"QUOTE ORG,,1 MAIN ST,X,VT,0,0000,03,3,1000,200211,1,15,0,1,01,202406,6,4,01,0,06,1,1,1,S30,\r\n',
        good_line("000000003"),  # 4 ok
        b"000000004,TOO,FEW,COLUMNS\r\n",  # 5 wrong column count
        good_line("000000005", name="CAF\xc9 ORG".encode("latin-1").decode("latin-1")).replace(
            b"CAF\xc3\x89", b"CAF\xc9"
        ),  # 6 non-UTF-8 byte
        good_line("12345"),  # 7 bad EIN
        good_line("000000007", ruling="2024AB"),  # 8 bad date
        good_line("000000008", ruling="202413"),  # 9 month 13
        b'000000009,"UNCLOSED ORG,,1 MAIN ST,X,VT,0,0000,03,3,1000,200211,1,15,0,1,01,202406,6,4,01,0,06,1,1,1,S30,\r\n',
        good_line("000000010", name='"COMMA, QUOTED INC"'),  # 11 ok, quoted comma
        good_line("000000011"),  # 12 ok
        b"\r\n",  # 13 blank: not a record
    ]
    path = tmp_path / "eo_bad.csv"
    path.write_bytes(b"".join(lines))
    records, errors = parse(path)
    assert [r.ein for r in records] == ["000000001", "000000003", "000000010", "000000011"]
    assert records[2].name == "COMMA, QUOTED INC"
    by_line = {e.record_number: e for e in errors}
    assert sorted(by_line) == [3, 5, 6, 7, 8, 9, 10]
    assert "quoting" in by_line[3].reason
    assert "4 columns, expected 28" in by_line[5].reason
    assert "UTF-8" in by_line[6].reason and "0xC9" in by_line[6].reason
    assert "EIN '12345'" in by_line[7].reason
    assert "RULING" in by_line[8].reason and "2024AB" in by_line[8].reason
    assert "202413" in by_line[9].reason
    assert "quoting" in by_line[10].reason
    assert all(e.file == "eo_bad.csv" for e in errors)
    assert "eo_bad.csv, record 7" in str(by_line[7])


def test_international_row_puts_the_country_in_city_and_odd_ntee_is_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / "eo_intl.csv"
    path.write_bytes(
        HEADER
        + good_line("980000001", state="", city="CANADA", ntee="B2")
        + good_line("980000002", ntee="9X!")
    )
    records, errors = parse(path)
    assert errors == []
    intl, odd = records
    assert (intl.city, intl.state, intl.country, intl.ntee_code) == ("", "", "CANADA", "B2")
    assert odd.ntee_code == "" and odd.extra["ntee_raw"] == "9X!"
    assert intl.income == -20 and intl.revenue is None


def test_private_foundation_codes_make_grant_makers(tmp_path: Path) -> None:
    path = tmp_path / "eo_pf.csv"
    path.write_bytes(
        HEADER
        + b"".join(
            good_line(f"00000000{i}", foundation=code)
            for i, code in enumerate(("02", "03", "04", "15", "00"))
        )
    )
    records, _ = parse(path)
    assert [r.is_grant_maker for r in records] == [True, True, True, False, False]
    assert [r.kind for r in records][:3] == [RecordKind.FOUNDATION] * 3


def test_a_file_that_is_not_a_bmf_fails_once_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "grantors.csv"
    path.write_text("Name,EIN,Amount\nA,1,2\n")
    with pytest.raises(FormatError) as info:
        list(BmfParser(path))
    assert "grantors.csv" in str(info.value) and "not an IRS EO Business Master File" in str(info.value)


def test_lf_line_endings_and_no_trailing_newline_also_work(tmp_path: Path) -> None:
    path = tmp_path / "eo_lf.csv"
    path.write_bytes((HEADER + GOOD + good_line("000000002")).replace(b"\r\n", b"\n").rstrip(b"\n"))
    records, errors = parse(path)
    assert errors == [] and [r.ein for r in records] == ["010180687", "000000002"]


def test_fast_record_is_identical_to_the_dataclass_constructor() -> None:
    values = {
        "source": Source.IRS_BMF,
        "source_id": "1",
        "kind": RecordKind.FOUNDATION,
        "name": "X",
        "ein": "1",
        "assets": 5,
        "extra": {"a": "b"},
    }
    fast, normal = fast_record(dict(values)), SourceRecord(**values)  # type: ignore[arg-type]
    assert fast == normal and dataclasses.asdict(fast) == dataclasses.asdict(normal)
    assert not hasattr(SourceRecord, "__post_init__")  # fast_record would skip it
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.name = "Y"  # type: ignore[misc]


_field = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.one_of(
            st.lists(_field, min_size=0, max_size=32).map(
                lambda cells: ",".join(cells).encode("utf-8", "surrogatepass")
            ),
            st.binary(max_size=300),
        ),
        max_size=25,
    )
)
def test_fuzzed_rows_never_crash_the_parser(tmp_path: Path, rows: list[bytes]) -> None:
    path = tmp_path / "eo_fuzz.csv"
    body = b"".join(row.replace(b"\n", b" ").replace(b"\r", b" ") + b"\r\n" for row in rows)
    path.write_bytes(HEADER + body + GOOD)
    items = list(BmfParser(path))
    assert all(isinstance(i, (SourceRecord, RecordError)) for i in items)
    # Every non-blank line is accounted for, and the good last line always survives.
    assert len(items) == sum(1 for row in rows if row.replace(b"\n", b" ").replace(b"\r", b" ").strip()) + 1
    assert isinstance(items[-1], SourceRecord) and items[-1].ein == "010180687"
