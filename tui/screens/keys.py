"""The dashboard's keys: which key does what, in the footer's order, and how help and the palette say it."""

from __future__ import annotations

from textual.binding import Binding

# The keys in the footer's order. `?` and `q` are the app's too, for the screens without these keys; here
# they come first and last, as on the main screen.
HELP_KEY = Binding("question_mark", "help", "Help", key_display="?")
OPEN_KEY = Binding("enter", "open_case", "Open", show=False)
FILTER_KEY = Binding("slash", "filter", "Filter", key_display="/")
QUIT_KEY = Binding("q", "app.quit", "Quit")
RECOVERY_KEYS: list[Binding] = [
    Binding("a", "form('apologize')", "Apologize"),
    Binding("v", "form('review')", "Review"),
    Binding("u", "form('update')", "Update"),
    Binding("p", "form('pause')", "Pause"),
    Binding("g", "form('resume')", "Resume"),
    Binding("f", "form('fix')", "Fix"),
    Binding("o", "form('follow_up')", "Follow-up"),
    Binding("d", "form('deposition')", "Deposition"),
    Binding("c", "form('close')", "Close"),
    Binding("r", "reassign", "Reassign"),
    Binding("n", "new_case", "New"),
]
MORE_KEYS: list[Binding] = [
    Binding("t", "trends", "Trends"),
    Binding("e", "export", "Export"),
    Binding("b", "form('check_back')", "Check-back", show=False),
    Binding("P", "form('public_apology')", "Public apology", show=False),
    Binding("S", "form('spokesperson')", "Spokesperson", show=False),
    Binding("m", "form('amend')", "Amend deposition", show=False),
    Binding("A", "acknowledge", "Acknowledge", show=False),
    Binding("x", "absent", "Absent", show=False),
]
# The main screen's keys: what help lists and the command palette offers.
MAIN_KEYS: list[Binding] = [HELP_KEY, OPEN_KEY, *RECOVERY_KEYS, FILTER_KEY, *MORE_KEYS, QUIT_KEY]
# Shown in help and the command palette.
DESCRIPTIONS: dict[str, str] = {
    "help": "this help",
    "open_case": "open the highlighted case: fields, timeline, deadlines, deposition",
    "form('apologize')": "record the apology",
    "form('review')": "review the complaint: what went wrong in the customer's eyes, what they need",
    "form('update')": "progress update to the customer (restarts the fix-or-update clock)",
    "form('pause')": "waiting on the customer: pause the fix-or-update clock (a reason, a resume time)",
    "form('resume')": "run a paused fix-or-update clock again (a contact with the customer also does)",
    "form('fix')": "record the fix, with an optional gesture (authority limits apply)",
    "form('follow_up')": "follow up after the fix: was the customer satisfied?",
    "form('deposition')": "write the deposition while memory is fresh",
    "form('close')": "close the case",
    "reassign": "hand the case to another agent (the original owner still owes a check-back)",
    "new_case": "open a new case",
    "filter": "filter the open breakdowns as you type",
    "trends": "trends screen: heat map, hotspots",
    "export": "export the end-of-shift summary",
    "form('check_back')": "the original owner checked back with the customer",
    "form('public_apology')": "record the public apology (public cases)",
    "form('spokesperson')": "name the spokesperson (public cases)",
    "form('amend')": "amend a filed deposition",
    "acknowledge": "acknowledge the case's escalation: its alert stops repeating (the ladder still climbs)",
    "absent": "mark an agent absent (and hand their open cases over) or present again",
    "app.quit": "quit (asks first: y quits, n / Esc / Enter stay)",
}
