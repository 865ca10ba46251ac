"""Deadlines of a case: which are pending at any instant, which were breached, and by how much."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from core.cases import Action, Case, Event
from core.policy import DEPOSITION, FIX_OR_UPDATE, FOLLOW_UP, OWNER_CHECK_BACK, DeadlinePolicy
from core.shifts import ShiftCalendar
from core.workflow import CUSTOMER_CONTACTS, apply, not_satisfied

ZERO = timedelta(0)


@dataclass(frozen=True, slots=True)
class Deadline:
    """One obligation of a case: `kind` owed by `owed_by` before `due_at`; `met_at` once done."""

    case_id: int | None
    kind: str
    due_at: datetime
    owed_by: str
    met_at: datetime | None = None

    @property
    def pending(self) -> bool:
        return self.met_at is None

    def remaining(self, now: datetime) -> timedelta:
        """Time left (negative once overdue); for a met deadline, the margin it was met with."""
        return self.due_at - (self.met_at or now)

    def overdue_by(self, now: datetime) -> timedelta:
        return max(ZERO, (self.met_at or now) - self.due_at)

    def breached(self, now: datetime) -> bool:
        return self.overdue_by(now) > ZERO


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
        owed.append(
            Deadline(
                case.id,
                FIX_OR_UPDATE,
                case.last_contact_at + policy.allowed(FIX_OR_UPDATE, case),
                case.assignee,
            )
        )
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
    """Every deadline the case has had, met or pending, in the order they arose.

    `opened` is the case as it was opened (stage new); it is copied, not changed.
    """
    case = replace(opened)
    history: list[Deadline] = []
    open_index: dict[str, int] = {}

    def arise(deadline: Deadline) -> None:
        open_index[deadline.kind] = len(history)
        history.append(deadline)

    def meet(kind: str, at: datetime) -> None:
        index = open_index.pop(kind, None)
        if index is not None:
            history[index] = replace(history[index], met_at=at)

    def drop(kind: str) -> None:
        index = open_index.pop(kind, None)
        if index is not None:
            del history[index]
            for other, position in open_index.items():
                if position > index:
                    open_index[other] = position - 1

    arise(
        Deadline(case.id, FIX_OR_UPDATE, case.opened_at + policy.allowed(FIX_OR_UPDATE, case), case.assignee)
    )
    for event in events:
        if event.action is Action.OPEN:
            continue
        apply(case, event)
        at = event.at
        if event.action is Action.FIX:
            meet(FIX_OR_UPDATE, at)
            arise(Deadline(case.id, FOLLOW_UP, at + policy.allowed(FOLLOW_UP, case), case.assignee))
            arise(Deadline(case.id, DEPOSITION, deposition_due(at, case, policy, calendar), case.assignee))
        elif event.action in CUSTOMER_CONTACTS and case.fixed_at is None:
            meet(FIX_OR_UPDATE, at)
            arise(Deadline(case.id, FIX_OR_UPDATE, at + policy.allowed(FIX_OR_UPDATE, case), case.assignee))
        if event.action is Action.FOLLOW_UP:
            meet(FOLLOW_UP, at)
            if not_satisfied(event):
                # The deposition waits for the next fix (it arises again then); a fix or update is owed now.
                drop(DEPOSITION)
                arise(
                    Deadline(case.id, FIX_OR_UPDATE, at + policy.allowed(FIX_OR_UPDATE, case), case.assignee)
                )
        elif event.action is Action.DOCUMENT:
            meet(DEPOSITION, at)
        elif event.action is Action.CHECK_BACK or (
            event.action is Action.REASSIGN and case.check_back_owed_since is None
        ):
            meet(OWNER_CHECK_BACK, at)
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
