"""The stall probe sees a blocked UI thread and stays quiet on an idle one."""

from __future__ import annotations

import asyncio
import time

from catalynx_desktop.ui.stall_probe import StallProbe


def test_probe_reports_a_blocked_ui_thread(qapp, run):
    probe = StallProbe()

    async def idle_then_block():
        probe.start()
        await asyncio.sleep(0.3)
        idle = probe.report()
        time.sleep(0.15)  # noqa: ASYNC251 -- a synchronous call on the UI thread: exactly what the app must never do
        await asyncio.sleep(0.05)
        return idle, probe.stop()

    idle, blocked = run(idle_then_block())
    assert idle.beats >= 5
    assert idle.longest_ms < 150
    assert blocked.longest_ms >= 140
    assert blocked.beats > idle.beats
