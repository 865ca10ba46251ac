"""The pure domain of shiftdesk: cases, recovery workflow, deadlines, depositions, trends (no UI, no SQL)."""
