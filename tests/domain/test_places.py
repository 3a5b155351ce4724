"""One table of US places: profiles target states and territories, records may also carry the
military mail codes, and the BMF parser counts exactly those as domestic rows."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from catalynx_desktop.domain.places import MILITARY_MAIL, RECORD_STATES, US_STATES
from catalynx_desktop.domain.validation import normalize_state
from catalynx_desktop.sources.bmf import US_STATE_CODES

BMF_VT = Path(__file__).resolve().parents[1] / "data" / "eo_vt.csv"  # a copy of the real IRS file


def test_fifty_states_dc_and_nine_territories() -> None:
    assert len(US_STATES) == 60
    assert {"VT", "DC", "PR", "GU", "UM", "FM", "MH", "PW"} <= US_STATES.keys()
    assert all(len(code) == 2 and code.isupper() for code in RECORD_STATES)


def test_records_may_carry_military_mail_codes_profiles_may_not() -> None:
    assert RECORD_STATES.keys() == US_STATES.keys() | MILITARY_MAIL.keys()
    assert frozenset(RECORD_STATES) == US_STATE_CODES
    assert normalize_state(" vt ") == "VT"
    with pytest.raises(ValueError, match="'AE' is not a US state"):
        normalize_state("AE")


def test_every_state_in_the_real_bmf_file_is_a_record_state() -> None:
    with BMF_VT.open(newline="", encoding="utf-8") as handle:
        states = {row["STATE"] for row in csv.DictReader(handle)}
    assert states <= RECORD_STATES.keys()
