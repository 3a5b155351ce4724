"""What a parse worker does with a batch of members, and what it sends back to the import process.

The import process (reader, SQLite writer; threads of the UI process before it had its own) was
the import's bottleneck, so a worker does everything that needs no database: it reads and
decompresses its members from the archive (opened once per worker: reader.ArchiveReader; the
import process only schedules member offsets), parses
them, and turns each return into ready-to-bind rows with its recipients' matching keys
(storage/giving_rows.prepare_return). The writer then only assigns ids, looks up the matches
and runs executemany.

Measured on 2,500 generated returns (202,354 grants), app process CPU per 1,000 returns, both
versions in the same run: 1.80 s when the app read and decompressed the zip and rebuilt Grant
objects from the worker's tuples, 1.16 s now (most of what is left is SQLite's own inserts);
the worker's CPU stayed about the same (~1.6 s), since reading a member whole in one call costs
less than the pickled bytes it replaces. Latest figures: benchmarks/results/irs990_import.md.

Each return travels as its own pickle inside the batch's list: the pool unpickles a result in
one C call holding the GIL, and one whole batch (1.2 MB, ~6,000 grants) took up to 73 ms (a
stall of the event loop, when the import ran in the UI process; now it would hold up the import
process's writer thread); a single return unpickles in ~1 ms, on the feeder thread, between GIL
switches. The pickles are our own worker's output, never data from outside.
"""

from __future__ import annotations

import pickle

from catalynx_desktop.sources.irs990.parser import ParseProblem, parse_member
from catalynx_desktop.sources.irs990.reader import ArchiveReader, Limits, MemberRef, RawMember
from catalynx_desktop.storage.giving_rows import PreparedReturn, prepare_return

Sent = PreparedReturn | ParseProblem

_ARCHIVE = ArchiveReader()  # this worker's open archive, kept across batches


def _prepare(archive: str, member: MemberRef | RawMember, limits: Limits) -> Sent:
    raw = _ARCHIVE.read(archive, member, limits) if isinstance(member, MemberRef) else member
    if isinstance(raw, ParseProblem):
        return raw
    parsed = parse_member(raw.name, raw.data, limits.max_field_chars)
    return parsed if isinstance(parsed, ParseProblem) else prepare_return(parsed)


def prepare_for_parent(archive: str, members: list[MemberRef | RawMember], limits: Limits) -> list[bytes]:
    """Worker side: read, parse and prepare a batch; each return pickled alone (see above)."""
    return [
        pickle.dumps(_prepare(archive, member, limits), protocol=pickle.HIGHEST_PROTOCOL)
        for member in members
    ]


def unpack(pickled: bytes) -> Sent:
    """Parent side: one return's rows (or its problem)."""
    sent: Sent = pickle.loads(pickled)
    return sent
