"""The main screen: open breakdowns, countdowns, recent depositions and trends, with the dashboard's keys."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widgets import DataTable, Input, OptionList
from textual.worker import Worker, WorkerState

from core.absence import Absence
from core.cases import Case
from tui.live_sync import CasesChanged
from tui.screens.case_view import CaseScreen
from tui.screens.keys import MAIN_KEYS
from tui.screens.recovery import RecoveryScreen
from tui.text import literal
from tui.widgets.countdowns import Countdowns
from tui.widgets.depositions import RecentDepositions
from tui.widgets.key_footer import KeyFooter
from tui.widgets.open_cases import OpenCasesTable
from tui.widgets.shift_header import ShiftHeader
from tui.widgets.trends_pane import TrendsPane

if TYPE_CHECKING:
    from tui.board import Board

log = logging.getLogger(__name__)

RECENT = timedelta(days=30)  # how far back the reassign picker looks for agents when no roster is set
STACKED = 130

# The background refreshes of the lower panes, by worker group: what the user is told when one fails.
REFRESHES = {
    "depositions": "the recent depositions",
    "trends": "the trend sparklines",
    "hotspot": "the hotspot line",
    "loads": "the agents' open cases",
}


class MainScreen(RecoveryScreen):
    """The four panes; the open breakdowns have the focus at start. Its keys act on the highlighted case.

    The keys (MAIN_KEYS) and the recovery actions behind them (forms, reassign, new case, trends, export,
    help) are in screens/recovery.py, shared with the case view; the ones only this screen has are below.
    """

    BINDINGS: ClassVar[list[BindingType]] = list(MAIN_KEYS)

    def __init__(self, board: Board) -> None:
        super().__init__(id="main")
        self.board = board
        self.complete = asyncio.Event()
        self._ticks = 0
        self._failing: set[str] = set()  # refreshes whose failure was shown: told once, not every minute
        # Open cases per assignee (Reads.agent_loads), for the reassign picker; None until first read.
        self.agent_loads: dict[str, int] | None = None
        self.recent_agents: list[
            str
        ] = []  # who worked the last 30 days' cases: the picker's list sans roster
        self.absences: list[Absence] = []  # agents marked absent (read with the loads)

    def compose(self) -> ComposeResult:
        yield ShiftHeader(self.board.settings, id="shift-header")
        with Horizontal(id="top"):
            with Vertical(id="cases-pane"):
                yield Input(placeholder="filter: customer, category, stage, assignee, #id …", id="filter")
                yield OpenCasesTable(self.board, id="open-cases")
            yield Countdowns(self.board, id="countdowns")
        yield Horizontal(id="bottom")

    def on_mount(self) -> None:
        # Laid out for the terminal's width from the first frame on (the Resize event comes after it).
        self.set_class(self.app.size.width < STACKED, "-narrow")
        self.query_one("#filter", Input).display = False
        table = self.query_one(OpenCasesTable)
        table.focus()
        if self.board.cases:  # the quick read's cases, in the very first frame
            table.rebuild(self.desk.now(), first_rows=self.app.size.height)
        self._show_the_time()  # the countdowns and the header too (`tick` waits for the mount's end)
        # The open cases paint first; the lower panes and the footer follow one frame later (styling a
        # footer of key hints and the sparklines costs about as much as Textual's own start).
        self.call_after_refresh(self.mount_the_rest)

    async def mount_the_rest(self) -> None:
        await self.query_one("#bottom", Horizontal).mount(
            RecentDepositions(id="depositions"), TrendsPane(id="trends")
        )
        await self.mount(KeyFooter())
        self.complete.set()

    def on_resize(self) -> None:
        # Below STACKED columns the side panes stack under the case list (see shiftdesk.tcss): beside the
        # countdowns, the case list's columns would not fit whole.
        self.set_class(self.size.width < STACKED, "-narrow")

    @property
    def table(self) -> OpenCasesTable:
        return self.query_one(OpenCasesTable)

    def current_case_id(self) -> int | None:
        return self.table.highlighted_case_id

    def tick(self) -> None:
        """Each second: the countdowns and the header. Work in proportion to what is on screen."""
        if not self.is_mounted:
            return
        self._ticks += 1
        if self._show_the_time() and self._ticks % 60 == 0:
            self.table.refresh_ages(self.desk.now())

    def _show_the_time(self) -> bool:
        """The countdowns, the header and an open case view's countdowns; False once they are gone."""
        now = self.desk.now()
        try:
            countdowns = self.query_one(Countdowns)
            header = self.query_one(ShiftHeader)
        except NoMatches:
            return False  # shutting down: the panes are already gone
        countdowns.tick(now)
        header.show(now, self.board.counts(now), self.desk.banner)
        screen = self.app.screen
        if isinstance(screen, CaseScreen):
            screen.tick(now)  # the case view's own countdowns: a few deadlines, redrawn when they change
        return True

    # -- changes, from this terminal's writes and from live sync -----------------------------------

    def on_cases_changed(self, message: CasesChanged) -> None:
        self.take_in(message.cases)
        if message.documented:
            self.refresh_depositions()

    def take_in(self, changed: list[Case]) -> None:
        """Show changed cases: only their rows, the countdowns and the header; reminders re-planned after."""
        shown, gone = self.board.apply(changed)
        self.table.apply(shown, gone, self.desk.now())
        self.tick()
        # After the frame that shows the change: re-planning the reminders does not change what is drawn.
        self.call_after_refresh(self.desk.alerts.plan_warnings)
        if shown or gone:
            self.refresh_agent_loads()
        # An open case view of a changed case reads it again — also under the form or picker that changed it.
        ids = {case.id for case in changed}
        for screen in self.app.screen_stack:
            if isinstance(screen, CaseScreen) and screen.case_id in ids:
                screen.reload()

    # -- the lower panes, refreshed in the background ----------------------------------------------

    @work(exclusive=True, group="depositions", exit_on_error=False)
    async def refresh_depositions(self) -> None:
        reads = await self.desk.ready_reads()
        lines = await asyncio.to_thread(reads.recent_depositions, 30)
        self.query_one(RecentDepositions).show(lines, self.desk.settings.zone, self.desk.now())

    @work(exclusive=True, group="loads", exit_on_error=False)
    async def refresh_agent_loads(self) -> None:
        """Read before the `r` key needs it, so that the picker opens in one frame, loads and all."""
        reads = await self.desk.ready_reads()
        self.agent_loads = await asyncio.to_thread(reads.agent_loads)
        self.absences = await asyncio.to_thread(reads.absences)
        absent = frozenset(absence.agent for absence in self.absences)
        if absent != self.board.absent:  # an absence marked here or on another terminal: the ORPH badges
            self.board.absent = absent
            self.table.rebuild(self.desk.now())
        if not self.roster():  # no roster to offer: who worked the recent cases
            self.recent_agents = await asyncio.to_thread(reads.recent_agents, self.desk.now() - RECENT)

    @work(exclusive=True, group="trends", exit_on_error=False)
    async def refresh_trends(self) -> None:
        from storage.views import hourly_counts, top_categories

        now = self.desk.now()
        reads = await self.desk.ready_reads()
        opened = await asyncio.to_thread(reads.opened_between, now - timedelta(hours=24), now)
        per_category = [
            (category, hourly_counts([item for item in opened if item[1] == category], now))
            for category in top_categories(opened)
        ]
        self.query_one(TrendsPane).show(hourly_counts(opened, now), per_category)

    @work(exclusive=True, group="hotspot", exit_on_error=False)
    async def refresh_hotspot(self) -> None:
        from core.hotspots import boundaries_for, headline, headline_sentence
        from storage.trend_facts import HOTSPOT_WINDOW

        now = self.desk.now()
        reads = await self.desk.ready_reads()
        boundaries = boundaries_for(self.desk.settings.shifts)
        # The top 20, so a new or growing hotspot can be preferred over a stronger old one.
        found = await asyncio.to_thread(
            reads.hotspots, now - HOTSPOT_WINDOW, now, limit=20, boundaries=boundaries
        )
        first = headline(found)
        self.query_one(TrendsPane).show_hotspot(headline_sentence(first) if first else None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one error path of the background refreshes: logged, and the user told once per outage."""
        group = event.worker.group
        if group not in REFRESHES:
            return
        if event.state is WorkerState.SUCCESS:
            self._failing.discard(group)
        elif event.state is WorkerState.ERROR:
            error = event.worker.error
            log.error("refreshing %s failed", REFRESHES[group], exc_info=error)
            self.app.log.error(f"refreshing {REFRESHES[group]} failed: {error!r}")
            if group not in self._failing:
                self._failing.add(group)
                self.desk.notify(
                    literal(f"Could not refresh {REFRESHES[group]}: {type(error).__name__}: {error}"),
                    title="Not refreshed",
                    severity="error",
                    timeout=8,
                )

    # -- moving around -----------------------------------------------------------------------------

    def action_open_case(self) -> None:
        if self.focused is self.query_one(RecentDepositions):
            return  # its own OptionSelected opens the case
        case_id = self.table.highlighted_case_id
        if case_id is not None:
            self.open_case_screen(case_id)

    def open_case_screen(self, case_id: int) -> None:
        self.app.push_screen(CaseScreen(case_id))

    @on(DataTable.RowSelected, "#open-cases")
    def case_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_case_screen(int(event.row_key.value))

    @on(OptionList.OptionSelected, "#depositions")
    def deposition_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.open_case_screen(int(event.option.id))

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.table.needle = event.value
        self.table.rebuild(self.desk.now())

    @on(Input.Submitted, "#filter")
    def filter_done(self, event: Input.Submitted) -> None:
        if not event.value:
            event.input.display = False
        self.table.focus()

    def on_key(self, event: events.Key) -> None:
        # Esc in the filter box clears it and gives the table back the focus.
        if event.key == "escape":
            box = self.query_one("#filter", Input)
            if box.has_focus or box.display:
                box.value = ""
                box.display = False
                self.table.focus()
                event.stop()
