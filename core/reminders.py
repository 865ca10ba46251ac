"""Reminders and alerts: which deadline warnings are due at an instant, each fired once per terminal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.deadlines import Deadline

REMINDER = "reminder"
ALERT = "alert"
# Warnings missed while the dashboard was closed are still shown one by one if they are this recent;
# older ones are summed up in one line rather than a flood of toasts.
RECENT_ENOUGH = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class DeadlineWarning:
    """One reminder (before the deadline) or alert (at the breach) about one pending deadline."""

    kind: str  # reminder | alert
    at: datetime
    deadline: Deadline

    @property
    def key(self) -> tuple[int, str, datetime, str]:
        # The owner is left out on purpose: a reassigned case keeps its fired warnings, and the next one
        # names whoever owes the deadline by then.
        return (self.deadline.case_id or 0, self.deadline.kind, self.deadline.due_at, self.kind)


def warnings_for(deadline: Deadline, before: timedelta) -> list[DeadlineWarning]:
    if not deadline.pending:
        return []
    warnings = [DeadlineWarning(ALERT, deadline.due_at, deadline)]
    if before > timedelta(0):
        warnings.insert(0, DeadlineWarning(REMINDER, deadline.due_at - before, deadline))
    return warnings


@dataclass
class ReminderBook:
    """Remembers what this terminal has fired; the database (through the deadlines) stays the truth."""

    before: timedelta = timedelta(minutes=5)
    fired: set[tuple[int, str, datetime, str]] = field(default_factory=set)

    def due(self, deadlines: Iterable[Deadline], now: datetime) -> list[DeadlineWarning]:
        """Warnings whose instant has come and that were not fired yet, oldest first; marks them fired.

        A reminder whose alert is also due is skipped: the alert says more.
        """
        ready: list[DeadlineWarning] = []
        for deadline in deadlines:
            warnings = [warning for warning in warnings_for(deadline, self.before) if warning.at <= now]
            if any(warning.kind == ALERT for warning in warnings):
                warnings = [warning for warning in warnings if warning.kind == ALERT]
            ready.extend(warning for warning in warnings if warning.key not in self.fired)
        ready.sort(key=lambda warning: (warning.at, warning.deadline.case_id or 0))
        self.fired.update(warning.key for warning in ready)
        return ready

    def next_at(self, deadlines: Iterable[Deadline], now: datetime) -> datetime | None:
        """The next instant something will be due (for the scheduler), or None."""
        upcoming = [
            warning.at
            for deadline in deadlines
            for warning in warnings_for(deadline, self.before)
            if warning.at > now and warning.key not in self.fired
        ]
        return min(upcoming, default=None)

    def forget_except(self, deadlines: Iterable[Deadline]) -> None:
        """Drop fired keys of deadlines no longer pending, so the set stays as small as the board."""
        live = {(deadline.case_id or 0, deadline.kind, deadline.due_at) for deadline in deadlines}
        self.fired = {key for key in self.fired if key[:3] in live}


def describe(warning: DeadlineWarning, customer: str, now: datetime) -> str:
    """'Reminder: #12 fix-or-update due in 5 min (Ada Brennan), owed by Billy'."""
    deadline = warning.deadline
    if warning.kind == ALERT:
        late = max(timedelta(0), now - deadline.due_at)
        minutes = int(late.total_seconds() // 60)
        when = "is due now" if minutes == 0 else f"is {minutes} min overdue"
        head = "Overdue"
    else:
        left = max(timedelta(0), deadline.due_at - now)
        when = f"due in {max(1, round(left.total_seconds() / 60))} min"
        head = "Reminder"
    return f"{head}: #{deadline.case_id} {deadline.kind} {when} ({customer}), owed by {deadline.owed_by}"
