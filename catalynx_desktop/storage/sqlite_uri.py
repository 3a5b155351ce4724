"""SQLite `file:` URIs with the path quoted: a folder named "notes #2", "what?" or "100% done"
must not be cut at `#` (a fragment), `?` (the query) or read as a `%xx` escape, which opened
another file than the one meant (or created an empty one there).

Every URI the app gives SQLite is made here.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode


def file_uri(path: str | Path, **params: str) -> str:
    """`file:///...%23...?mode=ro` for `path` (made absolute) with its parameters; pass uri=True."""
    uri = Path(path).resolve().as_uri()  # percent-encodes the path (also drive letters on Windows)
    return f"{uri}?{urlencode(params)}" if params else uri


def read_only_uri(path: str | Path) -> str:
    return file_uri(path, mode="ro")
