"""Facts about a grant's recipient that matching and "organizations like mine" compare on.

Pure functions (DOMAIN.md §6): a normalized organization name, so that a recipient typed into a
990-PF ("The St. Mary's Church, Inc.") finds its BMF row ("ST MARYS CHURCH"); the recipient's
size band from its BMF revenue; the way a match was made.
"""

from __future__ import annotations

import enum
import functools
import re

# Anything but letters and digits separates words (after apostrophes are dropped: BMF writes
# "MARYS", never "MARY S").
_APOSTROPHES = str.maketrans("", "", "'’`")
_NOT_WORD = re.compile(r"[^0-9A-Z]+")
# Legal-form words that say nothing about which organization it is, dropped from the end
# (repeatedly: "... CO INC").
_TRAILING = frozenset({"INC", "INCORPORATED", "CORP", "CORPORATION", "CO", "LTD", "LLC"})
# Abbreviations both the BMF and filers use, spelled out so either form matches the other.
_EXPAND = {
    "ST": "SAINT",
    "MT": "MOUNT",
    "UNIV": "UNIVERSITY",
    "ASSN": "ASSOCIATION",
    "FDN": "FOUNDATION",
    "TR": "TRUST",
}


# Cached: a batch of returns names the same recipients again and again (normalizing was the
# largest Python cost of storing grants).
@functools.lru_cache(maxsize=1 << 16)
def normalize_org_name(name: str) -> str:
    """The matching key of an organization name (DOMAIN.md §6, step 1).

    Upper case; apostrophes dropped; '&' = AND; other punctuation is a space; a leading THE
    (or trailing) THE and trailing INC / CORP / CO / LTD / LLC dropped; ST, MT, UNIV, ASSN, FDN, TR spelled
    out. FOUNDATION and FRIENDS OF stay: "X HOSPITAL" and "X HOSPITAL FOUNDATION" are two
    organizations with two EINs. '' when nothing is left.
    """
    text = name.upper().translate(_APOSTROPHES).replace("&", " AND ")
    words = _NOT_WORD.sub(" ", text).split()
    if len(words) > 1 and words[0] == "THE":
        words = words[1:]
    while len(words) > 1 and (words[-1] in _TRAILING or words[-1] == "THE"):
        words.pop()  # "HOME OF VERMONT THE": the BMF moves a leading THE to the end
    return " ".join(_EXPAND.get(word, word) for word in words)


# The BMF abbreviates CITY to 13 characters ("WHITE RIV JCT", "S BURLINGTON"); filers mostly
# spell it out.
_CITY_EXPAND = {
    **_EXPAND,
    "N": "NORTH",
    "S": "SOUTH",
    "E": "EAST",
    "W": "WEST",
    "JCT": "JUNCTION",
    "RIV": "RIVER",
    "CTR": "CENTER",
    "FLS": "FALLS",
    "HTS": "HEIGHTS",
    "SPGS": "SPRINGS",
    "PT": "POINT",
    "VLG": "VILLAGE",
}


@functools.lru_cache(maxsize=1 << 14)
def normalize_city(city: str) -> str:
    """City names compare without punctuation and abbreviations (S BURLINGTON = SOUTH BURLINGTON)."""
    text = city.upper().translate(_APOSTROPHES)
    return " ".join(_CITY_EXPAND.get(word, word) for word in _NOT_WORD.sub(" ", text).split())


class MatchMethod(enum.IntEnum):
    """How a recipient was tied to a BMF organization (stored as the small integer)."""

    UNMATCHED = 0  # the recipient stays as the text the return gives
    EIN = 1  # Schedule I gave the recipient's EIN and the BMF has it
    NAME_STATE = 2  # the only organization of that normalized name in that state
    NAME_CITY_STATE = 3  # several in the state; the only one in the recipient's city

    @property
    def label(self) -> str:
        return _METHOD_LABELS[self]


_METHOD_LABELS = {
    MatchMethod.UNMATCHED: "not matched",
    MatchMethod.EIN: "by EIN",
    MatchMethod.NAME_STATE: "by name and state",
    MatchMethod.NAME_CITY_STATE: "by name, city and state",
}


class SizeBand(enum.IntEnum):
    """An organization's size by yearly revenue (BMF REVENUE_AMT, else INCOME_AMT)."""

    UNKNOWN = 0
    UNDER_100K = 1
    UNDER_1M = 2
    UNDER_10M = 3
    OVER_10M = 4

    @property
    def label(self) -> str:
        return _BAND_LABELS[self]


_BAND_LABELS = {
    SizeBand.UNKNOWN: "size unknown",
    SizeBand.UNDER_100K: "under $100,000 a year",
    SizeBand.UNDER_1M: "$100,000 to $1 million a year",
    SizeBand.UNDER_10M: "$1 million to $10 million a year",
    SizeBand.OVER_10M: "over $10 million a year",
}


def size_band(revenue: int | None) -> SizeBand:
    if revenue is None or revenue <= 0:
        return SizeBand.UNKNOWN
    if revenue < 100_000:
        return SizeBand.UNDER_100K
    if revenue < 1_000_000:
        return SizeBand.UNDER_1M
    if revenue < 10_000_000:
        return SizeBand.UNDER_10M
    return SizeBand.OVER_10M
