"""`python -m catalynx_desktop` runs the app (same as the `catalynx-desktop` command)."""

from catalynx_desktop.app import main

raise SystemExit(main())
