"""Smaller bad inputs from issue 14: each gets the usual one-line message, not an exception's text.

- An XLSX whose sheet declares an external entity (XXE): "ParseError: undefined entity" came
  out of the middle of the import; now it is the same "this Excel workbook cannot be read"
  message as any other damaged workbook, and the entity is never resolved.
- A folder passed to `import` was called "no such file"; now the CLI says it is a folder and
  what to pass instead (sources/inputs.py holds the one check, so kinds of folders can be
  accepted later).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from catalynx_desktop.sources.base import FormatError
from catalynx_desktop.sources.user_list import UserListParser
from tests.reliability.filesystems import REPO


def _xxe_workbook(path: Path, secret: Path) -> Path:
    plain = path.with_name("plain.xlsx")
    book = openpyxl.Workbook()
    book.active.append(["Name", "EIN", "State"])
    book.active.append(["Green Mountain Fund", "030103260", "VT"])
    book.save(plain)
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == sheet:
                doctype = f'<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file://{secret}">]>'.encode()
                body = data.replace(b"Green Mountain Fund", b"&secret;")
                if body.startswith(b"<?xml"):
                    declaration, body = body.split(b"?>", 1)
                    doctype = declaration + b"?>" + doctype
                data = doctype + body
            target.writestr(info, data)
    plain.unlink()
    return path


def test_an_xlsx_with_an_external_entity_gets_the_usual_message(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    workbook = _xxe_workbook(tmp_path / "grantors.xlsx", secret)

    with pytest.raises(FormatError) as caught:
        list(UserListParser(workbook))

    message = str(caught.value)
    assert message.startswith("grantors.xlsx: this Excel workbook cannot be read"), message
    assert "TOP SECRET" not in message


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "catalynx_desktop", "--data-dir", str(home), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )


def test_a_folder_passed_to_import_is_called_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "eo_vt.csv").write_bytes((REPO / "tests" / "data" / "eo_vt.csv").read_bytes())

    result = _cli(tmp_path / "home", "import", str(folder))

    assert result.returncode == 2, result
    assert "no such file" not in result.stderr
    assert f"import: {folder}: this is a folder" in result.stderr, result.stderr
    assert "eo_vt.csv" in result.stderr  # what to pass instead: the files in it we can read
