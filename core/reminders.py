"""Reminders and alerts: which deadline warnings are due at an instant, each fired once per terminal."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.deadlines import Deadline

REMINDER = "reminder"
ALERT = "alert"
# A paused clock running again by itself: its resume time came, or the cap on pauses was reached.
RUNS_AGAIN = "runs-again"
# Warnings missed while the dashboard was closed are still shown one by one if they are this recent;
# older ones are summed up in one line rather than a flood of toasts.
RECENT_ENOUGH = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class DeadlineWarning:
    """One reminder (before the deadline) or alert (at the breach) about one pending deadline."""

    kind: str  # reminder | alert | runs-again
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
    # A pause that ends by the clock (no resume recorded) is news when it ends; no reminder falls inside it.
    ends = [stretch.ends_at for stretch in deadline.pauses if not stretch.recorded]
    if before > timedelta(0):
        warnings.insert(0, DeadlineWarning(REMINDER, max([deadline.due_at - before, *ends]), deadline))
    if ends:
        warnings.insert(0, DeadlineWarning(RUNS_AGAIN, ends[-1], deadline))
    return warnings


@dataclass
class ReminderBook:
    """Remembers what this terminal has fired; the database (through the deadlines) stays the truth.

    `plan()` takes the pending deadlines after every change and lays their warnings out in time order, so
    the firing and planning that happen between changes cost a bisection, not a pass over every deadline.
    """

    before: timedelta = timedelta(minutes=5)
    fired: set[tuple[int, str, datetime, str]] = field(default_factory=set)
    _timeline: list[DeadlineWarning] = field(default_factory=list, repr=False)
    _instants: list[datetime] = field(default_factory=list, repr=False)
    _handled: int = 0  # warnings before this index of the timeline are fired or superseded

    def plan(self, deadlines: Iterable[Deadline]) -> None:
        """The board's pending deadlines, after each change; fired keys of deadlines gone are dropped, so
        the book stays as small as the board."""
        timeline = [warning for deadline in deadlines for warning in warnings_for(deadline, self.before)]
        timeline.sort(key=lambda warning: (warning.at, warning.deadline.case_id or 0))
        live = {warning.key[:3] for warning in timeline}
        self.fired = {key for key in self.fired if key[:3] in live}
        self._timeline = timeline
        self._instants = [warning.at for warning in timeline]
        self._handled = 0

    def due(self, now: datetime) -> list[DeadlineWarning]:
        """Warnings whose instant has come and that were not fired yet, oldest first; marks them fired.

        A reminder whose alert is also due is skipped: the alert says more.
        """
        end = bisect_right(self._instants, now)
        window = self._timeline[self._handled : end]
        self._handled = max(self._handled, end)
        alerted = {warning.key[:3] for warning in window if warning.kind == ALERT}
        ready = [
            warning
            for warning in window
            if warning.key not in self.fired and not (warning.kind == REMINDER and warning.key[:3] in alerted)
        ]
        self.fired.update(warning.key for warning in window)
        return ready

    def next_at(self, now: datetime) -> datetime | None:
        """The next instant something will be due (for the scheduler), or None."""
        for index in range(max(self._handled, bisect_right(self._instants, now)), len(self._timeline)):
            if self._timeline[index].key not in self.fired:
                return self._instants[index]
        return None


def describe(warning: DeadlineWarning, customer: str, now: datetime) -> str:
    """'Reminder: #12 fix-or-update due in 5 min (Ada Brennan), owed by Billy'."""
    deadline = warning.deadline
    if warning.kind == RUNS_AGAIN:
        stretch = next(stretch for stretch in reversed(deadline.pauses) if stretch.ends_at == warning.at)
        left = max(timedelta(0), deadline.remaining(now))
        return (
            f"Clock running again ({stretch.why.value}): #{deadline.case_id} {deadline.kind} was paused for "
            f"“{stretch.pause.reason}”, due in {max(1, round(left.total_seconds() / 60))} min ({customer}), "
            f"owed by {deadline.owed_by}"
        )
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
