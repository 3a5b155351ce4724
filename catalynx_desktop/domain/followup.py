"""What the details pane shows of an opportunity after the shortlist: its outcome, tasks, the
funder's contacts (and which one is ours for it) and the interactions."""

from __future__ import annotations

from dataclasses import dataclass

from catalynx_desktop.domain.contacts import Contact, Interaction
from catalynx_desktop.domain.outcomes import Outcome
from catalynx_desktop.domain.tasks import Task


@dataclass(frozen=True)
class Followup:
    opportunity_id: int
    outcome: Outcome
    tasks: tuple[Task, ...]
    contacts: tuple[Contact, ...]  # everyone known at the funder
    contact_id: int | None  # the opportunity's contact, one of `contacts`
    interactions: tuple[Interaction, ...]  # newest first
