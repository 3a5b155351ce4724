"""Build FiledReturn values for storage tests, and a database holding the real Vermont BMF."""

from __future__ import annotations

from pathlib import Path

from catalynx_desktop.domain.giving import (
    Address,
    ApplicationInfo,
    FiledReturn,
    Financials,
    Grant,
    GrantKind,
    IndividualGrants,
    Person,
    ReturnType,
)
from catalynx_desktop.domain.records import SourceRecord
from catalynx_desktop.sources.bmf import BmfParser
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.source_records_store import upsert_records

# The real Vermont extract (a copy of shared/data/irs_eo_bmf/eo_vt.csv).
VT_BMF = Path(__file__).resolve().parents[1] / "data" / "eo_vt.csv"


def vt_bmf_records() -> list[SourceRecord]:
    return [item for item in BmfParser(VT_BMF) if isinstance(item, SourceRecord)]


async def open_with_vt_bmf(tmp_path: Path) -> Database:
    db = await Database.open(tmp_path / "catalynx.sqlite3")
    records = vt_bmf_records()
    await db.write(lambda conn: upsert_records(conn, records))
    return db


def grant(
    name: str,
    amount: int,
    *,
    kind: GrantKind = GrantKind.PAID,
    city: str = "",
    state: str = "VT",
    ein: str = "",
    purpose: str = "GENERAL SUPPORT",
    noncash: int | None = None,
) -> Grant:
    return Grant(
        kind=kind,
        recipient_name=name,
        recipient_ein=ein,
        address=Address(city=city, state=state),
        foundation_status="PC" if kind is not GrantKind.SCHEDULE_I else "501(C)(3)",
        purpose=purpose,
        cash_amount=amount,
        noncash_amount=noncash,
    )


def pf_return(
    object_id: str,
    ein: str,
    year: int,
    grants: tuple[Grant, ...] = (),
    *,
    amended: bool = False,
    preselected: bool | None = True,
    name: str = "GREEN MOUNTAIN FAMILY FOUNDATION",
    people: int = 3,
    total_paid: int | None = None,
    version: str = "2019v5.0",
) -> FiledReturn:
    return FiledReturn(
        object_id=object_id,
        ein=ein,
        return_type=ReturnType.FORM_990PF,
        return_version=version,
        tax_year=year,
        tax_period=f"{year}12",
        tax_period_end=f"{year}-12-31",
        amended=amended,
        filer_name=name,
        filer_address=Address(line1="1 MAIN ST", city="BURLINGTON", state="VT", zip="05401"),
        financials=Financials(
            total_assets=5_000_000, fair_market_value=6_000_000, total_grants_paid=total_paid
        ),
        grants=grants,
        people=tuple(Person(f"TRUSTEE {i}", "TRUSTEE", "1.00", 0) for i in range(people)),
        application=() if preselected else (ApplicationInfo(contact_name="JANE DOE", deadlines="MARCH 1"),),
        preselected_only=preselected,
    )


def form990_return(
    object_id: str, ein: str, year: int, grants: tuple[Grant, ...] = (), *, individuals: int = 0
) -> FiledReturn:
    return FiledReturn(
        object_id=object_id,
        ein=ein,
        return_type=ReturnType.FORM_990,
        return_version="2022v5.0",
        tax_year=year,
        tax_period=f"{year + 1}06",
        tax_period_end=f"{year + 1}-06-30",
        amended=False,
        filer_name="VERMONT COMMUNITY FOUNDATION",
        filer_address=Address(city="MIDDLEBURY", state="VT"),
        financials=Financials(total_revenue=90_000_000, total_grants_paid=None),
        grants=grants,
        individual_grants=((IndividualGrants("SCHOLARSHIPS", 12, individuals, None),) if individuals else ()),
        people=(Person("A PRESIDENT", "PRESIDENT", "40.00", 200_000),),
    )
