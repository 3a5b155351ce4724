"""Issue 14 (smaller item): 50 window open/close cycles in one process leaked 21 menus per
window. Closing a window now leaves no QMenu of it alive."""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QMenu

from catalynx_desktop.app import close_main_window, open_main_window


def live_menus() -> int:
    # deleteLater() is carried out by the event loop: let it run before counting
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    return sum(isinstance(widget, QMenu) for widget in QApplication.allWidgets())


def test_closing_windows_frees_their_menus(qtbot, run, data_dir) -> None:
    baseline = live_menus()
    for _cycle in range(3):
        window = run(open_main_window(data_dir))
        window.saved_views._fill()  # the Views menu rebuilt, as when it is opened
        assert live_menus() > baseline
        run(close_main_window(window))
        del window
    assert live_menus() == baseline


def test_reopening_the_views_menu_does_not_pile_up_submenus(qtbot, run, data_dir) -> None:
    from catalynx_desktop.domain.query import OpportunityFilters, SortKey
    from catalynx_desktop.ui.models.saved_views import SavedView, save_view

    window = run(open_main_window(data_dir))
    try:
        save_view(window.settings, SavedView("Mine", None, SortKey.TITLE, False, "", OpportunityFilters()))
        window.saved_views._fill()
        once = live_menus()
        for _opened in range(5):
            window.saved_views._fill()  # what opening the Views menu does
        assert live_menus() == once
    finally:
        run(close_main_window(window))
