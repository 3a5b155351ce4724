"""Widgets the window lays out: the table view, panes, bars, docks' panels."""
