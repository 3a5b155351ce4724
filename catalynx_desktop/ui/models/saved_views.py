"""Saved views: a name for a stage + sort + search + filters + column layout, kept in the UI
settings file and reopened from the Views menu."""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from catalynx_desktop.domain.query import OpportunityFilters, SortKey
from catalynx_desktop.domain.stages import Stage

_GROUP = "saved_views"

log = logging.getLogger(__name__)


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
        if not isinstance(data, dict) or not isinstance(data.get("filters", {}), dict):
            raise ValueError("a saved view is a JSON object with a filters object")
        known = {f.name for f in fields(OpportunityFilters)}
        raw = {k: v for k, v in data.get("filters", {}).items() if k in known}
        filters = OpportunityFilters(**{k: _filter_value(k, v) for k, v in raw.items()})
        return cls(
            name=str(data["name"]),
            stage=Stage(data["stage"]) if data.get("stage") else None,
            sort=SortKey(data["sort"]),
            descending=bool(data["descending"]),
            search=str(data.get("search", "")),
            filters=filters,
            header_state=bytes.fromhex(data.get("header_state", "")),
        )


_NUMBER_FILTERS = {
    "min_amount": int,
    "max_amount": int,
    "closes_within_days": int,
    "min_score": float,
    "max_score": float,
}


def _filter_value(name: str, value: object) -> Any:
    """A stored filter value of the type its field holds, or ValueError (a damaged view)."""
    if name in _NUMBER_FILTERS:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"filter {name} is not a number")
        return _NUMBER_FILTERS[name](value)
    if name == "tag":
        if not isinstance(value, str):
            raise ValueError("filter tag is not text")
        return value
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"filter {name} is not a list of text")
    return tuple(value)


def list_views(settings: QSettings) -> list[SavedView]:
    settings.beginGroup(_GROUP)
    try:
        views = []
        for key in settings.childKeys():
            try:
                views.append(SavedView.from_json(str(settings.value(key))))
            except Exception:  # whatever is wrong with an entry (null, a list, a bad value)
                log.warning("saved view %s in %s is damaged; skipped", key, settings.fileName())
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
