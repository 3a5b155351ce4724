"""Schema version 7: the user's gifts (one row per gift of their grantor list) and the indexes
that find 990 grants paid to a profile's own organization.

`gifts`: many per funder, never overwritten by the next row of the same funder. A gift belongs
to its funder by `funder_ein` (given in the list, or of the IRS record it was matched to by
name and state: `matched_record_id`), else by the grantor record of the list (`list_source_id`,
the user_list source id). Re-importing the same list changes nothing: a gift is unique by its
funder, date, amount, purpose and notes (two identical rows of one funder on one day are one
gift). Versions 4 and 6 are left to other changes landing in parallel.

The two partial indexes let Discover read "who already gave to this organization" from the 990
grants in one seek (recipient EIN from Schedule I, or the recipient matched to the BMF record
of the profile's EIN) instead of a scan of ~10M grants.
"""

from __future__ import annotations

STATEMENTS: list[str] = [
    """
    CREATE TABLE gifts (
        id INTEGER PRIMARY KEY,
        list_source_id TEXT NOT NULL,
        funder_ein TEXT NOT NULL DEFAULT '',
        matched_record_id INTEGER,
        funder_name TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT '',
        city TEXT NOT NULL DEFAULT '',
        gift_date TEXT NOT NULL DEFAULT '',
        amount INTEGER NOT NULL DEFAULT -1,
        purpose TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        file TEXT NOT NULL DEFAULT '',
        row_number INTEGER NOT NULL DEFAULT 0,
        imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        UNIQUE (list_source_id, gift_date, amount, purpose, notes)
    )
    """,
    "CREATE INDEX ix_gifts_funder_ein ON gifts(funder_ein) WHERE funder_ein != ''",
    "CREATE INDEX ix_irs_grants_recipient_ein ON irs_grants(recipient_ein) WHERE recipient_ein != ''",
    "CREATE INDEX ix_irs_grants_matched_org ON irs_grants(matched_org_id) WHERE matched_org_id IS NOT NULL",
]
