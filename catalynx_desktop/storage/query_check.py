"""Check an opportunity query before any SQL is built from it.

Queries come from the window (sort header, stage tabs, search box, filter dialog) but also from
saved views and settings files a user may edit or that may be damaged. Whatever is in them, the
storage layer either runs the query or raises InvalidQuery (a ValueError, which the window shows as
a message): never a TypeError/OverflowError from deep inside, never an SQLite error. Identifiers
(sort columns, stages) must come from the whitelists; every value is bound as a parameter.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

from catalynx_desktop.domain.query import OpportunityFilters, OpportunityQuery, SortKey
from catalynx_desktop.domain.stages import Stage

_INT64 = 2**63 - 1
MAX_DAYS = 36_500  # "closes within" at most a century ahead
MAX_CHOICES = 1_000  # values in one IN (...) filter; SQLite allows 32,766 parameters per statement


class InvalidQuery(ValueError):
    """The query cannot be run as given; the message says which part and why."""


def check_query(query: Any) -> OpportunityQuery:
    """Return `query` if it is safe and meaningful to run, else raise InvalidQuery."""
    if not isinstance(query, OpportunityQuery):
        raise InvalidQuery(f"not an opportunity query: {type(query).__name__}")
    if (
        isinstance(query.profile_id, bool)
        or not isinstance(query.profile_id, int)
        or not -_INT64 <= query.profile_id <= _INT64
    ):
        raise InvalidQuery(f"profile {query.profile_id!r} is not a profile id")
    if query.stage is not None and not (isinstance(query.stage, str) and query.stage in _STAGES):
        raise InvalidQuery(f"there is no stage {query.stage!r}")
    if not (isinstance(query.sort, str) and query.sort in _SORT_KEYS):
        raise InvalidQuery(f"the table cannot be sorted by {query.sort!r}")
    if not isinstance(query.descending, bool):
        raise InvalidQuery(f"sort direction {query.descending!r} is neither ascending nor descending")
    if not isinstance(query.search, str):
        raise InvalidQuery(f"search text {query.search!r} is not text")
    _check_filters(query.filters)
    return query


_STAGES = frozenset(Stage)  # StrEnum members equal their values, so "plan" is found too
_SORT_KEYS = frozenset(SortKey)


def _check_filters(filters: Any) -> None:
    if not isinstance(filters, OpportunityFilters):
        raise InvalidQuery(f"not a set of filters: {type(filters).__name__}")
    for name, label in (("min_amount", "Amount from"), ("max_amount", "Amount up to")):
        value = getattr(filters, name)
        if value is not None and not _whole_number(value):
            raise InvalidQuery(f"{label} must be a whole number of dollars, not {value!r}")
    days = filters.closes_within_days
    if days is not None and (not _whole_number(days) or not 0 <= days <= MAX_DAYS):
        raise InvalidQuery(f"'Closes within' must be a number of days from 0 to {MAX_DAYS:,}, not {days!r}")
    for name, label in (("min_score", "Score from"), ("max_score", "Score up to")):
        value = getattr(filters, name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value)
        ):
            raise InvalidQuery(f"{label} must be a number, not {value!r}")
    for name, label in (
        ("states", "states"),
        ("sources", "sources"),
        ("ntee_groups", "NTEE groups"),
        ("priorities", "priorities"),
    ):
        values = getattr(filters, name)
        if not isinstance(values, tuple | list) or not all(_is_text(v) for v in values):
            raise InvalidQuery(f"the {label} filter must be a list of names, not {values!r}")
        if len(values) > MAX_CHOICES:
            raise InvalidQuery(f"the {label} filter has {len(values):,} values; at most {MAX_CHOICES:,}")
    if not _is_text(filters.tag):
        raise InvalidQuery(f"tag {filters.tag!r} is not text")


def _is_text(value: Any) -> bool:
    """A str SQLite can take as a parameter (a lone surrogate, e.g. from a damaged JSON file, is not)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _whole_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -_INT64 <= value <= _INT64
    return isinstance(value, float) and value.is_integer() and abs(value) < 2.0**63
