"""Parsing what users type into form fields, and dialogs that refuse bad input with a reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from PySide6.QtWidgets import QDialog, QLabel


def split_list(text: str) -> tuple[str, ...]:
    """'a, b; c' -> ('a', 'b', 'c')."""
    return tuple(part.strip() for part in text.replace(";", ",").split(",") if part.strip())


def parse_dollars(text: str, field: str) -> int | None:
    """'$12,500' -> 12500; '' -> None; anything else -> ValueError naming the field."""
    cleaned = text.replace(",", "").replace("$", "").strip()
    if not cleaned:
        return None
    if not cleaned.isdigit():
        raise ValueError(f"{field} must be a whole number of dollars")
    return int(cleaned)


def error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet("color: #b00020")
    label.setWordWrap(True)
    return label


def accept_if_valid(dialog: QDialog, validate: Callable[[], Any], problem: QLabel) -> bool:
    """Accept `dialog` unless validate() raises ValueError, whose message then shows in `problem`."""
    try:
        validate()
    except ValueError as error:
        problem.setText(str(error))
        return False
    QDialog.accept(dialog)
    return True


def parse_day(text: str, field: str) -> date | None:
    """'2027-03-01' or '3/1/2027' -> a date; '' -> None; anything else -> ValueError naming the field."""
    cleaned = text.strip()
    if not cleaned:
        return None
    for layout in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(cleaned, layout).date()
        except ValueError:
            continue
    raise ValueError(f"{field} must be a date such as 2027-03-01")
