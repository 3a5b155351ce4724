"""What the UI may call: the only door from ui/ to data, all async, none of it SQL to the caller.

AppServices (app.py) is built once by the composition root and handed to the main window. The
UI talks to its parts, never to the Database or a repository:
- views: the opportunity table's query opener with its snapshot cache (views.py)
- profiles, opportunities: reads and edits (records.py)
- history: stored workflow runs for the history table (records.py)
- imports: detect a file's format, preview a grantor list, start an Import run (imports.py)
- scoring: start Discover or Rescore for a profile (scoring.py)
- exports: start an Export run (exports.py)
- dashboard: one profile's dashboard figures (dashboard.py)
- funders: the Funders view, a funder's page and grants, like-mine, "Add to pipeline" (funders.py)
- followup: an opportunity's outcome, tasks, contacts, interactions and dossier (followup.py)
- deadlines: what is due across profiles, the calendar's days, the .ics export (deadlines.py)
- backups: take, list and restore backups (backups.py; the command line uses it)
"""

from catalynx_desktop.services.app import AppServices

__all__ = ["AppServices"]
