"""Screenshots of the main screens (offscreen), so a change that breaks rendering shows up.

Set CATALYNX_SCREENSHOTS=DIR to keep them (README's image comes from here:
`CATALYNX_SCREENSHOTS=resources/screenshots pytest tests/gui/test_screenshots.py`).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from PySide6.QtGui import QImage

from catalynx_desktop.app import close_main_window, open_main_window
from tests.gui.test_main_window import seed_demo, wait_for


def test_main_screens_render(qtbot, run, data_dir, tmp_path):
    out = Path(os.environ.get("CATALYNX_SCREENSHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    seed_demo(run, data_dir, profiles=6, opportunities=60_000)

    async def scenario():
        window = await open_main_window(data_dir)
        try:
            window.resize(1280, 800)  # the default size, as a new user first sees it
            await window.table_model.wait_idle()
            # The window as a new user first sees it (Details opens once a row is chosen) ...
            image = window.grab().toImage()
            assert image.width() > 200 and image.height() > 200
            assert image.save(str(out / "main-window.png"))
            # ... and the details of a chosen row.
            window.table.setCurrentIndex(window.table_model.index(2, 0))
            await wait_for(lambda: window.details.pane.opportunity_id is not None)
            await asyncio.sleep(0.2)  # the pane's wrapped labels settle on the next turns
            image = window.details.pane.grab().toImage()
            assert image.width() > 200 and image.height() > 200
            assert image.save(str(out / "details.png"))
            empty = QImage(str(out / "main-window.png"))
            assert not empty.isNull()
        finally:
            await close_main_window(window)

    run(scenario())
