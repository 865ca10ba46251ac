"""The dashboard: four live panes over the workflow service, driven from the keyboard."""

from __future__ import annotations

import asyncio
import gc
import getpass
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable, Input, OptionList

from core.cases import Action, Case, Channel, Severity, Tier
from core.deadlines import pending_deadlines
from core.deposition import Deposition, parse_factors
from core.policy import AuthorityError
from core.reminders import ALERT, RECENT_ENOUGH, DeadlineWarning, ReminderBook, describe
from core.workflow import WorkflowError, refusal
from storage.errors import CaseNotFound, ConflictError, DatabaseError, ValidationError
from tui.board import Board
from tui.scheduling import SHIFT_END_JOB, WARNINGS_JOB, AppScheduler
from tui.screens.case_view import CaseScreen
from tui.screens.form import Field, FormScreen, FormSpec
from tui.screens.help import HelpScreen
from tui.screens.reassign import Candidate, ReassignPicker
from tui.text import joined, literal, one_line
from tui.widgets.countdowns import Countdowns
from tui.widgets.depositions import RecentDepositions
from tui.widgets.key_footer import KeyFooter
from tui.widgets.open_cases import OpenCasesTable
from tui.widgets.shift_header import ShiftHeader
from tui.widgets.trends_pane import TrendsPane

if TYPE_CHECKING:
    from core.clock import Clock
    from core.config import Settings
    from storage.service import WorkflowService

UNREACHABLE = "database unreachable, retrying"
# Deadline warnings due together: up to this many get a toast each; more make one toast for the batch.
MAX_TOASTS = 2
# After warnings were shown, the next batch gathers this long: on a busy floor (hundreds of open cases,
# warnings every second or two) a toast a second helps nobody, and each one lays the screen out again.
# The first warning after a quiet spell shows at once; the countdown pane shows every deadline meanwhile.
WARNING_GATHER = timedelta(seconds=15)

# What each recovery key records, and the form it opens (None: a dedicated method builds the form).
SIMPLE_ACTIONS: dict[str, tuple[Action, str, str]] = {
    "apologize": (Action.APOLOGIZE, "Apologize", "How you apologized (in your words)"),
    "update": (Action.UPDATE, "Progress update", "What you told the customer"),
    "check_back": (Action.CHECK_BACK, "Owner's check-back", "What the original owner told the customer"),
    "public_apology": (Action.PUBLIC_APOLOGY, "Public apology", "Where and what was posted"),
    "close": (Action.CLOSE, "Close the case", "Closing note"),
    "amend": (Action.AMEND, "Amend the deposition", "The correction"),
}


def cases_of(warnings: list[DeadlineWarning], shown: int = 12) -> tuple[int, str]:
    """How many cases these warnings are about, and their ids for one line of a toast ('#4, #9 …')."""
    cases = sorted({warning.deadline.case_id or 0 for warning in warnings})
    listed = ", ".join(f"#{case_id}" for case_id in cases[:shown]) + (" …" if len(cases) > shown else "")
    return len(cases), listed


def any_alert(warnings: list[DeadlineWarning]) -> bool:
    return any(warning.kind == ALERT for warning in warnings)


def explain(error: BaseException) -> str:
    """One line a supervisor understands, for every refusal the service can give."""
    if isinstance(error, ValidationError):
        return "; ".join(error.problems)
    if isinstance(error, (WorkflowError, AuthorityError)):
        return str(error)
    if isinstance(error, CaseNotFound):
        return f"case #{error.args[0]} does not exist"
    if isinstance(error, DatabaseError):
        return f"{UNREACHABLE}: nothing was saved ({error})"
    return f"{type(error).__name__}: {error}"


class MainScreen(Screen[None]):
    """The four panes; the open breakdowns have the focus at start."""

    def __init__(self, board: Board) -> None:
        super().__init__(id="main")
        self.board = board
        self.complete = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield ShiftHeader(self.board.settings, id="shift-header")
        with Horizontal(id="top"):
            with Vertical(id="cases-pane"):
                yield Input(placeholder="filter: customer, category, stage, assignee, #id …", id="filter")
                yield OpenCasesTable(self.board, id="open-cases")
            yield Countdowns(self.board, id="countdowns")
        yield Horizontal(id="bottom")

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        table = self.query_one(OpenCasesTable)
        table.focus()
        if self.board.cases:  # the quick read's cases, in the very first frame
            table.rebuild(self.app.now(), first_rows=self.app.size.height)  # type: ignore[attr-defined]
            self.app.tick()  # type: ignore[attr-defined]
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
        # Below 110 columns the side panes stack under the case list (see shiftdesk.tcss).
        self.set_class(self.size.width < 110, "-narrow")


class ShiftdeskApp(App[None]):
    """Reads through storage.views, writes only through the WorkflowService; never SQL of its own."""

    CSS_PATH = "shiftdesk.tcss"
    TITLE = "shiftdesk"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("enter", "open_case", "Open", show=False),
        Binding("a", "act('apologize')", "Apologize"),
        Binding("v", "review", "Review"),
        Binding("u", "act('update')", "Update"),
        Binding("f", "fix", "Fix"),
        Binding("o", "follow_up", "Follow-up"),
        Binding("d", "deposition", "Deposition"),
        Binding("c", "act('close')", "Close"),
        Binding("r", "reassign", "Reassign"),
        Binding("n", "new_case", "New"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("t", "trends", "Trends"),
        Binding("e", "export", "Export"),
        Binding("b", "act('check_back')", "Check-back", show=False),
        Binding("P", "act('public_apology')", "Public apology", show=False),
        Binding("S", "spokesperson", "Spokesperson", show=False),
        Binding("m", "act('amend')", "Amend deposition", show=False),
        Binding("q", "quit", "Quit"),
    ]
    # Shown in help and the command palette, in this order.
    DESCRIPTIONS: ClassVar[dict[str, str]] = {
        "help": "this help",
        "open_case": "open the highlighted case: fields, timeline, deadlines, deposition",
        "act('apologize')": "record the apology",
        "review": "review the complaint: what went wrong in the customer's eyes, what they need",
        "act('update')": "progress update to the customer (restarts the fix-or-update clock)",
        "fix": "record the fix, with an optional gesture (authority limits apply)",
        "follow_up": "follow up after the fix: was the customer satisfied?",
        "deposition": "write the deposition while memory is fresh",
        "act('close')": "close the case",
        "reassign": "hand the case to another agent (the original owner still owes a check-back)",
        "new_case": "open a new case",
        "filter": "filter the open breakdowns as you type",
        "trends": "trends screen: heat map, hotspots",
        "export": "export the end-of-shift summary",
        "act('check_back')": "the original owner checked back with the customer",
        "act('public_apology')": "record the public apology (public cases)",
        "spokesperson": "name the spokesperson (public cases)",
        "act('amend')": "amend a filed deposition",
        "quit": "quit",
    }

    def __init__(
        self,
        service: WorkflowService | Callable[[], WorkflowService],
        *,
        settings: Settings | None = None,
        clock: Clock | None = None,
        preload: list[Case] | None = None,
        actor: str | None = None,
        poll_seconds: float = 1.0,
        hotspots: bool = True,
        auto_export: bool = True,
    ) -> None:
        """`service` may be a factory: the dashboard then paints `preload` (open cases read without
        SQLAlchemy) first and builds the service, with its heavy imports, behind the first frame."""
        super().__init__()
        self._service: WorkflowService | None = None
        self._service_ready = threading.Event()
        if callable(service):
            assert settings is not None and clock is not None, "a service factory needs settings and a clock"
            self._service_factory: Callable[[], WorkflowService] | None = service
        else:
            self._service_factory = None
            self._set_service(service)
            settings, clock = service.settings, service.clock
        self.settings = settings
        self.clock = clock
        self.preload = preload
        self.actor = actor or getpass.getuser()
        self.poll_seconds = poll_seconds
        self.scan_hotspots_enabled = hotspots
        self.board = Board(self.settings)
        self.watermark = 0
        self.banner = ""
        self.loaded = asyncio.Event()
        self._polling = False
        self._loading = True  # the first load is started on mount
        self._probe: Any = None
        self._last_token: int | None = None
        self._ticks = 0
        self.main_screen = MainScreen(self.board)
        self._warned_at: datetime | None = None  # when warnings were last shown (see WARNING_GATHER)
        self.book = ReminderBook(timedelta(minutes=self.settings.reminder_minutes_before))
        self.scheduler = AppScheduler(self.clock)
        self.auto_export = auto_export

    # -- start and the live loop --------------------------------------------------------------------

    # -- the service, possibly still loading -------------------------------------------------------

    def _set_service(self, service: WorkflowService) -> None:
        self._service = service
        self._service_ready.set()

    @property
    def service(self) -> WorkflowService:
        """The workflow service; in a worker thread this waits for it if it is still being built."""
        if not self._service_ready.wait(timeout=60):
            raise DatabaseError("the storage layer did not start within a minute")
        assert self._service is not None
        return self._service

    async def ready_service(self) -> WorkflowService:
        """The service, waited for off the event loop (it may still be loading behind the first frame)."""
        if self._service_ready.is_set():
            return self.service
        return await asyncio.to_thread(lambda: self.service)

    @property
    def views(self) -> Any:
        from storage import views

        return views

    async def on_mount(self) -> None:
        if self.preload is not None:
            # First paint from the quick read (MainScreen shows the board as it mounts); the full load
            # below replaces it moments later.
            self.board.load(self.preload)
        await self.push_screen(self.main_screen)  # mounted before the first rows can arrive
        # After the first frame: building the service imports SQLAlchemy, which would hold the GIL (and so
        # the first paint) for longer than Textual needs to start.
        self.call_after_refresh(self.run_worker, self.initial_load(), exclusive=False, group="load")
        self.set_interval(1.0, self.tick)
        self.set_interval(self.poll_seconds, self.poll)
        self.set_interval(60.0, self.refresh_trends)
        self.tick()

    async def initial_load(self) -> None:
        try:
            await self._load_everything()
        finally:
            self._loading = False  # the poll retries while `loaded` is not set

    async def _load_everything(self) -> None:
        if not self._service_ready.is_set() and self._service_factory is not None:
            try:
                factory = self._service_factory
                # Set in the worker thread: a loop-thread caller waiting on `service` must not be the
                # one that has to set it.
                await asyncio.to_thread(lambda: self._set_service(factory()))
            except Exception as error:
                self.set_banner(f"{UNREACHABLE} ({type(error).__name__})")
                return
        if self.scheduler.scheduler is None:
            self.scheduler.start()
        await self.main_screen.complete.wait()
        views = self.views
        database = self.service.database

        def read() -> tuple[int, list[Case]]:
            watermark = views.latest_event_id(database)
            return watermark, views.open_cases(database)

        try:
            self.watermark, cases = await asyncio.to_thread(read)
        except Exception as error:
            self.set_banner(f"{UNREACHABLE} ({type(error).__name__})")
            return
        self.board.load(cases)
        self.table.rebuild(self.now())
        self.tick()
        self.loaded.set()
        self.book.plan(self.board.all_deadlines())
        await self.fire_warnings(starting=True)
        if self.auto_export:
            from tui.export import export_finished_shift, missed_export

            self.plan_shift_end()
            missed = missed_export(self.settings, self.now())
            if missed is not None:
                await export_finished_shift(self, missed)
        await self.refresh_depositions()
        await self.refresh_trends()
        self.run_worker(self._settle_after_start(), group="hotspots")

    async def _settle_after_start(self) -> None:
        if self.scan_hotspots_enabled:
            await self.refresh_hotspot()
        # What start-up built (modules, styles, widgets, the board) lives all shift. Without this, each of
        # Python's full collections walks those ~140k objects again: that was two thirds of the idle CPU.
        # Collect first, so no start-up garbage is kept for good.
        gc.collect()
        gc.freeze()

    def notify(self, message: Any, *, markup: bool = False, **kwargs: Any) -> None:  # type: ignore[override]
        """Toasts never interpret markup: they often quote what a user typed."""
        if isinstance(message, Text):
            message = message.plain  # a toast without markup takes plain text; user text stays literal
        super().notify(message, markup=markup, **kwargs)

    def confirm(self, message: Text | str, timeout: float | None = None) -> None:
        """A toast confirming a change, one frame after the change itself is painted: mounting a toast lays
        the whole screen out again (~100 ms here), and the row the user is watching should not wait for it.
        (`timeout=None` is Textual's default timeout.)"""
        self.call_after_refresh(self.notify, message, timeout=timeout)

    def on_unmount(self) -> None:
        self.scheduler.shutdown()
        gc.unfreeze()  # its objects may be collected again (tests run several dashboards in one process)

    def now(self) -> datetime:
        return self.clock.now()

    # -- reminders, alerts and the end of the shift -------------------------------------------------

    async def fire_warnings(self, *, starting: bool = False) -> None:
        """Toast (and ring) every reminder and alert now due, once; then plan the next one."""
        now = self.now()
        due = self.book.due(now)
        if starting:
            # Warnings that came due long before this start are summed up, not replayed one by one.
            old = [warning for warning in due if warning.at < now - RECENT_ENOUGH]
            due = [warning for warning in due if warning.at >= now - RECENT_ENOUGH]
            if old:
                count, listed = cases_of(old)
                self.notify(
                    f"{count} case(s) already overdue at start: {listed}", severity="error", timeout=12
                )
        if len(due) > MAX_TOASTS:
            self.notify(self.batch_line(due), severity="error" if any_alert(due) else "warning", timeout=12)
        else:
            for warning in due:
                case = self.board.cases.get(warning.deadline.case_id or 0)
                message = describe(warning, case.customer if case else "?", now)
                self.notify(
                    literal(message), severity="error" if warning.kind == ALERT else "warning", timeout=10
                )
        if due:
            self._warned_at = now
            if self.settings.bell:
                self.bell()
        self.schedule_next_warning()

    def batch_line(self, due: list[DeadlineWarning], shown: int = 6) -> str:
        """One toast for a batch: 'Overdue: #4 fix-or-update (Dev Patel), … · Due within 5 min: #2 …'."""

        def listed(warnings: list[DeadlineWarning]) -> str:
            items = [
                f"#{warning.deadline.case_id} {warning.deadline.kind} ({warning.deadline.owed_by})"
                for warning in warnings[:shown]
            ]
            more = f" and {len(warnings) - shown} more" if len(warnings) > shown else ""
            return ", ".join(items) + more

        alerts = [warning for warning in due if warning.kind == ALERT]
        reminders = [warning for warning in due if warning.kind != ALERT]
        parts = []
        if alerts:
            parts.append(f"Overdue: {listed(alerts)}")
        if reminders:
            parts.append(f"Due within {self.settings.reminder_minutes_before} min: {listed(reminders)}")
        return " · ".join(parts)

    def plan_warnings(self) -> None:
        """After the board changed: the book lays out the new deadlines' warnings; the next one is planned."""
        self.book.plan(self.board.all_deadlines())
        self.schedule_next_warning()

    def schedule_next_warning(self) -> None:
        at = self.book.next_at(self.now())
        if at is not None and self._warned_at is not None:
            at = max(at, self._warned_at + WARNING_GATHER)
        self.scheduler.plan(WARNINGS_JOB, at, self.fire_warnings)

    def plan_shift_end(self) -> None:
        occurrence = self.settings.calendar.at(self.now())
        if occurrence is None:
            return

        async def at_shift_end() -> None:
            from tui.export import export_finished_shift

            await export_finished_shift(self, occurrence)
            self.plan_shift_end()

        self.scheduler.plan(SHIFT_END_JOB, occurrence.ends_at, at_shift_end)

    @property
    def table(self) -> OpenCasesTable:
        return self.main_screen.query_one(OpenCasesTable)

    def tick(self) -> None:
        """Each second: the countdowns and the header. Work in proportion to what is on screen."""
        if not self.main_screen.is_mounted:
            return
        now = self.now()
        self._ticks += 1
        try:
            countdowns = self.main_screen.query_one(Countdowns)
            header = self.main_screen.query_one(ShiftHeader)
        except NoMatches:
            return  # shutting down: the panes are already gone
        countdowns.tick(now)
        header.show(now, self.board.counts(now), self.banner)
        if self._ticks % 60 == 0:
            self.table.refresh_ages(now)

    def set_banner(self, banner: str) -> None:
        if banner != self.banner:
            self.banner = banner
            if banner:
                self.notify(banner, severity="error", timeout=5)
            self.tick()

    async def poll(self) -> None:
        """Cheap change detection (a data-version token); then only the cases whose newest event is newer."""
        if self._polling:
            return
        if not self.loaded.is_set():
            if not self._loading:  # the first load failed (database unreachable): try again
                self._loading = True
                self.run_worker(self.initial_load(), exclusive=True, group="load")
            return
        views, database, watermark = self.views, self.service.database, self.watermark
        if self._probe is not None and self._probe.instant:
            # The common case, every second all shift: nothing changed. Answered here, without a thread.
            try:
                if self._probe.token() == self._last_token:
                    self.set_banner("")
                    return
            except Exception as error:
                self.set_banner(f"{UNREACHABLE} ({type(error).__name__})")
                return
        self._polling = True

        def check() -> tuple[int, int, list[Case]] | None:
            if self._probe is None:
                self._probe = views.ChangeProbe(database)
            token = self._probe.token()
            if token == self._last_token:
                return None
            newest, changed = views.changed_since(database, watermark)
            return token, newest, changed

        try:
            result = await asyncio.to_thread(check)
        except Exception as error:
            self.set_banner(f"{UNREACHABLE} ({type(error).__name__})")
            return
        finally:
            self._polling = False
        self.set_banner("")
        if result is None:
            return
        self._last_token, newest, changed = result
        self.watermark = max(self.watermark, newest)
        if changed:
            self.take_in(changed)
            if any(case.documented_at is not None for case in changed):
                await self.refresh_depositions()

    def take_in(self, changed: list[Case]) -> None:
        shown, gone = self.board.apply(changed)
        self.table.apply(shown, gone, self.now())
        self.tick()
        # After the frame that shows the change: re-planning the reminders does not change what is drawn.
        self.call_after_refresh(self.plan_warnings)
        if isinstance(self.screen, CaseScreen) and self.screen.case_id in {case.id for case in changed}:
            self.run_worker(self.show_case(self.screen), group="case")

    async def refresh_depositions(self) -> None:
        try:
            lines = await asyncio.to_thread(self.views.recent_depositions, self.service.database, 30)
        except Exception:
            return
        self.main_screen.query_one(RecentDepositions).show(lines, self.settings.zone)

    async def refresh_trends(self) -> None:
        now = self.now()
        try:
            opened = await asyncio.to_thread(
                self.views.opened_between, self.service.database, now - timedelta(hours=24), now
            )
        except Exception:
            return
        per_category = [
            (category, self.views.hourly_counts([item for item in opened if item[1] == category], now))
            for category in self.views.top_categories(opened)
        ]
        self.main_screen.query_one(TrendsPane).show(self.views.hourly_counts(opened, now), per_category)

    async def refresh_hotspot(self) -> None:
        from storage.trend_facts import HOTSPOT_WINDOW, scan_hotspots

        now = self.now()
        try:
            found = await asyncio.to_thread(
                scan_hotspots, self.service.database, now - HOTSPOT_WINDOW, now, limit=1
            )
        except Exception:
            return
        self.main_screen.query_one(TrendsPane).show_hotspot(found[0].sentence if found else None)

    # -- which case --------------------------------------------------------------------------------

    def current_case_id(self) -> int | None:
        if isinstance(self.screen, CaseScreen):
            return self.screen.case_id
        if self.screen is self.main_screen:
            return self.table.highlighted_case_id
        return None

    def current_case(self) -> Case | None:
        case_id = self.current_case_id()
        if case_id is None:
            self.notify("No case highlighted.", severity="warning")
            return None
        case = self.board.cases.get(case_id)
        if case is None and isinstance(self.screen, CaseScreen) and self.screen.detail is not None:
            case = self.screen.detail.case
        if case is None:
            self.notify(f"Case #{case_id} is not open.", severity="warning")
        return case

    def context_line(self, case: Case) -> Text:
        return joined(
            f"#{case.id} · {case.stage.value} · ",
            one_line(case.customer, 40),
            " · ",
            one_line(case.category, 30),
            " · assigned to ",
            one_line(case.assignee, 30),
        )

    def refused_before_form(self, case: Case, action: Action) -> bool:
        """Say at once why an action cannot happen now, rather than after the user typed a text."""
        reason = refusal(case, action)
        if reason:
            self.notify(literal(reason), title="Not now", severity="warning", timeout=6)
        return reason is not None

    # -- writing through the service ---------------------------------------------------------------

    def submitter(self, case: Case, call: Callable[[int | None, dict[str, Any]], Case]) -> Any:
        """The form's submit: runs the service call off the UI thread, keeps the text on any refusal."""
        expected = {"version": case.version}

        async def submit(values: dict[str, Any]) -> str | None:
            try:
                updated = await asyncio.to_thread(call, expected["version"], values)
            except ConflictError as conflict:
                fresh = conflict.current
                expected["version"] = fresh.version
                self.take_in([fresh])
                return (
                    f"Case #{fresh.id} changed while you were typing: it is now {fresh.stage.value}, "
                    f"assigned to {fresh.assignee} (version {fresh.version}). Your text is kept: "
                    "ctrl+s applies it to the new state, Esc cancels."
                )
            except (WorkflowError, AuthorityError, ValidationError, CaseNotFound, DatabaseError) as error:
                return explain(error)
            except ValueError as error:
                return str(error)
            self.take_in([updated])
            self.confirm(literal(f"#{updated.id}: {updated.stage.value}, assigned to {updated.assignee}"))
            return None

        return submit

    def open_form(
        self, case: Case, spec: FormSpec, call: Callable[[int | None, dict[str, Any]], Case]
    ) -> None:
        self.push_screen(FormScreen(spec, self.submitter(case, call)))

    def action_act(self, name: str) -> None:
        case = self.current_case()
        if case is None or case.id is None:
            return
        action, title, label = SIMPLE_ACTIONS[name]
        if self.refused_before_form(case, action):
            return
        required = action not in (Action.CLOSE,)
        spec = FormSpec(title, self.context_line(case), [Field("text", label, required=required)])
        case_id = case.id

        def call(version: int | None, values: dict[str, Any]) -> Case:
            return self.service.act(case_id, action, self.actor, values["text"], expected_version=version)

        self.open_form(case, spec, call)

    def action_review(self) -> None:
        case = self.current_case()
        if case is None or case.id is None or self.refused_before_form(case, Action.REVIEW):
            return
        spec = FormSpec(
            "Review the complaint with the customer",
            self.context_line(case),
            [
                Field("text", "What went wrong, in the customer's eyes", required=True),
                Field("needs", "What the customer needs for a good outcome", required=True),
            ],
        )
        case_id = case.id

        def call(version: int | None, values: dict[str, Any]) -> Case:
            return self.service.act(
                case_id,
                Action.REVIEW,
                self.actor,
                values["text"],
                {"needs": values["needs"]},
                expected_version=version,
            )

        self.open_form(case, spec, call)

    def action_fix(self) -> None:
        case = self.current_case()
        if case is None or case.id is None or self.refused_before_form(case, Action.FIX):
            return
        limit = self.settings.authority.limit_of(self.actor)
        spec = FormSpec(
            "Record the fix",
            self.context_line(case),
            [
                Field("text", "What was fixed", required=True),
                Field("gesture", "Something extra (discount, upgrade …), optional"),
                Field("value", "Its value", kind="number"),
                Field("approved_by", "Approved by (needed above your limit)"),
            ],
            note=f"Your authority limit: {limit:g}. Above it, name the approver.",
        )
        case_id = case.id

        def call(version: int | None, values: dict[str, Any]) -> Case:
            raw = str(values.get("value") or "").strip()
            try:
                value = float(raw) if raw else 0.0
            except ValueError:
                raise ValueError(f"value: {raw!r} is not a number") from None
            return self.service.fix(
                case_id,
                self.actor,
                values["text"],
                gesture_kind=values.get("gesture", ""),
                gesture_value=value,
                approved_by=values.get("approved_by") or None,
                expected_version=version,
            )

        self.open_form(case, spec, call)

    def action_follow_up(self) -> None:
        case = self.current_case()
        if case is None or case.id is None or self.refused_before_form(case, Action.FOLLOW_UP):
            return
        spec = FormSpec(
            "Follow up after the fix",
            self.context_line(case),
            [
                Field("text", "What the customer said", required=True),
                Field("satisfied", "The customer is satisfied", kind="bool", initial=True),
            ],
        )
        case_id = case.id

        def call(version: int | None, values: dict[str, Any]) -> Case:
            return self.service.follow_up(
                case_id,
                self.actor,
                values["text"],
                satisfied=bool(values["satisfied"]),
                expected_version=version,
            )

        self.open_form(case, spec, call)

    def action_deposition(self) -> None:
        case = self.current_case()
        if case is None or case.id is None or self.refused_before_form(case, Action.DOCUMENT):
            return
        opened = case.opened_at.astimezone(self.settings.zone)
        confirmed = (
            f"Confirmed from the case: opened {opened:%a %d %b %H:%M}, "
            f"staff {case.staff}, site {case.site} ({case.region}), product {case.product}, "
            f"category {case.category}."
        )
        spec = FormSpec(
            "Deposition — write it while memory is fresh",
            self.context_line(case),
            [
                Field("customer_view", "What went wrong, in the customer's eyes", required=True),
                Field("customer_needed", "What the customer needed", required=True),
                Field("actions_taken", "What was done", required=True),
                Field("root_cause", "Root cause", required=True),
                Field(
                    "factors",
                    "Factors, comma-separated: training, process, system, staffing, product, "
                    "facility, external",
                ),
                Field("gesture", "Gesture given"),
                Field("notes", "Notes"),
            ],
            note=confirmed,
        )
        case_id = case.id

        def call(version: int | None, values: dict[str, Any]) -> Case:
            try:
                factors = parse_factors(values.get("factors", ""))
            except ValueError as error:
                raise ValueError(f"factors: {error}") from None
            deposition = Deposition(
                customer_view=values["customer_view"],
                customer_needed=values["customer_needed"],
                actions_taken=values["actions_taken"],
                root_cause=values["root_cause"],
                factors=factors,
                gesture=values.get("gesture", ""),
                notes=values.get("notes", ""),
            )
            return self.service.file_deposition(case_id, self.actor, deposition, expected_version=version)

        self.open_form(case, spec, call)

    def action_spokesperson(self) -> None:
        case = self.current_case()
        if case is None or case.id is None or self.refused_before_form(case, Action.SPOKESPERSON):
            return
        spec = FormSpec(
            "Name the spokesperson", self.context_line(case), [Field("to", "Spokesperson", required=True)]
        )
        case_id = case.id

        def call(version: int | None, values: dict[str, Any]) -> Case:
            return self.service.act(
                case_id, Action.SPOKESPERSON, self.actor, "", {"name": values["to"]}, expected_version=version
            )

        self.open_form(case, spec, call)

    def action_new_case(self) -> None:
        spec = FormSpec(
            "New case",
            "A breakdown just reported. The person serving becomes the owner unless you name one.",
            [
                Field("customer", "Customer", required=True),
                Field("contact", "Contact (phone, e-mail)"),
                Field("category", "Category", required=True),
                Field("description", "What happened", required=True),
                Field("site", "Site", required=True),
                Field("region", "Region"),
                Field("product", "Product", required=True),
                Field("staff", "Staff serving", required=True),
                Field("owner", "Owner (default: the staff serving)"),
                Field(
                    "tier",
                    "Tier",
                    kind="choice",
                    choices=tuple(tier.value for tier in Tier),
                    initial="standard",
                ),
                Field(
                    "channel",
                    "Channel",
                    kind="choice",
                    choices=tuple(channel.value for channel in Channel),
                    initial="phone",
                ),
                Field(
                    "severity",
                    "Severity",
                    kind="choice",
                    choices=tuple(severity.value for severity in Severity),
                    initial="medium",
                ),
                Field("public", "Public (social media, seen by the public)", kind="bool"),
            ],
        )

        async def submit(values: dict[str, Any]) -> str | None:
            owner = values["owner"].strip() or values["staff"].strip()
            case = Case(
                opened_at=self.now(),
                customer=values["customer"],
                contact=values["contact"] or None,
                category=values["category"],
                description=values["description"],
                site=values["site"],
                region=values["region"],
                product=values["product"],
                staff=values["staff"],
                owner=owner,
                assignee=owner,
                tier=Tier(values["tier"] or "standard"),
                channel=Channel(values["channel"] or "phone"),
                severity=Severity(values["severity"] or "medium"),
                public=bool(values["public"]),
            )
            try:
                service = await self.ready_service()
                stored = await asyncio.to_thread(service.open_case, case, self.actor)
            except (ValidationError, DatabaseError, ValueError) as error:
                return explain(error)
            self.take_in([stored])
            self.confirm(joined(f"opened #{stored.id} for ", one_line(stored.customer)))
            return None

        self.push_screen(FormScreen(spec, submit))

    def action_reassign(self) -> None:
        case = self.current_case()
        if case is None or case.id is None or self.refused_before_form(case, Action.REASSIGN):
            return
        loads: dict[str, int] = {}
        for open_case in self.board.cases.values():
            loads[open_case.assignee] = loads.get(open_case.assignee, 0) + 1
        occurrence = self.settings.calendar.at(self.now())
        roster = list(occurrence.shift.agents) if occurrence else []
        others = sorted(
            {
                name
                for open_case in self.board.cases.values()
                for name in (open_case.assignee, open_case.owner)
            }
        )
        candidates = [Candidate(name, loads.get(name, 0), True) for name in roster]
        candidates += [
            Candidate(name, loads.get(name, 0), not roster) for name in others if name not in roster
        ]
        note = (
            f"{case.owner} stays the customer's ally and owes a check-back after the hand-over."
            if case.owner
            else ""
        )
        title = joined(
            "Reassign ",
            f"#{case.id} ",
            one_line(case.customer, 30),
            " — now with ",
            one_line(case.assignee, 30),
        )
        case_id = case.id
        version = case.version

        async def hand_over(agent: str) -> None:
            await self.reassign(case_id, agent, version, closing=picker)

        picker = ReassignPicker(title, candidates, case.assignee, note, hand_over=hand_over)
        self.push_screen(picker)

    async def reassign(
        self, case_id: int, agent: str, version: int, closing: Screen[Any] | None = None
    ) -> None:
        """Write the hand-over; then, in one go (one frame), close `closing` and show the result."""
        outcome: Case | Exception
        try:
            outcome = await asyncio.to_thread(
                (await self.ready_service()).reassign, case_id, agent, self.actor, expected_version=version
            )
        except (ConflictError, WorkflowError, ValidationError, CaseNotFound, DatabaseError) as error:
            outcome = error
        if closing is not None:
            closing.dismiss()
        if isinstance(outcome, ConflictError):
            self.take_in([outcome.current])
            self.notify(
                literal(
                    f"#{case_id} changed meanwhile (now {outcome.current.stage.value}, assigned to "
                    f"{outcome.current.assignee}): not reassigned. Press r to try again."
                ),
                severity="warning",
                timeout=8,
            )
        elif isinstance(outcome, Exception):
            self.notify(literal(explain(outcome)), severity="error", timeout=8)
        else:
            self.take_in([outcome])
            self.confirm(joined(f"#{case_id} reassigned to ", one_line(outcome.assignee)), timeout=3)

    # -- moving around -----------------------------------------------------------------------------

    def action_open_case(self) -> None:
        if self.screen is not self.main_screen:
            return
        if self.focused is self.main_screen.query_one(RecentDepositions):
            return  # its own OptionSelected opens the case
        case_id = self.table.highlighted_case_id
        if case_id is not None:
            self.open_case_screen(case_id)

    def open_case_screen(self, case_id: int) -> None:
        self.push_screen(CaseScreen(case_id, self.show_case))

    async def show_case(self, screen: CaseScreen) -> None:
        try:
            service = await self.ready_service()
            detail = await asyncio.to_thread(self.views.case_detail, service.database, screen.case_id)
        except (CaseNotFound, DatabaseError) as error:
            self.notify(literal(explain(error)), severity="error")
            return
        except Exception as error:
            self.notify(literal(explain(error)), severity="error")
            return
        deadlines = pending_deadlines(detail.case, self.settings.deadlines, self.settings.calendar)
        if screen.is_mounted:
            screen.show(detail, deadlines, self.now(), self.settings.zone)

    @on(DataTable.RowSelected, "#open-cases")
    def case_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_case_screen(int(event.row_key.value))

    @on(OptionList.OptionSelected, "#depositions")
    def deposition_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.open_case_screen(int(event.option.id))

    def action_filter(self) -> None:
        if self.screen is not self.main_screen:
            return
        box = self.main_screen.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.table.needle = event.value
        self.table.rebuild(self.now())

    @on(Input.Submitted, "#filter")
    def filter_done(self, event: Input.Submitted) -> None:
        if not event.value:
            event.input.display = False
        self.table.focus()

    def on_key(self, event: Any) -> None:
        # Esc in the filter box clears it and gives the table back the focus.
        if event.key == "escape" and self.screen is self.main_screen:
            box = self.main_screen.query_one("#filter", Input)
            if box.has_focus or box.display:
                box.value = ""
                box.display = False
                self.table.focus()
                event.stop()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.key_help()))

    def key_help(self) -> list[tuple[str, str]]:
        rows = [("↑ ↓ / j k", "move in the open breakdowns")]
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            key = binding.key_display or binding.key
            rows.append((key, self.DESCRIPTIONS.get(binding.action, binding.description)))
        rows += [("Esc", "back / cancel"), ("ctrl+p", "command palette: every action by name")]
        return rows

    def action_trends(self) -> None:
        from tui.screens.trends import TrendsScreen

        async def open_trends() -> None:
            self.push_screen(TrendsScreen(await self.ready_service(), self.now()))

        self.run_worker(open_trends(), group="trends")

    def action_export(self) -> None:
        from tui.export import export_now

        self.run_worker(export_now(self), group="export")

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.action in ("quit", "help"):
                continue
            action = binding.action

            def run(action: str = action) -> None:
                self.run_worker(self.run_action(action))

            yield SystemCommand(
                f"{binding.description} ({binding.key_display or binding.key})",
                self.DESCRIPTIONS.get(action, binding.description),
                run,
            )
        yield SystemCommand("Keys (?)", "every key of the dashboard", self.action_help)
