"""The case view's recovery checklist: each step done (when, by whom), due (by when, by whom) or not yet
possible (why), and the guidance for the next step due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from core.playbook import ChecklistItem, Status
from tui.clockface import local_time
from tui.text import literal

# The mark and word of each status: the word says it without colour (NO_COLOR), the mark lets it be scanned.
MARKS = {
    Status.DONE: ("✓", "done", "green"),
    Status.DUE: ("→", "due", "bold"),
    Status.NOT_YET: ("·", "not yet", "dim"),
}


def item_detail(item: ChecklistItem, zone: tzinfo) -> Text:
    """When and by whom (done), by when and by whom (due), or why not yet; names are user text (literal)."""
    text = Text()
    if item.status is Status.DONE:
        if item.at is not None:
            text.append(local_time(item.at, zone, with_date=True) + " ")
        if item.by:
            text.append("by ").append(literal(item.by))
    elif item.status is Status.DUE:
        text.append(f"by {local_time(item.at, zone)}, " if item.at is not None else "now, ")
        text.append(literal(item.by))
    else:
        text.append(literal(item.why))
        return text
    if item.why:
        text.append(" — ").append_text(literal(item.why, style="italic"))
    return text


def checklist_table(items: Sequence[ChecklistItem], zone: tzinfo) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column()
    for item in items:
        mark, word, style = MARKS[item.status]
        table.add_row(
            Text(mark, style=style), Text(word, style=style), Text(item.label), item_detail(item, zone)
        )
    return table


class Checklist(Static):
    """A section of its own (the case view's deadlines and timeline are others): the recovery sequence."""

    def show(
        self,
        items: Sequence[ChecklistItem],
        next_step: ChecklistItem | None,
        guidance: Sequence[str],
        zone: tzinfo,
    ) -> None:
        self.border_title = "Recovery checklist"
        parts: list[Table | Text] = [checklist_table(items, zone)]
        if next_step is not None and guidance:
            advice = Text(f"\nNext: {next_step.label}", style="bold")
            for line in guidance:
                advice.append("\n› ", style="bold").append(literal(line))
            parts.append(advice)
        self.update(Group(*parts))
