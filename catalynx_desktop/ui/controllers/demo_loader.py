"""Demo data from the window (File menu, empty state), kept apart from real work.

"Load demo" in a window on real data generates the demo into its own data directory
(<data dir>/demo, marked with DEMO-DATA.txt) and opens a second window there; a window on a
demo directory shows it (or loads it there when it is empty). Progress and Cancel are the status bar's.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QProcess

from catalynx_desktop.instance_lock import acquire_instance_lock
from catalynx_desktop.paths import DEMO_SUBDIR, AppPaths, is_demo_dir, mark_demo_dir, resolve_paths
from catalynx_desktop.ui.controllers.async_signal import AsyncSignal
from catalynx_desktop.workflows.demo.generator import DemoPlan
from catalynx_desktop.workflows.demo.loader import DemoDataPresent

if TYPE_CHECKING:
    from catalynx_desktop.ui.controllers.context import ControllerContext
    from catalynx_desktop.ui.controllers.long_action import LongAction

SMALL_DEMO = DemoPlan(profiles=5, opportunities=50_000)


def window_command(data_dir: Path) -> list[str]:
    """How to start another window of this app on `data_dir` (frozen build or source tree)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--data-dir", str(data_dir)]
    return [sys.executable, "-m", "catalynx_desktop", "--data-dir", str(data_dir)]


def launch_window(data_dir: Path) -> bool:
    command = window_command(data_dir)
    started, _pid = QProcess.startDetached(command[0], command[1:])
    return bool(started)


class DemoLoader(QObject):
    def __init__(self, context: ControllerContext, long_action: LongAction) -> None:
        super().__init__(context.window)
        self._context = context
        self._long_action = long_action  # the status bar's progress and Cancel
        self.reload_requested = AsyncSignal[[]]()  # the new profiles: the window re-reads its list
        self.open_window: Callable[[Path], bool] = launch_window  # a second window on a directory

    @property
    def demo_dir(self) -> Path:
        return self._context.services.paths.data_dir / DEMO_SUBDIR

    async def open_demo(self, plan: DemoPlan = SMALL_DEMO) -> None:
        """What the menu and the empty state's "Load demo" do: never into real work."""
        here = self._context.services.paths.data_dir
        if await asyncio.to_thread(is_demo_dir, here):  # this window is the demo
            if await self._context.services.profiles.names():
                self._context.status.show("This window shows the demo data already.")
            else:
                await self.load(plan)
            return
        target = resolve_paths(self.demo_dir)
        already = await asyncio.to_thread(is_demo_dir, target.data_dir)
        if not already and not await self._generate(target, plan):
            return
        if self.open_window(target.data_dir):
            self._context.status.show(
                f"The demo opened in its own window (data in {target.data_dir}); your data here is unchanged."
            )
        else:
            self._context.status.error(RuntimeError(f"Could not start a window on {target.data_dir}"))

    async def _generate(self, target: AppPaths, plan: DemoPlan) -> bool:
        context, long_action = self._context, self._long_action
        await asyncio.to_thread(target.ensure)
        lock = acquire_instance_lock(target)
        if lock is None:
            context.status.show(f"The demo in {target.data_dir} is open in another window already.")
            return False
        cancel = long_action.begin(f"Generating demo data in {target.data_dir}…", plan.opportunities)
        try:
            result = await context.services.load_demo_into(target, plan, long_action.set_progress, cancel)
            await asyncio.to_thread(mark_demo_dir, target.data_dir)
        except InterruptedError:
            context.status.show("Demo load cancelled; nothing was added.")
            return False
        except DemoDataPresent:  # loaded before, its marker not written (a killed `demo`): open it
            await asyncio.to_thread(mark_demo_dir, target.data_dir)
            return True
        finally:
            long_action.end(cancel)
            lock.unlock()
        context.status.show(f"Generated {len(result.profile_ids)} demo profiles in {target.data_dir}.")
        return True

    async def load(self, plan: DemoPlan) -> None:
        """Generate `plan` into this window's database, then show its first profile. A cancelled
        load adds nothing (the loader rolls back), so only the status line changes."""
        context, long_action = self._context, self._long_action
        cancel = long_action.begin("Loading demo data…", plan.opportunities)
        try:
            result = await context.services.load_demo(plan, long_action.set_progress, cancel)
        except InterruptedError:
            context.status.show("Demo load cancelled; nothing was added.")
            return
        except DemoDataPresent as present:  # e.g. a demo directory whose profiles were deleted
            context.status.show(str(present))
            return
        finally:
            long_action.end(cancel)
        await asyncio.to_thread(mark_demo_dir, context.services.paths.data_dir)
        context.profile.id = result.profile_ids[0] if result.profile_ids else None
        await self.reload_requested.emit()
        context.status.show(
            f"Loaded {len(result.profile_ids)} demo profiles and {result.opportunities:,} opportunities."
        )
