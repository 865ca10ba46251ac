"""Deadlines of a case: which are pending at any instant, which were breached, and by how much."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo

from core.cases import Action, Case, Event
from core.pauses import Pause, ResumeWhy, Stretch, minutes, stretches
from core.policy import DEPOSITION, FIX_OR_UPDATE, FOLLOW_UP, OWNER_CHECK_BACK, DeadlinePolicy
from core.shifts import ShiftCalendar
from core.workflow import CLOCK_RESTARTS, CUSTOMER_CONTACTS, apply, not_satisfied

ZERO = timedelta(0)


@dataclass(frozen=True, slots=True)
class Deadline:
    """One obligation of a case: `kind` owed by `owed_by` before `due_at`; `met_at` once done.

    A fix-or-update deadline may carry the pauses of its clock (`pauses`): `due_at` then already counts
    each of them to its end (recorded, or the resume time or the cap), so it is the due time if nothing
    else happens; while a pause runs, the time left stands still instead of counting down.
    """

    case_id: int | None
    kind: str
    due_at: datetime
    owed_by: str
    met_at: datetime | None = None
    pauses: tuple[Stretch, ...] = ()
    met_by: str | None = None

    @property
    def pending(self) -> bool:
        return self.met_at is None

    def _ahead(self, now: datetime) -> timedelta:
        # The part of its pauses still to come: time that will not count against it.
        if self.met_at is not None or not self.pauses:
            return ZERO
        return sum((stretch.ahead(now) for stretch in self.pauses), ZERO)

    def remaining(self, now: datetime) -> timedelta:
        """Time left (negative once overdue; standing still while paused); for a met deadline, the
        margin it was met with."""
        return self.due_at - (self.met_at or now) - self._ahead(now)

    def overdue_by(self, now: datetime) -> timedelta:
        return max(ZERO, -self.remaining(now))

    def breached(self, now: datetime) -> bool:
        return self.overdue_by(now) > ZERO

    def paused(self, now: datetime) -> Stretch | None:
        """The pause that stops this deadline's clock at `now` (None when it runs, or once met)."""
        if self.met_at is not None:
            return None
        return next((stretch for stretch in self.pauses if stretch.running(now)), None)

    def paused_for(self, now: datetime, since: datetime | None = None) -> timedelta:
        """How long its clock has stood still by `now` (from `since` on, when given)."""
        until = min(now, self.met_at) if self.met_at is not None else now
        total = ZERO
        for stretch in self.pauses:
            total += stretch.counted(until)
            if since is not None:
                total -= stretch.counted(since)
        return max(ZERO, total)


def fix_or_update(
    case: Case, started: datetime, policy: DeadlinePolicy, pauses: tuple[Pause, ...] = ()
) -> Deadline:
    """The fix-or-update deadline of a clock started at `started` (a contact), moved on by its pauses."""
    counted = stretches(pauses, policy.pause_cap)
    due = started + policy.allowed(FIX_OR_UPDATE, case) + sum((s.length for s in counted), ZERO)
    return Deadline(case.id, FIX_OR_UPDATE, due, case.assignee, pauses=counted)


def deposition_due(
    fixed_at: datetime, case: Case, policy: DeadlinePolicy, calendar: ShiftCalendar | None
) -> datetime:
    """Promptly after the fix, and before the end of the shift the fix happened in at the latest."""
    due = fixed_at + policy.allowed(DEPOSITION, case)
    shift_end = calendar.end_of_shift(fixed_at) if calendar else None
    return min(due, shift_end) if shift_end else due


def pending_deadlines(
    case: Case, policy: DeadlinePolicy, calendar: ShiftCalendar | None = None
) -> list[Deadline]:
    """Every deadline `case` owes now, soonest first. Derived from the case's facts alone (no events)."""
    if not case.is_open:
        return []
    owed: list[Deadline] = []
    if case.fixed_at is None:
        assert case.last_contact_at is not None
        owed.append(fix_or_update(case, case.last_contact_at, policy, case.pauses))
    else:
        if case.followed_up_at is None:
            owed.append(
                Deadline(case.id, FOLLOW_UP, case.fixed_at + policy.allowed(FOLLOW_UP, case), case.assignee)
            )
        if case.documented_at is None:
            owed.append(
                Deadline(
                    case.id, DEPOSITION, deposition_due(case.fixed_at, case, policy, calendar), case.assignee
                )
            )
    if case.check_back_owed_since is not None:
        owed.append(
            Deadline(
                case.id,
                OWNER_CHECK_BACK,
                case.check_back_owed_since + policy.allowed(OWNER_CHECK_BACK, case),
                case.owner,
            )
        )
    return sorted(owed, key=lambda deadline: deadline.due_at)


def deadline_history(
    opened: Case, events: list[Event], policy: DeadlinePolicy, calendar: ShiftCalendar | None = None
) -> list[Deadline]:
    """Every deadline the case has had, met (when, by whom) or pending, in the order they arose; each
    fix-or-update deadline with the pauses of its clock, each ended as it was (or will be, if pending).

    `opened` is the case as it was opened (stage new); it is copied, not changed.
    """
    case = replace(opened, pauses=())
    history: list[Deadline] = []
    open_index: dict[str, int] = {}
    clock_started = case.opened_at  # the running fix-or-update clock's start: the last contact

    def arise(deadline: Deadline) -> None:
        open_index[deadline.kind] = len(history)
        history.append(deadline)

    def meet(kind: str, event: Event) -> None:
        index = open_index.pop(kind, None)
        if index is not None:
            owed = history[index]  # built directly: `replace` costs three times as much, on every event
            history[index] = Deadline(
                owed.case_id, owed.kind, owed.due_at, owed.owed_by, event.at, owed.pauses, event.actor
            )

    def drop(kind: str) -> None:
        index = open_index.pop(kind, None)
        if index is not None:
            del history[index]
            for other, position in open_index.items():
                if position > index:
                    open_index[other] = position - 1

    def repause(pauses: tuple[Pause, ...]) -> None:
        # The running clock's deadline, its due time moved on by its pauses as they now stand.
        index = open_index.get(FIX_OR_UPDATE)
        if index is not None:
            moved = fix_or_update(case, clock_started, policy, pauses)
            history[index] = replace(moved, owed_by=history[index].owed_by)

    arise(fix_or_update(case, case.opened_at, policy))
    for event in events:
        if event.action is Action.OPEN:
            continue
        paused = case.pauses
        apply(case, event)
        at = event.at
        if event.action in (Action.PAUSE, Action.RESUME):
            repause(case.pauses)
        elif paused and event.action in CLOCK_RESTARTS:
            # The contact (or the fix) ends the pause it finds running: it counts up to here.
            why = ResumeWhy.FIXED if event.action is Action.FIX else ResumeWhy.CUSTOMER_CONTACTED
            repause(tuple(pause.resumed(at, event.actor, why) for pause in paused))
        if event.action is Action.FIX:
            meet(FIX_OR_UPDATE, event)
            arise(Deadline(case.id, FOLLOW_UP, at + policy.allowed(FOLLOW_UP, case), case.assignee))
            arise(Deadline(case.id, DEPOSITION, deposition_due(at, case, policy, calendar), case.assignee))
        elif event.action in CUSTOMER_CONTACTS and case.fixed_at is None:
            meet(FIX_OR_UPDATE, event)
            clock_started = at
            arise(fix_or_update(case, at, policy))
        if event.action is Action.FOLLOW_UP:
            meet(FOLLOW_UP, event)
            if not_satisfied(event):
                # The deposition waits for the next fix (it arises again then); a fix or update is owed now.
                drop(DEPOSITION)
                clock_started = at
                arise(fix_or_update(case, at, policy))
        elif event.action is Action.DOCUMENT:
            meet(DEPOSITION, event)
        elif event.action is Action.CHECK_BACK or (
            event.action is Action.REASSIGN and case.check_back_owed_since is None
        ):
            meet(OWNER_CHECK_BACK, event)
        # A second hand-off while the check-back is already owed (even within the same minute) keeps the
        # one obligation, it does not add another.
        if (
            event.action is Action.REASSIGN
            and case.check_back_owed_since == at
            and OWNER_CHECK_BACK not in open_index
        ):
            arise(
                Deadline(case.id, OWNER_CHECK_BACK, at + policy.allowed(OWNER_CHECK_BACK, case), case.owner)
            )
        if event.action is Action.REASSIGN:
            # The new assignee inherits what the case owes; the owner's check-back stays the owner's.
            for kind, index in open_index.items():
                owed_by = case.owner if kind == OWNER_CHECK_BACK else case.assignee
                history[index] = replace(history[index], owed_by=owed_by)
    return history


def _clock(at: datetime, zone: tzinfo) -> str:
    return f"{at.astimezone(zone):%H:%M}"


def _span(length: timedelta) -> str:
    return minutes(abs(length)) if abs(length) >= timedelta(minutes=1) else "under a minute"


def status(deadline: Deadline, now: datetime, zone: tzinfo) -> str:
    """How a deadline stands at `now`, in words ("met 15:12 by Hana, 3 min early", "breached by 12 min",
    "paused: …"), times in `zone`. Plain text with user text in it: render it literally."""
    if deadline.met_at is not None:
        by = f" by {deadline.met_by}" if deadline.met_by else ""
        margin = deadline.remaining(deadline.met_at)
        how = f"breached by {_span(margin)}" if margin < ZERO else f"{_span(margin)} early"
        return f"met {_clock(deadline.met_at, zone)}{by}, {how}"
    running = deadline.paused(now)
    if running is not None:
        asked = f", resume at {_clock(running.pause.until, zone)}" if running.pause.until else ""
        limit = "the resume time" if running.why is ResumeWhy.RESUME_TIME else "the pause cap"
        return (
            f"paused: {running.pause.reason}{asked} — runs again {_clock(running.ends_at, zone)} at the "
            f"latest ({limit}), {_span(deadline.remaining(now))} left"
        )
    left = deadline.remaining(now)
    return f"breached by {_span(left)}, still owed" if left < ZERO else f"pending, {_span(left)} left"


def pauses_line(deadline: Deadline, now: datetime, zone: tzinfo) -> str:
    """Its pauses in one line ("paused 45 min: 15:05–15:50 courier calls back (customer contacted)"), or
    "" for a deadline never paused."""
    if not deadline.pauses:
        return ""
    until = min(now, deadline.met_at) if deadline.met_at is not None else now
    parts = []
    for stretch in deadline.pauses:
        still = stretch.running(until)
        end = "now" if still else _clock(stretch.ends_at, zone)
        why = "running" if still else stretch.why.value
        parts.append(f"{_clock(stretch.since, zone)}–{end} {stretch.pause.reason} ({why})")
    return f"paused {minutes(deadline.paused_for(now))}: " + "; ".join(parts)
