"""The case view: every field of one case, its timeline of events, its deadlines and its deposition."""

from __future__ import annotations

import asyncio
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from core.case_fields import CASE_VIEW_FIELDS, CaseField, Kind, stored_value
from core.cases import Case, UnreadableCase
from core.deadlines import Deadline, deadline_history, pauses_line, status
from core.payloads import Unreadable, describe
from core.playbook import checklist, guidance, most_senior, next_due
from core.summary import opened_state
from tui.clockface import countdown, level_style, local_time, urgency
from tui.screens.keys import HELP_KEY, MORE_KEYS, QUIT_KEY, RECOVERY_KEYS
from tui.screens.recovery import RecoveryScreen, explain
from tui.text import literal
from tui.widgets.checklist import Checklist
from tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from storage.views import CaseDetail


def field_cell(field: CaseField, case: Case, zone: tzinfo) -> Text:
    """One field of the case as the case view shows it (user text always literal, never markup)."""
    value = getattr(case, field.name)
    if field.kind is Kind.TIME:
        return Text(local_time(value, zone, with_date=True) if value is not None else "")
    if field.kind is Kind.FLAG:
        return literal(field.when_set if value else "no")
    if field.kind is Kind.NUMBER:
        return Text(str(value))
    return literal("" if value is None else stored_value(value))


def fields_table(detail: CaseDetail, zone: tzinfo) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    if isinstance(detail.case, UnreadableCase):
        # A row intake would refuse (another tool wrote it): shown with stand-ins, and why, as for events.
        for problem in detail.case.problems:
            table.add_row(Text("UNREADABLE", style="bold red"), literal(problem, "bold red"))
    for field in CASE_VIEW_FIELDS:
        table.add_row(field.shown_as, field_cell(field, detail.case, zone))
    return table


def timeline_table(detail: CaseDetail, zone: tzinfo) -> Table:
    table = Table(expand=True, show_edge=False, header_style="bold")
    table.add_column("when", no_wrap=True)
    table.add_column("who", no_wrap=True)
    table.add_column("action", no_wrap=True)
    table.add_column("text")
    for event in detail.events:
        # The details read as their type (core.payloads), never as keys: a document's gesture is text, a
        # fix's a Gesture, and details that could not be read are shown as such, not raised.
        details = describe(event.payload, zone)
        text = literal(event.text)
        if details:
            style = "bold red" if isinstance(event.payload, Unreadable) else ""
            text.append(literal(f"  [{details}]", style))
        if event.recorder_note:
            # Who entered it and the OS account it came from, where not the actor: the actor is a claim.
            text.append(literal(f"  ({event.recorder_note})", "dim"))
        table.add_row(
            Text(local_time(event.at, zone, with_date=True)),
            literal(event.actor),
            Text(event.action.value),
            text,
        )
    return table


def deadline_cells(deadline: Deadline, now: datetime, zone: tzinfo) -> tuple[str, str, str]:
    """(left, state, pauses) of one deadline at `now`: what its row shows and what the tick compares."""
    if deadline.met_at is not None:
        left = "met late" if deadline.breached(now) else "met"
    elif deadline.paused(now) is not None:
        left = "paused"
    else:
        left = countdown(deadline.remaining(now))
    return left, status(deadline, now, zone), pauses_line(deadline, now, zone)


def deadlines_table(
    deadlines: list[Deadline], now: datetime, zone: tzinfo, no_color: bool = False
) -> Table | Text:
    """Every deadline the case has had, in the order they arose: met (when, by whom, with what margin),
    breached (by how much), pending (counting down, or paused), the pauses under their line."""
    if not deadlines:
        return Text("nothing owed", style="dim")
    table = Table(show_edge=False, header_style="bold")
    table.add_column("due", no_wrap=True)
    table.add_column("left", justify="right", no_wrap=True)
    table.add_column("what", no_wrap=True)
    table.add_column("owed by")
    table.add_column("state")
    for deadline in deadlines:
        left, state, paused = deadline_cells(deadline, now, zone)
        if deadline.met_at is not None:
            style = level_style("overdue", no_color) if deadline.breached(now) else "dim"
            marker = ""
        elif left == "paused":
            style, marker = level_style("paused", no_color), ""
        else:
            level = urgency(deadline.remaining(now))
            style = level_style(level, no_color)
            marker = " OVERDUE" if level == "overdue" else ""
        table.add_row(
            Text(local_time(deadline.due_at, zone)),
            Text(left + marker, style=style),
            Text(deadline.kind),
            literal(deadline.owed_by),
            literal(state, "" if deadline.pending else "dim"),
        )
        if paused:
            table.add_row(Text(""), Text(""), Text(""), Text(""), literal(paused, "italic"))
    return table


def deposition_block(detail: CaseDetail, zone: tzinfo) -> Group | Text:
    filed = detail.deposition
    if filed is None:
        return Text("no deposition yet", style="dim")
    deposition = filed.content
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_row(
        "filed", Text(f"{local_time(filed.filed_at, zone, with_date=True)} by ").append(literal(filed.author))
    )
    table.add_row("customer's view", literal(deposition.customer_view))
    table.add_row("customer needed", literal(deposition.customer_needed))
    table.add_row("actions taken", literal(deposition.actions_taken))
    table.add_row("root cause", literal(deposition.root_cause))
    table.add_row("factors", Text(", ".join(factor.value for factor in deposition.factors) or "—"))
    table.add_row("gesture", literal(deposition.gesture or "—"))
    table.add_row("notes", literal(deposition.notes or "—"))
    parts: list[Table | Text] = [table]
    for amendment in filed.amendments:
        line = Text(f"amended {local_time(amendment.at, zone, with_date=True)} by ", style="italic")
        line.append(literal(amendment.author))
        line.append(": ")
        line.append(literal(amendment.text))
        parts.append(line)
    return Group(*parts)


class CaseScreen(RecoveryScreen):
    """Esc goes back; the recovery keys act on this case."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        HELP_KEY,
        *RECOVERY_KEYS,
        *MORE_KEYS,
        QUIT_KEY,
    ]

    def __init__(self, case_id: int) -> None:
        super().__init__(classes="case-screen")
        self.case_id = case_id
        self.detail: CaseDetail | None = None
        self.deadlines: list[Deadline] = []
        self._clocks: tuple[str, ...] | None = None  # the countdowns shown: redrawn only when one changes

    def current_case_id(self) -> int | None:
        return self.case_id

    def case_shown(self, case_id: int) -> Case | None:
        return self.detail.case if self.detail is not None and case_id == self.case_id else None

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the case again (it changed, here or in another terminal)."""
        self.run_worker(self.load(), group="case")

    async def load(self) -> None:
        desk = self.desk
        try:
            reads = await desk.ready_reads()
            detail = await asyncio.to_thread(reads.case_detail, self.case_id)
        except Exception as error:
            self.desk.notify(literal(explain(error)), severity="error")
            return
        settings = desk.settings
        # Every deadline the case has had, not only those pending: rebuilt from its events.
        opened = opened_state(detail.case, detail.events)
        deadlines = deadline_history(opened, detail.events, settings.deadlines, settings.calendar)
        if self.is_mounted:
            self.show(detail, deadlines, desk.now(), settings.zone)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="case-body"):
            yield Static("", id="case-title")
            yield Static("", id="case-fields", classes="case-section")
            yield Static("", id="case-deadlines", classes="case-section")
            yield Checklist("", id="case-checklist", classes="case-section")
            yield Static("", id="case-timeline", classes="case-section")
            yield Static("", id="case-deposition", classes="case-section")
        yield KeyFooter()

    def tick(self, now: datetime) -> None:
        """Each second (from the main screen's tick): the deadlines' countdowns, from `now`, redrawn only
        when one of them changed — a handful of deadlines, never the timeline."""
        zone = self.desk.settings.zone
        clocks = tuple(cell for deadline in self.deadlines for cell in deadline_cells(deadline, now, zone))
        if clocks == self._clocks or not self.is_mounted:
            return
        before = self._clocks or ()
        widths_changed = self._clocks is None or [len(old) for old in before] != [len(new) for new in clocks]
        self._clocks = clocks
        self.query_one("#case-deadlines", Static).update(
            deadlines_table(self.deadlines, now, self.desk.settings.zone, self.app.no_color),
            layout=widths_changed,
        )

    def show_checklist(self, detail: CaseDetail) -> None:
        """The recovery sequence as a checklist, with the guidance for the next step due (core/playbook)."""
        settings = self.desk.settings
        items = checklist(detail.case, detail.events, settings.deadlines, settings.calendar)
        step = next_due(items)
        senior = most_senior(settings.authority, settings.calendar.people_at(self.desk.now()))
        lines = tuple(advice.text for advice in guidance(detail.case, step.step, senior)) if step else ()
        self.query_one(Checklist).show(items, step, lines, settings.zone)

    def show(self, detail: CaseDetail, deadlines: list[Deadline], now: datetime, zone: tzinfo) -> None:
        self.detail = detail
        case = detail.case
        title = Text(f"Case #{case.id} · {case.stage.value} · ", style="bold")
        title.append(literal(case.customer))
        self.query_one("#case-title", Static).update(title)
        fields = self.query_one("#case-fields", Static)
        fields.border_title = "Case"
        fields.update(fields_table(detail, zone))
        self.show_checklist(detail)
        pending = self.query_one("#case-deadlines", Static)
        pending.border_title = "Deadlines"
        self.deadlines = deadlines
        self._clocks = None
        self.tick(now)
        timeline = self.query_one("#case-timeline", Static)
        timeline.border_title = f"Timeline · {len(detail.events)} events"
        # Details that do not fit their type arrive as Unreadable and are shown marked (core/payloads.py).
        timeline.update(timeline_table(detail, zone))
        deposition = self.query_one("#case-deposition", Static)
        deposition.border_title = "Deposition"
        deposition.update(deposition_block(detail, zone))
