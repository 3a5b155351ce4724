"""What an IRS 990 import did, and its problems (one line per bad member) as a CSV for Excel."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from catalynx_desktop.sources.irs990.parser import ParseProblem
from catalynx_desktop.storage.giving_store import StoreCounts

MAX_KEPT_PROBLEMS = 50_000  # beyond this problems are counted, not listed (bounded memory)


@dataclass
class Irs990Report:
    """Counts of one import of returns (a file, a folder or a TEOS zip)."""

    file: str
    format: str
    index: str = ""  # the index CSV used to select members ('' without one)
    workers: int = 0  # parsing processes used
    bytes_total: int = 0
    bytes_done: int = 0
    members: int = 0  # members read and parsed (or found bad)
    inserted: int = 0  # returns stored
    skipped_stored: int = 0  # stored already (by object id): skipped before decompression
    already_stored: int = 0  # stored already, found on write (e.g. a member repeated in the archive)
    superseded: int = 0  # stored, but a later filing for the same EIN and period counts instead
    grants: int = 0
    matched: int = 0  # grants tied to a BMF organization
    other_forms: int = 0  # the index says 990-T or another form we do not keep: not opened
    with_missing_fields: int = 0  # imported although some fields of their schema were not found
    problems: list[ParseProblem] = field(default_factory=list)
    problem_count: int = 0
    cancelled: bool = False
    duration_s: float = 0.0
    import_cpu_s: float = 0.0  # CPU of the import's own process (scheduling, writing)...
    parse_cpu_s: float = 0.0  # ...and of its parse workers: where the time went (benchmarks)

    def add_problem(self, problem: ParseProblem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_KEPT_PROBLEMS:
            self.problems.append(problem)

    def add_stored(self, counts: StoreCounts) -> None:
        self.inserted += counts.inserted
        self.already_stored += counts.skipped
        self.superseded += counts.superseded
        self.grants += counts.grants
        self.matched += counts.matched
        for object_id, reason in counts.rejected:
            self.add_problem(ParseProblem(Path(self.file).name, object_id, reason))

    def summary(self) -> str:
        text = (
            f"{Path(self.file).name}: {self.members:,} returns read, {self.inserted:,} imported "
            f"({self.grants:,} grants, {self.matched:,} matched to known organizations), "
            f"{self.skipped_stored + self.already_stored:,} already imported, {self.problem_count:,} rejected"
        )
        if self.other_forms:
            text += f", {self.other_forms:,} of other forms left out"
        if self.cancelled:
            text += " (cancelled: the returns above were committed)"
        return text


def write_problems_csv(report: Irs990Report, path: Path | str) -> Path:
    """One row per bad member: member, object id, reason (UTF-8 with a BOM for Excel; a value
    that a spreadsheet would run as a formula is prefixed with an apostrophe)."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["member", "object_id", "reason"])
        for problem in report.problems:
            writer.writerow([_safe(problem.member), problem.object_id, _safe(problem.reason)])
        hidden = report.problem_count - len(report.problems)
        if hidden > 0:
            writer.writerow(
                [Path(report.file).name, "", f"{hidden:,} more problems were counted but not listed"]
            )
    return path


def _safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
