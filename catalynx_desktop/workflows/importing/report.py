"""What an import did, and the rejected records saved as a CSV a user can open in Excel."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from catalynx_desktop.domain.records import RecordError
from catalynx_desktop.export.csv_safety import SafeCsvWriter
from catalynx_desktop.sources.detect import Format

# Errors kept in memory for the report; beyond this they are only counted (a file of pure
# garbage must not exhaust memory). `skipped` is always exact.
MAX_KEPT_ERRORS = 50_000


@dataclass
class ImportReport:
    """What an import did. records_read = inserted + updated + unchanged + skipped."""

    file: str
    format: str
    bytes_total: int = 0
    bytes_read: int = 0
    records_read: int = 0
    inserted: int = 0
    updated: int = 0  # existed and changed
    unchanged: int = 0  # existed and identical (re-import of the same data)
    skipped: int = 0  # rejected records (see errors)
    matched: int = 0  # user lists: rows matched to a known organization (by EIN, else name + state)
    matched_by_ein: int = 0
    matched_by_name_state: int = 0
    batches: int = 0
    cancelled: bool = False
    duration_s: float = 0.0
    errors: list[RecordError] = field(default_factory=list)
    errors_truncated: int = 0  # rejected records not kept in `errors` (beyond MAX_KEPT_ERRORS)
    from_cache: bool = False  # the file was unchanged: its parsed batches came from the parse cache
    incomplete: str = ""  # why the file was not read whole (it changed while it was read), or ""

    @property
    def imported(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def summary(self) -> str:
        text = (
            f"{Path(self.file).name}: {self.records_read:,} read, {self.inserted:,} inserted, "
            f"{self.updated:,} updated, {self.unchanged:,} unchanged, {self.skipped:,} skipped"
        )
        if self.format in (Format.USER_CSV, Format.USER_XLSX):
            text += f", {self.matched:,} matched to known organizations"
        if self.cancelled:
            text += " (cancelled: the batches above were committed)"
        if self.incomplete:
            text += (
                f". Incomplete: {self.incomplete}; the records above were committed, "
                "import the file again once it is whole"
            )
        return text

    def add_errors(self, errors: list[RecordError]) -> None:
        """Count rejected records; keep the first MAX_KEPT_ERRORS of them for the report."""
        self.skipped += len(errors)
        room = MAX_KEPT_ERRORS - len(self.errors)
        self.errors.extend(errors[: max(room, 0)])
        self.errors_truncated += max(len(errors) - max(room, 0), 0)


def write_rejects_csv(report: ImportReport, path: Path | str) -> Path:
    """Save every rejected record (file, record number, reason, raw text) as a CSV for Excel."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as stream:  # BOM: Excel reads UTF-8
        writer = SafeCsvWriter(stream)  # a rejected row's text must not run as a formula in Excel
        writer.writerow(["file", "record_number", "reason", "raw"])
        for error in report.errors:
            writer.writerow([error.file, error.record_number, error.reason, error.raw])
        if report.errors_truncated:
            writer.writerow(
                [
                    Path(report.file).name,
                    "",
                    f"{report.errors_truncated:,} more rejected records were counted but not listed",
                    "",
                ]
            )
    return path
