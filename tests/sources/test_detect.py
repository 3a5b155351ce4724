"""Format sniffing: the right format, or one clear error naming the file."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from catalynx_desktop.sources.base import FormatError
from catalynx_desktop.sources.detect import Format, detect_format
from tests.datagen.grantsgov_gen import write_grants_zip
from tests.sources.conftest import REAL_GRANT, VT_FILE
from tests.sources.test_user_list import write_xlsx


def test_each_real_or_generated_format_is_recognised(tmp_path: Path) -> None:
    assert detect_format(VT_FILE) is Format.IRS_BMF
    assert detect_format(REAL_GRANT) is Format.GRANTS_GOV
    assert detect_format(write_grants_zip(tmp_path / "g.zip", 10, streamed=True)) is Format.GRANTS_GOV
    assert detect_format(write_xlsx(tmp_path / "l.xlsx", [["Name"], ["A"]])) is Format.USER_XLSX
    listing = tmp_path / "l.csv"
    listing.write_text("Name,EIN\nA,1\n")
    assert detect_format(listing) is Format.USER_CSV
    assert detect_format(VT_FILE, claimed=Format.USER_CSV) is Format.USER_CSV  # a BMF is also a CSV list


def test_a_zip_without_a_grants_extract_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "GrantsDBExtract20250101v2.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("eo_vt.csv", VT_FILE.read_bytes()[:500])
    with pytest.raises(FormatError) as info:
        detect_format(path)
    assert str(info.value).startswith(
        "GrantsDBExtract20250101v2.zip: this zip holds no Grants.gov XML extract"
    )


def test_a_zip_with_some_other_xml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("return.xml", "<?xml version='1.0'?><Return xmlns='http://www.irs.gov/efile'/>")
    with pytest.raises(
        FormatError, match=r"other.zip: the XML file return.xml in this zip is not a Grants.gov"
    ):
        detect_format(path)


def test_claimed_bmf_with_another_header_names_the_header(tmp_path: Path) -> None:
    path = tmp_path / "eo_ny.csv"
    path.write_text("Name,EIN,Amount\nA,1,2\n")
    with pytest.raises(FormatError) as info:
        detect_format(path, claimed=Format.IRS_BMF)
    message = str(info.value)
    assert message.startswith("eo_ny.csv: ") and "EIN,NAME,ICO" in message and "Name,EIN,Amount" in message


def test_claimed_grants_gov_for_a_csv_fails(tmp_path: Path) -> None:
    with pytest.raises(
        FormatError, match=re.escape("expected a Grants.gov XML extract, but this is an IRS EO Business")
    ):
        detect_format(VT_FILE, claimed="grants_gov")


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "empty"),
        (b"\x00\x01\x02garbage\x00" * 10, "binary"),
        (b"PK\x03\x04 not really a zip", "damaged"),
        (b"<html><body>hi</body></html>", "root element is <html>"),
        (b"<?xml version='1.0'?><Grants><unclosed", "not a Grants.gov extract"),
    ],
)
def test_broken_files_fail_once_with_a_clear_message(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "input.dat"
    path.write_bytes(content)
    with pytest.raises(FormatError, match=expected) as info:
        detect_format(path)
    assert str(info.value).startswith("input.dat: ")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="does not exist"):
        detect_format(tmp_path / "nope.csv")
