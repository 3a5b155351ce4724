"""What the details pane shows of an opportunity after the shortlist: its outcome, tasks, the
funder's contacts (and which one is ours for it) and the interactions."""

from __future__ import annotations

from dataclasses import dataclass

from catalynx_desktop.domain.contacts import Contact, Interaction
from catalynx_desktop.domain.outcomes import Outcome
from catalynx_desktop.domain.tasks import Task

_FORM_NAMES = {"990PF": "990-PF", "990EZ": "990-EZ"}


@dataclass(frozen=True)
class OfficerOffer:
    """The people the funder's latest counting 990 names, offered as contacts (one button)."""

    named: int  # distinct (name, title) pairs the return names
    new: int  # of those, not yet the funder's contacts from its 990
    tax_year: int
    return_type: str  # irs_returns.return_type: '990', '990PF', '990EZ'

    @property
    def form(self) -> str:
        return _FORM_NAMES.get(self.return_type, self.return_type)

    def button_text(self) -> str:
        source = f"in its {self.tax_year} {self.form}"
        if self.new == 0:  # shown greyed out
            if self.named == 1:
                return f"The person named {source} is a contact"
            return f"The {self.named} people named {source} are all contacts"
        if self.named == 1:
            return f"Add the person named {source}"
        if 0 < self.new < self.named:
            return f"Add {self.new} more of the {self.named} people named {source}"
        return f"Add the {self.named} people named {source}"

    def tooltip(self) -> str:
        if self.new == 0:
            return f"Everyone its {self.form} names is among the contacts already."
        return "Copies them as contacts at this funder, marked “from the funder's 990”."


@dataclass(frozen=True)
class Followup:
    opportunity_id: int
    outcome: Outcome
    tasks: tuple[Task, ...]
    contacts: tuple[Contact, ...]  # everyone known at the funder
    contact_id: int | None  # the opportunity's contact, one of `contacts`
    interactions: tuple[Interaction, ...]  # newest first
    officers: OfficerOffer | None = None  # None: no 990 of the funder names anyone
