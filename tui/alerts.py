"""Deadline reminders and alerts as toasts (and the bell), planned on the scheduler; the shift-end export."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from core.cases import Case, Tier
from core.reminders import ALERT, RECENT_ENOUGH, RUNS_AGAIN, DeadlineWarning, ReminderBook, describe
from tui.scheduling import SHIFT_END_JOB, WARNINGS_JOB, AppScheduler
from tui.text import literal

if TYPE_CHECKING:
    from tui.app import ShiftdeskApp

# The countdown pane shows every deadline all the time; a toast is for what is new AND needs a person now:
# a breach, or a warning on a VIP or public case. Everything due together is one toast; the bell rings only
# for a new breach.
# After a toast, the next one gathers this long: on a busy floor breaches come every few seconds, and a
# toast a second (each laying the screen out again, each covering part of it) helps nobody. The first
# breach after a quiet spell shows at once; the countdown pane and the header show every breach meanwhile.
WARNING_GATHER = timedelta(seconds=60)
# How long a deadline toast stays: long enough to read one line; with WARNING_GATHER it bounds the share of
# time a deadline toast covers the screen at 5 s a minute (8 %).
TOAST_SECONDS = 5.0


def cases_of(warnings: list[DeadlineWarning], shown: int = 12) -> tuple[int, str]:
    """How many cases these warnings are about, and their ids for one line of a toast ('#4, #9 …')."""
    cases = sorted({warning.deadline.case_id or 0 for warning in warnings})
    listed = ", ".join(f"#{case_id}" for case_id in cases[:shown]) + (" …" if len(cases) > shown else "")
    return len(cases), listed


def any_alert(warnings: list[DeadlineWarning]) -> bool:
    return any(warning.kind == ALERT for warning in warnings)


def needs_a_person(warning: DeadlineWarning, case: Case | None) -> bool:
    """Worth a toast: a breach, a paused clock running again by itself (its resume time or the cap: the
    supervisor is told), or a warning before the breach on a VIP or public case."""
    if warning.kind in (ALERT, RUNS_AGAIN):
        return True
    return case is not None and (case.tier is Tier.VIP or case.public)


def batch_line(due: list[DeadlineWarning], minutes_before: int, shown: int = 3) -> str:
    """One toast for a batch: 'Overdue: #4 fix-or-update (Dev Patel), … · Due within 5 min: #2 …'."""

    def listed(warnings: list[DeadlineWarning]) -> str:
        items = [
            f"#{warning.deadline.case_id} {warning.deadline.kind} ({warning.deadline.owed_by})"
            for warning in warnings[:shown]
        ]
        more = f" and {len(warnings) - shown} more" if len(warnings) > shown else ""
        return ", ".join(items) + more

    alerts = [warning for warning in due if warning.kind == ALERT]
    reminders = [warning for warning in due if warning.kind not in (ALERT, RUNS_AGAIN)]
    running = [warning for warning in due if warning.kind == RUNS_AGAIN]
    parts = []
    if alerts:
        parts.append(f"Overdue: {listed(alerts)}")
    if running:
        parts.append(f"Clock running again after a pause: {listed(running)}")
    if reminders:
        parts.append(f"Due within {minutes_before} min: {listed(reminders)}")
    return " · ".join(parts)


class Alerts:
    """Which warnings are due comes from core.reminders; this decides how they reach the supervisor."""

    def __init__(self, app: ShiftdeskApp, scheduler: AppScheduler) -> None:
        self.app = app
        self.scheduler = scheduler
        self.book = ReminderBook(timedelta(minutes=app.settings.reminder_minutes_before))
        self.warned_at: datetime | None = None  # when a toast was last shown (see WARNING_GATHER)

    async def fire_warnings(self, *, starting: bool = False) -> None:
        """Toast what is newly due and needs a person (one toast for all of it), ring for a new breach, once
        each; then plan the next one."""
        app = self.app
        now = app.now()
        due = self.book.due(now)
        if starting:
            # Breaches from before this start are already on the header ("overdue N") and at the top of the
            # countdowns: they are not news, and a toast over the panes would only hide them.
            due = [warning for warning in due if warning.at >= now - RECENT_ENOUGH]
        cases = app.board.cases
        worth = [
            warning for warning in due if needs_a_person(warning, cases.get(warning.deadline.case_id or 0))
        ]
        # The escalation ladder's alerts waiting for a toast ride along in this one (tui/escalations.py).
        ladder = app.escalations.take_waiting(now) if worth else ""
        if len(worth) == 1:
            warning = worth[0]
            case = cases.get(warning.deadline.case_id or 0)
            message = describe(warning, case.customer if case else "?", now)
            app.notify(
                literal(" · ".join(filter(None, (message, ladder)))),
                severity="error" if warning.kind == ALERT or ladder else "warning",
                timeout=TOAST_SECONDS,
            )
        elif worth:
            line = batch_line(worth, app.settings.reminder_minutes_before)
            app.notify(
                literal(" · ".join(filter(None, (line, ladder)))),
                severity="error" if any_alert(worth) or ladder else "warning",
                timeout=TOAST_SECONDS,
            )
        if worth:
            self.warned_at = now
            if app.settings.bell and any_alert(worth):
                app.bell()
        self.schedule_next_warning()

    def plan_warnings(self) -> None:
        """After the board changed: the book lays out the new deadlines' warnings; the next one is planned."""
        self.book.plan(self.app.board.all_deadlines())
        self.schedule_next_warning()
        self.app.escalations.plan()

    def schedule_next_warning(self) -> None:
        at = self.book.next_at(self.app.now())
        if at is not None and self.warned_at is not None:
            at = max(at, self.warned_at + WARNING_GATHER)
        self.scheduler.plan(WARNINGS_JOB, at, self.fire_warnings)

    def plan_shift_end(self) -> None:
        """The automatic export at the end of the running shift; then the next shift's is planned."""
        app = self.app
        occurrence = app.settings.calendar.at(app.now())
        if occurrence is None:
            return

        async def at_shift_end() -> None:
            from tui.export import export_finished_shift

            await export_finished_shift(app, occurrence)
            self.plan_shift_end()

        self.scheduler.plan(SHIFT_END_JOB, occurrence.ends_at, at_shift_end)
