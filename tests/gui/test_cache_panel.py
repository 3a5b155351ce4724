"""pytest-qt smoke test: the cache panel shows live stats and clears the cache (qasync loop)."""

from __future__ import annotations

import asyncio
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from catalynx_desktop.cache import Cache
from catalynx_desktop.ui.widgets.cache_panel import CachePanel, format_bytes


def test_format_bytes() -> None:
    assert format_bytes(0) == "0 bytes"
    assert format_bytes(2048) == "2.0 KB"
    assert format_bytes(500 * 1024 * 1024) == "500.0 MB"


def test_panel_shows_stats_and_clears(qtbot, run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async def fill() -> Cache:
        cache = await Cache.open(tmp_path / "cache", max_bytes=10 * 1024 * 1024)
        for i in range(3):
            await cache.set("view", f"page{i}", list(range(500)))
        await cache.get("view", "page0")
        await cache.get("view", "missing")
        return cache

    cache = run(fill())
    panel = CachePanel(cache)
    qtbot.addWidget(panel)
    run(panel.refresh())
    assert panel.entries_label.text() == "3"
    assert panel.hit_rate_label.text().startswith("50%")
    assert "of 10.0 MB" in panel.size_label.text()

    # the real button path: the asyncSlot schedules a task on the qasync loop
    panel.clear_button.click()

    async def settle() -> None:
        for _ in range(200):
            if panel.status_label.text().startswith("Cleared") and panel.entries_label.text() == "0":
                return
            await asyncio.sleep(0.01)

    run(settle())
    assert panel.status_label.text() == "Cleared 3 entries."
    assert panel.entries_label.text() == "0"
    assert panel.clear_button.isEnabled()
    run(cache.close())

    run(panel.refresh())  # closed cache: a message, not an exception
    assert "unavailable" in panel.status_label.text()
