"""The dashboard app: builds the service and the read side, runs the clock and live sync; app-wide keys."""

from __future__ import annotations

import asyncio
import gc
import getpass
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import WorkerCancelled, WorkerFailed

from core.cases import Case
from core.visible import visible
from storage.errors import DatabaseError
from tui.alerts import Alerts
from tui.board import Board
from tui.crash import crash_line, write_crash_report
from tui.escalations import Escalations
from tui.live_sync import UNREACHABLE, LiveSync
from tui.scheduling import AppScheduler
from tui.screens.keys import DESCRIPTIONS, MAIN_KEYS
from tui.screens.main import MainScreen
from tui.screens.recovery import RecoveryScreen
from tui.widgets.open_cases import OpenCasesTable

if TYPE_CHECKING:
    from core.clock import Clock
    from core.config import Settings
    from storage.service import WorkflowService
    from storage.views import Reads


class ShiftdeskApp(App[None]):
    """Reads through storage.views.Reads, writes only through the WorkflowService; never SQL of its own."""

    CSS_PATH = "shiftdesk.tcss"
    TITLE = "shiftdesk"
    ENABLE_COMMAND_PALETTE = True

    # App-wide: the screens without the dashboard's keys (trends, pickers) still have help and quit.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        service: WorkflowService | Callable[[], WorkflowService],
        *,
        settings: Settings | None = None,
        clock: Clock | None = None,
        preload: list[Case] | None = None,
        preload_watermark: int | None = None,
        actor: str | None = None,
        poll_seconds: float = 1.0,
        hotspots: bool = True,
        auto_export: bool = True,
    ) -> None:
        """`service` may be a factory: the dashboard then paints `preload` (open cases read without
        SQLAlchemy) first and builds the service, with its heavy imports, behind the first frame. With
        `preload_watermark` (the newest event id as of `preload`), the full load then reads only the cases
        changed after it."""
        super().__init__()
        # Who runs this dashboard: every step written from it is recorded by them (see `_set_service`).
        self.actor = actor or getpass.getuser()
        self._service: WorkflowService | None = None
        self._reads: Reads | None = None
        self._service_ready = threading.Event()
        self._service_built = asyncio.Event()  # the same, for waiting on the event loop
        if callable(service):
            assert settings is not None and clock is not None, "a service factory needs settings and a clock"
            self._service_factory: Callable[[], WorkflowService] | None = service
        else:
            self._service_factory = None
            self._set_service(service)
            self._service_built.set()
            settings, clock = service.settings, service.clock
        self.settings: Settings = settings
        self.clock: Clock = clock
        self.preload_watermark = preload_watermark if preload is not None else None
        self.poll_seconds = poll_seconds
        self.scan_hotspots_enabled = hotspots
        self.auto_export = auto_export
        self.board = Board(self.settings)
        if preload is not None:
            # First paint from the quick read (MainScreen shows the board as it mounts, and it is the first
            # screen); the full load replaces it moments later.
            self.board.load(preload)
        self.banner = ""
        self.loaded = asyncio.Event()
        self._loading = True  # the first load is started on mount
        self.main_screen = MainScreen(self.board)
        self.scheduler = AppScheduler(self.clock)
        self.alerts = Alerts(self, self.scheduler)
        self.escalations = Escalations(self, self.scheduler)
        self.live_sync = LiveSync(self.main_screen.post_message, self.set_banner)

    # -- the service and the read side, possibly still loading ---------------------------------------

    def _set_service(self, service: WorkflowService) -> None:
        from storage.views import Reads

        # At the dashboard every step is recorded by the supervisor running it — the forms pass them, and
        # so do the writes that name no recorder (a hand-over, an acknowledgement, a ladder step), which
        # otherwise took the service's own: the OS user, which is the CLI's recorder.
        service.recorder = self.actor
        self._service = service
        self._reads = Reads(service.database)
        self._service_ready.set()

    @property
    def service(self) -> WorkflowService:
        """The workflow service; in a worker thread this waits for it if it is still being built."""
        if not self._service_ready.wait(timeout=60):
            raise DatabaseError("the storage layer did not start within a minute")
        assert self._service is not None
        return self._service

    @property
    def reads(self) -> Reads:
        """The read side, over the service's database (waits like `service`)."""
        service = self.service  # waits for the storage layer, as `service` does
        assert self._reads is not None and self._reads.database is service.database
        return self._reads

    async def ready_service(self) -> WorkflowService:
        """The service, waited for off the event loop (it may still be loading behind the first frame)."""
        if not self._service_ready.is_set():
            # Waited for here, not in a thread: the one database thread (see on_mount) may be building it.
            try:
                await asyncio.wait_for(self._service_built.wait(), timeout=60)
            except TimeoutError:
                raise DatabaseError("the storage layer did not start within a minute") from None
        return self.service

    async def ready_reads(self) -> Reads:
        """The read side, waited for off the event loop."""
        await self.ready_service()
        return self.reads

    # -- start, the clock, the end -------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        """The main screen is the first screen, not one pushed in on_mount: Textual holds back every frame
        until the App's mount (with whatever it awaits) is done, and a screen pushed there is awaited — so
        the open cases were drawn once unseen, then the deferred rows, panes and footer were built, and
        only then was anything shown (~100 ms later). As the first screen it paints as soon as it mounts."""
        return self.main_screen

    async def on_mount(self) -> None:
        # Every `asyncio.to_thread` of the dashboard (reads, writes, exports) runs on one thread. The loop's
        # default pool grew to 4-6 threads over a shift as reads overlapped, and glibc gives each thread a
        # malloc arena of its own that keeps what was freed in it: in the 12-hour soak (hours 1 to 5) RSS grew
        # +6.6 MB with the default pool and +5.0 MB with one thread (the heap in use grew alike, ~2 MB), and
        # each thread also held a pooled SQLite connection with its own page cache. One thread: one arena,
        # one read connection. Database calls queue behind each other (each is milliseconds, a hotspot scan
        # about a second); the event loop never waits on them.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="shiftdesk-db")
        )
        # After the first frame: building the service imports SQLAlchemy, which would hold the GIL (and so
        # the first paint) for longer than Textual needs to start.
        self.call_after_refresh(self.run_worker, self.initial_load(), exclusive=False, group="load")
        self.set_interval(1.0, self.tick)
        self.set_interval(self.poll_seconds, self.poll)
        self.set_interval(60.0, self.main_screen.refresh_trends)
        # Absences marked on another terminal change no case: the ORPH badges catch up within a minute.
        self.set_interval(60.0, self.main_screen.refresh_agent_loads)
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
                self._service_built.set()
            except Exception as error:
                self.set_banner(f"{UNREACHABLE} ({type(error).__name__})")
                return
        if self.scheduler.scheduler is None:
            self.scheduler.start()
        await self.main_screen.complete.wait()
        reads = self.reads
        known = self.preload_watermark

        def read() -> tuple[int, list[Case]]:
            if known is not None:  # the board holds the open cases as of `known`: what changed since
                return reads.changed_since(known)
            return reads.latest_event_id(), reads.open_cases()

        try:
            watermark, cases = await asyncio.to_thread(read)
        except Exception as error:
            self.set_banner(f"{UNREACHABLE} ({type(error).__name__})")
            return
        self.live_sync.start(reads, watermark)
        if known is not None:
            self.board.apply(cases)
        else:
            self.board.load(cases)
        self.table.rebuild(self.now())
        self.tick()
        # A failure is told by the main screen's error path; a cancel means a newer read (a change taken in
        # meanwhile, e.g. a hand-over made before the load finished) replaced this one.
        with suppress(WorkerFailed, WorkerCancelled):
            await self.main_screen.refresh_agent_loads().wait()
        self.loaded.set()
        self.alerts.book.plan(self.board.all_deadlines())
        await self.alerts.fire_warnings(starting=True)
        await self.escalations.run(starting=True)  # the ladder goes on from the steps stored, none replayed
        self.escalations.plan_shift_change()
        if self.auto_export:
            from tui.export import export_finished_shift, missed_export

            self.alerts.plan_shift_end()
            missed = missed_export(self.settings, self.now(), self.reads.database.url)
            if missed is not None:
                await export_finished_shift(self, missed)
        self.main_screen.refresh_depositions()
        self.main_screen.refresh_trends()
        self.run_worker(self._settle_after_start(), group="hotspots")

    async def _settle_after_start(self) -> None:
        if self.scan_hotspots_enabled:
            # A failure was already told by the main screen's one error path for background refreshes.
            with suppress(WorkerFailed, WorkerCancelled):
                await self.main_screen.refresh_hotspot().wait()
        # What start-up built (modules, styles, widgets, the board) lives all shift. Without this, each of
        # Python's full collections walks those ~140k objects again: that was two thirds of the idle CPU.
        # Collect first, so no start-up garbage is kept for good.
        gc.collect()
        gc.freeze()

    async def poll(self) -> None:
        """Live sync's turn; while the first load has not succeeded (database unreachable), retry that."""
        if not self.loaded.is_set():
            if not self._loading:
                self._loading = True
                self.run_worker(self.initial_load(), exclusive=True, group="load")
            return
        await self.live_sync.poll()

    def on_unmount(self) -> None:
        self.scheduler.shutdown()
        self.live_sync.close()
        gc.unfreeze()  # its objects may be collected again (tests run several dashboards in one process)

    def now(self) -> datetime:
        return self.clock.now()

    def tick(self) -> None:
        """Each second: the main screen's countdowns and header."""
        self.main_screen.tick()

    @property
    def table(self) -> OpenCasesTable:
        return self.main_screen.table

    def set_banner(self, banner: str) -> None:
        if banner != self.banner:
            self.banner = banner
            if banner:
                self.notify(banner, severity="error", timeout=5)
            self.tick()

    # -- toasts ----------------------------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """An unexpected error: the details to a private report file, one plain line to the terminal.

        Textual's own report is a Rich traceback with every local variable — customers' names and
        contacts among them — left in the terminal's scrollback; the exit code stays 1 either way."""
        try:
            report: Path | None = write_crash_report(error)
        except OSError:
            report = None
        super()._handle_exception(error)
        self._exit_renderables[:] = [Text(crash_line(error, report))]

    def notify(self, message: Any, *, markup: bool = False, **kwargs: Any) -> None:
        """Toasts never interpret markup and never pass a control character: they often quote stored text
        (a name, an agent owing a deadline), and this is the one door every toast goes through."""
        if isinstance(message, Text):
            message = message.plain  # a toast without markup takes plain text; user text stays literal
        super().notify(visible(str(message), keep_newlines=True), markup=markup, **kwargs)

    def confirm(self, message: Text | str, timeout: float | None = None) -> None:
        """A toast confirming a change, one frame after the change itself is painted: mounting a toast lays
        the whole screen out again (~100 ms here), and the row the user is watching should not wait for it.
        (`timeout=None` is Textual's default timeout.)"""
        self.call_after_refresh(self.notify, message, timeout=timeout)

    # -- app-wide keys and the command palette -----------------------------------------------------

    def action_help(self) -> None:
        self.main_screen.action_help()

    async def action_quit(self) -> None:
        """q, ctrl+q and the palette's quit ask first: the dashboard's reminders stop with it."""
        from tui.screens.confirm import QuitScreen

        if isinstance(self.screen, QuitScreen):
            self.exit()  # ctrl+q while asked: the user means it (a plain q there is swallowed)
            return

        def answered(quit_: bool | None) -> None:
            if quit_:
                self.exit()

        self.push_screen(
            QuitScreen("Deadline reminders and alerts stop on this terminal until it is started again."),
            answered,
        )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        # Textual's own "Keys" (its key panel) would sit beside ours, which is the dashboard's full key list.
        yield from (command for command in super().get_system_commands(screen) if command.title != "Keys")
        from tui.screens.form import FormScreen

        if isinstance(screen, FormScreen) and screen.spec.template is not None:
            yield SystemCommand(
                "Insert the template (ctrl+t)",
                "start the text from this category's template for the step, then edit it",
                screen.action_template,
            )
        # The dashboard's actions run on the screen they were asked from when it has them (the case view
        # acts on its case), else on the main screen.
        target = screen if isinstance(screen, RecoveryScreen) else self.main_screen
        for binding in MAIN_KEYS:
            if binding.action in ("app.quit", "help"):
                continue
            action = binding.action

            def run(action: str = action) -> None:
                self.run_worker(target.run_action(action))

            yield SystemCommand(
                f"{binding.description} ({binding.key_display or binding.key})",
                DESCRIPTIONS.get(action, binding.description),
                run,
            )
        yield SystemCommand("Keys (?)", "every key of the dashboard, and what it does", self.action_help)
