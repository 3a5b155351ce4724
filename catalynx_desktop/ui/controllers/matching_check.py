"""Help > "How well does matching work on my data…": the back-test on the imported 990 grants.

The test runs off the UI thread (services.matching.evaluate: the read on the reader's thread, the
scoring in a worker thread) with the status bar's progress and Cancel; Cancel is a flag the
back-test reads before each recipient (~5 ms each on 300 funders), so it ends well within 1 s.

The last result is remembered in the window's settings (ui.ini, key `matching/last_check`), with
the database it was measured on: the dialog shows it with "last measured on <date>" without
re-running, and never shows one data directory's figures in another's window. Settings rather
than the database: a remembered figure is the window's memory, not data to back up or migrate.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from catalynx_desktop.domain.evaluation import BackTestResult, Ranking, TooLittleData, shortfall
from catalynx_desktop.ui.dialogs.matching_check_dialog import MatchingCheckDialog, MeasuredCheck

if TYPE_CHECKING:
    from catalynx_desktop.ui.controllers.context import ControllerContext
    from catalynx_desktop.ui.controllers.long_action import LongAction

log = logging.getLogger(__name__)

SETTINGS_KEY = "matching/last_check"


class MatchingCheck(QObject):
    def __init__(self, context: ControllerContext, long_action: LongAction) -> None:
        super().__init__(context.window)
        self._context = context
        self._long_action = long_action  # the status bar's progress and Cancel
        self._running: threading.Event | None = None
        self.dialog: MatchingCheckDialog | None = None  # the one shown last (tests read it)

    async def open(self) -> None:
        """Show the last result if there is one for this database, else measure now."""
        remembered = self.remembered()
        if remembered is None:
            await self.measure(None)
            return
        dialog = await self._new_dialog()
        dialog.show_check(remembered, fresh=False)
        dialog.open()

    async def measure(self, year: int | None) -> None:
        """Run the back-test hiding `year` (None: the latest) and show what came of it."""
        if self._running is not None:
            self._context.status.show("Matching is being measured already; see the status bar.")
            return
        context, long_action = self._context, self._long_action
        token = long_action.begin("Measuring how well matching works on your 990 grants…", 0)
        self._running = token

        def progress(done: int, total: int) -> None:
            if long_action.is_current(token):
                long_action.set_progress(done, total)

        try:
            result = await context.services.matching.evaluate(
                year, context.services.settings.scoring_weights(), progress=progress, cancel=token
            )
        except InterruptedError:
            context.status.show("Measuring matching cancelled; no figures were kept.")
            return
        except TooLittleData as error:
            await self._show_advice(error.advice)
            return
        finally:
            self._running = None
            long_action.end(token)
        await self._show_result(result)

    async def _show_result(self, result: BackTestResult) -> None:
        advice = shortfall(result)
        if advice is not None:  # a thin result is not remembered: the last good one stays
            await self._show_advice(advice)
            return
        check = MeasuredCheck(result, datetime.now().astimezone())
        self._remember(check)
        k = result.ks[0]
        self._context.status.show(
            f"Matching measured on {result.year}: the top {k} held {result.matcher.recall[k]:.0%} of the "
            f"real funders (largest givers first: {result.baseline.recall[k]:.0%})."
        )
        dialog = await self._new_dialog()
        dialog.show_check(check, fresh=True)
        dialog.open()

    async def _show_advice(self, advice: str) -> None:
        self._context.status.show("Too little 990 giving data to measure matching; see the message.")
        dialog = await self._new_dialog()
        dialog.show_advice(advice)
        dialog.open()

    async def _new_dialog(self) -> MatchingCheckDialog:
        years = await self._context.services.matching.grant_years()
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        dialog = MatchingCheckDialog(self._context.window, years)
        dialog.measure_requested.connect(
            lambda year: self._context.tasks.spawn(self.measure(year), name="matching-check")
        )
        self.dialog = dialog
        return dialog

    # -- the remembered result -----------------------------------------------------------------
    def remembered(self) -> MeasuredCheck | None:
        """The last result measured on this window's database (None if none, or unreadable)."""
        raw = self._context.settings.value(SETTINGS_KEY)
        if not isinstance(raw, str) or not raw:
            return None
        try:
            stored = json.loads(raw)
            if stored.get("database") != str(self._context.services.db.path):
                return None
            return MeasuredCheck(
                _result_from(stored["result"]), datetime.fromisoformat(stored["measured_at"])
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:  # a damaged value: forget it
            log.warning("ignoring the remembered matching check: %s", error)
            return None

    def _remember(self, check: MeasuredCheck) -> None:
        stored = {
            "database": str(self._context.services.db.path),
            "measured_at": check.measured_at.isoformat(),
            "result": _result_to(check.result),
        }
        self._context.settings.setValue(SETTINGS_KEY, json.dumps(stored))


def _result_to(result: BackTestResult) -> dict[str, Any]:
    def ranking(r: Ranking) -> dict[str, Any]:
        return {"recall": {str(k): v for k, v in r.recall.items()}, "mrr": r.mrr}

    return {
        "year": result.year,
        "recipients": result.recipients,
        "skipped": result.skipped,
        "funders": result.funders,
        "ks": list(result.ks),
        "matching": ranking(result.matcher),
        "baseline": ranking(result.baseline),
    }


def _result_from(stored: dict[str, Any]) -> BackTestResult:
    def ranking(r: dict[str, Any]) -> Ranking:
        return Ranking({int(k): float(v) for k, v in r["recall"].items()}, float(r["mrr"]))

    return BackTestResult(
        year=int(stored["year"]),
        recipients=int(stored["recipients"]),
        skipped=int(stored["skipped"]),
        funders=int(stored["funders"]),
        matcher=ranking(stored["matching"]),
        baseline=ranking(stored["baseline"]),
        ks=tuple(int(k) for k in stored["ks"]),
    )
