"""A breached deadline's escalation ladder: which step is due at an instant, to whom, when it repeats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.deadlines import Deadline
from core.shifts import ShiftCalendar

OWNER = "owner"  # the person who owes the deadline
SUPERVISOR = "supervisor"  # the supervisor of the shift running when the step is taken
MANAGER = "manager"  # the named manager of [escalation]
# The actor of an escalation event: the dashboard took the step, nobody in person.
SYSTEM_ACTOR = "shiftdesk"
# Who a step goes to when the running shift names no supervisor.
UNNAMED_SUPERVISOR = "the supervisor on shift"
# A dashboard runs a ladder round at most this often, so a step is taken within a minute of its time. Each
# breached deadline repeats on a grid of its own, so a floor with hundreds of breaches would otherwise have
# an instant every second or two (measured: 168 rounds in 139 s with 500 open cases, 327 of them overdue).
ROUND_GAP = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Rung:
    """One step of the ladder: `role` is alerted once the deadline has been breached for `after`."""

    role: str
    after: timedelta


@dataclass(frozen=True, slots=True)
class Ladder:
    """[escalation]: the alert repeats every `repeat` while breached and unacknowledged, and climbs from the
    person who owes it (at the breach) to the supervisor on shift, then to the named manager (if one)."""

    repeat: timedelta = timedelta(minutes=10)
    supervisor_after: timedelta = timedelta(minutes=10)
    manager_after: timedelta = timedelta(minutes=30)
    manager: str = ""

    @property
    def rungs(self) -> tuple[Rung, ...]:
        rungs = [Rung(OWNER, timedelta(0)), Rung(SUPERVISOR, self.supervisor_after)]
        if self.manager:
            rungs.append(Rung(MANAGER, self.manager_after))
        return tuple(rungs)

    def step_due(self, due_at: datetime, now: datetime) -> int | None:
        """The highest step whose time has come at `now` (None before the breach)."""
        late = now - due_at
        if late < timedelta(0):
            return None
        return max(step for step, rung in enumerate(self.rungs) if rung.after <= late)

    def step_at(self, due_at: datetime, step: int) -> datetime:
        return due_at + self.rungs[step].after

    def next_at(self, due_at: datetime, now: datetime) -> datetime | None:
        """The next instant after `now` something happens on this deadline's ladder: its breach, a step, or
        a repeat of the alert (repeats run on a grid from the breach: due + k × repeat)."""
        if now < due_at:
            return due_at
        late = now - due_at
        candidates = [due_at + rung.after for rung in self.rungs if rung.after > late]
        candidates.append(due_at + self.repeat * (late // self.repeat + 1))
        return min(candidates)

    def repeats_between(self, due_at: datetime, after: datetime, upto: datetime) -> bool:
        """Whether a repeat instant (due + k × repeat, k ≥ 1) lies in (after, upto]."""
        if upto <= due_at or upto <= after:
            return False
        last = (upto - due_at) // self.repeat  # the last repeat index reached by `upto`
        return last >= 1 and due_at + self.repeat * last > after


@dataclass(frozen=True, slots=True)
class LadderState:
    """What the database holds of one deadline's ladder: the steps taken and those acknowledged."""

    taken: frozenset[int] = frozenset()
    acked: frozenset[int] = frozenset()


# One deadline on the ladder: (case id, kind, due time) — the key the database keeps steps under.
DeadlineKey = tuple[int, str, datetime]


def key_of(deadline: Deadline) -> DeadlineKey:
    return (deadline.case_id or 0, deadline.kind, deadline.due_at)


@dataclass(frozen=True, slots=True)
class Due:
    """What one breached deadline needs at `now`: a step to take (None: none new), or the current step's
    alert again (`repeat`)."""

    deadline: Deadline
    take: int | None
    repeat: int | None


def due_now(
    deadline: Deadline, now: datetime, since: datetime | None, ladder: Ladder, state: LadderState
) -> Due | None:
    """The ladder's work on `deadline` at `now`, given what was taken already and when this terminal last
    looked (`since`; None: it just started, and repeats missed meanwhile are not replayed).

    A step is taken when it is due and no step at or above it was taken (after a restart the ladder goes on
    from the highest step stored, skipping the ones whose time has passed). The alert of the highest step
    taken repeats on the grid unless that step was acknowledged.
    """
    if not deadline.pending:
        return None
    step = ladder.step_due(deadline.due_at, now)
    if step is None:
        return None
    highest = max(state.taken, default=-1)
    if step > highest:
        return Due(deadline, step, None)
    if (
        since is not None
        and highest not in state.acked
        and ladder.repeats_between(deadline.due_at, since, now)
    ):
        return Due(deadline, None, highest)
    return None


def target(step: int, deadline: Deadline, ladder: Ladder, calendar: ShiftCalendar, at: datetime) -> str:
    """Who step `step` of `deadline` goes to at `at`."""
    role = ladder.rungs[step].role
    if role == OWNER:
        return deadline.owed_by
    if role == MANAGER:
        return ladder.manager
    occurrence = calendar.at(at)
    supervisor = occurrence.shift.supervisor if occurrence is not None else ""
    return supervisor or UNNAMED_SUPERVISOR


def minutes_late(due_at: datetime, at: datetime) -> int:
    return max(0, int((at - due_at).total_seconds() // 60))


def step_sentence(role: str, target_name: str, kind: str, due_at: datetime, at: datetime) -> str:
    """'escalated to the manager Dana Reyes after 30 min (fix-or-update)'; the first step: 'alerted …'."""
    late = minutes_late(due_at, at)
    if role == OWNER:
        return f"alerted {target_name}, who owes it, {late} min after the breach ({kind})"
    return f"escalated to the {role} {target_name} after {late} min ({kind})"


@dataclass(frozen=True, slots=True)
class LadderAlert:
    """One alert of a ladder round: step `step` to `target` in `role`; `repeat` when it is the alert of a
    step taken earlier, again (no new event), else the step just taken by this caller."""

    deadline: Deadline
    step: int
    role: str
    target: str
    repeat: bool = False


def alert_line(alerts: list[LadderAlert], now: datetime, shown: int = 3) -> str:
    """One toast for a round: 'Escalated: #4 fix-or-update to the supervisor Sam (12 min late) · …'."""
    parts = []
    for alert in alerts[:shown]:
        deadline = alert.deadline
        late = minutes_late(deadline.due_at, now)
        who = alert.target if alert.role == OWNER else f"the {alert.role} {alert.target}"
        head = "Still overdue" if alert.repeat else ("Overdue" if alert.role == OWNER else "Escalated")
        parts.append(f"{head}: #{deadline.case_id} {deadline.kind} {late} min late → {who}")
    more = f" · and {len(alerts) - shown} more" if len(alerts) > shown else ""
    return " · ".join(parts) + more + (" · A: acknowledge" if alerts else "")
