"""A funder's page in the details area: giving by year, its grants (lazy, sortable), where the money
goes, what it funds, grant sizes, people, how to apply, and "Add to pipeline"."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop.domain.funder_views import FunderDetail, Share
from catalynx_desktop.domain.ntee import MAJOR_GROUPS
from catalynx_desktop.ui.models.funder_table_model import GrantTableModel, accepts, money


def fill_table(table: QTableWidget, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Small fixed tables (a funder's years, states, people): a few dozen rows at most."""
    table.clear()
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if value[:1] in "$0123456789" and c > 0:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


def _read_only_table() -> QTableWidget:
    table = QTableWidget()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    return table


def _bar(part: int, whole: int, width: int = 20) -> str:
    """A text bar: the chart of giving by year without a chart library."""
    filled = round(width * part / whole) if whole > 0 else 0
    return "█" * filled + "·" * (width - filled)


def _share_rows(shares: Sequence[Share], total: int, names: dict[str, str] | None = None) -> list[list[str]]:
    rows = []
    for s in shares:
        label = (names or {}).get(s.key, s.key) if s.key else "unknown / not matched"
        rows.append([label, f"{s.grants:,}", money(s.amount), f"{s.amount / total:.0%}" if total else ""])
    return rows


class FunderPage(QWidget):
    """Shows one FunderDetail; the grants table is a GrantTableModel the controller opens."""

    def __init__(self, grants: GrantTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Choose a funder in the Funders view.")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.add_button = QPushButton("Add to pipeline")
        self.add_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.add_button)
        self.dossier_button = QPushButton(
            "Write funder dossier…"
        )  # when the profile has it as an opportunity
        self.dossier_button.setEnabled(False)
        top.addWidget(self.dossier_button)
        self.tabs = QTabWidget()
        self.years = _read_only_table()
        self.grants_view = QTableView()
        self.grants_view.setModel(grants)
        self.grants_view.setSortingEnabled(True)
        self.grants_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.grants_view.verticalHeader().hide()
        self.states = _read_only_table()
        self.groups = _read_only_table()
        self.sizes = QLabel()
        self.people = _read_only_table()
        self.apply = QLabel()
        self.apply.setWordWrap(True)
        self.apply.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.apply.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where = QWidget()
        where_layout = QVBoxLayout(where)
        part: QWidget
        for part in (
            QLabel("Where the money goes (recipients' states)"),
            self.states,
            QLabel("What it funds (recipients' NTEE groups, through the BMF)"),
            self.groups,
            self.sizes,
        ):
            where_layout.addWidget(part)
        pages: tuple[tuple[QWidget, str], ...] = (
            (self.years, "Giving by year"),
            (self.grants_view, "Grants"),
            (where, "Where and what"),
            (self.people, "People"),
            (self.apply, "How to apply"),
        )
        for page, name in pages:
            self.tabs.addTab(page, name)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs)
        self.detail: FunderDetail | None = None

    def show_detail(self, detail: FunderDetail) -> None:
        self.detail = detail
        f = detail.funder
        where = ", ".join(p for p in (f.city, f.state) if p)
        self.title.setText(
            f"<b>{f.name}</b> — EIN {f.ein}{' — ' + where if where else ''}<br>"
            f"Accepts applications: {accepts(f.accepts_applications)}"
        )
        self.add_button.setEnabled(True)
        most = max((y.grants_paid for y in detail.giving_by_year), default=0)
        fill_table(
            self.years,
            ("Year", "Grants paid", "", "Grants listed", "Listed total"),
            [
                [
                    str(y.tax_year),
                    money(y.grants_paid),
                    _bar(y.grants_paid, most),
                    f"{y.listed_grants:,}",
                    money(y.listed_total),
                ]
                for y in detail.giving_by_year
            ],
        )
        total = sum(s.amount for s in detail.states)
        fill_table(self.states, ("State", "Grants", "Amount", "Share"), _share_rows(detail.states, total))
        group_total = sum(s.amount for s in detail.ntee_groups)
        fill_table(
            self.groups,
            ("NTEE group", "Grants", "Amount", "Share"),
            _share_rows(detail.ntee_groups, group_total, {k: f"{k} — {v}" for k, v in MAJOR_GROUPS.items()}),
        )
        self.sizes.setText(
            f"Grant sizes: median {money(f.median_grant)}, quartiles {money(detail.q1_grant)} – "
            f"{money(detail.q3_grant)}; {f.grant_count:,} grants, {money(detail.grants_total)} in all"
        )
        fill_table(
            self.people,
            ("Name", "Title", "Hours a week", "Compensation"),
            [[p.name, p.title, p.hours_per_week, money(p.compensation)] for p in detail.people],
        )
        self.apply.setText(self._how_to_apply(detail))

    @staticmethod
    def _how_to_apply(detail: FunderDetail) -> str:
        if detail.preselected_only:
            return "Gives only to preselected organizations: it does not accept unsolicited requests."
        if not detail.how_to_apply:
            return "The return states no application procedure."
        parts = []
        for h in detail.how_to_apply:
            lines = [
                ("Contact", h.contact_name),
                ("Address", h.address),
                ("Phone", h.phone),
                ("Email", h.email),
                ("Form and materials", h.form_and_materials),
                ("Deadlines", h.deadlines),
                ("Restrictions", h.restrictions),
            ]
            parts.append("\n".join(f"{label}: {value}" for label, value in lines if value))
        return "\n\n".join(parts)
