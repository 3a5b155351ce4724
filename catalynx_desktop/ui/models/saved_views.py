"""Saved views: a name for a stage + sort + search + filters + column layout, kept in the UI
settings file and reopened from the Views menu."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from catalynx_desktop.domain.query import OpportunityFilters, SortKey
from catalynx_desktop.domain.stages import Stage

_GROUP = "saved_views"


@dataclass(frozen=True)
class SavedView:
    name: str
    stage: Stage | None
    sort: SortKey
    descending: bool
    search: str
    filters: OpportunityFilters
    header_state: bytes = b""  # column order, widths and visibility (QHeaderView.saveState)

    def to_json(self) -> str:
        data = asdict(self)
        data["stage"] = self.stage.value if self.stage else None
        data["sort"] = self.sort.value
        data["header_state"] = bytes(self.header_state).hex()
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> SavedView:
        data = json.loads(text)
        known = {f.name for f in fields(OpportunityFilters)}
        raw = {k: v for k, v in data.get("filters", {}).items() if k in known}
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
        filters = OpportunityFilters(**values)
        return cls(
            name=str(data["name"]),
            stage=Stage(data["stage"]) if data.get("stage") else None,
            sort=SortKey(data["sort"]),
            descending=bool(data["descending"]),
            search=str(data.get("search", "")),
            filters=filters,
            header_state=bytes.fromhex(data.get("header_state", "")),
        )


def list_views(settings: QSettings) -> list[SavedView]:
    settings.beginGroup(_GROUP)
    try:
        views = []
        for key in settings.childKeys():
            try:
                views.append(SavedView.from_json(str(settings.value(key))))
            except (ValueError, KeyError, TypeError):
                continue  # a damaged entry is skipped, never fatal
        return sorted(views, key=lambda v: v.name.lower())
    finally:
        settings.endGroup()


def _key(name: str) -> str:
    return name.encode("utf-8").hex()  # any name is a safe settings key


def save_view(settings: QSettings, view: SavedView) -> None:
    settings.setValue(f"{_GROUP}/{_key(view.name)}", view.to_json())
    settings.sync()


def delete_view(settings: QSettings, name: str) -> None:
    settings.remove(f"{_GROUP}/{_key(name)}")
    settings.sync()


def header_bytes(state: QByteArray) -> bytes:
    return bytes(state.data())
