"""The guided first run: after each step, say what came of it and offer the next one.

Import → "6,535 records arrived" + Create a profile (or Discover, when a profile is shown);
new profile → Discover (or Import, when nothing is imported yet); Discover → how many matches.
Everything is said in the window's GuideBar (dismissible, never a modal dialog chain).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from catalynx_desktop.domain.profile import Profile
from catalynx_desktop.domain.run_titles import run_title
from catalynx_desktop.domain.runs import RunStatus
from catalynx_desktop.domain.validation import elide
from catalynx_desktop.ui.widgets.guide_bar import GuideBar
from catalynx_desktop.workflows.engine import RunResult

if TYPE_CHECKING:
    from catalynx_desktop.ui.controllers.context import ControllerContext


class FirstRunGuide(QObject):
    def __init__(
        self,
        context: ControllerContext,
        *,
        create_profile: Callable[[], object],
        discover: Callable[[], object],
        import_file: Callable[[], object],
    ) -> None:
        super().__init__(context.window)
        self._context = context
        self.bar = GuideBar()
        self._create_profile = create_profile
        self._discover = discover
        self._import_file = import_file

    async def run_finished(self, result: RunResult, parameters: Mapping[str, Any]) -> None:
        if result.status not in (RunStatus.SUCCEEDED, RunStatus.PARTIAL):
            return  # the status line already says what went wrong
        kind = result.workflow.lower()
        if kind == "import":
            await self._after_import(result, parameters)
        elif kind == "discover":
            self._after_discover(result)

    async def _after_import(self, result: RunResult, parameters: Mapping[str, Any]) -> None:
        counts = result.counts
        arrived = counts.get("inserted", 0) + counts.get("updated", 0) + counts.get("unchanged", 0)
        title = run_title(result.workflow, parameters)
        stored = await self._context.services.count_source_records()
        text = f"{arrived:,} records arrived ({title}); {stored:,} funder records are stored now."
        profile = self._context.profile.profile()
        if profile is None:
            self.bar.say(
                f"{text} Next: create a profile of the organization you raise money for.",
                "Create a profile…",
                self._create_profile,
            )
        else:
            self.bar.say(
                f"{text} Next: find the ones that fit “{elide(profile.name, 80)}”.",
                "Discover",
                self._discover,
            )

    def profile_created(self, profile: Profile) -> None:
        self._context.tasks.spawn(self._after_profile(profile), name="guide-profile")

    async def _after_profile(self, profile: Profile) -> None:
        stored = await self._context.services.count_source_records()
        if stored == 0:
            self.bar.say(
                f"Profile “{elide(profile.name, 80)}” saved. Import a funder file (IRS BMF or the Grants.gov "
                "extract) so Discover has records to match.",
                "Import a file…",
                self._import_file,
            )
            return
        self.bar.say(
            f"Profile “{elide(profile.name, 80)}” saved. Discover scores the {stored:,} stored funder records "
            "against it and keeps the ones that fit.",
            "Discover",
            self._discover,
        )

    def _after_discover(self, result: RunResult) -> None:
        profile = self._context.profile.profile()
        name = f"“{elide(profile.name, 80)}”" if profile is not None else "this profile"
        matches = result.counts.get("kept", 0)
        if matches == 0:
            self.bar.say(
                f"Discover found no matches for {name}. Try broader target NTEE codes or more "
                "states (Profile ▸ Edit), or import more files."
            )
            return
        new = result.counts.get("created", 0)
        self.bar.say(
            f"Discover found {matches:,} match{'' if matches == 1 else 'es'} for {name} "
            f"({new:,} new); the best fits are at the top of the table."
        )
