"""Deadline reminders and alerts as toasts (and the bell), planned on the scheduler; the shift-end export."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from core.reminders import ALERT, RECENT_ENOUGH, DeadlineWarning, ReminderBook, describe
from tui.scheduling import SHIFT_END_JOB, WARNINGS_JOB, AppScheduler
from tui.text import literal

if TYPE_CHECKING:
    from tui.app import ShiftdeskApp

# Deadline warnings due together: up to this many get a toast each; more make one toast for the batch.
MAX_TOASTS = 2
# After warnings were shown, the next batch gathers this long: on a busy floor (hundreds of open cases,
# warnings every second or two) a toast a second helps nobody, and each one lays the screen out again.
# The first warning after a quiet spell shows at once; the countdown pane shows every deadline meanwhile.
WARNING_GATHER = timedelta(seconds=15)


def cases_of(warnings: list[DeadlineWarning], shown: int = 12) -> tuple[int, str]:
    """How many cases these warnings are about, and their ids for one line of a toast ('#4, #9 …')."""
    cases = sorted({warning.deadline.case_id or 0 for warning in warnings})
    listed = ", ".join(f"#{case_id}" for case_id in cases[:shown]) + (" …" if len(cases) > shown else "")
    return len(cases), listed


def any_alert(warnings: list[DeadlineWarning]) -> bool:
    return any(warning.kind == ALERT for warning in warnings)


def batch_line(due: list[DeadlineWarning], minutes_before: int, shown: int = 6) -> str:
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
        parts.append(f"Due within {minutes_before} min: {listed(reminders)}")
    return " · ".join(parts)


class Alerts:
    """Which warnings are due comes from core.reminders; this decides how they reach the supervisor."""

    def __init__(self, app: ShiftdeskApp, scheduler: AppScheduler) -> None:
        self.app = app
        self.scheduler = scheduler
        self.book = ReminderBook(timedelta(minutes=app.settings.reminder_minutes_before))
        self.warned_at: datetime | None = None  # when warnings were last shown (see WARNING_GATHER)

    async def fire_warnings(self, *, starting: bool = False) -> None:
        """Toast (and ring) every reminder and alert now due, once; then plan the next one."""
        app = self.app
        now = app.now()
        due = self.book.due(now)
        if starting:
            # Warnings that came due long before this start are summed up, not replayed one by one.
            old = [warning for warning in due if warning.at < now - RECENT_ENOUGH]
            due = [warning for warning in due if warning.at >= now - RECENT_ENOUGH]
            if old:
                count, listed = cases_of(old)
                app.notify(
                    f"{count} case(s) already overdue at start: {listed}", severity="error", timeout=12
                )
        if len(due) > MAX_TOASTS:
            line = batch_line(due, app.settings.reminder_minutes_before)
            app.notify(line, severity="error" if any_alert(due) else "warning", timeout=12)
        else:
            for warning in due:
                case = app.board.cases.get(warning.deadline.case_id or 0)
                message = describe(warning, case.customer if case else "?", now)
                app.notify(
                    literal(message), severity="error" if warning.kind == ALERT else "warning", timeout=10
                )
        if due:
            self.warned_at = now
            if app.settings.bell:
                app.bell()
        self.schedule_next_warning()

    def plan_warnings(self) -> None:
        """After the board changed: the book lays out the new deadlines' warnings; the next one is planned."""
        self.book.plan(self.app.board.all_deadlines())
        self.schedule_next_warning()

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
