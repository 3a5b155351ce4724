"""Workflow runs in a user's words: "Import eo_vt.csv", "Discover — Harbor Arts", "38,576 unchanged".

Pure: the caller passes what a run stored (workflow name, parameters, counts) and the profile
names it knows; nothing here reads the database. The status bar, the Workflows dock and its
history all say the same thing through these functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from catalynx_desktop.domain.validation import elide

# Counts per workflow, in the order a user reads them, each with its label. A count missing from
# the table falls back to its key with underscores as spaces (a new count is never hidden).
_COUNT_LABELS: dict[str, tuple[tuple[str, str], ...]] = {
    "import": (
        ("read", "read"),
        ("inserted", "new"),
        ("updated", "updated"),
        ("unchanged", "unchanged"),
        ("skipped", "skipped"),
    ),
    "discover": (
        ("records", "records checked"),
        ("kept", "matches"),
        ("created", "new"),
        ("updated", "updated"),
    ),
    "rescore": (("scored", "rescored"), ("changed", "changed"), ("missing", "source gone")),
    "export": (("rows", "rows"), ("sheets", "sheets"), ("missing", "no longer stored")),
}
# Counts that only say how the work was done, not what came of it.
_HIDDEN_COUNTS: dict[str, frozenset[str]] = {
    "import": frozenset({"from_cache"}),
    "discover": frozenset({"scored"}),
    "rescore": frozenset({"opportunities"}),
}
_PARAMETER_LABELS = {
    "threshold": "minimum score",
    "today": "scored on",
    "format": "format",
    "source": "from",
    "selected": "selected rows",
    "sort": "sorted by",
}
_HIDDEN_PARAMETERS = frozenset({"path", "profile_id", "descending"})


_STEP_KINDS = {"match": "discover"}  # a step's counts read like its workflow's


def _kind(workflow: str) -> str:
    kind = workflow.strip().lower()
    return _STEP_KINDS.get(kind, kind)


def profile_label(parameters: Mapping[str, Any], profile_names: Mapping[int, str]) -> str | None:
    """The profile a run was for, by name ("profile #2 (deleted)" when it is gone)."""
    raw = parameters.get("profile_id")
    if raw is None:
        return None
    try:
        profile_id = int(raw)
    except (TypeError, ValueError):
        return None
    name = profile_names.get(profile_id)
    return elide(name, 80) if name else f"profile #{profile_id} (deleted)"


def run_title(
    workflow: str,
    parameters: Mapping[str, Any],
    counts: Mapping[str, int] | None = None,
    profile_names: Mapping[int, str] | None = None,
) -> str:
    """One name per run, the same everywhere it is shown."""
    kind = _kind(workflow)
    names = profile_names or {}
    file_name = PurePath(str(parameters.get("path") or "")).name
    if kind == "import":
        return f"Import {file_name}" if file_name else "Import"
    if kind in ("discover", "rescore"):
        profile = profile_label(parameters, names)
        verb = kind.capitalize()
        return f"{verb} — {profile}" if profile else verb
    if kind == "export":
        rows = (counts or {}).get("rows")
        if rows is not None:
            return f"Export {rows:,} row{'' if rows == 1 else 's'}"
        return f"Export to {file_name}" if file_name else "Export"
    text = workflow.replace("_", " ")
    return text[:1].upper() + text[1:]


def describe_counts(workflow: str, counts: Mapping[str, int]) -> str:
    """'6,535 read, 6,535 new, 0 unchanged' — labelled counts, never 'from_cache 0'."""
    kind = _kind(workflow)
    known = _COUNT_LABELS.get(kind, ())
    hidden = _HIDDEN_COUNTS.get(kind, frozenset())
    parts = [f"{counts[key]:,} {label}" for key, label in known if key in counts]
    labelled = {key for key, _label in known} | hidden
    parts += [
        f"{value:,} {key.replace('_', ' ')}" for key, value in sorted(counts.items()) if key not in labelled
    ]
    if kind == "import" and counts.get("from_cache"):
        parts.append("file unchanged since the last import (read from the cache)")
    return ", ".join(parts)


def describe_parameters(parameters: Mapping[str, Any], profile_names: Mapping[int, str] | None = None) -> str:
    """The run's settings in words: 'for Harbor Arts, minimum score 0.3, scored on 2026-12-04'."""
    parts = []
    profile = profile_label(parameters, profile_names or {})
    if profile:
        parts.append(f"for {profile}")
    if parameters.get("path"):
        parts.append(f"file {parameters['path']}")
    for key, value in parameters.items():
        if key in _HIDDEN_PARAMETERS or value in (None, ""):
            continue
        parts.append(f"{_PARAMETER_LABELS.get(key, key.replace('_', ' '))} {value}")
    return ", ".join(parts)
