"""Where to start reading a page: from a known key (keyset) or an end, skipping as few rows as possible.

Pure logic, no SQL. A page at row `start` can be reached forward from any known key before it,
or backward from any known key after it (or from either end of the result). SQLite pays for
every skipped index entry (OFFSET 900000 costs tens of ms), so we pick the nearest known key.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

Key = tuple[Any, int]  # (sort column value, id): a total order with id as tie-breaker


@dataclass(frozen=True)
class Seek:
    forward: bool  # read in the query's order (True) or in reverse from a later key / the end
    after: Key | None  # start strictly after this key in the reading direction; None = from the end
    skip: int  # rows to skip after `after` before the page starts
    limit: int  # rows in the page (the last page may be short)


class KeyMap:
    """Sort keys known at row positions of one result (one query generation)."""

    def __init__(self) -> None:
        self._positions: list[int] = []
        self._keys: dict[int, Key] = {}

    def __len__(self) -> int:
        return len(self._positions)

    def add(self, position: int, key: Key) -> None:
        if position not in self._keys:
            bisect.insort(self._positions, position)
        self._keys[position] = key

    def add_page(self, start: int, keys: list[Key]) -> None:
        # Only a page's first and last keys are needed to seek from it.
        if keys:
            self.add(start, keys[0])
            self.add(start + len(keys) - 1, keys[-1])

    def seek(self, start: int, limit: int, total: int) -> Seek:
        """The cheapest way to read rows [start, start + limit) of a result of `total` rows."""
        end = min(start + limit, total)  # exclusive
        limit = max(end - start, 0)
        options: list[tuple[int, Seek]] = [
            (start, Seek(True, None, start, limit)),  # forward from the first row
            (total - end, Seek(False, None, total - end, limit)),  # backward from the last row
        ]
        i = bisect.bisect_left(self._positions, start)
        if i > 0:
            before = self._positions[i - 1]
            options.append((start - before - 1, Seek(True, self._keys[before], start - before - 1, limit)))
        j = bisect.bisect_left(self._positions, end)
        if j < len(self._positions):
            after = self._positions[j]
            options.append((after - end, Seek(False, self._keys[after], after - end, limit)))
        return min(options, key=lambda option: option[0])[1]
