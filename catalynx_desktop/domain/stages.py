"""The triage pipeline: discover -> plan -> analyze -> examine -> approach, plus declined."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    DISCOVER = "discover"
    PLAN = "plan"
    ANALYZE = "analyze"
    EXAMINE = "examine"
    APPROACH = "approach"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def shortcut_digit(self) -> int:
        """1..6: the key that moves the selection to this stage (Ctrl+digit in the UI)."""
        return PIPELINE.index(self) + 1


PIPELINE: tuple[Stage, ...] = (
    Stage.DISCOVER,
    Stage.PLAN,
    Stage.ANALYZE,
    Stage.EXAMINE,
    Stage.APPROACH,
    Stage.DECLINED,
)


def parse_stage(text: str) -> Stage:
    try:
        return Stage(text.strip().lower())
    except ValueError:
        allowed = ", ".join(s.value for s in PIPELINE)
        raise ValueError(f"unknown stage {text!r}; expected one of: {allowed}") from None


def next_stage(stage: Stage) -> Stage:
    """Where an opportunity usually goes from `stage` (what the Move dialog offers first):
    the following pipeline stage; from Approach, Declined; from Declined, back to Discover."""
    index = PIPELINE.index(stage)
    return PIPELINE[(index + 1) % len(PIPELINE)]
