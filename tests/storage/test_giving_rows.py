"""The rows a parse worker prepares say what the writer needs to know about a return without the
parsed objects: here, whether a stored 990-PF states deadlines (which then become tasks)."""

from __future__ import annotations

from dataclasses import replace

from catalynx_desktop.domain.giving import ReturnType
from catalynx_desktop.sources.irs990.parser import parse_return
from catalynx_desktop.storage.giving_rows import prepare_return, states_deadlines
from tests.sources.irs990.conftest import COPY


def _parsed_returns():
    for path in sorted((COPY / "returns").glob("*_public.xml")):
        yield parse_return(path.read_bytes(), object_id=path.name.split("_")[0])


def test_only_a_990pf_whose_how_to_apply_names_deadlines_states_them() -> None:
    seen = set()
    for filed in _parsed_returns():
        expected = filed.return_type is ReturnType.FORM_990PF and any(
            a.deadlines.strip() for a in filed.application
        )
        assert states_deadlines(prepare_return(filed)) == expected, filed.object_id
        seen.add(expected)
        if filed.application:  # the same return with the deadline text blanked out states none
            blank = replace(filed, application=tuple(replace(a, deadlines="  ") for a in filed.application))
            assert not states_deadlines(prepare_return(blank))
    assert seen == {True, False}  # the real returns hold both kinds
