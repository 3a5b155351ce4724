"""Parsed returns across the process boundary, cheaply: what the worker sends the parent.

Measured on 2,000 generated returns (165,650 grants): pickling the FiledReturns as they are cost
the parent 2.5 s of CPU to unpickle (frozen slots dataclasses are rebuilt field by field in Python,
~15 µs a grant), and normalizing recipient names for matching another ~2 s; the parent (reader,
SQLite writer, event loop) was the bottleneck, not the parse workers. So the worker sends each
grant as a plain tuple (unpickled in C) with its recipient's matching key already computed, and
the parent rebuilds the Grant with its generated __init__ (~2 µs).

Each return travels as its own pickle inside the batch's list: the pool unpickles a result in one
C call holding the GIL, and one whole batch (1.2 MB, ~6,000 grants) took up to 73 ms — a stall of
the event loop; a single return unpickles in ~1 ms, on the feeder thread, between GIL switches.
The pickles are our own worker's output, never data from outside.
"""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Iterable

from catalynx_desktop.domain.giving import Address, FiledReturn, Grant, GrantKind
from catalynx_desktop.sources.irs990.parser import ParseProblem, parse_members
from catalynx_desktop.storage.recipient_matching import RecipientKey, recipient_key

AddressTuple = tuple[str, str, str, str, str, str, str]
GrantTuple = tuple[str, str, str, str, AddressTuple, str, str, str, int | None, int | None]
KeyTuple = tuple[str, str, str, str]
# A parsed member as sent: a problem, or (the return without its grants, grants, their keys).
Sent = ParseProblem | tuple[FiledReturn, list[GrantTuple], list[KeyTuple]]


def _grant_tuple(g: Grant) -> GrantTuple:
    a = g.address
    return (
        g.kind.value,
        g.recipient_name,
        g.recipient_name_line2,
        g.recipient_ein,
        (a.line1, a.line2, a.city, a.state, a.zip, a.country, a.province),
        g.foundation_status,
        g.relationship,
        g.purpose,
        g.cash_amount,
        g.noncash_amount,
    )


def _key_tuple(g: Grant) -> KeyTuple:
    a = g.address
    k = recipient_key(g.recipient_ein, g.recipient_name, a.state, a.city)
    return (k.ein, k.name_key, k.state, k.city_key)


def _flatten(item: FiledReturn | ParseProblem) -> Sent:
    if isinstance(item, ParseProblem):
        return item
    grants = item.grants
    return (
        dataclasses.replace(item, grants=()),
        [_grant_tuple(g) for g in grants],
        [_key_tuple(g) for g in grants],
    )


def parse_for_parent(batch: Iterable[tuple[str, bytes]], max_field_chars: int) -> list[bytes]:
    """Worker side: parse a batch; each return flattened (see the module docstring) and pickled alone."""
    return [
        pickle.dumps(_flatten(item), protocol=pickle.HIGHEST_PROTOCOL)
        for item in parse_members(batch, max_field_chars)
    ]


_KINDS = {kind.value: kind for kind in GrantKind}


def rebuild(pickled: bytes) -> tuple[FiledReturn, list[RecipientKey]] | ParseProblem:
    """Parent side: the FiledReturn with its grants, and each grant's recipient key."""
    sent: Sent = pickle.loads(pickled)
    if isinstance(sent, ParseProblem):
        return sent
    filed, grants, keys = sent
    rebuilt = tuple(
        Grant(_KINDS[k], n, n2, e, Address(*a), fs, rel, p, cash, noncash)
        for k, n, n2, e, a, fs, rel, p, cash, noncash in grants
    )
    return dataclasses.replace(filed, grants=rebuilt), [RecipientKey(*k) for k in keys]
