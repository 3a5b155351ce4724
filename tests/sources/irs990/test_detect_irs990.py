"""Format detection of IRS 990 inputs: a return, a TEOS zip (even cut short), an index CSV, a folder."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from catalynx_desktop.sources.base import FormatError
from catalynx_desktop.sources.detect import Format, detect_format, open_parser
from tests.sources.irs990.conftest import COPY

RETURNS = sorted((COPY / "returns").glob("*_public.xml"))
INDEX_HEADER = (
    "RETURN_ID,FILING_TYPE,EIN,TAX_PERIOD,SUB_DATE,TAXPAYER_NAME,RETURN_TYPE,DLN,OBJECT_ID,XML_BATCH_ID\n"
)


def _teos_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in RETURNS:
            archive.writestr(f"2024_TEOS_XML_05A/{file.name}", file.read_bytes())
    return path


def test_each_real_return_is_an_irs990_return() -> None:
    for path in RETURNS:
        assert detect_format(path) is Format.IRS990_RETURN


def test_a_teos_zip_even_cut_short_and_an_index(tmp_path: Path) -> None:
    archive = _teos_zip(tmp_path / "2024_TEOS_XML_05A.zip")
    assert detect_format(archive) is Format.IRS990_ZIP
    cut = tmp_path / "2024_TEOS_XML_05B.zip"
    cut.write_bytes(archive.read_bytes()[:50_000])
    assert detect_format(cut) is Format.IRS990_ZIP
    index = tmp_path / "index_2024.csv"
    index.write_text(INDEX_HEADER + "1,EFILE,046662754,201512,2016,X,990PF,1,201601249349100900,201601\n")
    assert detect_format(index) is Format.IRS990_INDEX


def test_a_folder_of_returns_and_a_folder_without(tmp_path: Path) -> None:
    nested = tmp_path / "returns" / "2024"
    nested.mkdir(parents=True)
    (tmp_path / "returns" / "notes.xml").write_text("<notes/>")
    shutil.copy(RETURNS[0], nested / RETURNS[0].name)
    assert detect_format(tmp_path / "returns") is Format.IRS990_FOLDER
    empty = tmp_path / "other"
    empty.mkdir()
    (empty / "a.xml").write_text("<a/>")
    with pytest.raises(
        FormatError, match=r"^other: this is a folder, and it holds no IRS 990 return XML files"
    ):
        detect_format(empty)


def test_claims_must_agree_and_990_formats_are_not_record_parsers(tmp_path: Path) -> None:
    with pytest.raises(
        FormatError, match=r"expected a Grants\.gov XML extract, but this is an IRS 990 e-file return"
    ):
        detect_format(RETURNS[0], claimed=Format.GRANTS_GOV)
    assert detect_format(RETURNS[0], claimed="irs990_return") is Format.IRS990_RETURN
    with pytest.raises(ValueError, match="read_source"):
        open_parser(RETURNS[0], Format.IRS990_RETURN)
