"""The pipeline, one vocabulary from discovery to the funder's decision.

Triage: discover -> plan -> analyze -> examine -> approach. After the approach, what a proposal
really goes through: submitted -> awarded / declined by the funder / withdrawn by us. 'declined'
keeps its first meaning, "we declined: not a fit", and is labelled so it never reads like the
funder's answer.

The order of PIPELINE is the stored stage_rank (the table sorts on it) and the order of the
Ctrl+digit shortcuts: the first stages keep Ctrl+1..Ctrl+5.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    DISCOVER = "discover"
    PLAN = "plan"
    ANALYZE = "analyze"
    EXAMINE = "examine"
    APPROACH = "approach"
    SUBMITTED = "submitted"
    AWARDED = "awarded"
    DECLINED_BY_FUNDER = "declined_by_funder"
    WITHDRAWN = "withdrawn"
    DECLINED = "declined"  # we declined: not a fit (the stage's meaning since version 1)

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def tab_label(self) -> str:
        """The label on the stage tabs, where eleven must fit at 1280 px: short, still words."""
        return _TAB_LABELS.get(self, _LABELS[self])

    @property
    def shortcut_digit(self) -> int:
        """The key that moves the selection to this stage (Ctrl+digit in the UI): 1..9 in
        pipeline order, 0 for the tenth."""
        return (PIPELINE.index(self) + 1) % 10

    @property
    def is_outcome(self) -> bool:
        """A stage after the approach: the proposal went out (or was pulled back)."""
        return self in OUTCOME_STAGES

    @property
    def is_closed(self) -> bool:
        """Nothing more to do: decided by the funder, withdrawn, or declined by us."""
        return self in CLOSED_STAGES


_LABELS: dict[Stage, str] = {
    Stage.DISCOVER: "Discover",
    Stage.PLAN: "Plan",
    Stage.ANALYZE: "Analyze",
    Stage.EXAMINE: "Examine",
    Stage.APPROACH: "Approach",
    Stage.SUBMITTED: "Submitted",
    Stage.AWARDED: "Awarded",
    Stage.DECLINED_BY_FUNDER: "Declined by funder",
    Stage.WITHDRAWN: "Withdrawn",
    Stage.DECLINED: "Not a fit (we declined)",
}

_TAB_LABELS: dict[Stage, str] = {
    Stage.DECLINED_BY_FUNDER: "Declined",  # by the funder (the tab's tip says so); ours is "Not a fit"
    Stage.DECLINED: "Not a fit",
}

PIPELINE: tuple[Stage, ...] = (
    Stage.DISCOVER,
    Stage.PLAN,
    Stage.ANALYZE,
    Stage.EXAMINE,
    Stage.APPROACH,
    Stage.SUBMITTED,
    Stage.AWARDED,
    Stage.DECLINED_BY_FUNDER,
    Stage.WITHDRAWN,
    Stage.DECLINED,
)

# The stages of schema versions 1-5, in their stage_rank order (migration v6 re-ranks them).
STAGES_BEFORE_OUTCOMES: tuple[Stage, ...] = (
    Stage.DISCOVER,
    Stage.PLAN,
    Stage.ANALYZE,
    Stage.EXAMINE,
    Stage.APPROACH,
    Stage.DECLINED,
)
OUTCOME_STAGES: frozenset[Stage] = frozenset(
    {Stage.SUBMITTED, Stage.AWARDED, Stage.DECLINED_BY_FUNDER, Stage.WITHDRAWN}
)
# A proposal the funder has decided on: what a win rate counts.
DECIDED_STAGES: frozenset[Stage] = frozenset({Stage.AWARDED, Stage.DECLINED_BY_FUNDER})
CLOSED_STAGES: frozenset[Stage] = frozenset(
    {Stage.AWARDED, Stage.DECLINED_BY_FUNDER, Stage.WITHDRAWN, Stage.DECLINED}
)


def stage_rank(stage: Stage) -> int:
    """The stored, sortable rank of a stage (its place in PIPELINE)."""
    return PIPELINE.index(stage)


def parse_stage(text: str) -> Stage:
    """A stage from its stored value or its label ('Declined by funder', 'declined by funder')."""
    cleaned = text.strip().lower()
    for stage in PIPELINE:
        if cleaned in (stage.value, stage.label.lower(), stage.value.replace("_", " ")):
            return stage
    allowed = ", ".join(s.value for s in PIPELINE)
    raise ValueError(f"unknown stage {text!r}; expected one of: {allowed}")


def next_stage(stage: Stage) -> Stage:
    """Where an opportunity usually goes from `stage` (what the Move dialog offers first): the
    following stage in PIPELINE order (Approach -> Submitted -> Awarded ...); from the last, Discover."""
    index = PIPELINE.index(stage)
    return PIPELINE[(index + 1) % len(PIPELINE)]
