"""How the interpreter is set up once the window shows its first rows, so the UI thread answers
quickly while workers and database threads run. app.open_main_window calls this; the benchmarks
that measure event-loop stalls (bench_discover, bench_irs990_import) call it too, so they
measure the runtime the window really has."""

from __future__ import annotations

import gc
import sys

from catalynx_desktop.memory import keep_large_frees_returnable

UI_SWITCH_INTERVAL_S = 0.002  # CPython's default is 0.005


def tune_for_responsive_ui() -> None:
    # Start-up objects live as long as the app: keep them out of the cyclic GC's full passes,
    # which otherwise pause the UI thread for tens of ms on a large heap.
    gc.collect()
    gc.freeze()
    # Large temporaries freed later go back to the OS instead of staying in the heap.
    keep_large_frees_returnable()
    # Worker threads (SQLite hops, parsers) hand the GIL back to the UI thread sooner.
    sys.setswitchinterval(UI_SWITCH_INTERVAL_S)
