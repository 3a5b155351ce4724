"""Appearance: follow the system, or force light or dark; the choice persists and applies at once."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from catalynx_desktop.app import close_main_window, open_main_window
from catalynx_desktop.settings import Settings, load_settings
from catalynx_desktop.ui.dialogs.settings_dialog import SettingsDialog
from catalynx_desktop.ui.theme import apply_theme, is_dark


def _window_palette(window) -> QPalette:
    return window.table.palette()


def test_dark_appearance_applies_at_once_and_persists_across_a_restart(qtbot, run, data_dir):
    app = QApplication.instance()
    window = run(open_main_window(data_dir))
    try:
        assert not is_dark(_window_palette(window))  # the offscreen platform's own palette is light
        dialog = SettingsDialog(window, window.services.settings, window.services.paths.data_dir, None)
        dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
        chosen = dialog.chosen()
        assert chosen.theme == "dark"
        run(window.app_settings.apply(chosen))
        palette = _window_palette(window)
        assert is_dark(palette)
        # Text stays readable: strong contrast between the table's text and its background.
        assert (
            palette.color(QPalette.ColorRole.Text).lightness()
            - palette.color(QPalette.ColorRole.Base).lightness()
            > 150
        )
        assert load_settings(window.services.paths.settings_file).theme == "dark"
    finally:
        run(close_main_window(window))
    apply_theme(app, "system")
    assert not is_dark(app.palette())

    window = run(open_main_window(data_dir))  # a restart reads the saved choice
    try:
        assert is_dark(_window_palette(window))
        run(window.app_settings.apply(Settings(theme="light")))
        assert not is_dark(_window_palette(window))
    finally:
        run(close_main_window(window))
        apply_theme(app, "system")


def test_an_unknown_appearance_is_refused():
    with pytest.raises(ValueError, match="Appearance"):
        Settings(theme="purple").validated()
    with pytest.raises(ValueError, match="unknown theme"):
        apply_theme(QApplication.instance() or QApplication([]), "purple")
