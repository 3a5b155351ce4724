"""Value encoding for the cache: msgpack (never pickle) + compression behind a small header.

Stored bytes = MAGIC | (FORMAT_VERSION << 4 | codec id) | crc32(body) | body

* msgpack because it is fast, compact and cannot execute code when read back (pickle can).
  Dates, datetimes, times and Decimals travel as msgpack ext types; tuples come back as lists.
* The codec id is in every entry, so an entry written with an older codec or level stays
  readable after we change the default: decoding dispatches on the byte, not on settings.
* The crc32 (≈ GB/s) turns a truncated, bit-flipped or foreign file into a clean
  `CorruptEntry` instead of a half-decoded value; zstd's own checksum would only cover zstd.
* Lists of same-shaped dicts (the usual cached value) are written column by column (see
  TABLE_MIN_ROWS below), then compressed with zstandard level 3, chosen by measurement
  (benchmarks/bench_cache.py, results in benchmarks/results/cache.md): ~0.30 of plain msgpack
  on opportunity lists and ~0.25 on parsed BMF rows; zstd-1 is ~2x faster to compress but
  ~0.32, too close to the 1/3 budget; higher levels buy a few percent for several times the
  CPU; lz4 decompresses faster but stores ~0.44; zlib is slower and larger at every level.
"""

from __future__ import annotations

import array
import datetime as dt
import itertools
import struct
import sys
import zlib
from decimal import Decimal
from typing import Any

import msgpack
import zstandard

MAGIC = 0xCA
FORMAT_VERSION = 1
HEADER = struct.Struct("<BBI")  # magic, version/codec, crc32 of body
HEADER_SIZE = HEADER.size

CODEC_RAW = 0
CODEC_ZSTD = 1
CODEC_ZLIB = 2  # readable for old/foreign-tooling entries; never written by default

ZSTD_LEVEL = 3
# Below this many msgpack bytes compression cannot win back its frame overhead.
COMPRESS_MIN_BYTES = 128

# msgpack ext type codes: part of the on-disk format, never renumber.
EXT_DATE = 1
EXT_DATETIME = 2
EXT_DECIMAL = 3
EXT_TIME = 4
EXT_TABLE = 5  # a list of dicts sharing one key order, stored column by column
EXT_DATE_COLUMN = 6  # int32 ordinals, 0 = None
EXT_DECIMAL_COLUMN = 7  # msgpack list of str | None
# 8 was a dictionary-encoded str column in development builds; not written, keep unused

# A list of at least this many same-shaped dicts (the common cached value: records, a page of
# rows) is stored as a table of columns: keys are written once (smaller, compresses better);
# date and Decimal columns are converted in bulk with map() instead of one Python ext callback
# per value (~1.3 µs each, which dominated decoding); decoding rebuilds the dicts with
# dict(zip(keys, row)) reusing the key strings. (Dictionary-encoding repetitive str columns
# was tried: ~1% smaller, no faster to decode, 2x slower to encode; dropped.)
TABLE_MIN_ROWS = 8
_DATE = dt.date
_NONE = type(None)

_ORDINAL = struct.Struct("<i")


class CorruptEntry(ValueError):
    """Stored bytes that are not a value we wrote: truncated, damaged, foreign or too new."""


def _column(values: tuple[Any, ...]) -> Any:
    # Decide from a small sample first: most columns are str/int and need no work at all
    # (this runs for every column of every cached list, e.g. 13 x 5,000 values per BMF chunk).
    sample = set(map(type, values[:16]))
    sample.discard(_NONE)
    if sample == {_DATE}:
        types = set(map(type, values))
        types.discard(_NONE)
        if types == {_DATE}:
            ordinals = array.array("i", [0 if v is None else v.toordinal() for v in values])
            if sys.byteorder != "little":
                ordinals.byteswap()
            return msgpack.ExtType(EXT_DATE_COLUMN, ordinals.tobytes())
    elif sample == {Decimal}:
        types = set(map(type, values))
        types.discard(_NONE)
        if types == {Decimal}:
            return msgpack.ExtType(EXT_DECIMAL_COLUMN, pack([None if v is None else str(v) for v in values]))
    return values  # stray dates/Decimals in a mixed column still go through _default, one by one


def _as_table(items: list[Any]) -> msgpack.ExtType | None:
    first = items[0]
    if type(first) is not dict:
        return None
    keys = tuple(first)
    # exact dict type and same keys in the same order, or the round trip would not be exact
    # (map/all keep these loops in C: this runs on every cached list)
    if set(map(type, items)) != {dict} or not all(map(keys.__eq__, map(tuple, items))):
        return None
    columns = [_column(col) for col in zip(*map(dict.values, items), strict=True)] if keys else []
    return msgpack.ExtType(EXT_TABLE, pack([list(keys), len(items), columns]))


def _tabulate(value: Any) -> Any:
    """Top-level list of records, or a dict whose values are such lists, becomes table ext."""
    if type(value) is list and len(value) >= TABLE_MIN_ROWS:
        return _as_table(value) or value
    if type(value) is dict and any(type(v) is list and len(v) >= TABLE_MIN_ROWS for v in value.values()):
        return {
            k: (_as_table(v) or v) if type(v) is list and len(v) >= TABLE_MIN_ROWS else v
            for k, v in value.items()
        }
    return value


def _default(obj: Any) -> msgpack.ExtType:
    # datetime before date: datetime is a subclass of date.
    if isinstance(obj, dt.datetime):
        return msgpack.ExtType(EXT_DATETIME, obj.isoformat().encode())
    if isinstance(obj, dt.date):
        return msgpack.ExtType(EXT_DATE, _ORDINAL.pack(obj.toordinal()))
    if isinstance(obj, Decimal):
        return msgpack.ExtType(EXT_DECIMAL, str(obj).encode())
    if isinstance(obj, dt.time):
        return msgpack.ExtType(EXT_TIME, obj.isoformat().encode())
    raise TypeError(f"cache cannot store values of type {type(obj).__name__}")


_fromordinal = dt.date.fromordinal
_unpack_ordinal = _ORDINAL.unpack


def _ext_hook(code: int, data: bytes) -> Any:
    # most frequent first: this runs once per date/Decimal in a value
    if code == EXT_DATE:
        return _fromordinal(_unpack_ordinal(data)[0])
    if code == EXT_DECIMAL:
        return Decimal(data.decode())
    if code == EXT_TABLE:
        keys, count, columns = unpack(data)
        keys = tuple(keys)
        if not keys:
            return [{} for _ in range(count)]
        # all-C pipeline (no Python-level loop): ~15% faster than a comprehension
        return list(map(dict, map(zip, itertools.repeat(keys), zip(*columns, strict=True))))
    if code == EXT_DATE_COLUMN:
        ordinals = array.array("i")
        ordinals.frombytes(data)
        if sys.byteorder != "little":
            ordinals.byteswap()
        if 0 in ordinals:
            return [_fromordinal(o) if o else None for o in ordinals]
        return list(map(_fromordinal, ordinals))  # no None: a C-level loop
    if code == EXT_DECIMAL_COLUMN:
        texts = unpack(data)
        if None in texts:
            return [None if v is None else Decimal(v) for v in texts]
        return list(map(Decimal, texts))
    if code == EXT_DATETIME:
        return dt.datetime.fromisoformat(data.decode())
    if code == EXT_TIME:
        return dt.time.fromisoformat(data.decode())
    raise CorruptEntry(f"unknown msgpack ext type {code}")


def pack(value: Any) -> bytes:
    """msgpack bytes of `value`; raises TypeError for types the cache does not support."""
    packed: bytes = msgpack.packb(value, default=_default, use_bin_type=True, datetime=False)
    return packed


def unpack(data: bytes | memoryview) -> Any:
    # strict_map_key=False: callers may key dicts by int (e.g. id -> row).
    return msgpack.unpackb(data, ext_hook=_ext_hook, raw=False, strict_map_key=False, use_list=True)


class Codec:
    """Encoder/decoder pair. Holds zstd contexts, so use one instance per thread."""

    def __init__(self, level: int = ZSTD_LEVEL) -> None:
        self._compressor = zstandard.ZstdCompressor(level=level, write_content_size=True)
        self._decompressor = zstandard.ZstdDecompressor()

    def encode(self, value: Any) -> bytes:
        raw = pack(_tabulate(value))
        if len(raw) < COMPRESS_MIN_BYTES:
            codec, body = CODEC_RAW, raw
        else:
            codec, body = CODEC_ZSTD, self._compressor.compress(raw)
            if len(body) >= len(raw):  # incompressible (already-compressed bytes): keep raw
                codec, body = CODEC_RAW, raw
        return HEADER.pack(MAGIC, FORMAT_VERSION << 4 | codec, zlib.crc32(body)) + body

    def decode(self, stored: bytes | memoryview) -> Any:
        """The value back, or CorruptEntry for anything that does not check out."""
        if len(stored) < HEADER_SIZE:
            raise CorruptEntry("shorter than the header")
        magic, version_codec, crc = HEADER.unpack_from(stored)
        version, codec = version_codec >> 4, version_codec & 0x0F
        if magic != MAGIC:
            raise CorruptEntry("not a cache entry (bad magic)")
        if version != FORMAT_VERSION:
            raise CorruptEntry(f"unknown format version {version}")
        body = memoryview(stored)[HEADER_SIZE:]
        if zlib.crc32(body) != crc:
            raise CorruptEntry("checksum mismatch (truncated or damaged)")
        try:
            if codec == CODEC_RAW:
                raw: bytes | memoryview = body
            elif codec == CODEC_ZSTD:
                raw = self._decompressor.decompress(body)
            elif codec == CODEC_ZLIB:
                raw = zlib.decompress(body)
            else:
                raise CorruptEntry(f"unknown codec {codec}")
            return unpack(raw)
        except CorruptEntry:
            raise
        except Exception as error:  # zstd/zlib/msgpack errors: the bytes are not ours
            raise CorruptEntry(f"{type(error).__name__}: {error}") from error
