"""A dock pane whose content scrolls: the Details and Follow-up tabs grow taller than a dock."""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget


def fill_with_scrolling(pane: QWidget, content: QWidget) -> QScrollArea:
    """Put `content` in a scroll area that fills `pane` edge to edge; returns the area."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(content)
    outer = QVBoxLayout(pane)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scroll)
    return scroll
