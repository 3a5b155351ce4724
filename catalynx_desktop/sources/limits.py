"""How far a file may expand while it is read: caps against zip, bzip2 and spreadsheet bombs.

A 2.8 KB zip can hold a bzip2 member that expands to 3 GB, and Python's zipfile inflates bzip2
and LZMA members in unbounded steps (a single read() of 4 KB compressed returned gigabytes), so
the caps are enforced while reading, never after. Every importer reads compressed or long input
through this module; a file past a cap is refused with one FormatError that names the file and
the zip member, before anything of the oversized part is stored.

The numbers, and why:
- MAX_MEMBER_BYTES: one decompressed zip member. A full Grants.gov extract expands to ~1-2 GB;
  4x that is the limit.
- MAX_RATIO, RATIO_FLOOR_BYTES: decompressed bytes per compressed byte of a member. Real XML
  deflates 5-20x (the generated test extract: 12.6x); deflate cannot pass ~1,030x, bzip2 of
  filler reaches 1,000,000x. Below the floor a member may expand at any ratio: small files of
  repeated rows are normal, and 16 MB costs nothing.
- MAX_RECORD_BYTES: one XML record, or whatever lies between two records (whitespace, comments),
  measured in the decompressed stream. Real Grants.gov opportunities are under 100 KB (the
  Description is the big field); this bounds the memory of one parsed record and the size of
  any one field that could be stored.
- MAX_LINE_BYTES: one CSV line (a BMF line is ~200 bytes, a grantor row with notes a few KB); a
  longer line is skipped and reported without ever being held whole.
- MAX_FIELD_CHARS: one value of a grantor list (the csv module's own limit; Excel's cell limit
  is 32,767).
- WORKBOOK_MAX_PART_BYTES: one part of an XLSX (a sheet, the shared strings). openpyxl loads the
  shared strings whole and a sheet's cells one row at a time, so this bounds its memory (one
  giant cell included). A grantor list of 100,000 rows is ~20 MB of sheet XML.
"""

from __future__ import annotations

import bz2
import lzma
import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any

from catalynx_desktop.sources.base import FormatError

MB = 1024 * 1024
MAX_MEMBER_BYTES = 8 * 1024 * MB
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 16 * MB
MAX_RECORD_BYTES = 4 * MB
MAX_LINE_BYTES = 1 * MB
MAX_FIELD_CHARS = 131_072
WORKBOOK_MAX_PART_BYTES = 64 * MB

_READ = 64 * 1024  # compressed bytes per step; each step yields at most what was asked for


class LimitExceeded(FormatError):
    """The file expands past one of the caps above (a bomb, or not the file it claims to be)."""


def _size(n: int) -> str:
    return f"{n / MB:,.0f} MB" if n >= MB else f"{n:,} bytes"


class CappedReader:
    """A read()-only binary stream over a member (or a plain file) that counts what it returns and
    raises LimitExceeded past MAX_MEMBER_BYTES, MAX_RATIO or MAX_RECORD_BYTES.

    The parser calls record_done() at the end of each record; the bytes since the last call
    (or the start) are one record's, checked at every read (reads are ~16 KB, so a record is
    stopped within 16 KB of its cap, holding at most the cap in memory).
    """

    def __init__(self, stream: IO[bytes], path: Path, where: str, compressed: int | None) -> None:
        self._stream = stream
        self.path = path
        self.where = where  # "the XML file X in this zip" / "this XML file"
        self._compressed = compressed  # None for a plain file (no ratio)
        self.count = 0
        self._record_start = 0
        self.records = 0

    def record_done(self, records: int) -> None:
        self._record_start = self.count
        self.records = records

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(_READ if n is None or n < 0 else n)
        self.count += len(data)
        if self.count - self._record_start > MAX_RECORD_BYTES:
            raise LimitExceeded(
                self.path,
                f"{self.where}: record {self.records + 1:,} (or what follows record {self.records:,}) is "
                f"longer than {_size(MAX_RECORD_BYTES)}, a giant field or filler between records; real "
                "records are under 100 KB. The file was refused at that point",
            )
        if self._compressed is not None:
            self._check_expansion()
        return data

    def _check_expansion(self) -> None:
        if self.count > MAX_MEMBER_BYTES:
            raise LimitExceeded(
                self.path,
                f"{self.where} expands to more than {_size(MAX_MEMBER_BYTES)}; refused as a zip bomb",
            )
        compressed = max(self._compressed or 0, 1)
        if self.count > RATIO_FLOOR_BYTES and self.count > MAX_RATIO * compressed:
            raise LimitExceeded(
                self.path,
                f"{self.where} expands to more than {MAX_RATIO} times its compressed size "
                f"({compressed:,} bytes give over {_size(self.count)}); real files expand under 20 "
                "times. Refused as a zip bomb",
            )

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> CappedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _BoundedDecompression:
    """A bzip2 or LZMA zip member, decompressed in steps of at most what read() asks for.

    zipfile itself decompresses these methods without a bound; deflate and stored members are
    read through zipfile, which bounds each step already.
    """

    def __init__(self, raw: IO[bytes], info: zipfile.ZipInfo) -> None:
        self._raw = raw
        self._info = info
        raw.seek(info.header_offset)
        header = raw.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local header for {info.filename}")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        self._position = info.header_offset + 30 + name_length + extra_length
        self._left = info.compress_size
        self._decompressor: Any
        if info.compress_type == zipfile.ZIP_BZIP2:
            self._decompressor = bz2.BZ2Decompressor()
        else:
            self._decompressor = self._lzma()
        self._crc = 0

    def _lzma(self) -> Any:
        # zip's LZMA: 2 bytes version, 2 bytes properties size, the properties, then raw LZMA1.
        prefix = self._take(4)
        (props_size,) = struct.unpack("<H", prefix[2:4])
        props = self._take(props_size)
        decode = lzma._decode_filter_properties  # type: ignore[attr-defined]  # as zipfile does
        return lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[decode(lzma.FILTER_LZMA1, props)])

    def _take(self, n: int) -> bytes:
        n = min(n, self._left)
        self._raw.seek(self._position)
        data = self._raw.read(n)
        self._position += len(data)
        self._left -= len(data)
        return data

    def read(self, n: int = -1) -> bytes:
        n = _READ if n is None or n < 0 else n
        decompressor = self._decompressor
        while not decompressor.eof:
            feed = b""
            if decompressor.needs_input:
                feed = self._take(_READ)
                if not feed:
                    raise EOFError(f"{self._info.filename} is cut off")
            data: bytes = decompressor.decompress(feed, n)
            if data:
                self._crc = zlib.crc32(data, self._crc)
                return data
        if self._crc != self._info.CRC:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {self._info.filename!r}")
        return b""

    def close(self) -> None:
        pass  # the raw file belongs to the caller


def open_member(
    path: Path, raw: IO[bytes], archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str
) -> CappedReader:
    """A capped reader over one member of `archive` (opened on `raw`, the file at `path`)."""
    compressed = min(info.compress_size, path.stat().st_size)  # the header's size may lie
    if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        stream: Any = archive.open(info)
    elif info.compress_type in (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        if info.flag_bits & 0x1:
            raise FormatError(path, f"{where} is encrypted; export it again without a password")
        stream = _BoundedDecompression(raw, info)
    else:
        raise FormatError(
            path,
            f"{where} is compressed with method {info.compress_type}, which this app does not read; "
            "re-zip it (deflate) or import the XML file itself",
        )
    return CappedReader(stream, path, where, compressed)


def check_workbook(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse an XLSX whose parts would expand past the caps, before openpyxl opens it.

    Excel writes deflate only; zipfile inflates deflate in bounded steps and stops at the size
    the directory declares (a member that lies fails its CRC), so the declared sizes bound what
    openpyxl can read."""
    for info in archive.infolist():
        where = f"the part {info.filename} of this workbook"
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise LimitExceeded(
                path, f"{where} is compressed with method {info.compress_type}, which Excel never writes"
            )
        if info.file_size > WORKBOOK_MAX_PART_BYTES:
            raise LimitExceeded(
                path,
                f"{where} expands to {_size(info.file_size)}, more than {_size(WORKBOOK_MAX_PART_BYTES)}; "
                "refused as a spreadsheet bomb (a list of 100,000 grantors is ~20 MB)",
            )
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise LimitExceeded(
                path,
                f"{where} expands to {_size(info.file_size)} from {info.compress_size:,} bytes, more than "
                f"{MAX_RATIO} times; refused as a spreadsheet bomb",
            )


def skip_rest_of_line(stream: IO[bytes], head: bytes) -> int:
    """After readline(MAX_LINE_BYTES + 1) returned `head` without its end: read on to the end of
    that line in bounded pieces, keeping nothing. Returns the line's whole length in bytes."""
    length = len(head)
    while not head.endswith(b"\n"):
        head = stream.readline(MAX_LINE_BYTES)
        if not head:
            break
        length += len(head)
    return length


def overlong_line_reason(length: int) -> str:
    return (
        f"line is {_size(length)} long, more than {_size(MAX_LINE_BYTES)} (no real record is); "
        "it was skipped without being read into memory"
    )
