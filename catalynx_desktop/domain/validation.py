"""Validation of identifiers that come from users and public files."""

from __future__ import annotations

import re
from collections.abc import Mapping

from catalynx_desktop.domain.places import US_STATES

_EIN_RE = re.compile(r"^\d{2}-?\d{7}$")
# NTEE: a major-group letter, then up to three more characters (digits or a trailing letter).
_NTEE_RE = re.compile(r"^[A-Z][0-9A-Z]{0,3}$")


def normalize_ein(text: str) -> str:
    """Return the 9-digit EIN, accepting 'NN-NNNNNNN'. Raises ValueError with a user-facing reason."""
    cleaned = text.strip()
    if not _EIN_RE.match(cleaned):
        raise ValueError(f"EIN {text!r} must be 9 digits (optionally written NN-NNNNNNN)")
    return cleaned.replace("-", "")


def is_valid_ein(text: str) -> bool:
    try:
        normalize_ein(text)
    except ValueError:
        return False
    return True


def normalize_ntee(text: str) -> str:
    """Upper-case NTEE code of 1-4 characters starting with a major-group letter."""
    cleaned = text.strip().upper()
    if not _NTEE_RE.match(cleaned):
        raise ValueError(f"NTEE code {text!r} must be a letter followed by up to 3 letters or digits")
    return cleaned


def ntee_major_group(code: str) -> str:
    return code[:1].upper() if code else ""


# -- places: the tables live in domain/places.py ------------------------------------------


def normalize_state(text: str) -> str:
    """A two-letter US state or territory code, upper case; ValueError naming it otherwise."""
    code = text.strip().upper()
    if code not in US_STATES:
        raise ValueError(f"State {text.strip()!r} is not a US state or territory code (e.g. VT, NY, PR, DC)")
    return code


def known_ntee(text: str, known: Mapping[str, str]) -> str:
    """An NTEE code that is on the list `known` (code -> name), upper case.

    Accepts what the picker puts in the field ("K31 — Food Banks & Pantries" -> K31). A word
    such as "food" is refused, not saved as FOOD (whose F would make a food bank a mental-health
    organization)."""
    code = text.strip().split(" ", 1)[0].strip().upper()
    # the BMF's 4-character codes (E22I) extend a listed 3-character one
    if code in known or (len(code) == 4 and code[:3] in known and _NTEE_RE.match(code)):
        return code
    raise ValueError(
        f"{text.strip()!r} is not an NTEE code: type a word such as 'food' and pick a code "
        "from the list (e.g. K31 Food Banks & Pantries)"
    )


# -- lengths ----------------------------------------------------------------------------------
# Bounds on what a user can store: far above any real value, far below what breaks a widget
# (a 300,000-character profile name crashed the window's text layout; 100,000 did not).
MAX_NAME = 300
MAX_LIST_ITEMS = 50  # target codes, focus areas, keywords, states
MAX_LIST_ITEM = 100  # one focus area or keyword
MAX_NOTES = 100_000
MAX_SHOWN = 200  # characters a list cell shows before it elides


def bounded(text: str, limit: int, field: str) -> str:
    if len(text) > limit:
        raise ValueError(f"{field} is {len(text):,} characters long; at most {limit:,} are allowed")
    return text


def bounded_list(items: tuple[str, ...], field: str, item_limit: int = MAX_LIST_ITEM) -> tuple[str, ...]:
    if len(items) > MAX_LIST_ITEMS:
        raise ValueError(f"{field}: {len(items):,} entries; at most {MAX_LIST_ITEMS} are allowed")
    for item in items:
        bounded(item, item_limit, f"{field} entry {item[:20]!r}…" if len(item) > 20 else f"{field} entry")
    return items


def elide(text: str, limit: int = MAX_SHOWN) -> str:
    """At most `limit` characters on one line, '…' at the cut (for labels and list cells)."""
    flat = " ".join(text[: limit * 4].split()) if len(text) > limit or "\n" in text else text
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
