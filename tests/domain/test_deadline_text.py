"""Stated deadlines of 990-PF returns, as filers really type them."""

from __future__ import annotations

from datetime import date

import pytest

from catalynx_desktop.domain.deadline_text import StatedDate, next_deadline, stated_dates

TODAY = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MARCH 1", date(2027, 3, 1)),
        ("03/15/2024", date(2027, 3, 15)),  # the year has passed: the same day of the next cycle
        ("03/15/2027", date(2027, 3, 15)),
        ("12/31", date(2026, 12, 31)),
        ("DECEMBER 4", TODAY),  # due today is still ahead
        ("MARCH 1 AND SEPTEMBER 1", date(2027, 3, 1)),
        ("APPLICATIONS ARE DUE BY OCTOBER 31ST OF EACH YEAR", date(2027, 10, 31)),
        ("Proposals must be received by Jan. 15, 2027", date(2027, 1, 15)),
        ("15 FEBRUARY", date(2027, 2, 15)),
        ("2027-06-30", date(2027, 6, 30)),
        ("SEPT 30TH ANNUALLY", date(2027, 9, 30)),
        ("FEBRUARY 29", date(2027, 2, 28)),  # a leap day in a common year: the day before
    ],
)
def test_dates_are_found(text, expected):
    assert next_deadline(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "NONE",
        "None",
        "none",
        "ROLLING",
        "N/A",
        "",
        "APPLICATIONS MAY BE SUBMITTED AT ANY TIME",
        "QUARTERLY",
        "60 DAYS BEFORE THE BOARD MEETING",
        "SEE ATTACHED STATEMENT",
        "CALL (802) 555-1212 FOR DETAILS",
        "02/30/2024",  # not a day of any year
        "SECTION 501(C)(3) ORGANIZATIONS ONLY",
    ],
)
def test_text_without_a_date_gives_none(text):
    assert next_deadline(text, TODAY) is None


def test_every_date_is_listed_once_in_calendar_order():
    text = "SEPTEMBER 1, MARCH 1 AND 9/1"
    assert stated_dates(text) == (StatedDate(3, 1), StatedDate(9, 1))
