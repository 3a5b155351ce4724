"""Light and dark appearance: follow the system, or force one (Settings > Appearance).

"system" leaves the palette to Qt, which follows the desktop's colour scheme where the platform
reports one (Windows 11, macOS, GNOME/KDE through the portal). A forced choice also sets an
explicit palette, so it holds on platforms that cannot switch the scheme themselves.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from catalynx_desktop.settings import THEMES

_ROLE = QPalette.ColorRole
_DISABLED = QPalette.ColorGroup.Disabled


def dark_palette() -> QPalette:
    palette = QPalette()
    colors = {
        _ROLE.Window: "#2b2b2b",
        _ROLE.WindowText: "#e8e8e8",
        _ROLE.Base: "#1f1f1f",
        _ROLE.AlternateBase: "#2a2a2a",
        _ROLE.ToolTipBase: "#3a3a3a",
        _ROLE.ToolTipText: "#f0f0f0",
        _ROLE.PlaceholderText: "#8c8c8c",
        _ROLE.Text: "#e8e8e8",
        _ROLE.Button: "#353535",
        _ROLE.ButtonText: "#e8e8e8",
        _ROLE.BrightText: "#ff6b6b",
        _ROLE.Light: "#4a4a4a",
        _ROLE.Midlight: "#3f3f3f",
        _ROLE.Mid: "#5a5a5a",
        _ROLE.Dark: "#191919",
        _ROLE.Shadow: "#000000",
        _ROLE.Highlight: "#2f65ca",
        _ROLE.HighlightedText: "#ffffff",
        _ROLE.Link: "#6ea8fe",
        _ROLE.LinkVisited: "#b48efa",
    }
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    for role in (_ROLE.WindowText, _ROLE.Text, _ROLE.ButtonText):
        palette.setColor(_DISABLED, role, QColor("#7a7a7a"))
    return palette


def is_dark(palette: QPalette) -> bool:
    return palette.color(_ROLE.Window).lightness() < palette.color(_ROLE.WindowText).lightness()


def apply_theme(app: QGuiApplication, theme: str) -> None:
    """Apply "system", "light" or "dark" to the whole application (widgets repaint at once)."""
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}; expected one of {', '.join(THEMES)}")
    hints = app.styleHints()
    if theme == "system":
        hints.unsetColorScheme()
        app.setPalette(QPalette())  # back to the platform's own palette
        return
    hints.setColorScheme(Qt.ColorScheme.Dark if theme == "dark" else Qt.ColorScheme.Light)
    style = getattr(app, "style", None)  # QApplication has a style; a bare QGuiApplication does not
    light = style().standardPalette() if style else QPalette()
    app.setPalette(dark_palette() if theme == "dark" else light)
