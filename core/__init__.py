"""The pure domain of shiftdesk: cases, the recovery workflow, deadlines, depositions, trends (no UI, no SQL)."""
