"""What moving opportunities between stages changed: what the undo and the views need."""

from __future__ import annotations

from dataclasses import dataclass

from catalynx_desktop.domain.stages import Stage


@dataclass(frozen=True)
class StageMove:
    """What a stage move changed: each moved opportunity with the stage it came from."""

    to_stage: Stage
    moved: list[tuple[int, Stage]]
    profile_ids: frozenset[int]
