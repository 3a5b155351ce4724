"""A gift: money a funder gave to the user's own organization.

From the user's gift list (one row of their CSV/XLSX per gift, many per funder) or from a 990
grant whose recipient is the profile's organization. The strongest matching signal there is:
"gave you $25,000 in 2023" (lapsed when the last gift is more than 18 months old).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from catalynx_desktop.domain import recipients

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


# One normalization for gift lists and 990 recipients (DOMAIN.md §6): a gift list's
# "The Ben & Jerry's Foundation, Inc." meets the BMF's "BEN & JERRYS FOUNDATION".
normalize_org_name = recipients.normalize_org_name


def gift_key(ein: str | None, name: str, state: str) -> str:
    """Which funder a gift belongs to: its EIN, else its normalized name and state."""
    if ein:
        return "".join(c for c in ein if c.isdigit()).zfill(9)
    return f"{normalize_org_name(name)}|{state.strip().upper()}"


def gifts_by_funder(gifts: Iterable[Gift]) -> dict[str, list[Gift]]:
    """Gifts grouped by gift_key, oldest first (undated last): many gifts per funder, none lost."""
    out: dict[str, list[Gift]] = {}
    for gift in gifts:
        out.setdefault(gift_key(gift.ein, gift.funder_name, gift.state), []).append(gift)
    for group in out.values():
        group.sort(key=lambda g: (g.date is None, g.date or date.min, g.row_number))
    return out


def gifts_for(funders_gifts: Mapping[str, list[Gift]], ein: str | None, name: str, state: str) -> list[Gift]:
    """The gifts of one funder record: by EIN, plus those listed by name and state only."""
    found = list(funders_gifts.get(gift_key(ein, name, state), ())) if ein else []
    found += funders_gifts.get(gift_key(None, name, state), ())
    return found
