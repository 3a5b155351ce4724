"""Screenshots of the main screens (offscreen), so a change that breaks rendering shows up.

Set CATALYNX_SCREENSHOTS=DIR to keep them (README's image comes from here:
`CATALYNX_SCREENSHOTS=resources/screenshots pytest tests/gui/test_screenshots.py`).
"""

from __future__ import annotations

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
            window.resize(1500, 860)
            window.table.setCurrentIndex(window.table_model.index(2, 0))
            await wait_for(lambda: window.details.pane.opportunity_id is not None)
            await window.table_model.wait_idle()
            shots = {"main-window.png": window, "details.png": window.details.pane}
            for name, widget in shots.items():
                image = widget.grab().toImage()
                assert image.width() > 200 and image.height() > 200
                assert image.save(str(out / name))
            empty = QImage(str(out / "main-window.png"))
            assert not empty.isNull()
        finally:
            await close_main_window(window)

    run(scenario())
