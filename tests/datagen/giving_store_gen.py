"""Generated giving (giving_gen.py) stored in a real database the way imports store it: each
organization as an IRS BMF record, each funder's year as a 990-PF return with its grants (the
recipients named by EIN, so the store matches them to their BMF records)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from catalynx_desktop.domain.evaluation import OrgFacts
from catalynx_desktop.domain.evidence import GrantFact
from catalynx_desktop.domain.giving import Address, FiledReturn, Grant, GrantKind, ReturnType
from catalynx_desktop.domain.records import RecordKind, Source, SourceRecord
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.giving_store import store_returns
from catalynx_desktop.storage.source_records_store import upsert_records
from tests.datagen.giving_gen import generate

PRIVATE = ("02", "03", "04")


def bmf_record(org: OrgFacts) -> SourceRecord:
    private = org.foundation in PRIVATE
    return SourceRecord(
        source=Source.IRS_BMF,
        source_id=org.ein,
        kind=RecordKind.FOUNDATION if private else RecordKind.ORGANIZATION,
        name=org.name,
        funder_name=org.name,
        ein=org.ein,
        state=org.state,
        country="US",
        ntee_code=org.ntee,
        subsection=org.subsection,
        foundation_code=org.foundation,
        is_grant_maker=private,
        assets=org.assets,
        income=org.income,
        revenue=org.revenue,
    )


def returns_of(grants: list[GrantFact], orgs: dict[str, OrgFacts]) -> list[FiledReturn]:
    by_return: dict[tuple[str, int], list[GrantFact]] = defaultdict(list)
    for g in grants:
        by_return[(g.funder_ein, g.year)].append(g)
    out = []
    for n, ((ein, year), facts) in enumerate(sorted(by_return.items())):
        funder = orgs[ein]
        out.append(
            FiledReturn(
                object_id=f"{year}{n:014d}",
                ein=ein,
                return_type=ReturnType.FORM_990PF,
                return_version="2022v5.0",
                tax_year=year,
                tax_period=f"{year}12",
                tax_period_end=f"{year}-12-31",
                amended=False,
                filer_name=funder.name,
                filer_address=Address(state=funder.state),
                grants=tuple(
                    Grant(
                        kind=GrantKind.PAID,
                        recipient_name=orgs[g.recipient_ein].name,
                        recipient_ein=g.recipient_ein,
                        address=Address(state=g.recipient_state),
                        foundation_status="PC",
                        purpose="GENERAL SUPPORT",
                        cash_amount=g.amount,
                    )
                    for g in facts
                ),
                preselected_only=False,
            )
        )
    return out


async def store_generated_giving(
    path: Path, seed: int = 13, funders: int = 300, recipients: int = 2000
) -> int:
    """Fill the database at `path` (created if missing); returns the number of grants stored."""
    grants, orgs = generate(seed, funders, recipients)
    records = [bmf_record(o) for o in orgs.values()]
    returns = returns_of(grants, orgs)
    db = await Database.open(path)
    try:
        await db.write(lambda conn: upsert_records(conn, records))
        counts = await db.write(lambda conn: store_returns(conn, returns))
    finally:
        await db.close()
    return counts.grants
