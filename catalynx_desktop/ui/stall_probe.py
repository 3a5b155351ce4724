"""Measure how long the UI thread stops answering: a 16 ms heartbeat timer records each gap.

Used by tests and benchmarks: start it, do the action, stop it, read the longest gap and p99.
A gap much longer than 16 ms means the UI thread was busy (or blocked) for that long.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer

HEARTBEAT_MS = 16


@dataclass(frozen=True)
class StallReport:
    beats: int
    longest_ms: float
    p99_ms: float
    p50_ms: float

    def __str__(self) -> str:
        return f"longest {self.longest_ms:.1f} ms, p99 {self.p99_ms:.1f} ms over {self.beats} beats"


class StallProbe(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = HEARTBEAT_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._beat)
        self._last = 0.0
        self._gaps: list[float] = []

    def start(self) -> None:
        self._gaps.clear()
        self._last = time.perf_counter()
        self._timer.start()

    def _beat(self) -> None:
        now = time.perf_counter()
        self._gaps.append((now - self._last) * 1000.0)
        self._last = now

    def stop(self) -> StallReport:
        self._timer.stop()
        # The time since the last beat counts too: a stall at the very end must not hide.
        self._beat()
        return self.report()

    def report(self) -> StallReport:
        gaps = sorted(self._gaps)
        if not gaps:
            return StallReport(0, 0.0, 0.0, 0.0)
        return StallReport(
            beats=len(gaps),
            longest_ms=gaps[-1],
            p99_ms=gaps[min(len(gaps) - 1, int(len(gaps) * 0.99))],
            p50_ms=gaps[len(gaps) // 2],
        )
