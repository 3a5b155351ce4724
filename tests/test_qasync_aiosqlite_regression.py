"""Regression: thousands of aiosqlite round trips delivered through the qasync loop.

PySide6 6.12.0 aborts here ("Fatal Python error: bool_dealloc") because aiosqlite resolves
futures from its worker thread; pyproject.toml pins 6.11.3. Run in a subprocess so a crash
shows up as a failed test instead of killing the whole test session.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import asyncio, os, sys
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import aiosqlite, qasync
    from PySide6.QtWidgets import QApplication

    CALLS = int(sys.argv[1])

    async def main():
        async with aiosqlite.connect(":memory:") as conn:
            await conn.execute("CREATE TABLE t (x INTEGER)")
            total = 0
            for i in range(CALLS):
                if i % 2:
                    await conn.execute("INSERT INTO t VALUES (?)", (i,))
                else:
                    async with conn.execute("SELECT count(*) FROM t") as cursor:
                        total = (await cursor.fetchone())[0]
            return total

    app = QApplication(sys.argv)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        count = loop.run_until_complete(main())
    print("calls-ok", count)
""")


def test_thousands_of_aiosqlite_calls_under_qasync(tmp_path):
    script = tmp_path / "roundtrips.py"
    script.write_text(SCRIPT)
    calls = 6000
    proc = subprocess.run(
        [sys.executable, str(script), str(calls)], capture_output=True, text=True, timeout=240
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-2000:]}"
    assert "calls-ok" in proc.stdout
    assert int(proc.stdout.split()[-1]) == calls // 2 - 1


def test_pyside6_is_pinned_below_the_crashing_release():
    from importlib.metadata import version

    major, minor, *_ = (int(part) for part in version("PySide6-Essentials").split(".")[:3])
    assert (major, minor) < (6, 12), "PySide6 6.12.x crashes under qasync + aiosqlite"
