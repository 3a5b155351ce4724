"""Importer fuzzing beyond the per-parser tests (test_bmf, test_grantsgov, test_user_list fuzz
field values): whole files of random bytes (with and without a plausible beginning), random CSV
structures (headers, delimiters, quoting, line ends, encodings, ragged and multi-line rows) and
random XML structures (element trees, namespaces, attributes, comments, CDATA, entities, cut-off
documents, zips), through format detection, every parser and the importer on a real database.

The contract: a parser yields SourceRecord / RecordError items (errors with the file name, a record
number and a reason) or raises one FormatError, never after a record; detection returns a Format
or raises FormatError; an import returns a report whose counts add up, or raises FormatError, and
leaves a sound database. Nothing else escapes.

The runs are derandomized (the same cases every run, so CI is reproducible); the case counts are
the max_examples below.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalynx_desktop.domain.records import RecordError, SourceRecord
from catalynx_desktop.sources.base import FormatError
from catalynx_desktop.sources.bmf import BMF_HEADER, BmfParser
from catalynx_desktop.sources.detect import Format, detect_format, open_parser
from catalynx_desktop.sources.grantsgov import NAMESPACE, GrantsGovParser
from catalynx_desktop.sources.user_list import ColumnMapping, UserListParser, preview
from tests.fresh_loop import arun

_FUZZ = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def fuzz(cases: int) -> settings:
    return settings(_FUZZ, max_examples=cases)


BMF_LINE = ",".join(BMF_HEADER)
GOOD_BMF = (
    "010180687,WINDSOR IMPROVEMENT CORPORATION,% HAROLD PYKE,PO BOX 455,WINDSOR,VT,05089-0455,0000,03,3,"
    "1000,200211,1,15,000000000,1,01,202406,6,4,01,0,06,1416834,433360,324462,S30,"
)


def parse_all(path: Path, make: Callable[[], Iterable[Any]]) -> list[Any] | FormatError:
    """Every item of a parser, checked, or the FormatError it raised (never after a record)."""
    items: list[Any] = []
    try:
        items.extend(make())
    except FormatError as error:
        assert not any(isinstance(i, SourceRecord) for i in items), "FormatError after a record"
        assert error.path == path and str(error).startswith(path.name)
        return error
    for item in items:
        assert isinstance(item, SourceRecord | RecordError), item
        if isinstance(item, RecordError):
            assert item.file == path.name and item.record_number >= 1 and item.reason, item
            assert len(item.raw) <= 201
    return items


def detect(path: Path) -> Format | None:
    try:
        return detect_format(path)
    except FormatError as error:
        assert str(error).startswith(path.name)
        return None


def every_parser(path: Path) -> None:
    """Detection and each parser on the same file, whatever it holds."""
    found = detect(path)
    if found is not None:
        parse_all(path, lambda: open_parser(path, found))
    parse_all(path, lambda: BmfParser(path))
    parse_all(path, lambda: GrantsGovParser(path))
    parse_all(path, lambda: UserListParser(path))
    parse_all(path, lambda: UserListParser(path, ColumnMapping(name="Name", ein="EIN", amount="Amount")))
    with contextlib.suppress(FormatError):
        preview(path)


# -- random bytes -------------------------------------------------------------------------------
PREFIXES = [
    b"",
    b"\xef\xbb\xbf",
    b"PK\x03\x04",
    b"PK\x05\x06" + b"\0" * 18,
    b"<?xml version='1.0'?>",
    f'<Grants xmlns="{NAMESPACE}">'.encode(),
    b"<Grants>",
    (BMF_LINE + "\r\n").encode(),
    b"Name,EIN,Amount\r\n",
    b"\xff\xfe",
    b"\x00\x00\x00",
    b"<!DOCTYPE x [",
    b"<![CDATA[",
]


@fuzz(250)
@given(
    prefix=st.sampled_from(PREFIXES),
    body=st.binary(max_size=3_000),
    suffix=st.sampled_from([".csv", ".xml", ".zip", ".xlsx", ".txt", ""]),
)
def test_random_bytes_through_detection_and_every_parser(
    tmp_path: Path, prefix: bytes, body: bytes, suffix: str
) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(prefix + body)
    every_parser(path)


# -- random CSV structures ----------------------------------------------------------------------
SPECIAL_CELLS = [
    '"',
    '""',
    ",",
    ";",
    "\t",
    "|",
    "\n",
    "\r\n",
    "\r",
    " ",
    "",
    "NULL",
    "$1,234.56",
    "(500)",
    "-3",
    "12-3456789",
    "1234567",
    "2024-01-31",
    "1/2/2003",
    "31.12.2024",
    "2024",
    "VT",
    "vt",
    "Nh",
    '="01"',
    "\ufeff",
    "é",
    "🙂",
    "\u202e",
    "\x00",
    "0" * 15,
    "1e9",
    "ﬁ",
    "١٢٣٤٥٦٧٨٩",
]
cell = st.one_of(
    st.sampled_from(SPECIAL_CELLS),
    st.text(max_size=12),
    st.lists(st.sampled_from(SPECIAL_CELLS), max_size=3).map("".join),
)
header_names = st.one_of(
    st.sampled_from(
        [
            "Name",
            "EIN",
            "Tax ID",
            "Amount",
            "Grant Amount",
            "Date",
            "State",
            "City",
            "Funder",
            "Organization Name",
            "",
            "name",
            "NAME ",
            '"q"',
            "EIN",
            "Amount",
        ]
    ),
    st.text(max_size=8),
)


@st.composite
def csv_files(draw: st.DrawFn, header: st.SearchStrategy[list[str]] | None = None) -> bytes:
    """A CSV in a random dialect and encoding, sometimes damaged afterwards."""
    head = draw(header if header is not None else st.lists(header_names, max_size=8))
    rows = draw(st.lists(st.lists(cell, max_size=10), max_size=12))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC, csv.QUOTE_NONE]))
    text = io.StringIO()
    writer = csv.writer(
        text,
        delimiter=draw(st.sampled_from([",", ";", "\t", "|"])),
        quoting=quoting,
        escapechar="\\" if quoting == csv.QUOTE_NONE else None,
        lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"])),
    )
    for row in ([head] if head else []) + rows:
        try:
            writer.writerow(row)
        except csv.Error:  # what this dialect cannot write (e.g. QUOTE_NONE and a lone empty field)
            text.write(",".join(row) + "\n")
    data = text.getvalue().encode(
        draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])), errors="replace"
    )
    if draw(st.booleans()):  # damage: bytes spliced in, or cut off
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=40)) + (data[at:] if draw(st.booleans()) else b"")
    return data


grantor_header = st.one_of(
    st.lists(header_names, max_size=8),
    st.lists(header_names, max_size=6).map(lambda h: ["Name", *h]),
    st.lists(header_names, max_size=6).map(lambda h: [*h, "EIN", "Amount"]),
)


@fuzz(150)
@given(data=csv_files(grantor_header))
def test_random_csv_structures_as_grantor_lists(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "grantors.csv"
    path.write_bytes(data)
    every_parser(path)
    try:
        sample = preview(path)
    except FormatError:
        return
    for mapping in (
        sample.guessed,
        ColumnMapping(name=sample.header[0] if sample.header else None),
        ColumnMapping(ein=sample.header[-1] if sample.header else None, amount="nope"),
    ):
        parsed = parse_all(path, lambda m=mapping: UserListParser(path, m))  # type: ignore[misc]
        if isinstance(parsed, list):
            numbers = [i.record_number for i in parsed if isinstance(i, RecordError)]
            assert numbers == sorted(numbers)


bmf_cell = st.one_of(
    cell,
    st.sampled_from(
        [
            "010180687",
            "000000000",
            "S30",
            "Z99",
            "15",
            "03",
            "200211",
            "000000",
            "202413",
            "-20",
            "1416834",
            "ZZ",
        ]
    ),
)
bmf_row = st.one_of(
    st.lists(bmf_cell, min_size=len(BMF_HEADER), max_size=len(BMF_HEADER)),  # right width, random values
    st.lists(bmf_cell, max_size=len(BMF_HEADER) + 3),  # ragged
    st.just(GOOD_BMF.split(",")),
)


@fuzz(150)
@given(rows=st.lists(bmf_row, max_size=15), ending=st.sampled_from(["\r\n", "\n"]), bom=st.booleans())
def test_random_csv_structures_under_a_bmf_header(
    tmp_path: Path, rows: list[list[str]], ending: str, bom: bool
) -> None:
    """Quoted cells with commas, quotes and line breaks, wrong widths: every physical line after the
    header is one item (a record or a rejected line), and a good line among them survives."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator=ending)
    writer.writerow(BMF_HEADER)
    writer.writerows(rows)
    text.write(GOOD_BMF + ending)
    data = text.getvalue().encode("utf-8", errors="surrogatepass")
    path = tmp_path / "eo_fuzz.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    parsed = parse_all(path, lambda: BmfParser(path))
    if bom:  # a BOM before the header: the file is refused with one message, not misread
        assert isinstance(parsed, FormatError | list)
        return
    assert isinstance(parsed, list)
    body_lines = data.split(b"\n")[1:]
    assert len(parsed) == sum(1 for line in body_lines if line.strip())
    assert isinstance(parsed[-1], SourceRecord) and parsed[-1].ein == "010180687"
    assert detect(path) in (Format.IRS_BMF, None)  # None: a NUL in a cell makes it "binary"


# -- random XML structures ----------------------------------------------------------------------
_NS = "{" + NAMESPACE + "}"
FIELD_NAMES = [
    "OpportunityID",
    "OpportunityTitle",
    "OpportunityNumber",
    "PostDate",
    "CloseDate",
    "ArchiveDate",
    "AwardCeiling",
    "AwardFloor",
    "EstimatedTotalProgramFunding",
    "Description",
    "CFDANumbers",
    "EligibleApplicants",
    "AgencyName",
    "CategoryOfFundingActivity",
    "FundingInstrumentType",
    "EstimatedSynopsisCloseDate",
    "LastUpdatedDate",
    "Unknown",
    "x",
]
# Characters XML 1.0 allows (no controls, surrogates, U+FFFE/U+FFFF): a well-formed document stays one.
xml_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    max_size=20,
)
field_value = st.one_of(
    xml_text,
    st.sampled_from(
        [
            "1",
            "131073",
            "01152025",
            "13452025",
            "02302025",
            "0",
            "none",
            "50000",
            "-5",
            "1,000",
            "&lt;p&gt;hi&lt;/p&gt;",
            "",
            " 7 ",
        ]
    ),
    st.integers(0, 10**12).map(str),
)


def _tag(name: str, namespace: str) -> str:
    return {"ns": _NS, "none": "", "other": "{urn:other}"}[namespace] + name


field = st.builds(
    lambda name, ns, value: (_tag(name, ns), value),
    st.sampled_from(FIELD_NAMES),
    st.sampled_from(["ns", "ns", "ns", "none", "other"]),
    field_value,
)
record = st.builds(
    lambda kind, ns, fields, nested: (_tag(kind, ns), fields, nested),
    st.sampled_from(["OpportunitySynopsisDetail_1_0", "OpportunityForecastDetail_1_0", "Other", "Grants"]),
    st.sampled_from(["ns", "ns", "ns", "none"]),
    st.lists(field, max_size=8),
    st.booleans(),
)


def build_document(records: list[tuple[str, list[tuple[str, str]], bool]], root_tag: str) -> ET.Element:
    root = ET.Element(root_tag)
    for tag, fields, nested in records:
        element = ET.SubElement(root, tag, {"attr": "x'y\"z"} if nested else {})
        for name, value in fields:
            child = ET.SubElement(element, name)
            child.text = value
            if nested:  # deeper structure inside a field
                ET.SubElement(child, _NS + "Deeper").text = value
    return root


@fuzz(200)
@given(
    records=st.lists(record, max_size=8),
    root=st.sampled_from([_NS + "Grants", _NS + "Grants", "Grants", "{urn:other}Grants", _NS + "Other"]),
    declaration=st.booleans(),
    container=st.sampled_from(["xml", "xml", "zip", "zip-streamed"]),
)
def test_random_xml_structures_as_grants_extracts(
    tmp_path: Path, records: list[Any], root: str, declaration: bool, container: str
) -> None:
    """Well-formed documents: with the Grants root every element under it is exactly one item; with
    another root, one FormatError."""
    document = ET.tostring(build_document(records, root), encoding="utf-8", xml_declaration=declaration)
    path = write_container(tmp_path, document, container)
    parsed = parse_all(path, lambda: GrantsGovParser(path))
    if root != _NS + "Grants":
        assert isinstance(parsed, FormatError)
        return
    assert isinstance(parsed, list) and len(parsed) == len(records)
    for item, (tag, _fields, _nested) in zip(parsed, records, strict=True):
        if not tag.endswith(("SynopsisDetail_1_0", "ForecastDetail_1_0")) or not tag.startswith(_NS):
            assert isinstance(item, RecordError) and "unknown record type" in item.reason
    assert detect(path) in (Format.GRANTS_GOV, None)


def write_container(tmp_path: Path, document: bytes, container: str) -> Path:
    if container == "xml":
        path = tmp_path / "extract.xml"
        path.write_bytes(document)
        return path
    path = tmp_path / "extract.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if container == "zip-streamed":  # written as a stream: sizes in data descriptors
            with archive.open("GrantsDBExtract.xml", "w", force_zip64=False) as member:
                member.write(document)
        else:
            archive.writestr("GrantsDBExtract.xml", document)
    return path


MANGLES = [
    "cut",
    "splice",
    "doctype",
    "comment-cdata-pi",
    "unclosed",
    "bad-encoding",
    "wrong-encoding-declared",
]


@fuzz(200)
@given(
    records=st.lists(record, min_size=1, max_size=6),
    mangle=st.sampled_from(MANGLES),
    position=st.floats(0, 1),
    junk=st.binary(max_size=30),
    container=st.sampled_from(["xml", "zip"]),
)
def test_damaged_xml_structures_never_escape_the_parser(
    tmp_path: Path, records: list[Any], mangle: str, position: float, junk: bytes, container: str
) -> None:
    document = ET.tostring(build_document(records, _NS + "Grants"), encoding="utf-8", xml_declaration=True)
    at = int(len(document) * position)
    if mangle == "cut":
        document = document[:at]
    elif mangle == "splice":
        document = document[:at] + junk + document[at:]
    elif mangle == "doctype":
        document = (
            b'<?xml version="1.0"?><!DOCTYPE Grants [<!ENTITY e "&#60;x&#62;"><!ENTITY f "&e;&e;">]>'
            + document.split(b"?>", 1)[1].replace(b"</Grants>", b"<x>&f;</x></Grants>", 1)
        )
    elif mangle == "comment-cdata-pi":
        document = document[:at] + b"<!-- c --><![CDATA[<not a tag>]]><?pi x?>" + document[at:]
    elif mangle == "unclosed":
        document = document.replace(b"</", b"<", 1)
    elif mangle == "bad-encoding":
        document = document.replace(b"utf-8", b"no-such-encoding", 1)
    elif mangle == "wrong-encoding-declared":
        document = document.replace(b"utf-8", b"utf-16", 1)
    path = write_container(tmp_path, document, container)
    every_parser(path)


@pytest.mark.timeout(60)
def test_entity_expansion_and_external_entities_are_not_followed(tmp_path: Path) -> None:
    """A "billion laughs" document ends quickly with one message, and an external entity is never
    read (the record never holds the file's content)."""
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE Grants [<!ENTITY l0 "ha">{laughs}]>'
        f'<Grants xmlns="{NAMESPACE}"><OpportunitySynopsisDetail_1_0><OpportunityID>1</OpportunityID>'
        f"<Description>&l9;</Description></OpportunitySynopsisDetail_1_0></Grants>"
    )
    path = tmp_path / "bomb.xml"
    path.write_text(bomb)
    parsed = parse_all(path, lambda: GrantsGovParser(path))
    assert isinstance(parsed, FormatError) or all(len(getattr(i, "description", "")) < 10_000 for i in parsed)

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    external = (
        f'<?xml version="1.0"?><!DOCTYPE Grants [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        f'<Grants xmlns="{NAMESPACE}"><OpportunitySynopsisDetail_1_0><OpportunityID>2</OpportunityID>'
        f"<Description>&x;</Description></OpportunitySynopsisDetail_1_0></Grants>"
    )
    path = tmp_path / "external.xml"
    path.write_text(external)
    parsed = parse_all(path, lambda: GrantsGovParser(path))
    assert "TOP-SECRET-CONTENT" not in repr(parsed)


# -- XLSX-looking zips --------------------------------------------------------------------------
@fuzz(60)
@given(
    members=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "[Content_Types].xml",
                    "xl/workbook.xml",
                    "xl/worksheets/sheet1.xml",
                    "xl/_rels/workbook.xml.rels",
                    "_rels/.rels",
                    "xl/sharedStrings.xml",
                    "data.xml",
                    "x",
                ]
            ),
            st.one_of(st.binary(max_size=200), xml_text.map(str.encode)),
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda m: m[0],
    )
)
def test_random_zips_that_look_like_workbooks(tmp_path: Path, members: list[tuple[str, bytes]]) -> None:
    path = tmp_path / "grantors.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    every_parser(path)


# -- the importer end to end --------------------------------------------------------------------
any_file = st.one_of(
    st.tuples(st.just("bytes.csv"), st.binary(max_size=2_000)),
    st.tuples(st.just("grantors.csv"), csv_files()),
    st.tuples(
        st.just("eo_xx.csv"),
        st.lists(bmf_row, max_size=10).map(
            lambda rows: "\r\n".join(
                [BMF_LINE, *(",".join(r).replace("\n", " ").replace("\r", " ") for r in rows), GOOD_BMF]
            ).encode("utf-8", errors="surrogatepass")
        ),
    ),
    st.tuples(
        st.just("extract.xml"),
        st.lists(record, max_size=5).map(
            lambda records: ET.tostring(build_document(records, _NS + "Grants"), encoding="utf-8")
        ),
    ),
)


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory):
    from catalynx_desktop.storage.database import Database

    loop = asyncio.new_event_loop()
    db = loop.run_until_complete(Database.open(tmp_path_factory.mktemp("import-fuzz") / "catalynx.sqlite3"))
    yield loop, db
    loop.run_until_complete(db.close())
    loop.close()


@fuzz(80)
@given(file=any_file)
def test_the_importer_end_to_end_on_random_files(tmp_path: Path, fuzz_db, file: tuple[str, bytes]) -> None:
    from catalynx_desktop.workflows.importing.importer import import_file

    loop, db = fuzz_db
    name, data = file
    path = tmp_path / name
    path.write_bytes(data)
    before = loop.run_until_complete(db.fetch_one("SELECT count(*) FROM source_records"))[0]
    try:
        report = loop.run_until_complete(import_file(db, path, use_process=False, batch_size=7))
    except FormatError as error:
        assert str(error).startswith(name)
        assert loop.run_until_complete(db.fetch_one("SELECT count(*) FROM source_records"))[0] == before
        return
    assert report.records_read == report.inserted + report.updated + report.unchanged + report.skipped
    assert report.skipped == len(report.errors) + report.errors_truncated
    after = loop.run_until_complete(db.fetch_one("SELECT count(*) FROM source_records"))[0]
    assert after == before + report.inserted
    (search_rows,) = loop.run_until_complete(db.fetch_one("SELECT count(*) FROM record_search"))
    assert search_rows == after  # the full-text index kept in step
    assert loop.run_until_complete(db.fetch_one("PRAGMA quick_check"))[0] == "ok"


# -- found by the fuzzing, fixed in sources/ ----------------------------------------------------
HUGE = "9" * 25  # beyond SQLite's 64-bit integers


def test_a_grantor_list_amount_too_large_for_a_float_rejects_the_row(tmp_path: Path) -> None:
    path = tmp_path / "grantors.csv"
    path.write_text(f"Name,Amount\nHarbor Fund,{'9' * 400}\nOther Fund,5\nThird Fund,{HUGE}\n")
    parsed = parse_all(path, lambda: UserListParser(path))
    assert (
        isinstance(parsed, list)
        and isinstance(parsed[0], RecordError)
        and isinstance(parsed[1], SourceRecord)
    )
    assert isinstance(parsed[2], RecordError)  # fits a float, not SQLite's 64-bit integers
    assert [(e.file, e.record_number) for e in (parsed[0], parsed[2])] == [(path.name, 2), (path.name, 4)]
    assert all(
        "amount" in e.reason and "stored" in e.reason and len(e.reason) < 200 for e in (parsed[0], parsed[2])
    )


@pytest.mark.parametrize("kind", ["bmf", "grants"])
def test_an_amount_beyond_64_bits_rejects_the_record_not_the_import(tmp_path: Path, kind: str) -> None:
    from catalynx_desktop.storage.database import Database
    from catalynx_desktop.workflows.importing.importer import import_file

    if kind == "bmf":
        path = tmp_path / "eo_big.csv"
        fields = GOOD_BMF.split(",")
        fields[BMF_HEADER.index("ASSET_AMT")] = HUGE
        path.write_text(
            f"{BMF_LINE}\r\n{','.join(fields)}\r\n{GOOD_BMF.replace('010180687', '010180688')}\r\n"
        )
    else:
        path = tmp_path / "extract.xml"
        record_xml = (
            "<OpportunitySynopsisDetail_1_0><OpportunityID>{}</OpportunityID><AwardCeiling>{}</AwardCeiling>"
            "</OpportunitySynopsisDetail_1_0>"
        )
        path.write_text(
            f'<Grants xmlns="{NAMESPACE}">{record_xml.format(1, HUGE)}{record_xml.format(2, 5)}</Grants>'
        )

    async def scenario() -> Any:
        db = await Database.open(tmp_path / "catalynx.sqlite3")
        try:
            return await import_file(db, path, use_process=False)
        finally:
            await db.close()

    report = arun(scenario())
    assert (report.inserted, report.skipped) == (1, 1)
    (error,) = report.errors
    field_name = "ASSET_AMT" if kind == "bmf" else "AwardCeiling"
    assert (error.file, error.record_number) == (path.name, 2 if kind == "bmf" else 1)
    assert field_name in error.reason and "stored" in error.reason, error.reason


@pytest.mark.parametrize(
    "encoding", ["no-such-encoding", "rot13", "shift_jis"]
)  # Lookup-, Lookup-, ValueError
@pytest.mark.parametrize("container", ["xml", "zip"])
@pytest.mark.parametrize("step", ["detect", "parse"])
def test_an_unknown_declared_encoding_is_one_format_error(
    tmp_path: Path, step: str, container: str, encoding: str
) -> None:
    document = f'<?xml version="1.0" encoding="{encoding}"?><Grants xmlns="{NAMESPACE}"/>'.encode()
    path = write_container(tmp_path, document, container)
    with pytest.raises(FormatError) as raised:
        detect_format(path) if step == "detect" else list(GrantsGovParser(path))
    message = str(raised.value)
    assert message.startswith(f"{path.name}: ") and f"declares encoding '{encoding}'" in message, message
    assert "which Python cannot read" in message and "UTF-8" in message, message


def test_the_cli_import_of_a_file_in_an_unknown_encoding_prints_one_message(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "extract.xml"
    path.write_bytes(f'<?xml version="1.0" encoding="x-foo"?><Grants xmlns="{NAMESPACE}"/>'.encode())
    done = subprocess.run(
        [sys.executable, "-m", "catalynx_desktop", "import", str(path), "--data-dir", str(tmp_path / "home")],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "LookupError" not in done.stderr, done.stderr
    assert "declares encoding 'x-foo', which Python cannot read" in done.stderr, done.stderr
