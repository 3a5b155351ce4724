"""Validation of identifiers that come from users and public files."""

from __future__ import annotations

import re

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
