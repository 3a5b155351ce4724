"""Local compressed cache: msgpack + zstd, SQLite index, size-bounded LRU, TTL / fingerprint per kind.

Typical use::

    cache = await Cache.open(paths.cache_dir, max_bytes=settings.cache_bytes, ttl_by_kind=DEFAULT_TTLS)
    rows = await cache.get_or_compute(VIEW, spec_key(profile=3, sort="score", desc=True),
                                      lambda: fetch_first_page(...), fingerprint=db_data_version)
    # large parse results: chunks.read_chunks / chunks.ChunkWriter keyed by FileFingerprint(path)
"""

from catalynx_desktop.cache.cache import DEFAULT_MAX_BYTES, Cache, CacheStats, FileFingerprint
from catalynx_desktop.cache.chunks import ChunkMissing, ChunkWriter, read_chunks
from catalynx_desktop.cache.codec import CorruptEntry
from catalynx_desktop.cache.kinds import DEFAULT_TTLS, PARSE, SCORE, VIEW, spec_key

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TTLS",
    "PARSE",
    "SCORE",
    "VIEW",
    "Cache",
    "CacheStats",
    "ChunkMissing",
    "ChunkWriter",
    "CorruptEntry",
    "FileFingerprint",
    "read_chunks",
    "spec_key",
]
