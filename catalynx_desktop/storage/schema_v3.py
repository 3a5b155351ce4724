"""Schema version 3: full-text search over funders and federal opportunities (FTS5).

`record_search` holds the searchable text of each source record (rowid = source_records.id):
title/name, funder or agency, description, city, category and opportunity number. It is kept
in step by the code that writes source_records, in batches (storage/record_search.py): an
FTS5 insert per row from a trigger made bulk imports ~4x slower, the same rows indexed with
one INSERT ... SELECT per batch cost ~6 µs each.
"""

from __future__ import annotations

SEARCH_COLUMNS = ("name", "funder_name", "description", "city", "category", "opportunity_number")
_COLUMNS = ", ".join(SEARCH_COLUMNS)

STATEMENTS: list[str] = [
    f"CREATE VIRTUAL TABLE record_search USING fts5({_COLUMNS}, tokenize = 'unicode61 remove_diacritics 2')",
    f"INSERT INTO record_search (rowid, {_COLUMNS}) SELECT id, {_COLUMNS} FROM source_records",
]
