"""Settings store all eight scoring weights; a settings file from before openness and
relationship keeps working (the two new weights read their defaults)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from catalynx_desktop.domain.scoring import DEFAULT_WEIGHTS
from catalynx_desktop.settings import WEIGHT_NAMES, Settings, load_settings, save_settings


def test_old_settings_file_reads_the_new_weights_as_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"weight_mission": 0.8, "weight_geography": 0.2, "theme": "dark"}), "utf-8")
    settings = load_settings(path)
    weights = settings.scoring_weights()
    assert (weights.mission, weights.geography) == (0.8, 0.2)
    assert (weights.openness, weights.relationship) == (
        DEFAULT_WEIGHTS.openness,
        DEFAULT_WEIGHTS.relationship,
    )
    assert settings.theme == "dark"


def test_all_eight_weights_round_trip(tmp_path: Path) -> None:
    assert len(WEIGHT_NAMES) == 8 and {"openness", "relationship"} <= set(WEIGHT_NAMES)
    path = tmp_path / "settings.json"
    chosen = replace(Settings(), weight_openness=0.05, weight_relationship=0.9)
    save_settings(path, chosen)
    stored = json.loads(path.read_text("utf-8"))
    assert {f"weight_{n}" for n in WEIGHT_NAMES} <= set(stored)
    loaded = load_settings(path)
    assert loaded == chosen
    assert loaded.scoring_weights().relationship == 0.9
