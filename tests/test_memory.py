"""Large temporaries freed by the app go back to the OS (glibc's mmap threshold is fixed)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from catalynx_desktop.memory import keep_large_frees_returnable

# A broad search's shape: a large temporary freed while small long-lived objects are made.
SCRIPT = """
import sys, psutil
from catalynx_desktop.memory import keep_large_frees_returnable
if sys.argv[1] == "tuned":
    assert keep_large_frees_returnable()
process = psutil.Process()
before = process.memory_info().rss
kept = []
for _ in range(8):
    temporary = bytearray(12 << 20)
    kept.append([str(i) for i in range(2000)])
    del temporary
print((process.memory_info().rss - before) / 2**20)
"""


def growth_mb(mode: str) -> float:
    out = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator only")
def test_freed_large_temporaries_do_not_stay_in_the_process():
    untuned, tuned = growth_mb("default"), growth_mb("tuned")
    assert untuned >= 8, f"the allocator kept only {untuned:.1f} MB: the scenario no longer shows the problem"
    assert tuned <= 4, f"kept {tuned:.1f} MB of freed temporaries"


def test_it_is_safe_to_call_anywhere():
    assert keep_large_frees_returnable() in (True, False)
    assert keep_large_frees_returnable() == sys.platform.startswith("linux")
