"""Schema version 10: each task knows its profile, so a profile's next open tasks (the dashboard's
short list) are one range read on a partial index.

Without it the read walked v6's ix_tasks_open_due across every profile and looked up each
task's opportunity: a new profile on the 1,000,000-opportunity benchmark database (117,612 open
tasks, none of them its own) took ~0.8 s to find that it had none; this index answers in well
under a millisecond, whatever the other profiles hold.

storage/task_store.py's inserts (the user's tasks, Discover's close dates, a 990-PF's stated
deadlines) copy the opportunity's profile in the same statement; a trigger fills it for any other
insert that leaves it out (not relied on above: trigger changes count in total_changes, which
the deadline sync reports). An opportunity belongs to one profile for good (unique per profile,
source, source id; no write moves one), so the copy never goes stale.
"""

from __future__ import annotations

STATEMENTS: list[str] = [
    "ALTER TABLE opportunity_tasks ADD COLUMN profile_id INTEGER",
    "UPDATE opportunity_tasks SET profile_id = "
    "(SELECT o.profile_id FROM opportunities AS o WHERE o.id = opportunity_tasks.opportunity_id)",
    "CREATE INDEX ix_tasks_profile_open_due ON opportunity_tasks(profile_id, due_date, id) "
    "WHERE done = 0 AND hidden = 0",
    """
    CREATE TRIGGER tr_tasks_profile_on_insert AFTER INSERT ON opportunity_tasks
    WHEN NEW.profile_id IS NULL BEGIN
        UPDATE opportunity_tasks
        SET profile_id = (SELECT o.profile_id FROM opportunities AS o WHERE o.id = NEW.opportunity_id)
        WHERE id = NEW.id;
    END
    """,
]
