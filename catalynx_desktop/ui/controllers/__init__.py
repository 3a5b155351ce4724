"""The area controllers: each owns its widgets and actions, gets a ControllerContext (never the
window) and talks to the others through signals that main_window.py connects."""
