"""User settings that are not window layout: a small JSON file in the config directory.

Unknown keys are kept (a newer version's settings survive an older one); bad values fall back
to the defaults with a log line instead of stopping the app.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from catalynx_desktop.domain.discovery import DEFAULT_THRESHOLD
from catalynx_desktop.domain.scoring import DEFAULT_WEIGHTS, DIMENSIONS, ScoringWeights

log = logging.getLogger(__name__)

THEMES = ("system", "light", "dark")  # see ui/theme.py
# Every scoring weight, in the order the settings dialog shows them (stored as weight_<name>).
WEIGHT_NAMES: tuple[str, ...] = tuple(f.name for f in fields(ScoringWeights))


@dataclass(frozen=True)
class Settings:
    cache_max_mb: int = 500
    run_retention_days: int = 90
    discover_threshold: float = DEFAULT_THRESHOLD  # see domain/discovery.py for why
    theme: str = "system"
    # Scoring weights (relative), flat so the JSON stays simple; defaults are the domain's.
    weight_mission: float = DEFAULT_WEIGHTS.mission
    weight_geography: float = DEFAULT_WEIGHTS.geography
    weight_amount: float = DEFAULT_WEIGHTS.amount
    weight_capacity: float = DEFAULT_WEIGHTS.capacity
    weight_deadline: float = DEFAULT_WEIGHTS.deadline
    weight_eligibility: float = DEFAULT_WEIGHTS.eligibility
    # The funder matcher's evidence dimensions: a settings file written before them reads the defaults.
    weight_openness: float = DEFAULT_WEIGHTS.openness
    weight_relationship: float = DEFAULT_WEIGHTS.relationship

    def scoring_weights(self) -> ScoringWeights:
        return ScoringWeights(**{name: getattr(self, f"weight_{name}") for name in WEIGHT_NAMES})

    def validated(self) -> Settings:
        if not 16 <= self.cache_max_mb <= 100_000:
            raise ValueError("Cache size must be between 16 MB and 100,000 MB")
        if not 1 <= self.run_retention_days <= 3650:
            raise ValueError("Workflow run retention must be between 1 and 3650 days")
        if not 0.0 <= self.discover_threshold <= 1.0:
            raise ValueError("Discover threshold must be between 0 and 1")
        if self.theme not in THEMES:
            raise ValueError(f"Appearance must be one of: {', '.join(THEMES)}")
        self.scoring_weights()  # raises ValueError for negative weights
        # Federal programs are scored on the six BMF-era dimensions alone and divide by their sum;
        # ScoringWeights accepts six zeros while openness or relationship is above zero.
        if sum(getattr(self, f"weight_{name}") for name in DIMENSIONS) <= 0:
            raise ValueError("scoring weights must be >= 0 and not all zero")
        return self


def load_settings(path: Path) -> Settings:
    """Read settings; a missing or unreadable file gives the defaults. Runs off the UI thread."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as error:
        log.warning("settings file %s unreadable (%s); using defaults", path, error)
        return Settings()
    settings = Settings()
    for field in fields(Settings):
        if field.name in data:
            try:
                settings = replace(
                    settings, **{field.name: type(getattr(settings, field.name))(data[field.name])}
                )
            except (TypeError, ValueError):
                log.warning("setting %s=%r ignored", field.name, data[field.name])
    try:
        return settings.validated()
    except ValueError as error:
        log.warning("settings out of range (%s); using defaults", error)
        return Settings()


def save_settings(path: Path, settings: Settings) -> None:
    """Write atomically (temp file + rename), keeping keys this version does not know."""
    settings.validated()
    try:
        existing: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        existing = {}
    existing.update(asdict(settings))
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps(existing, indent=2), encoding="utf-8")
    os.replace(temp, path)
