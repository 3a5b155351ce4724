"""Settings: appearance, cache size, workflow-run retention, Discover threshold, scoring weights, cache stats."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from catalynx_desktop.settings import THEMES, WEIGHT_NAMES, Settings
from catalynx_desktop.ui.widgets.cache_panel import CacheLike, CachePanel
from catalynx_desktop.ui.widgets.form_fields import accept_if_valid, error_label


class SettingsDialog(QDialog):
    def __init__(
        self, parent: QWidget | None, settings: Settings, data_dir: Path, cache: CacheLike | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.cache_mb = QSpinBox()
        self.cache_mb.setRange(16, 100_000)
        self.cache_mb.setSuffix(" MB")
        self.cache_mb.setValue(settings.cache_max_mb)
        self.retention = QSpinBox()
        self.retention.setRange(1, 3650)
        self.retention.setSuffix(" days")
        self.retention.setValue(settings.run_retention_days)
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setValue(settings.discover_threshold)
        self.theme = QComboBox()
        for theme in THEMES:
            self.theme.addItem("Follow the system" if theme == "system" else theme.capitalize(), theme)
        self.theme.setCurrentIndex(THEMES.index(settings.theme))
        form = QFormLayout()
        data_label = QLabel(str(data_dir))
        data_label.setToolTip("Start with --data-dir DIR (or set CATALYNX_HOME) to use another one.")
        form.addRow("Data directory", data_label)
        form.addRow("Appearance", self.theme)
        form.addRow("Cache size limit", self.cache_mb)
        form.addRow("Keep workflow runs for", self.retention)
        form.addRow("Discover keeps scores from", self.threshold)
        self.weights: dict[str, QDoubleSpinBox] = {}
        weights_box = QGroupBox("Scoring weights (relative; Rescore applies them to existing opportunities)")
        weights_form = QFormLayout(weights_box)
        for name in WEIGHT_NAMES:
            spin = QDoubleSpinBox()
            spin.setRange(0.0, 10.0)
            spin.setSingleStep(0.05)
            spin.setValue(getattr(settings, f"weight_{name}"))
            self.weights[name] = spin
            weights_form.addRow(name.capitalize(), spin)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(weights_box)
        if cache is not None:
            box = QGroupBox("Cache")
            QVBoxLayout(box).addWidget(CachePanel(cache))
            layout.addWidget(box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self.problem = error_label()
        layout.addWidget(self.problem)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(
            lambda: self._fill(Settings())
        )
        layout.addWidget(buttons)

    def accept(self) -> None:
        accept_if_valid(self, self.chosen, self.problem)

    def _fill(self, settings: Settings) -> None:
        self.cache_mb.setValue(settings.cache_max_mb)
        self.retention.setValue(settings.run_retention_days)
        self.threshold.setValue(settings.discover_threshold)
        self.theme.setCurrentIndex(THEMES.index(settings.theme))
        for name, spin in self.weights.items():
            spin.setValue(getattr(settings, f"weight_{name}"))

    def chosen(self) -> Settings:
        """The settings the fields describe; ValueError (shown by the caller) if they are not valid."""
        return Settings(
            cache_max_mb=self.cache_mb.value(),
            run_retention_days=self.retention.value(),
            discover_threshold=round(self.threshold.value(), 2),
            theme=self.theme.currentData(),
            **{f"weight_{name}": round(spin.value(), 3) for name, spin in self.weights.items()},
        ).validated()
