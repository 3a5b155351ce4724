"""Read IRS 990 returns as raw members: one file, a folder of them, or a TEOS bulk zip with its index.

The readers only move bytes; parsing is `parser.parse_member`, so the import workflow can read in
the parent and parse in worker processes (`batches` groups members to amortize the IPC):

    for batch in batches(read_source(path, skip=stored_ids)):
        for item in batch:   # RawMember -> parse (here or in a worker), ParseProblem -> the report
            ...

A TEOS zip (`{YYYY}_TEOS_XML_{MM}{L}.zip`, ZIP64, ~1 GB) is read in place, member by member,
never extracted to disk. Its index (`index_{YYYY}.csv`, given or found beside the zip) says each
member's form: members of other forms (990-T...) are skipped without being decompressed; members
the index does not list are read (the IRS zips hold some returns no index lists). Every bad member
(too large, fails to decompress, bad CRC, a truncated archive) becomes one ParseProblem and
reading goes on. Memory stays bounded by the per-member cap whatever the archive holds.

Deflate64 (method 9, used by some IRS zips): zipfile-deflate64 registers a decoder with zipfile
(importing it patches zipfile to accept method 9; nothing else changes). Measured on a 50 MB
member (tests' generated returns, Deflate64 by inflate64's Deflater, 64 KiB reads, best of 3 on
this 2-core VM): zipfile-deflate64 118 MB/s, inflate64's Inflater 78 MB/s, so we read with
zipfile-deflate64; inflate64 only writes test zips (it has the Deflater).
"""

from __future__ import annotations

import csv
import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, NamedTuple, TypeVar

import zipfile_deflate64  # noqa: F401  (registers Deflate64, method 9, with zipfile)
from zipfile_deflate64 import deflate64

from catalynx_desktop.domain.giving import FiledReturn
from catalynx_desktop.sources.base import FormatError
from catalynx_desktop.sources.irs990.parser import ParseProblem, object_id_from_name, parse_member

MiB = 2**20
KEPT_FORMS = frozenset({"990", "990EZ", "990PF"})
# Index codes that are one of our forms under another name (3P: 990O = a 990 from a non-501(c)(3),
# 990PR = 990-PF rows of the 2020 index).
FORM_ALIASES = {"990O": "990", "990PR": "990PF"}
INDEX_COLUMNS = ("RETURN_ID", "FILING_TYPE", "EIN", "TAX_PERIOD", "SUB_DATE", "TAXPAYER_NAME", "RETURN_TYPE")
_CHUNK = 64 * 1024
_ZIP_NAME = re.compile(r"(\d{4})_TEOS_XML_", re.IGNORECASE)

Skip = Container[str] | Callable[[str], bool] | None


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps on untrusted input. A member over a cap is one problem, never an out-of-memory."""

    max_member_bytes: int = 64 * MiB  # decompressed; the largest real returns are a few MB
    max_ratio: float = 200.0  # decompressed / compressed; XML returns compress ~10-25x, bombs ~1000x
    max_field_chars: int = 4000  # per text value, applied by the parser


@dataclass(frozen=True, slots=True)
class RawMember:
    name: str  # the member's path in the zip, or the file's path
    object_id: str  # from `{OBJECT_ID}_public.xml`, else ''
    data: bytes


class MemberRef(NamedTuple):
    """Where a zip member is, for a parse worker to read and decompress it itself (the app
    process only schedules: see read_ref). A plain file has offset -1 and its path as name."""

    name: str
    object_id: str
    offset: int  # the local header's offset in the archive
    compress_size: int
    file_size: int
    method: int  # zipfile.ZIP_STORED, ZIP_DEFLATED or 9 (Deflate64)
    crc: int
    flags: int


ReadItem = RawMember | ParseProblem
Scheduled = RawMember | MemberRef | ParseProblem  # what read_source(..., refs=True) yields
_Batched = TypeVar("_Batched", RawMember | ParseProblem, RawMember | MemberRef | ParseProblem)


@dataclass
class ReadStats:
    """Counts a reader keeps as it goes (read them after or during iteration, for progress)."""

    bytes_total: int = 0  # the archive's or folder's size on disk
    bytes_done: int = 0  # compressed bytes of members handled so far (progress)
    members: int = 0  # members yielded as RawMember
    problems: int = 0
    skipped_stored: int = 0  # already imported (the caller's skip)
    skipped_other_form: int = 0  # the index says 990-T or another form we do not keep
    skipped_not_xml: int = 0
    unlisted: int = 0  # read although the index does not list them
    forms: dict[str, int] = field(default_factory=dict)  # index form -> members selected


def _skipper(skip: Skip) -> Callable[[str], bool]:
    if skip is None:
        return lambda _oid: False
    if callable(skip):
        return skip
    return skip.__contains__


def _read_capped(stream: IO[bytes], limit: int, compressed: int, limits: Limits) -> bytes:
    """Read a member to its end, refusing (ValueError) past `limit` bytes or the ratio cap;
    memory held is at most the cap plus one chunk."""
    parts: list[bytes] = []
    total = 0
    ratio_cap = max(limits.max_ratio * max(compressed, 1), MiB)  # small members may compress well
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return b"".join(parts)
        total += len(chunk)
        if total > limit:
            raise ValueError(f"it is larger than the {limit / MiB:g} MiB allowed per return")
        if total > ratio_cap:
            raise ValueError(
                f"it decompresses to over {limits.max_ratio:g} times its compressed size "
                "(a damaged or malicious archive)"
            )
        parts.append(chunk)


# ---------------------------------------------------------------- single files and folders


def read_file(path: Path | str, *, limits: Limits = Limits(), skip: Skip = None) -> Iterator[ReadItem]:
    """One return file as a RawMember (or a problem: too large, unreadable)."""
    path = Path(path)
    object_id = object_id_from_name(path.name)
    if object_id and _skipper(skip)(object_id):
        return
    try:
        size = path.stat().st_size
        if size > limits.max_member_bytes:
            yield ParseProblem(
                str(path),
                object_id,
                f"the file is {size / MiB:.0f} MiB, larger than the {limits.max_member_bytes / MiB:g} MiB "
                "allowed per return",
            )
            return
        yield RawMember(str(path), object_id, path.read_bytes())
    except OSError as error:
        yield ParseProblem(str(path), object_id, f"the file cannot be read ({error.strerror or error})")


def return_files(folder: Path | str) -> list[Path]:
    """Every *.xml under `folder` (recursive), in a stable order."""
    found = [p for p in Path(folder).rglob("*") if p.suffix.lower() == ".xml" and p.is_file()]
    return sorted(found)


def read_folder(
    folder: Path | str,
    *,
    limits: Limits = Limits(),
    skip: Skip = None,
    stats: ReadStats | None = None,
    refs: bool = False,
) -> Iterator[Scheduled]:
    """The folder's returns, read here, or with refs=True as MemberRefs a worker reads."""
    stats = stats if stats is not None else ReadStats()
    files = return_files(folder)
    sizes = {p: p.stat().st_size for p in files}
    stats.bytes_total = sum(sizes.values())
    skipped = _skipper(skip)
    for path in files:
        object_id = object_id_from_name(path.name)
        stats.bytes_done += sizes[path]
        if object_id and skipped(object_id):
            stats.skipped_stored += 1
            continue
        if refs:
            size = sizes[path]
            stats.members += 1
            yield MemberRef(str(path), object_id, -1, size, size, zipfile.ZIP_STORED, 0, 0)
            continue
        for item in read_file(path, limits=limits):
            _count(stats, item)
            yield item


def _count(stats: ReadStats, item: Scheduled) -> None:
    if not isinstance(item, ParseProblem):
        stats.members += 1
    else:
        stats.problems += 1


# ---------------------------------------------------------------- the yearly index


def find_index_beside(zip_path: Path | str) -> Path | None:
    """`index_{YYYY}.csv` in the zip's folder, for a zip named `{YYYY}_TEOS_XML_...` (any case)."""
    zip_path = Path(zip_path)
    match = _ZIP_NAME.match(zip_path.name)
    if not match:
        return None
    wanted = f"index_{match.group(1)}.csv"
    for candidate in zip_path.parent.iterdir():
        if candidate.name.lower() == wanted and candidate.is_file():
            return candidate
    return None


def read_index_forms(index_path: Path | str, object_ids: Container[str] | None = None) -> dict[str, str]:
    """OBJECT_ID -> RETURN_TYPE (aliases resolved) from an index CSV, keeping only `object_ids`
    when given (a year's index has ~500k rows; a zip holds a fraction). FormatError if the
    header is not an IRS index."""
    index_path = Path(index_path)
    forms: dict[str, str] = {}
    with index_path.open(newline="", encoding="utf-8-sig", errors="replace") as stream:
        reader = csv.reader(stream)
        header = [h.strip().upper() for h in next(reader, [])]
        if "OBJECT_ID" not in header or "RETURN_TYPE" not in header:
            shown = ",".join(header[:10])[:200] or "nothing"
            raise FormatError(
                index_path,
                f"this is not an IRS 990 index (its header is {shown}; expected {','.join(INDEX_COLUMNS)},…)",
            )
        oid_at, type_at = header.index("OBJECT_ID"), header.index("RETURN_TYPE")
        width = max(oid_at, type_at) + 1
        for row in reader:
            if len(row) < width:
                continue  # a short line: nothing to select by
            object_id = row[oid_at].strip()
            if object_ids is not None and object_id not in object_ids:
                continue
            form = row[type_at].strip().upper()
            forms[object_id] = FORM_ALIASES.get(form, form)
    return forms


def is_index_header(first_line: str) -> bool:
    columns = [c.strip().strip('"').upper() for c in first_line.split(",")]
    return "OBJECT_ID" in columns and "RETURN_TYPE" in columns and "EIN" in columns


# ---------------------------------------------------------------- TEOS zips


class TeosZip:
    """Members of a TEOS bulk zip, streamed in archive order. Iterate once; `stats` fills as it goes."""

    def __init__(
        self,
        path: Path | str,
        *,
        index: Path | str | None = None,
        find_index: bool = True,
        limits: Limits = Limits(),
        skip: Skip = None,
        stats: ReadStats | None = None,
        refs: bool = False,
    ) -> None:
        self.path = Path(path)
        self.refs = refs  # yield MemberRefs (a worker decompresses) instead of RawMembers
        self.index = (
            Path(index) if index is not None else (find_index_beside(self.path) if find_index else None)
        )
        self.limits = limits
        self.skip = _skipper(skip)
        self.stats = stats if stats is not None else ReadStats()
        self.stats.bytes_total = self.path.stat().st_size

    def __iter__(self) -> Iterator[Scheduled]:
        try:
            archive = zipfile.ZipFile(self.path)
        except zipfile.BadZipFile:
            # No central directory (a download cut short): read what the local headers still hold.
            yield from self._scan_truncated()
            return
        except OSError as error:
            raise FormatError(self.path, f"the zip cannot be read ({error.strerror or error})") from error
        with archive:
            infos = sorted(archive.infolist(), key=lambda i: i.header_offset)
            forms = self._forms(infos)
            for info in infos:
                item = self._member(archive, info, forms)
                self.stats.bytes_done += info.compress_size
                if item is not None:
                    _count(self.stats, item)
                    yield item

    def _forms(self, infos: list[zipfile.ZipInfo]) -> dict[str, str] | None:
        if self.index is None:
            return None
        present = {object_id_from_name(i.filename) for i in infos}
        return read_index_forms(self.index, present)

    def select_member(self, name: str, object_id: str, forms: dict[str, str] | None) -> bool:
        """Decide from the name and the index alone, before any decompression."""
        if not name.lower().endswith(".xml"):
            self.stats.skipped_not_xml += 1
            return False
        if object_id and self.skip(object_id):
            self.stats.skipped_stored += 1
            return False
        if forms is not None and object_id:
            form = forms.get(object_id)
            if form is None:
                self.stats.unlisted += 1
            elif form not in KEPT_FORMS:
                self.stats.skipped_other_form += 1
                return False
            else:
                self.stats.forms[form] = self.stats.forms.get(form, 0) + 1
        return True

    def _member(
        self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, forms: dict[str, str] | None
    ) -> Scheduled | None:
        if info.is_dir():
            return None
        object_id = object_id_from_name(info.filename)
        if not self.select_member(info.filename, object_id, forms):
            return None
        cap = self.limits.max_member_bytes
        if info.file_size > cap:
            return ParseProblem(
                info.filename,
                object_id,
                f"it is {info.file_size / MiB:.0f} MiB uncompressed, larger than the {cap / MiB:g} MiB "
                "allowed per return; skipped",
            )
        if self.refs:
            return MemberRef(
                info.filename, object_id, info.header_offset, info.compress_size, info.file_size,
                info.compress_type, info.CRC, info.flag_bits,
            )  # fmt: skip
        try:
            with archive.open(info) as stream:
                data = _read_capped(stream, cap, info.compress_size, self.limits)
        except ValueError as error:
            return ParseProblem(info.filename, object_id, f"{error}; skipped")
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            NotImplementedError,
            RuntimeError,
        ) as error:
            return ParseProblem(info.filename, object_id, f"the member cannot be decompressed ({error})")
        return RawMember(info.filename, object_id, data)

    def _scan_truncated(self) -> Iterator[ReadItem]:
        yield from _LocalHeaderScan(self).run()


_LOCAL = struct.Struct("<4sHHHHHIIIHH")  # signature ... name length, extra length (30 bytes)
_LOCAL_SIGNATURE = b"PK\x03\x04"


class _LocalHeaderScan:
    """Walk the local file headers of a zip whose central directory is missing (truncated)."""

    def __init__(self, owner: TeosZip) -> None:
        self.owner = owner
        self.limits = owner.limits

    def run(self) -> Iterator[ReadItem]:
        path = self.owner.path
        with path.open("rb") as stream:
            if stream.read(4) != _LOCAL_SIGNATURE:
                raise FormatError(path, "this is not a zip archive (or it is damaged beyond reading)")
            stream.seek(0)
            while True:
                header = stream.read(_LOCAL.size)
                if len(header) < _LOCAL.size or header[:4] != _LOCAL_SIGNATURE:
                    break  # the central directory would start here, or the file ends
                item = self._member(stream, header)
                if item is None:
                    continue
                if isinstance(item, ParseProblem) and item.reason.startswith("the archive ends"):
                    self.owner.stats.problems += 1
                    yield item
                    return
                _count(self.owner.stats, item)
                yield item
        yield ParseProblem(
            path.name,
            "",
            "the zip has no central directory (cut short?); the members before the cut were read",
        )
        self.owner.stats.problems += 1

    def _member(self, stream: io.BufferedReader, header: bytes) -> ReadItem | None:
        _sig, _ver, flags, method, _t, _d, crc, csize, usize, name_len, extra_len = _LOCAL.unpack(header)
        name = stream.read(name_len).decode("utf-8" if flags & 0x800 else "cp437", "replace")
        extra = stream.read(extra_len)
        if csize == 0xFFFFFFFF or usize == 0xFFFFFFFF:
            usize, csize = _zip64_sizes(extra, usize, csize)
        object_id = object_id_from_name(name)
        if flags & 0x08 and csize == 0:
            return ParseProblem(
                name, object_id, "the archive ends before its directory and this member's size is unknown"
            )
        data_start = stream.tell()
        stream.seek(data_start + csize)
        self.owner.stats.bytes_done = data_start + csize
        if stream.tell() > self.owner.stats.bytes_total:
            return ParseProblem(
                name,
                object_id,
                f"the archive ends inside this member (at byte {self.owner.stats.bytes_total:,})",
            )
        if flags & 0x08:
            stream.seek(16 if stream.peek(4)[:4] == b"PK\x07\x08" else 12, os.SEEK_CUR)
        if name.endswith("/") or not self.owner.select_member(name, object_id, None):
            return None
        if usize > self.limits.max_member_bytes:
            return ParseProblem(
                name, object_id, f"it is {usize / MiB:.0f} MiB uncompressed, over the cap; skipped"
            )
        end = stream.tell()
        stream.seek(data_start)
        raw = stream.read(csize)
        stream.seek(end)
        try:
            data = _decompress(method, raw, self.limits.max_member_bytes)
        except (ValueError, zlib.error, NotImplementedError) as error:
            return ParseProblem(name, object_id, f"the member cannot be decompressed ({error})")
        if zlib.crc32(data) != crc:
            return ParseProblem(name, object_id, "the member's checksum does not match (damaged data)")
        return RawMember(name, object_id, data)


def _zip64_sizes(extra: bytes, usize: int, csize: int) -> tuple[int, int]:
    at = 0
    while at + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, at)
        if tag == 0x0001:
            values = extra[at + 4 : at + 4 + size]
            pos = 0
            if usize == 0xFFFFFFFF and pos + 8 <= len(values):
                usize = struct.unpack_from("<Q", values, pos)[0]
                pos += 8
            if csize == 0xFFFFFFFF and pos + 8 <= len(values):
                csize = struct.unpack_from("<Q", values, pos)[0]
            break
        at += 4 + size
    return usize, csize


def _decompress(method: int, raw: bytes, cap: int) -> bytes:
    if method == zipfile.ZIP_STORED:
        return raw
    if method == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        data = inflater.decompress(raw, cap + 1)
    elif method == 9:  # no max_length in this decoder: feed it chunks and check as it grows
        decoder = deflate64.Deflate64()
        parts, total = [], 0
        for at in range(0, len(raw), _CHUNK):
            part = decoder.decompress(raw[at : at + _CHUNK])
            total += len(part)
            if total > cap:
                break
            parts.append(part)
        data = b"".join(parts)
    else:
        raise NotImplementedError(f"compression method {method} is not supported")
    if len(data) > cap:
        raise ValueError(f"it is larger than the {cap / MiB:g} MiB allowed per return")
    return data


# ---------------------------------------------------------------- one entry point, and batching


def read_source(
    path: Path | str,
    *,
    index: Path | str | None = None,
    limits: Limits = Limits(),
    skip: Skip = None,
    stats: ReadStats | None = None,
) -> Iterator[ReadItem]:
    """Raw members of a return file, a folder of returns, or a TEOS zip (with its index)."""
    for item in _source(path, index, limits, skip, stats, refs=False):
        assert not isinstance(item, MemberRef)  # refs=False: the zip reader decompresses
        yield item


def schedule_source(
    path: Path | str,
    *,
    index: Path | str | None = None,
    limits: Limits = Limits(),
    skip: Skip = None,
    stats: ReadStats | None = None,
) -> Iterator[Scheduled]:
    """read_source() without decompressing: a TEOS zip's members come as MemberRefs, which a
    parse worker reads with read_ref (a truncated zip's members still come read, as RawMembers)."""
    yield from _source(path, index, limits, skip, stats, refs=True)


def _source(
    path: Path | str,
    index: Path | str | None,
    limits: Limits,
    skip: Skip,
    stats: ReadStats | None,
    *,
    refs: bool,
) -> Iterator[Scheduled]:
    path = Path(path)
    if path.is_dir():
        yield from read_folder(path, limits=limits, skip=skip, stats=stats, refs=refs)
    elif zipfile.is_zipfile(path) or path.suffix.lower() == ".zip":
        yield from TeosZip(path, index=index, limits=limits, skip=skip, stats=stats, refs=refs)
    else:
        for item in read_file(path, limits=limits, skip=skip):
            if stats is not None:
                stats.bytes_total = stats.bytes_done = path.stat().st_size
                _count(stats, item)
            yield item


def iter_returns(
    path: Path | str,
    *,
    index: Path | str | None = None,
    limits: Limits = Limits(),
    skip: Skip = None,
    stats: ReadStats | None = None,
) -> Iterator[FiledReturn | ParseProblem]:
    """Read and parse in this process (tests, small imports, the one-process baseline)."""
    for item in read_source(path, index=index, limits=limits, skip=skip, stats=stats):
        yield (
            parse_member(item.name, item.data, limits.max_field_chars)
            if isinstance(item, RawMember)
            else item
        )


def batches(
    items: Iterable[_Batched], *, max_members: int = 64, max_bytes: int = 8 * MiB
) -> Iterator[list[_Batched]]:
    """Group items so one worker call parses many returns (each IPC round trip costs ~0.1 ms);
    a batch closes at `max_members` or `max_bytes` of raw XML, whichever comes first."""
    batch: list[_Batched] = []
    size = 0
    for item in items:
        batch.append(item)
        if isinstance(item, RawMember):
            size += len(item.data)
        elif isinstance(item, MemberRef):
            size += item.file_size
        if len(batch) >= max_members or size >= max_bytes:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def worker_args(batch: Iterable[ReadItem]) -> list[tuple[str, bytes]]:
    """The (name, data) pairs of a batch, as `parser.parse_members` takes them in a worker."""
    return [(item.name, item.data) for item in batch if isinstance(item, RawMember)]


# ---------------------------------------------------------------- members read in a parse worker


class ArchiveReader:
    """A worker's open archive: opened once, then every member it is sent is read from it."""

    def __init__(self) -> None:
        self._path = ""
        self._stream: IO[bytes] | None = None

    def _open(self, path: str) -> IO[bytes]:
        if self._stream is None or self._path != path:
            if self._stream is not None:
                self._stream.close()
            self._stream, self._path = open(path, "rb"), path  # noqa: SIM115 (kept open across batches)
        return self._stream

    def read(self, archive: str, ref: MemberRef, limits: Limits) -> ReadItem:
        """The member's bytes, or one problem (cannot be read or decompressed, over a cap, bad CRC)."""
        if ref.offset < 0:
            found = list(read_file(ref.name, limits=limits))
            return found[0] if found else ParseProblem(ref.name, ref.object_id, "the file is gone")
        try:
            raw = self._compressed(archive, ref)
            cap = min(limits.max_member_bytes, int(max(limits.max_ratio * max(ref.compress_size, 1), MiB)))
            data = _decompress(ref.method, raw, cap)
        except ValueError as error:
            if "larger than" in str(error) and cap < limits.max_member_bytes:
                error = ValueError(
                    f"it decompresses to over {limits.max_ratio:g} times its compressed size "
                    "(a damaged or malicious archive)"
                )
            return ParseProblem(ref.name, ref.object_id, f"{error}; skipped")
        except (zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as error:
            return ParseProblem(ref.name, ref.object_id, f"the member cannot be decompressed ({error})")
        if zlib.crc32(data) != ref.crc:
            return ParseProblem(
                ref.name, ref.object_id, "the member cannot be decompressed (its checksum does not match)"
            )
        return RawMember(ref.name, ref.object_id, data)

    def _compressed(self, archive: str, ref: MemberRef) -> bytes:
        if ref.flags & 0x1:
            raise NotImplementedError("it is encrypted")
        stream = self._open(archive)
        stream.seek(ref.offset)
        header = stream.read(_LOCAL.size)
        if len(header) < _LOCAL.size or header[:4] != _LOCAL_SIGNATURE:
            raise OSError("its local header is missing or damaged")
        name_len, extra_len = _LOCAL.unpack(header)[-2:]
        stream.seek(name_len + extra_len, os.SEEK_CUR)
        raw = stream.read(ref.compress_size)
        if len(raw) < ref.compress_size:
            raise EOFError("the archive ends inside this member")
        return raw

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
