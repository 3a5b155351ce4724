"""Encoding: every supported type round-trips exactly; anything not ours is CorruptEntry."""

from __future__ import annotations

import datetime as dt
import zlib
from decimal import Decimal

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalynx_desktop.cache.codec import (
    CODEC_RAW,
    CODEC_ZLIB,
    CODEC_ZSTD,
    FORMAT_VERSION,
    HEADER,
    MAGIC,
    Codec,
    CorruptEntry,
    pack,
)

UTC = dt.UTC
SAMPLES = [
    None,
    True,
    False,
    0,
    -1,
    2**63 - 1,
    -(2**63),
    2**64 - 1,
    1.5,
    float("inf"),
    -0.0,
    "",
    "héllo ✓",
    b"",
    b"\x00\xff",
    [],
    {},
    [1, "a", None],
    {"a": 1, "b": [1, 2]},
    {1: "int key", 2: "x"},
    dt.date(2024, 2, 29),
    dt.date.min,
    dt.date.max,
    dt.datetime(2024, 1, 2, 3, 4, 5, 678901),
    dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
    dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    dt.time(23, 59, 58, 1),
    Decimal("1234.5600"),
    Decimal("-0.001"),
    Decimal("1E+30"),
    "x" * 100_000,
    b"y" * 100_000,
    # tables: lists of same-shaped dicts are stored column by column
    [
        {
            "id": i,
            "d": dt.date(2024, 1, 1) + dt.timedelta(days=i) if i % 3 else None,
            "amt": Decimal(i) / 100 if i % 5 else None,
            "state": "CA" if i % 2 else "NY",
            "s": f"t{i}",
            "when": dt.datetime(2024, 1, 1, tzinfo=UTC),
            "tags": ["a", i],
        }
        for i in range(50)
    ],
    [{}] * 10,
    [{"a": 1}, {"b": 2}] * 6,
    [{"a": 1, "b": 2}, {"b": 2, "a": 1}] * 6,
    {"rows": [{"x": i, "y": str(i)} for i in range(20)], "total": 20},
    [{"nested": [{"deep": dt.date(2020, 1, 1)}]}] * 9,
]


@pytest.mark.parametrize("value", SAMPLES, ids=lambda v: type(v).__name__)
def test_round_trip(value: object) -> None:
    codec = Codec()
    back = codec.decode(codec.encode(value))
    assert back == value
    assert type(back) is type(value)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        assert [list(d) for d in back] == [list(d) for d in value]  # key order kept too


def test_tuples_come_back_as_lists() -> None:
    codec = Codec()
    assert codec.decode(codec.encode({"t": (1, 2)})) == {"t": [1, 2]}


def test_aware_datetime_keeps_offset() -> None:
    codec = Codec()
    value = dt.datetime(2024, 6, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert codec.decode(codec.encode(value)).utcoffset() == dt.timedelta(hours=2)


@pytest.mark.parametrize("value", [object(), {1, 2}, dt.timedelta(1), 2**64])
def test_unsupported_types_raise_type_error(value: object) -> None:
    with pytest.raises((TypeError, OverflowError)):
        Codec().encode(value)


def test_large_values_are_compressed_small_ones_not() -> None:
    codec = Codec()
    small, large = codec.encode([1, 2, 3]), codec.encode(["grant " * 50] * 100)
    assert small[1] & 0x0F == CODEC_RAW
    assert large[1] & 0x0F == CODEC_ZSTD and len(large) < 2000


def test_older_codec_entries_stay_readable() -> None:
    # an entry written with zlib (e.g. by an older version) decodes by its header byte
    body = zlib.compress(pack({"old": dt.date(2020, 5, 5)}))
    stored = HEADER.pack(MAGIC, FORMAT_VERSION << 4 | CODEC_ZLIB, zlib.crc32(body)) + body
    assert Codec().decode(stored) == {"old": dt.date(2020, 5, 5)}


@pytest.mark.parametrize(
    "mangle",
    [
        lambda b: b[:-1],  # truncated
        lambda b: b[:3],  # shorter than header
        lambda b: b"",  # empty file
        lambda b: b[:10] + bytes([b[10] ^ 0xFF]) + b[11:],  # flipped bit in the body
        lambda b: b"\x00" + b[1:],  # foreign magic
        lambda b: b[:1] + bytes([(FORMAT_VERSION + 1) << 4 | CODEC_ZSTD]) + b[2:],  # newer format
        lambda b: b[:1] + bytes([FORMAT_VERSION << 4 | 0x0E]) + b[2:],  # unknown codec
        lambda b: msgpack.packb({"foreign": True}),  # someone else's msgpack
        lambda b: b"\x80\x04\x95" + b"pickle-ish" * 20,  # a pickle
    ],
)
def test_corrupt_bytes_raise_corrupt_entry(mangle) -> None:  # type: ignore[no-untyped-def]
    codec = Codec()
    stored = codec.encode({"payload": ["grant description text"] * 200})
    with pytest.raises(CorruptEntry):
        codec.decode(mangle(stored))


def test_valid_header_with_garbage_body_is_corrupt() -> None:
    body = b"\xc1\xc1\xc1"  # 0xc1 is never valid msgpack
    stored = HEADER.pack(MAGIC, FORMAT_VERSION << 4 | CODEC_RAW, zlib.crc32(body)) + body
    with pytest.raises(CorruptEntry):
        Codec().decode(stored)


scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.binary(max_size=30)
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(UTC))
    | st.times()
    | st.decimals(allow_nan=False, allow_infinity=False, places=4)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=12)
        | st.dictionaries(st.text(max_size=8) | st.integers(0, 100), inner, max_size=8)
    ),
    max_leaves=40,
)


@settings(max_examples=120, deadline=None)
@given(values)
def test_round_trip_property(value: object) -> None:
    codec = Codec()
    assert codec.decode(codec.encode(value)) == value


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries({"a": scalars, "b": scalars, "c": st.dates() | st.none()}),
        min_size=8,
        max_size=40,
    )
)
def test_table_round_trip_property(rows: list[dict]) -> None:
    codec = Codec()
    assert codec.decode(codec.encode(rows)) == rows
