"""Screens of the dashboard: the main view, case details, forms and pickers."""
