"""The kinds of entries the app caches, their freshness rules, and stable keys for specs.

Freshness is by fingerprint wherever the source of truth can tell us it changed; the TTLs
are only a backstop so entries nobody asks for again leave before LRU has to push them out.
"""

from __future__ import annotations

import hashlib
from typing import Any

from catalynx_desktop.cache.codec import pack

PARSE = "parse"  # parsed records of an import file      fingerprint: FileFingerprint(path)
VIEW = "view"  # first page of a profile/sort/filter view  fingerprint: the tables' data version
SCORE = "score"  # score breakdowns                         fingerprint: (weights hash, profile version)

DAY = 24 * 3600.0
DEFAULT_TTLS: dict[str, float | None] = {PARSE: 30 * DAY, VIEW: 7 * DAY, SCORE: 30 * DAY}


def spec_key(**parts: Any) -> str:
    """A short stable key for a query spec, e.g. spec_key(profile=3, sort="score", desc=True,
    filter={"stage": "plan"}). Dict order does not matter; values must be msgpack-able."""
    canonical = pack(_canonical(parts))
    return hashlib.blake2b(canonical, digest_size=16).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return [[str(k), _canonical(v)] for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))]
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value
