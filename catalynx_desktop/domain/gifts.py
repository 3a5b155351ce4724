"""A gift: money a funder gave to the user's own organization.

From the user's gift list (one row of their CSV/XLSX per gift, many per funder) or from a 990
grant whose recipient is the profile's organization. The strongest matching signal there is:
"gave you $25,000 in 2023" (lapsed when the last gift is more than 18 months old).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

LAPSED_AFTER_MONTHS = 18  # a grantor who has not given for 18 months needs re-cultivating


@dataclass(frozen=True, slots=True)
class Gift:
    funder_name: str
    ein: str | None = None  # 9 digits when known
    state: str = ""
    city: str = ""
    date: date | None = None
    amount: int | None = None  # whole dollars; None = not stated
    purpose: str = ""
    notes: str = ""
    row_number: int = 0  # row in the user's file (0 = not from a file)
    file: str = ""  # the user's file name, or '990 return <object id>'
    # Every column of the row as given (header, cell): nothing the user typed is lost.
    columns: tuple[tuple[str, str], ...] = ()


def months_between(earlier: date, later: date) -> int:
    """Whole months from `earlier` to `later` (a month counts once its day is reached)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


def is_lapsed(last_gift: date, today: date) -> bool:
    return months_between(last_gift, today) > LAPSED_AFTER_MONTHS


def latest_gift(gifts: Iterable[Gift]) -> Gift | None:
    """The most recent dated gift (an undated one only when none is dated)."""
    best: Gift | None = None
    for gift in gifts:
        if best is None or (gift.date is not None and (best.date is None or gift.date > best.date)):
            best = gift
    return best
