"""The opportunity table's column layout (order, widths, visibility) as saved bytes with a version.

QHeaderView.saveState() carries no version of ours, so a layout saved by an older release (one
whose widths hid Score, Amount and Closes off-screen at 1280 px) would come back forever. Saved
bytes start with a tag and LAYOUT_VERSION; anything else (an older raw state, damaged bytes) is
refused and the caller keeps the default layout. Bump LAYOUT_VERSION when the default columns
change so that old layouts give way to the new defaults once.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QHeaderView

LAYOUT_VERSION = 2  # 1: unversioned raw QHeaderView states of earlier releases
_TAG = b"CXHL"


def save_header(header: QHeaderView) -> QByteArray:
    return QByteArray(_TAG + bytes([LAYOUT_VERSION]) + bytes(header.saveState().data()))


def restore_header(header: QHeaderView, saved: QByteArray | bytes | None) -> bool:
    """Apply a layout saved by save_header(); False (and the header untouched) for anything else."""
    if saved is None:
        return False
    data = bytes(saved.data()) if isinstance(saved, QByteArray) else bytes(saved)
    prefix = len(_TAG) + 1
    if len(data) <= prefix or data[: len(_TAG)] != _TAG or data[len(_TAG)] != LAYOUT_VERSION:
        return False
    return header.restoreState(QByteArray(data[prefix:]))
