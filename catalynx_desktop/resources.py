"""Locate files under resources/ both from a checkout and inside a PyInstaller bundle."""

from __future__ import annotations

import csv
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

from catalynx_desktop.domain.ntee import NteeNames


def resources_dir() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)  # set by PyInstaller's bootloader
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(name: str) -> Path:
    path = resources_dir() / name
    if not path.exists():
        raise FileNotFoundError(f"resource {name!r} is missing from {resources_dir()}; reinstall the app")
    return path


@cache
def demo_seed() -> dict[str, Any]:
    seed: dict[str, Any] = json.loads(resource_path("demo_seed.json").read_text(encoding="utf-8"))
    return seed


@cache
def ntee_codes() -> dict[str, str]:
    """NTEE code -> description (26 major groups and 655 detailed codes)."""
    with resource_path("ntee_codes.csv").open(encoding="utf-8", newline="") as handle:
        return {row["ntee"]: row["description"] for row in csv.DictReader(handle)}


@cache
def ntee_names() -> NteeNames:
    """Every NTEE code in words (the lookup labels and reasons use)."""
    return NteeNames(ntee_codes())


ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def icon_paths() -> list[Path]:
    """The application icon's PNGs, smallest first (rendered from icons/catalynx.svg)."""
    return [resource_path(f"icons/catalynx-{size}.png") for size in ICON_SIZES]
