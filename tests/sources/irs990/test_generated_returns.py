"""Generated returns of every era round-trip through the parser to the generator's known figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalynx_desktop.domain.giving import Address, FiledReturn, GrantKind, ReturnType
from catalynx_desktop.sources.irs990 import ParseProblem, parse_member
from tests.datagen.irs990_gen import (
    ERAS,
    GenAddress,
    GenOptions,
    GenReturn,
    ReturnFactory,
    generate_returns,
    write_teos_zip,
)

_KIND = {"paid": GrantKind.PAID, "future": GrantKind.FUTURE, "schedule_i": GrantKind.SCHEDULE_I}


def _address(a: GenAddress) -> Address:
    return Address(a.line1, a.line2, a.city, a.state, a.zip, a.country, a.province)


def _financials(gen: GenReturn) -> dict[str, int | None]:
    f = gen.financials
    expected = {
        "total_assets": f.get("total_assets"),
        "total_revenue": f.get("total_revenue"),
        "contributions_received": f.get("contributions"),
        "total_grants_paid": f.get("grants_paid"),
    }
    if gen.form == "990PF":
        expected |= {
            "fair_market_value": f.get("fair_market_value"),
            "qualifying_distributions": f.get("qualifying_distributions"),
            "distributable_amount": f.get("distributable_amount"),
            "listed_grants_paid_total": f.get("paid_total"),
            "future_grants_total": f.get("future_total"),
        }
    return expected


def assert_round_trip(gen: GenReturn, filed: FiledReturn | ParseProblem) -> None:
    assert isinstance(filed, FiledReturn), filed
    assert (filed.object_id, filed.ein, filed.return_type.value) == (gen.object_id, gen.ein, gen.form)
    assert (filed.return_version, filed.tax_year, filed.tax_period_end) == (
        gen.version,
        gen.tax_year,
        gen.period_end,
    )
    assert filed.tax_period == gen.period_end[:4] + gen.period_end[5:7]
    assert (filed.amended, filed.website) == (gen.amended, gen.website)
    assert (filed.filer_name, filed.filer_name_line2) == (gen.name, gen.name2)
    assert filed.filer_address == _address(gen.address)
    for key, value in _financials(gen).items():
        assert getattr(filed.financials, key) == value, key
    grants = [
        (
            _KIND[g.kind],
            g.name,
            g.line2,
            g.ein,
            _address(g.address),
            g.status,
            g.relationship,
            g.purpose,
            g.cash,
            g.noncash,
        )
        for g in gen.grants
    ]
    assert [
        (
            g.kind,
            g.recipient_name,
            g.recipient_name_line2,
            g.recipient_ein,
            g.address,
            g.foundation_status,
            g.relationship,
            g.purpose,
            g.cash_amount,
            g.noncash_amount,
        )
        for g in filed.grants
    ] == grants
    assert [
        (i.grant_type, i.recipient_count, i.cash_amount, i.noncash_amount) for i in filed.individual_grants
    ] == [tuple(i) for i in gen.individuals]
    assert [(p.name, p.title, p.hours_per_week, p.compensation) for p in filed.people] == [
        (p.name, p.title, p.hours, p.compensation) for p in gen.people
    ]
    assert [
        (
            a.contact_name,
            a.contact_address,
            a.phone,
            a.email,
            a.form_and_materials,
            a.deadlines,
            a.restrictions,
        )
        for a in filed.application
    ] == [
        (a.name, _address(a.address), a.phone, a.email, a.form, a.deadlines, a.restrictions)
        for a in gen.applications
    ]
    assert filed.preselected_only == (gen.preselected if gen.form == "990PF" else None)
    assert filed.schedule_i_filed == (gen.schedule_i if gen.form == "990" else None)
    assert filed.missing_fields == () and filed.notes == ()


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize("form", ["990", "990EZ", "990PF"])
def test_each_era_and_form_round_trips(era: str, form: str) -> None:
    factory = ReturnFactory(GenOptions(seed=ERAS.index(era) * 10 + len(form), grants=(0, 8)))
    for _ in range(25):
        gen = factory.make(form, era=era)
        assert_round_trip(gen, parse_member(gen.member_name, gen.xml()))


def test_the_variety_the_parser_must_meet_is_generated() -> None:
    """Guards the generator itself: each case below occurs in a modest sample."""
    sample = list(generate_returns(400, GenOptions(seed=3, grants=(0, 6))))
    pf = [r for r in sample if r.form == "990PF"]
    schedule_i = [g for r in sample for g in r.grants if g.kind == "schedule_i"]
    assert {r.era for r in sample} == set(ERAS) and any(r.form == "990EZ" for r in sample)
    assert any(r.amended for r in sample) and any(not r.grants for r in pf)
    assert any(g.kind == "future" for r in pf for g in r.grants)
    assert any(r.preselected for r in pf) and any(r.applications for r in pf)
    assert any(g.as_person for r in pf for g in r.grants) and any(g.line2 for r in pf for g in r.grants)
    assert any(g.ein for g in schedule_i) and any(not g.ein for g in schedule_i)
    assert any(g.noncash for g in schedule_i) and any(g.cash is None for g in schedule_i)
    assert any(g.address.country for r in sample for g in r.grants)
    assert any(r.individuals for r in sample) and any(r.schedule_i and not r.grants for r in sample)
    assert any(p.as_business for r in pf for p in r.people)
    for gen in sample:
        assert_round_trip(gen, parse_member(gen.member_name, gen.xml()))


def test_planted_focus_shapes_where_the_money_goes() -> None:
    options = GenOptions(seed=11, plant=1.0, focus_share=0.9, grants=(20, 40), pf_share=1.0, years=3)
    returns = list(generate_returns(30, options))
    assert all(r.focus is not None for r in returns)
    assert len({r.ein for r in returns}) == 10  # three returns per funder
    for gen in returns:
        focus = gen.focus
        assert focus is not None
        fitting = [g for g in gen.grants if g.field in focus.fields and g.address.state in focus.states]
        assert len(fitting) >= 0.7 * len(gen.grants)
        filed = parse_member(gen.member_name, gen.xml())
        assert isinstance(filed, FiledReturn)
        states = [g.address.state for g in filed.grants]
        assert sum(s in focus.states for s in states) >= 0.7 * len(states)
    assert ReturnFactory(options).pool == ReturnFactory(options).pool  # the same seed, the same recipients


def test_a_990t_is_one_clear_problem() -> None:
    gen = ReturnFactory(GenOptions(seed=5)).make("990T", era="2021")
    problem = parse_member(gen.member_name, gen.xml())
    assert isinstance(problem, ParseProblem) and problem.object_id == gen.object_id
    assert problem.reason == "form 990T is not one we import (990, 990-EZ, 990-PF)"
    assert ReturnType.FORM_990PF.value == "990PF"


def test_generation_is_deterministic_from_the_seed(tmp_path: Path) -> None:
    def build(folder: Path) -> tuple[bytes, bytes]:
        folder.mkdir()
        summary = write_teos_zip(
            folder / "2024_TEOS_XML_01A.zip",
            generate_returns(15, GenOptions(seed=77, plant=0.5)),
            seed=77,
            deflate64_share=0.5,
            other_forms=0.2,
        )
        assert summary.index is not None
        return summary.path.read_bytes(), summary.index.read_bytes()

    assert build(tmp_path / "a") == build(tmp_path / "b")
