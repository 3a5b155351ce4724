"""Local compressed cache: msgpack + zstd, SQLite index, size-bounded LRU, TTL / fingerprint per kind.

Typical use::

    cache = await Cache.open(paths.cache_dir, max_bytes=settings.cache_bytes,
                             ttl_by_kind={"parse": None, "view": None, "search": 600})
    records = await cache.get_or_compute("parse", str(path), lambda: asyncio.to_thread(parse, path),
                                         fingerprint=FileFingerprint(path))
"""

from catalynx_desktop.cache.cache import DEFAULT_MAX_BYTES, Cache, CacheStats, FileFingerprint
from catalynx_desktop.cache.codec import CorruptEntry

__all__ = ["DEFAULT_MAX_BYTES", "Cache", "CacheStats", "CorruptEntry", "FileFingerprint"]
