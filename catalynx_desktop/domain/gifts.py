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


SAME_GIFT_WITHIN_DAYS = 366  # a 990 dates a grant at its tax year's end; an award at its decision


def is_same_gift(a: Gift, b: Gift) -> bool:
    """One gift seen twice: in the user's list and recorded as an award here, or reported again in
    the funder's 990. Same funder EIN and the same stated amount, dated within a year of each
    other (or either undated). Two gifts of one amount in one year from one funder are rare;
    counting every award twice once it is also listed was not."""
    if not a.ein or a.ein != b.ein or a.amount is None or a.amount != b.amount:
        return False
    if a.date is None or b.date is None:
        return True
    return abs((a.date - b.date).days) <= SAME_GIFT_WITHIN_DAYS


def add_new_gifts(known: dict[str, list[Gift]], more: Iterable[Gift]) -> None:
    """Add the gifts of another source to `known` (funder EIN -> gifts), leaving out each one that
    is a gift already known. One to one: a known gift stands for one gift of the new source, so
    two grants of one amount in one 990 are kept when the list names one of them."""
    earlier = {ein: list(gifts) for ein, gifts in known.items()}  # what the new source is checked against
    for gift in more:
        if not gift.ein:
            continue
        candidates = earlier.get(gift.ein, [])
        twin = next((i for i, seen in enumerate(candidates) if is_same_gift(gift, seen)), None)
        if twin is None:
            known.setdefault(gift.ein, []).append(gift)
        else:
            del candidates[twin]  # matched once
