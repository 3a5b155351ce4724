"""People at a funder, the contact of an opportunity, and the history of interactions with them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from catalynx_desktop.domain.validation import normalize_ein


class ContactOrigin(StrEnum):
    IRS_990 = "irs_990"  # an officer, director or trustee the funder's return names
    USER = "user"

    @property
    def label(self) -> str:
        return "from the funder's 990" if self is ContactOrigin.IRS_990 else "added by you"


class InteractionKind(StrEnum):
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    LETTER = "letter"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class NewContact:
    """A person at a funder, known by the funder's EIN, its source record, or both."""

    name: str
    funder_ein: str = ""
    source_record_id: int | None = None
    role: str = ""
    email: str = ""
    phone: str = ""
    notes: str = ""

    def validated(self) -> NewContact:
        """A cleaned copy, or ValueError naming the field a user has to fix."""
        name = " ".join(self.name.split())
        if not name:
            raise ValueError("Name is required")
        ein = normalize_ein(self.funder_ein) if self.funder_ein.strip() else ""
        if not ein and self.source_record_id is None:
            raise ValueError("A contact needs the funder: its EIN or its record")
        email = self.email.strip()
        if email and ("@" not in email or " " in email):
            raise ValueError(f"Email {email!r} is not an email address")
        return replace(
            self,
            name=name,
            funder_ein=ein,
            role=self.role.strip(),
            email=email,
            phone=self.phone.strip(),
            notes=self.notes.strip(),
        )


@dataclass(frozen=True)
class Contact:
    id: int
    name: str
    funder_ein: str
    source_record_id: int | None
    role: str
    email: str
    phone: str
    notes: str
    origin: ContactOrigin


@dataclass(frozen=True)
class NewInteraction:
    happened_on: date
    kind: InteractionKind
    note: str = ""
    contact_id: int | None = None


@dataclass(frozen=True)
class Interaction:
    id: int
    opportunity_id: int
    happened_on: date
    kind: InteractionKind
    note: str
    contact_id: int | None
    contact_name: str = ""  # '' when no contact (or the contact was removed)
