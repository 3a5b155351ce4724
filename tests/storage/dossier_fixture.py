"""A database with everything a dossier shows, built from a real 990-PF return.

The funder is the filer of IRS e-file 201601249349100900 (MARGARET MCNEIL TR UW CHARITY CO,
EIN 046662754, tax year 2015): its return, grants, trustee and how-to-apply entries are read
from the XML with ElementTree and stored in the giving tables of schema v5.

GIVING_DDL is those tables as the v5 branch defines them (storage/schema_v5.py of branch
p990-store, commit f6b41a2), only the ones a dossier reads, created IF NOT EXISTS: before v5 is
merged they stand in for it, after it the migration's own tables are used.
"""

from __future__ import annotations

import statistics
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

from catalynx_desktop.domain.contacts import InteractionKind, NewContact, NewInteraction
from catalynx_desktop.domain.outcomes import Outcome
from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.records import RecordKind, Source, SourceRecord
from catalynx_desktop.domain.scoring import score
from catalynx_desktop.domain.stages import Stage
from catalynx_desktop.domain.tasks import NewTask, TaskKind
from catalynx_desktop.storage.contact_store import ContactRepository
from catalynx_desktop.storage.database import Database
from catalynx_desktop.storage.opportunity_repository import OpportunityRepository
from catalynx_desktop.storage.outcome_store import OutcomeRepository
from catalynx_desktop.storage.profile_repository import ProfileRepository
from catalynx_desktop.storage.source_records_store import upsert_records
from catalynx_desktop.storage.task_store import TaskRepository

RETURN_990PF = Path(__file__).parents[1] / "data" / "irs990" / "201601249349100900_public.xml"
E = "{http://www.irs.gov/efile}"
FUNDER_EIN = "046662754"
FUNDER_NAME = "MARGARET MCNEIL TR UW CHARITY CO"
TODAY = date(2026, 12, 4)

GIVING_DDL = [
    """CREATE TABLE IF NOT EXISTS irs_returns (
        id INTEGER PRIMARY KEY, object_id TEXT NOT NULL UNIQUE, ein TEXT NOT NULL CHECK (length(ein) = 9),
        return_type TEXT NOT NULL CHECK (return_type IN ('990', '990PF', '990EZ')), tax_period TEXT NOT NULL,
        tax_period_end TEXT NOT NULL DEFAULT '', tax_year INTEGER, return_version TEXT NOT NULL DEFAULT '',
        amended INTEGER NOT NULL DEFAULT 0, filer_name TEXT NOT NULL DEFAULT '',
        filer_name_line2 TEXT NOT NULL DEFAULT '', address_line1 TEXT NOT NULL DEFAULT '',
        address_line2 TEXT NOT NULL DEFAULT '', city TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT '',
        zip TEXT NOT NULL DEFAULT '', country TEXT NOT NULL DEFAULT '', website TEXT NOT NULL DEFAULT '',
        total_assets INTEGER, fair_market_value INTEGER, total_revenue INTEGER, contributions_received INTEGER,
        total_grants_paid INTEGER, qualifying_distributions INTEGER, distributable_amount INTEGER,
        preselected_only INTEGER, grants_paid_count INTEGER NOT NULL DEFAULT 0,
        grants_paid_total INTEGER NOT NULL DEFAULT 0, future_grants_count INTEGER NOT NULL DEFAULT 0,
        future_grants_total INTEGER NOT NULL DEFAULT 0, individual_grants_total INTEGER NOT NULL DEFAULT 0,
        people_count INTEGER NOT NULL DEFAULT 0, first_grant_id INTEGER, last_grant_id INTEGER,
        counts INTEGER NOT NULL DEFAULT 0 CHECK (counts IN (0, 1)),
        imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))""",
    "CREATE INDEX IF NOT EXISTS ix_irs_returns_ein_period ON irs_returns(ein, tax_period)",
    """CREATE TABLE IF NOT EXISTS funders (
        id INTEGER PRIMARY KEY, ein TEXT NOT NULL UNIQUE, name TEXT NOT NULL DEFAULT '',
        city TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT '', return_type TEXT NOT NULL DEFAULT '',
        latest_tax_year INTEGER NOT NULL DEFAULT 0, latest_grants_paid INTEGER NOT NULL DEFAULT 0,
        trend REAL NOT NULL DEFAULT -2.0, grant_count INTEGER NOT NULL DEFAULT 0,
        grants_total INTEGER NOT NULL DEFAULT 0, median_grant INTEGER NOT NULL DEFAULT 0,
        q1_grant INTEGER NOT NULL DEFAULT 0, q3_grant INTEGER NOT NULL DEFAULT 0,
        accepts_applications INTEGER, refreshed_at TEXT NOT NULL DEFAULT '')""",
    """CREATE TABLE IF NOT EXISTS irs_grants (
        id INTEGER PRIMARY KEY, return_id INTEGER NOT NULL REFERENCES irs_returns(id),
        funder_id INTEGER NOT NULL REFERENCES funders(id), kind INTEGER NOT NULL CHECK (kind IN (0, 1, 2)),
        counts INTEGER NOT NULL CHECK (counts IN (0, 1)), tax_year INTEGER NOT NULL DEFAULT 0,
        amount INTEGER NOT NULL DEFAULT 0, recipient_name TEXT NOT NULL DEFAULT '',
        recipient_name_line2 TEXT NOT NULL DEFAULT '', recipient_ein TEXT NOT NULL DEFAULT '',
        city TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT '', zip TEXT NOT NULL DEFAULT '',
        country TEXT NOT NULL DEFAULT '', foundation_status TEXT NOT NULL DEFAULT '',
        relationship TEXT NOT NULL DEFAULT '', purpose TEXT NOT NULL DEFAULT '', cash_amount INTEGER,
        noncash_amount INTEGER, matched_org_id INTEGER,
        match_method INTEGER NOT NULL DEFAULT 0 CHECK (match_method IN (0, 1, 2, 3)))""",
    "CREATE INDEX IF NOT EXISTS ix_irs_grants_funder_amount ON irs_grants(funder_id, amount, id) WHERE counts = 1",
    """CREATE TABLE IF NOT EXISTS irs_people (
        id INTEGER PRIMARY KEY, return_id INTEGER NOT NULL REFERENCES irs_returns(id),
        name TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '', hours_per_week TEXT NOT NULL DEFAULT '',
        compensation INTEGER)""",
    """CREATE TABLE IF NOT EXISTS irs_applications (
        id INTEGER PRIMARY KEY, return_id INTEGER NOT NULL REFERENCES irs_returns(id),
        contact_name TEXT NOT NULL DEFAULT '', address_line1 TEXT NOT NULL DEFAULT '',
        address_line2 TEXT NOT NULL DEFAULT '', city TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT '',
        zip TEXT NOT NULL DEFAULT '', country TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '', form_and_materials TEXT NOT NULL DEFAULT '',
        deadlines TEXT NOT NULL DEFAULT '', restrictions TEXT NOT NULL DEFAULT '')""",
]


def _text(node: ET.Element, path: str) -> str:
    return (node.findtext(path) or "").strip()


def real_return() -> dict:
    """What the dossier needs from the real 990-PF, read straight from its XML."""
    root = ET.parse(RETURN_990PF).getroot()
    grants = []
    for g in root.iter(f"{E}GrantOrContributionPdDurYrGrp"):
        name = _text(g, f"{E}RecipientPersonNm") or _text(g, f".//{E}BusinessNameLine1Txt")
        grants.append(
            (
                name,
                _text(g, f".//{E}CityNm"),
                _text(g, f".//{E}StateAbbreviationCd"),
                _text(g, f"{E}GrantOrContributionPurposeTxt"),
                int(_text(g, f"{E}Amt")),
            )
        )
    applications = [
        (
            _text(a, f"{E}RecipientPersonNm"),
            _text(a, f".//{E}AddressLine1Txt"),
            _text(a, f".//{E}CityNm"),
            _text(a, f".//{E}StateAbbreviationCd"),
            _text(a, f"{E}RecipientPhoneNum"),
            _text(a, f"{E}FormAndInfoAndMaterialsTxt"),
            _text(a, f"{E}SubmissionDeadlinesTxt"),
            _text(a, f"{E}RestrictionsOnAwardsTxt"),
        )
        for a in root.iter(f"{E}ApplicationSubmissionInfoGrp")
    ]
    trustees = [
        (_text(p, f".//{E}BusinessNameLine1Txt") or _text(p, f"{E}PersonNm"), _text(p, f"{E}TitleTxt"))
        for p in root.iter(f"{E}OfficerDirTrstKeyEmplGrp")
    ]
    return {
        "tax_year": int(_text(root, f".//{E}TaxYr")),
        "total": int(_text(root, f".//{E}TotalGrantOrContriPdDurYrAmt")),
        "city": _text(root, f".//{E}Filer//{E}CityNm"),
        "grants": grants,
        "applications": applications,
        "trustees": trustees,
    }


def store_giving(conn, facts: dict, matched: dict[str, int]) -> None:
    """The real return in the v5 giving tables (inside the caller's transaction)."""
    for statement in GIVING_DDL:
        conn.execute(statement)
    amounts = sorted(g[4] for g in facts["grants"])
    q1, median, q3 = statistics.quantiles(amounts, n=4, method="inclusive")
    conn.execute(
        "INSERT INTO irs_returns (id, object_id, ein, return_type, tax_period, tax_year, filer_name, state, "
        "total_grants_paid, grants_paid_count, grants_paid_total, preselected_only, counts) "
        "VALUES (1, '201601249349100900', ?, '990PF', '201512', ?, ?, 'MA', ?, ?, ?, 0, 1)",
        (FUNDER_EIN, facts["tax_year"], FUNDER_NAME, facts["total"], len(amounts), sum(amounts)),
    )
    conn.execute(
        "INSERT INTO funders (id, ein, name, state, grant_count, grants_total, median_grant, q1_grant, q3_grant) "
        "VALUES (1, ?, ?, 'MA', ?, ?, ?, ?, ?)",
        (FUNDER_EIN, FUNDER_NAME, len(amounts), sum(amounts), int(median), int(q1), int(q3)),
    )
    conn.executemany(
        "INSERT INTO irs_grants (return_id, funder_id, kind, counts, tax_year, amount, recipient_name, city, "
        "state, purpose, matched_org_id) VALUES (1, 1, 0, 1, ?, ?, ?, ?, ?, ?, ?)",
        [(facts["tax_year"], g[4], g[0], g[1], g[2], g[3], matched.get(g[0])) for g in facts["grants"]],
    )
    conn.executemany("INSERT INTO irs_people (return_id, name, title) VALUES (1, ?, ?)", facts["trustees"])
    conn.executemany(
        "INSERT INTO irs_applications (return_id, contact_name, address_line1, city, state, phone, "
        "form_and_materials, deadlines, restrictions) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
        facts["applications"],
    )


PROFILE = Profile(
    name="Berkshire Scholars Fund",
    ein="043334444",
    ntee_code="B82",
    states=("MA",),
    focus_areas=("scholarships",),
    keywords=("scholarship", "students"),
    min_amount=1_000,
    max_amount=10_000,
)
FUNDER_RECORD = SourceRecord(
    source=Source.IRS_BMF,
    source_id=FUNDER_EIN,
    kind=RecordKind.FOUNDATION,
    name=FUNDER_NAME,
    funder_name=FUNDER_NAME,
    ein=FUNDER_EIN,
    city="HYANNIS",
    state="MA",
    ntee_code="T20",
    subsection="03",
    foundation_code="04",
    is_grant_maker=True,
    assets=234_286,
    ruling_date="199512",
)
# The recipient the return names, as the BMF would have it: an education organization in MA.
RECIPIENT_RECORD = SourceRecord(
    source=Source.IRS_BMF,
    source_id="043167352",
    kind=RecordKind.ORGANIZATION,
    name="UNIVERSITY OF MASSACHUSETTS",
    ein="043167352",
    city="AMHERST",
    state="MA",
    ntee_code="B43",
    subsection="03",
    foundation_code="12",
)


async def build_dossier_db(path: Path, *, with_giving: bool = True) -> tuple[Database, int]:
    """(open database, id of the opportunity whose dossier the tests read)."""
    db = await Database.open(path / "catalynx.sqlite3")
    profile = await ProfileRepository(db).create(PROFILE)
    assert profile.id is not None
    result = score(profile, FUNDER_RECORD, TODAY)
    facts = real_return()

    def seed(conn) -> int:
        upsert_records(conn, [FUNDER_RECORD, RECIPIENT_RECORD])
        ids = dict(conn.execute("SELECT source_id, id FROM source_records").fetchall())
        if with_giving:
            store_giving(conn, facts, {"UNIVERSITY OF MASSACHUSETTS": ids[RECIPIENT_RECORD.source_id]})
        cursor = conn.execute(
            "INSERT INTO opportunities (profile_id, source_record_id, source, source_id, title, funder_name, state, "
            "score, score_breakdown, amount, notes, rating, priority, tags) "
            "VALUES (?, ?, 'irs_bmf', ?, ?, ?, 'MA', ?, ?, 5000, ?, 4, 'high', '[\"scholarships\", \"<b>bold</b>\"]')",
            (
                profile.id,
                ids[FUNDER_EIN],
                FUNDER_EIN,
                "Scholarships for Berkshire County seniors",
                FUNDER_NAME,
                result.total,
                result.to_json(),
                "Trustee is TD Bank; ask the principal first.\nAmounts <script>alert(1)</script> & more",
            ),
        )
        # an earlier proposal to the same funder, awarded
        conn.execute(
            "INSERT INTO opportunities (profile_id, source_record_id, source, source_id, title, funder_name, "
            "stage, stage_rank) VALUES (?, ?, 'irs_bmf', 'earlier', '2024 scholarship round', ?, 'discover', 0)",
            (profile.id, ids[FUNDER_EIN], FUNDER_NAME),
        )
        conn.execute(
            "INSERT INTO profile_stage_counts (profile_id, stage, n) VALUES (?, 'discover', 2)", (profile.id,)
        )
        return int(cursor.lastrowid or 0)

    opportunity_id = await db.write(seed)
    earlier = (await db.fetch_all("SELECT id FROM opportunities WHERE source_id = 'earlier'"))[0][0]
    repo = OpportunityRepository(db)
    await repo.move_stage([earlier], Stage.AWARDED, "board approved", moved_by="Dana")
    await OutcomeRepository(db).save(
        earlier, Outcome(6_000, 4_000, date(2024, 5, 15), date(2024, 9, 1), date(2025, 6, 30))
    )
    await repo.move_stage(
        [opportunity_id], Stage.APPROACH, "strong fit, open to schools in MA", moved_by="Dana"
    )
    tasks = TaskRepository(db)
    await tasks.add(
        opportunity_id, NewTask(TaskKind.LETTER_OF_INQUIRY, date(2027, 1, 15), "Letter to the HS principal")
    )
    done = await tasks.add(
        opportunity_id, NewTask(TaskKind.FOLLOW_UP, date(2026, 11, 20), "Call TD Bank trust office")
    )
    await tasks.update(done.id, done=True)
    contacts = ContactRepository(db)
    principal = await contacts.add(
        NewContact(
            "Alex Moreno",
            funder_ein=FUNDER_EIN,
            role="High school principal",
            phone="4134499535",
            email="amoreno@example.org",
        )
    )
    await contacts.set_opportunity_contact(opportunity_id, principal.id)
    await contacts.add_interaction(
        opportunity_id,
        NewInteraction(
            date(2026, 11, 18), InteractionKind.CALL, "Principal will nominate two seniors", principal.id
        ),
    )
    return db, opportunity_id
