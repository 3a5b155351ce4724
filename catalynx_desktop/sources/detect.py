"""Which format is this file? One clear FormatError (naming the file) when it is none we read,
or not the one the caller claims. Reads only the first bytes of the file."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from enum import StrEnum
from pathlib import Path
from typing import Any, cast

from catalynx_desktop.sources.base import FormatError, Parser
from catalynx_desktop.sources.bmf import BMF_HEADER, BmfParser, read_header
from catalynx_desktop.sources.grantsgov import NAMESPACE, ROOT_TAG, GrantsGovParser, encoding_error
from catalynx_desktop.sources.inputs import check_importable, folder_reason
from catalynx_desktop.sources.limits import open_member
from catalynx_desktop.sources.user_list import ColumnMapping, UserListParser, is_xlsx


class Format(StrEnum):
    IRS_BMF = "irs_bmf"
    GRANTS_GOV = "grants_gov"
    USER_CSV = "user_csv"
    USER_XLSX = "user_xlsx"
    IRS990_RETURN = "irs990_return"
    IRS990_ZIP = "irs990_zip"
    IRS990_INDEX = "irs990_index"
    IRS990_FOLDER = "irs990_folder"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Format.IRS_BMF: "an IRS EO Business Master File CSV",
    Format.GRANTS_GOV: "a Grants.gov XML extract",
    Format.USER_CSV: "a CSV list of grantors",
    Format.USER_XLSX: "an Excel list of grantors",
    Format.IRS990_RETURN: "an IRS 990 e-file return (XML)",
    Format.IRS990_ZIP: "an IRS 990 bulk download zip (TEOS XML)",
    Format.IRS990_INDEX: "an IRS 990 e-file index CSV",
    Format.IRS990_FOLDER: "a folder of IRS 990 e-file returns",
}
IRS_RETURN_TAG = "{http://www.irs.gov/efile}Return"
# Formats sources/irs990 reads (read_source); they are not record streams for open_parser.
IRS990_FORMATS = frozenset(
    {Format.IRS990_RETURN, Format.IRS990_ZIP, Format.IRS990_INDEX, Format.IRS990_FOLDER}
)
_FOLDER_PEEK = 20  # XML files looked at before a folder is declared not a folder of returns


def _xml_root(path: Path, head: bytes, where: str = "this XML file") -> str | None:
    """Tag of the first element in `head` (a prefix of an XML document), or None."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start",))
    try:
        parser.feed(head)
        for event in parser.read_events():
            tag: str = cast(Any, event)[1].tag  # (event, element); typeshed types it loosely
            return tag
    except ET.ParseError as error:
        raise FormatError(path, f"this is not readable XML ({error})") from error
    except (LookupError, ValueError) as error:  # expat on the declared encoding: see encoding_error
        raise encoding_error(path, head, error, where) from error
    return None


def _check_grants_root(path: Path, tag: str | None, where: str) -> None:
    if tag != ROOT_TAG:
        local = (tag or "nothing").rsplit("}", 1)[-1]
        namespace = tag[1:].split("}")[0] if tag and tag.startswith("{") else "no namespace"
        raise FormatError(
            path,
            f"{where} is not a Grants.gov extract: its root element is <{local}> "
            f"({namespace}), expected <Grants> in {NAMESPACE}",
        )


def _first_local_name(head: bytes) -> str:
    """The first member's name from a zip's first local header (readable even when cut short)."""
    if len(head) < 30 or not head.startswith(b"PK\x03\x04"):
        return ""
    name_length = int.from_bytes(head[26:28], "little")
    return head[30 : 30 + name_length].decode("cp437", "replace")


def _detect_zip(path: Path, head: bytes) -> Format:
    # Imported here: sources.irs990 loads lxml and the 990 tables (~70 ms) that start-up does not need.
    from catalynx_desktop.sources.irs990.parser import object_id_from_name

    if is_xlsx(path):
        return Format.USER_XLSX
    try:
        with path.open("rb") as raw, zipfile.ZipFile(raw) as archive:
            if any(object_id_from_name(m.filename) for m in archive.infolist()):
                return Format.IRS990_ZIP  # TEOS members are {OBJECT_ID}_public.xml
            members = [m for m in archive.infolist() if m.filename.lower().endswith(".xml")]
            if not members:
                listed = ", ".join(m.filename for m in archive.infolist()[:5]) or "nothing"
                raise FormatError(path, f"this zip holds no Grants.gov XML extract (it holds {listed})")
            where = f"the XML file {members[0].filename} in this zip"
            # Bounded: zipfile alone inflates a bzip2 member whole on the first read (a bomb).
            with open_member(path, raw, archive, members[0], where) as member:
                head = member.read(64 * 1024)
    except (zipfile.BadZipFile, EOFError) as error:
        if object_id_from_name(_first_local_name(head)):
            return Format.IRS990_ZIP  # cut short: the reader salvages the members before the cut
        raise FormatError(path, f"this zip archive is damaged ({error})") from error
    _check_grants_root(path, _xml_root(path, head, where), where)
    return Format.GRANTS_GOV


def detect_format(path: Path | str, claimed: Format | str | None = None) -> Format:
    """Sniff the format from content (not the extension). Raises FormatError with one message.

    `claimed` (what the user picked, or what the file extension promises) must agree with
    the content, e.g. claiming IRS_BMF for a CSV whose header is not the BMF header fails.
    """
    path = check_importable(path)  # nothing there, a device, ...: one message saying what to pass
    if path.is_dir():
        return _agree(path, _detect_folder(path), claimed)
    with path.open("rb") as stream:
        head = stream.read(64 * 1024)
    if not head.strip():
        raise FormatError(path, "the file is empty")
    found: Format
    if head.startswith(b"PK\x03\x04") or zipfile.is_zipfile(path):
        found = _detect_zip(path, head)
    elif head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        tag = _xml_root(path, head)
        if tag == IRS_RETURN_TAG:
            found = Format.IRS990_RETURN
        else:
            _check_grants_root(path, tag, "this XML file")
            found = Format.GRANTS_GOV
    elif b"\x00" in head.split(b"\n", 1)[0]:
        # A header line never holds a NUL (UTF-16 text and binary files do at once). A NUL further
        # on is a damaged record, rejected on its own by the parser wherever it is.
        raise FormatError(path, "this is a binary file, not CSV, XML, XLSX or a Grants.gov zip")
    else:
        first_line = head.split(b"\n", 1)[0]
        try:
            read_header(path, first_line)
            found = Format.IRS_BMF
        except FormatError:
            from catalynx_desktop.sources.irs990.reader import is_index_header  # see _detect_zip

            text = first_line.decode("utf-8-sig", "replace")
            found = Format.IRS990_INDEX if is_index_header(text) else Format.USER_CSV
    if path.suffix.lower() == ".zip" and found not in (Format.GRANTS_GOV, Format.IRS990_ZIP):
        raise FormatError(
            path,
            f"a .zip here must hold a Grants.gov XML extract or IRS 990 returns, but this is {found.label}",
        )
    return _agree(path, found, claimed, head)


def _agree(path: Path, found: Format, claimed: Format | str | None, head: bytes = b"") -> Format:
    if claimed is not None:
        claimed = Format(claimed)
        if claimed is Format.USER_CSV and found is Format.IRS_BMF:
            return claimed  # a BMF file is also a CSV; the user chose to treat it as a list
        if claimed is not found:
            if claimed is Format.IRS_BMF:
                # Re-run the header check for its precise message.
                read_header(path, head.split(b"\n", 1)[0])
            raise FormatError(path, f"expected {claimed.label}, but this is {found.label}")
    return found


def _detect_folder(path: Path) -> Format:
    """A folder is a folder of returns when the first XML files found in it are IRS returns."""
    looked = 0
    for candidate in path.rglob("*.xml"):
        if not candidate.is_file():
            continue
        with candidate.open("rb") as stream:
            head = stream.read(4096)
        try:
            if _xml_root(candidate, head) == IRS_RETURN_TAG:
                return Format.IRS990_FOLDER
        except FormatError:
            pass  # one unreadable file does not decide the folder
        looked += 1
        if looked >= _FOLDER_PEEK:
            break
    raise FormatError(path, folder_reason(path))


def open_parser(path: Path | str, fmt: Format, mapping: ColumnMapping | None = None) -> Parser:
    path = Path(path)
    if fmt in IRS990_FORMATS:
        raise ValueError(f"{fmt.label} is read with sources.irs990.reader.read_source, not as source records")
    if fmt is Format.IRS_BMF:
        return BmfParser(path)
    if fmt is Format.GRANTS_GOV:
        return GrantsGovParser(path)
    return UserListParser(path, mapping)


__all__ = ["BMF_HEADER", "Format", "FormatError", "detect_format", "open_parser"]
