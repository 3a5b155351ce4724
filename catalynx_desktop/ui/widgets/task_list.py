"""An opportunity's dated tasks: a table (done, due, kind, note, who made it) and a small form to
add a task or change the selected one. It only shows and asks; the controller writes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop.domain.tasks import NewTask, Task, TaskKind, TaskOrigin

HEADERS = ("Done", "Due", "Kind", "Note", "From")
TASK_ID_ROLE = Qt.ItemDataRole.UserRole


def selection_table(headers: Sequence[str]) -> QTableWidget:
    """A read-only table whose rows are picked one at a time (tasks, contacts, interactions)."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setMinimumHeight(120)
    return table


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def date_edit(day: date | None = None) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(qdate(day or date.today()))
    return edit


def picked_day(edit: QDateEdit) -> date:
    chosen = edit.date()
    return date(chosen.year(), chosen.month(), chosen.day())


class TaskList(QGroupBox):
    add_requested = Signal(object)  # NewTask
    update_requested = Signal(int, object)  # task id, NewTask (kind, due date, note)
    done_toggled = Signal(int, bool)  # task id, done
    delete_requested = Signal(int)  # task id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Tasks", parent)
        self.tasks: list[Task] = []
        self.table = selection_table(HEADERS)
        self.table.itemChanged.connect(self._item_changed)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.kind = QComboBox()
        for kind in TaskKind:
            self.kind.addItem(kind.label, kind)
        self.due = date_edit()
        self.note = QLineEdit()
        self.note.setPlaceholderText("what to do")
        self.add_button = QPushButton("Add task")
        self.update_button = QPushButton("Save changes")
        self.delete_button = QPushButton("Delete task…")
        self.add_button.clicked.connect(lambda: self.add_requested.emit(self.entered()))
        self.update_button.clicked.connect(self._update)
        self.delete_button.clicked.connect(self._delete)
        form = QHBoxLayout()
        form.addWidget(self.kind)
        form.addWidget(self.due)
        form.addWidget(self.note, 1)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.update_button, self.delete_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.show_tasks(None)

    def show_tasks(self, tasks: Sequence[Task] | None) -> None:
        self.setEnabled(tasks is not None)
        self.tasks = list(tasks or ())
        self.table.blockSignals(True)  # filling is not the user ticking boxes
        try:
            self.table.setRowCount(len(self.tasks))
            for row, task in enumerate(self.tasks):
                self._fill_row(row, task)
        finally:
            self.table.blockSignals(False)
        self.note.clear()
        self._selection_changed()

    def _fill_row(self, row: int, task: Task) -> None:
        done = QTableWidgetItem()
        done.setFlags(
            Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        )
        done.setCheckState(Qt.CheckState.Checked if task.done else Qt.CheckState.Unchecked)
        done.setData(TASK_ID_ROLE, task.id)
        origin = (
            "automatic: " + task.origin.label if task.origin is not TaskOrigin.USER else task.origin.label
        )
        texts = (task.due_date.isoformat(), task.kind.label, task.note, origin)
        self.table.setItem(row, 0, done)
        for column, text in enumerate(texts, start=1):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            self.table.setItem(row, column, item)

    def entered(self) -> NewTask:
        return NewTask(TaskKind(self.kind.currentData()), picked_day(self.due), self.note.text())

    def selected_task(self) -> Task | None:
        rows = self.table.selectionModel().selectedRows()
        return self.tasks[rows[0].row()] if rows else None

    def select_task(self, task_id: int) -> None:
        for row, task in enumerate(self.tasks):
            if task.id == task_id:
                self.table.selectRow(row)

    def _selection_changed(self) -> None:
        task = self.selected_task()
        # An automatic task follows its source's date (the next sync would undo an edit and bring
        # a deleted one back): it can only be marked done.
        editable = task is not None and task.origin is TaskOrigin.USER
        self.update_button.setEnabled(editable)
        self.delete_button.setEnabled(editable)
        tip = f"Made from the {task.origin.label}: mark it done instead." if task and not editable else ""
        self.update_button.setToolTip(tip)
        self.delete_button.setToolTip(tip)
        if task is not None:  # the form shows the chosen task, ready to change
            self.kind.setCurrentIndex(max(self.kind.findData(task.kind), 0))
            self.due.setDate(qdate(task.due_date))
            self.note.setText(task.note)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 0:
            self.done_toggled.emit(int(item.data(TASK_ID_ROLE)), item.checkState() == Qt.CheckState.Checked)

    def _update(self) -> None:
        if (task := self.selected_task()) is not None:
            self.update_requested.emit(task.id, self.entered())

    def _delete(self) -> None:
        if (task := self.selected_task()) is not None:
            self.delete_requested.emit(task.id)
