"""NTEE codes in words, for reasons a user reads ("Food Banks & Pantries", never "K31").

Pure: the caller passes the parsed code list (resources/ntee_codes.csv through
catalynx_desktop.resources.ntee_codes(), or ../shared/data/ntee); nothing here reads files.

Code facts (DOMAIN.md §1): a letter (major group) + 2 characters; the BMF adds a 4th character
(`T310`, `E22I`) that is not in the list, so a code is looked up by its first 3 characters,
then by its letter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# The 26 major groups, so reasons stay in words even when no list was passed.
MAJOR_GROUPS: dict[str, str] = {
    "A": "Arts, Culture & Humanities",
    "B": "Education",
    "C": "Environment",
    "D": "Animal-Related",
    "E": "Health Care",
    "F": "Mental Health & Crisis Intervention",
    "G": "Voluntary Health Associations & Medical Disciplines",
    "H": "Medical Research",
    "I": "Crime & Legal-Related",
    "J": "Employment",
    "K": "Food, Agriculture & Nutrition",
    "L": "Housing & Shelter",
    "M": "Public Safety, Disaster Preparedness & Relief",
    "N": "Recreation & Sports",
    "O": "Youth Development",
    "P": "Human Services",
    "Q": "International, Foreign Affairs & National Security",
    "R": "Civil Rights, Social Action & Advocacy",
    "S": "Community Improvement & Capacity Building",
    "T": "Philanthropy, Voluntarism & Grantmaking Foundations",
    "U": "Science & Technology",
    "V": "Social Science",
    "W": "Public & Societal Benefit",
    "X": "Religion-Related",
    "Y": "Mutual & Membership Benefit",
    "Z": "Unknown",
}


class NteeNames:
    """Code -> name lookup. `names` maps codes ('K', 'K31', 'A6A') to their descriptions."""

    def __init__(self, names: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = names.items() if isinstance(names, Mapping) else names
        self._names: dict[str, str] = dict(MAJOR_GROUPS)
        self._names.update((code.strip().upper(), text.strip()) for code, text in pairs if code.strip())

    def name(self, code: str) -> str:
        """Words for a code: its 3-character entry, else its major group, else 'an unknown field'."""
        code = code.strip().upper()
        if not code:
            return "an unknown field"
        return self._names.get(code[:3]) or self._names.get(code[:1]) or "an unknown field"

    def group_name(self, code: str) -> str:
        """Words for the major group of a code (or of a single letter)."""
        code = code.strip().upper()
        return self._names.get(code[:1], "an unknown field") if code else "an unknown field"

    def __len__(self) -> int:
        return len(self._names)


DEFAULT_NAMES = NteeNames()  # major groups only; pass the full list for detailed codes
