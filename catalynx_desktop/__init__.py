"""Catalynx Desktop: grant research on the desktop."""

__version__ = "0.1.0"
APP_NAME = "Catalynx Desktop"
APP_ID = "catalynx-desktop"
