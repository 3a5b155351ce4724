"""User settings that are not window layout: a small JSON file in the config directory.

Unknown keys are kept (a newer version's settings survive an older one); each bad value falls
back to its default, and a file that had one is kept aside and reported once (read_settings).
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
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


@dataclass(frozen=True)
class LoadedSettings:
    """Settings as read, and what was wrong with the file (None when nothing was)."""

    settings: Settings
    problem: str | None = None
    kept_aside: Path | None = None


def load_settings(path: Path) -> Settings:
    """Read settings; a missing or unreadable file gives the defaults. Runs off the UI thread."""
    return read_settings(path).settings


def read_settings(path: Path) -> LoadedSettings:
    """Read settings: each bad value falls back to its default, never fatal. A file with bad
    values is kept aside as settings.json.bad-<time> and rewritten with the good ones, so the
    user is told once. Runs off the UI thread."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return LoadedSettings(Settings())
    except (OSError, UnicodeDecodeError) as error:  # unreadable: leave it alone, use defaults
        log.warning("settings file %s unreadable (%s); using defaults", path, error)
        return LoadedSettings(Settings(), f"{path} could not be read ({error}); using the default settings.")
    except (ValueError, RecursionError) as error:
        data, bad = {}, [f"not JSON ({error})"]
    else:
        bad = [] if isinstance(data, dict) else [f"not a settings object ({type(data).__name__})"]
        data = data if isinstance(data, dict) else {}
    settings, bad_keys = _settings_from(data)
    bad += [f"{name}={data[name]!r}"[:80] for name in bad_keys]
    if not bad:
        return LoadedSettings(settings)
    log.warning("settings file %s: bad values %s; defaults used for them", path, bad)
    kept = _keep_aside(path, settings, {k: v for k, v in data.items() if k not in bad_keys})
    where = f" The file was kept as {kept.name}." if kept else ""
    problem = f"Some settings in {path} were not valid ({'; '.join(bad)}); their defaults are used.{where}"
    return LoadedSettings(settings, problem, kept)


def _settings_from(data: dict[str, Any]) -> tuple[Settings, list[str]]:
    """Settings from a JSON object, one key at a time: a bad value is its default."""
    settings = Settings()
    bad: list[str] = []
    for field in fields(Settings):
        if field.name not in data:
            continue
        value = _coerce(data[field.name], type(getattr(settings, field.name)))
        try:
            if value is None:
                raise ValueError(field.name)
            candidate = replace(settings, **{field.name: value})
            candidate.validated()
            settings = candidate
        except ValueError:
            bad.append(field.name)
    return settings, bad


def _coerce(value: Any, kind: type) -> Any:
    """The value as the field's type, or None when it is not one (bools are not numbers here)."""
    if isinstance(value, bool):
        return None
    if kind is str:
        return value if isinstance(value, str) else None
    if isinstance(value, int | float) and math.isfinite(value):
        if kind is int:
            return int(value) if float(value).is_integer() else None
        return float(value)
    return None


def _keep_aside(path: Path, settings: Settings, unknown: dict[str, Any]) -> Path | None:
    """Move the bad file aside and write the good settings in its place; None if that fails."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = path.with_name(f"{path.name}.bad-{stamp}")
    try:
        os.replace(path, kept)
    except OSError:
        log.warning("settings file %s could not be kept aside", path, exc_info=True)
        return None
    try:
        _write(path, {**unknown, **asdict(settings)})
    except OSError:
        log.warning("settings file %s could not be rewritten", path, exc_info=True)
    return kept


def save_settings(path: Path, settings: Settings) -> None:
    """Write atomically (temp file + rename), keeping keys this version does not know."""
    settings.validated()
    try:
        existing: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        existing = {}
    if not isinstance(existing, dict):
        existing = {}
    existing.update(asdict(settings))
    _write(path, existing)


def _write(path: Path, data: dict[str, Any]) -> None:
    """Temp file + rename; the temp file never stays behind (a full disk fails the write)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    try:
        temp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
