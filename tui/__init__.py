"""The terminal front ends of shiftdesk: the command line and the live Textual dashboard."""
