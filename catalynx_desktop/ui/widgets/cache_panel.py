"""Settings/about panel for the local cache: hit rate, size, entries, and a Clear cache button.

Talks to the cache only through its async API (stats(), clear()) via qasync slots, so the
UI thread never touches SQLite or the disk. No SQL here.
"""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from qasync import asyncSlot

log = logging.getLogger(__name__)


class _Stats(Protocol):
    # read-only: Cache.stats() returns a frozen dataclass
    @property
    def hits(self) -> int: ...
    @property
    def misses(self) -> int: ...
    @property
    def entries(self) -> int: ...
    @property
    def bytes(self) -> int: ...
    @property
    def max_bytes(self) -> int: ...

    @property
    def hit_rate(self) -> float: ...


class CacheLike(Protocol):
    """What the panel needs; catalynx_desktop.cache.Cache provides it."""

    async def stats(self) -> _Stats: ...

    async def clear(self, kind: str | None = None) -> int: ...


def format_bytes(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{n} bytes"  # unreachable; keeps type checkers happy


class CachePanel(QWidget):
    def __init__(self, cache: CacheLike, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cache = cache
        self.setObjectName("cachePanel")

        self.hit_rate_label = QLabel("–")
        self.size_label = QLabel("–")
        self.entries_label = QLabel("–")
        self.status_label = QLabel("")
        self.clear_button = QPushButton("Clear cache")
        self.clear_button.setToolTip(
            "Remove every cached parse result and view page. Nothing you entered is lost."
        )
        self.refresh_button = QPushButton("Refresh")

        form = QFormLayout()
        form.addRow("Hit rate (this session):", self.hit_rate_label)
        form.addRow("Size on disk:", self.size_label)
        form.addRow("Entries:", self.entries_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)

        self.clear_button.clicked.connect(self.on_clear_clicked)
        self.refresh_button.clicked.connect(self.on_refresh_clicked)

    # -- slots (qasync: each runs as a task on the event loop) --------------------------------
    @asyncSlot()
    async def on_refresh_clicked(self) -> None:
        await self.refresh()

    @asyncSlot()
    async def on_clear_clicked(self) -> None:
        await self.clear()

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self.on_refresh_clicked()  # fresh numbers whenever the panel is shown

    # -- plain coroutines (awaitable from tests and other async code) --------------------------
    async def refresh(self) -> None:
        try:
            stats = await self._cache.stats()
        except Exception:  # a closed/broken cache must not take the settings dialog down
            log.warning("cache stats unavailable", exc_info=True)
            self.status_label.setText("Cache statistics are unavailable.")
            return
        lookups = stats.hits + stats.misses
        self.hit_rate_label.setText(
            f"{stats.hit_rate:.0%} ({stats.hits:,} of {lookups:,} lookups)" if lookups else "no lookups yet"
        )
        self.size_label.setText(f"{format_bytes(stats.bytes)} of {format_bytes(stats.max_bytes)}")
        self.entries_label.setText(f"{stats.entries:,}")

    async def clear(self) -> None:
        self.clear_button.setEnabled(False)
        self.status_label.setText("Clearing…")
        try:
            removed = await self._cache.clear()
        except Exception:
            log.warning("clearing the cache failed", exc_info=True)
            self.status_label.setText("The cache could not be cleared.")
        else:
            self.status_label.setText(f"Cleared {removed:,} entries.")
        finally:
            self.clear_button.setEnabled(True)
        await self.refresh()
