"""IRS Form 990 / 990-EZ / 990-PF e-file returns: parsing (parser.py, by the era tables of
schema.py) and reading single files, folders, TEOS bulk zips and their index (reader.py).
Pure parsing: no storage here; the import workflow stores what these yield."""

from catalynx_desktop.sources.irs990.parser import (
    ParseProblem,
    ReturnError,
    object_id_from_name,
    parse_member,
    parse_members,
    parse_return,
)

__all__ = [
    "ParseProblem",
    "ReturnError",
    "object_id_from_name",
    "parse_member",
    "parse_members",
    "parse_return",
]
