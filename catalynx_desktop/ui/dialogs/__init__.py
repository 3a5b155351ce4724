"""Dialogs, and awaiting one without a nested event loop (awaiting.py)."""
