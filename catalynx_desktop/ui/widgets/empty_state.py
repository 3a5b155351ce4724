"""The first-run page shown instead of an empty grid: what to import, where to get it, then a profile."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

# Where a new user gets the real files the importers read (see ../shared/DOMAIN.md).
SOURCES: tuple[tuple[str, str, str], ...] = (
    (
        "IRS Exempt Organizations Business Master File (BMF)",
        "https://www.irs.gov/charities-non-profits/exempt-organizations-business-master-file-extract-eo-bmf",
        "every tax-exempt organization and foundation; one CSV per state (e.g. eo_vt.csv)",
    ),
    (
        "Grants.gov XML extract",
        "https://www.grants.gov/xml-extract",
        "every federal funding opportunity; the daily GrantsDBExtract…v2.zip",
    ),
    (
        "IRS Form 990 e-file downloads",
        "https://www.irs.gov/charities-non-profits/form-990-series-downloads",
        "the returns, with the grants each foundation made (large zips)",
    ),
)


def sources_html() -> str:
    items = "".join(f'<li><a href="{url}">{name}</a> — {what}</li>' for name, url, what in SOURCES)
    return f"<ul>{items}</ul>"


class EmptyState(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch()
        self.title = QLabel(
            "<h2>Welcome to Catalynx Desktop</h2>"
            "<p><b>1. Import</b> the public files funders are found in (File ▸ Import, Ctrl+I, "
            "or drop a file on this window):</p>"
            f"{sources_html()}"
            "<p><b>2. Create a profile</b> of the organization you raise money for.</p>"
            "<p><b>3. Discover</b> ranks the funders that fit it.</p>"
            "<p>Just looking? Load demo data: it opens in its own data directory, "
            "apart from your work.</p>"
        )
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setOpenExternalLinks(True)
        self.title.setWordWrap(True)
        self.title.setMaximumWidth(720)
        layout.addWidget(self.title, alignment=Qt.AlignmentFlag.AlignCenter)
        self.import_button = QPushButton("Import a file…")
        self.create_button = QPushButton("Create profile…")
        self.demo_button = QPushButton("Load demo data")
        for button in (self.import_button, self.create_button, self.demo_button):
            button.setMinimumWidth(220)
            layout.addWidget(button, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addStretch()
