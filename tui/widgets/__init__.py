"""Widgets of the dashboard: the panes and their parts."""
