"""Schema version 8: each workflow run names the process that runs it.

Start-up marks a run "interrupted" only when that process is gone (process_identity.py), not
every run left 'running': another process may be running it right now. Runs from before this
version have no owner and count as gone.
"""

from __future__ import annotations

STATEMENTS: list[str] = [
    "ALTER TABLE workflow_runs ADD COLUMN owner_pid INTEGER",
    "ALTER TABLE workflow_runs ADD COLUMN owner_started TEXT",  # the process's start time
]
