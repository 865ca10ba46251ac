"""The recovery workflow as an explicit state machine: which action is allowed when, and what it changes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.cases import Action, Case, Event, Stage
from core.pauses import DEFAULT_PAUSE_CAP, Pause, ResumeWhy, cap_left, minutes, running, stretches
from core.payloads import (
    FixPayload,
    FollowUpPayload,
    PausePayload,
    ReassignPayload,
    ResumePayload,
    SpokespersonPayload,
)
from core.policy import AuthorityPolicy
from core.times import time_problem


class WorkflowError(ValueError):
    """An action refused by the workflow; the message says what must happen first."""


@dataclass(frozen=True, slots=True)
class Transition:
    """An action allowed from `source` stages that moves the case to `target` (None: stays put)."""

    source: frozenset[Stage]
    target: Stage | None


_OPEN_STAGES = frozenset(stage for stage in Stage if stage is not Stage.CLOSED)
# The members `check` and `apply` test for, read once: on Python 3.11 reading a member from its enum class
# costs ~60 ns, and the two run for every step of every case a CSV import replays (millions of them).
_OPEN = Action.OPEN
_FIX = Action.FIX
_FOLLOW_UP = Action.FOLLOW_UP
_DOCUMENT = Action.DOCUMENT
_CLOSE = Action.CLOSE
_REASSIGN = Action.REASSIGN
_CHECK_BACK = Action.CHECK_BACK
_PUBLIC_APOLOGY = Action.PUBLIC_APOLOGY
_SPOKESPERSON = Action.SPOKESPERSON
_PAUSE = Action.PAUSE
_RESUME = Action.RESUME
_PAUSE_OR_RESUME = frozenset({_PAUSE, _RESUME})
# Where a fix or a progress update is owed: the fix-or-update clock runs, so it can be paused.
_CLOCK_STAGES = frozenset({Stage.NEW, Stage.APOLOGIZED, Stage.REVIEWED})

TRANSITIONS: dict[Action, Transition] = {
    Action.APOLOGIZE: Transition(frozenset({Stage.NEW}), Stage.APOLOGIZED),
    Action.REVIEW: Transition(frozenset({Stage.APOLOGIZED}), Stage.REVIEWED),
    Action.UPDATE: Transition(frozenset({Stage.REVIEWED}), None),
    Action.FIX: Transition(frozenset({Stage.REVIEWED}), Stage.FIXED),
    Action.FOLLOW_UP: Transition(frozenset({Stage.FIXED}), Stage.FOLLOWED_UP),
    Action.DOCUMENT: Transition(frozenset({Stage.FOLLOWED_UP}), Stage.DOCUMENTED),
    Action.CLOSE: Transition(frozenset({Stage.DOCUMENTED}), Stage.CLOSED),
    Action.REASSIGN: Transition(_OPEN_STAGES, None),
    Action.CHECK_BACK: Transition(_OPEN_STAGES, None),
    Action.PUBLIC_APOLOGY: Transition(_OPEN_STAGES, None),
    Action.SPOKESPERSON: Transition(_OPEN_STAGES, None),
    Action.AMEND: Transition(frozenset({Stage.DOCUMENTED, Stage.CLOSED}), None),
    # A breached deadline's ladder (core/escalation.py) and its acknowledgement: on the record, no step.
    Action.ESCALATE: Transition(_OPEN_STAGES, None),
    Action.ACKNOWLEDGE: Transition(_OPEN_STAGES, None),
    Action.PAUSE: Transition(_CLOCK_STAGES, None),
    Action.RESUME: Transition(_CLOCK_STAGES, None),
}

# What moves a case on from each stage: the "… first" of a refusal.
NEXT_STEP: dict[Stage, str] = {
    Stage.NEW: "apologize to the customer first",
    Stage.APOLOGIZED: "review the complaint with the customer first",
    Stage.REVIEWED: "fix the problem first",
    Stage.FIXED: "follow up with the customer after the fix first",
    Stage.FOLLOWED_UP: "file the deposition first",
    Stage.DOCUMENTED: "close the case first",
}

# Contacts with the customer restart the fix-or-update clock.
CUSTOMER_CONTACTS = frozenset(
    {Action.OPEN, Action.APOLOGIZE, Action.REVIEW, Action.UPDATE, Action.CHECK_BACK}
)

# What ends the running fix-or-update clock's pauses: a contact restarts the clock, a fix stops it.
CLOCK_RESTARTS = CUSTOMER_CONTACTS | {Action.FIX}

# Actions whose text is the substance of the step, so an empty text is refused.
TEXT_REQUIRED = frozenset(
    {
        Action.APOLOGIZE,
        Action.REVIEW,
        Action.UPDATE,
        Action.FIX,
        Action.FOLLOW_UP,
        Action.CHECK_BACK,
        Action.PUBLIC_APOLOGY,
        Action.AMEND,
    }
)


def not_satisfied(event: Event) -> bool:
    """A follow-up where the customer said they are not satisfied: recovery is not over (unrecorded: over)."""
    payload = event.payload
    return event.action is _FOLLOW_UP and isinstance(payload, FollowUpPayload) and payload.satisfied is False


def allowed_actions(
    case: Case, at: datetime | None = None, pause_cap: timedelta = DEFAULT_PAUSE_CAP
) -> list[Action]:
    """The actions `check` would accept now (ignoring their payloads); pause and resume only given `at`."""
    result = []
    for action, transition in TRANSITIONS.items():
        if case.stage not in transition.source:
            continue
        if action is Action.CHECK_BACK and case.check_back_owed_since is None:
            continue
        if action is Action.CLOSE and close_blockers(case):
            continue
        if action in (Action.PAUSE, Action.RESUME) and (
            at is None or pause_refusal(case, action, at, pause_cap) is not None
        ):
            continue
        result.append(action)
    return result


def refusal(
    case: Case, action: Action, at: datetime | None = None, pause_cap: timedelta = DEFAULT_PAUSE_CAP
) -> str | None:
    """Why `action` cannot happen to `case` now (before any text is typed), or None when it can.

    Whether the clock is paused depends on the time: pause and resume are judged at `at` when given.
    """
    transition = TRANSITIONS[action]
    if case.stage not in transition.source:
        return _refusal(case, action, transition)
    if action is Action.CHECK_BACK and case.check_back_owed_since is None:
        return f"case {case.label} has not been handed off, so no check-back by the owner is owed"
    if action is Action.CLOSE:
        blockers = close_blockers(case)
        if blockers:
            return f"cannot close case {case.label} yet: " + "; ".join(blockers)
    if action in (Action.PAUSE, Action.RESUME) and at is not None:
        return pause_refusal(case, action, at, pause_cap)
    return None


def pause_refusal(case: Case, action: Action, at: datetime, pause_cap: timedelta) -> str | None:
    """Why the fix-or-update clock of `case` cannot be paused (or resumed) at `at`, or None."""
    current = running(case.pauses, pause_cap, at)
    if action is Action.RESUME:
        if current is not None:
            return None
        last = stretches(case.pauses, pause_cap)[-1:] if case.pauses else ()
        if last and not last[0].recorded:
            ended = last[0]
            return f"case {case.label} is not paused: its pause ended ({ended.why.value}), the clock runs"
        return f"case {case.label} is not paused"
    if current is not None:
        return f"case {case.label} is already paused ({current.pause.reason})"
    if cap_left(case.pauses, pause_cap) <= timedelta(0):
        return (
            f"case {case.label} has been paused for {minutes(pause_cap)} already, the most one wait on the "
            "customer may stop the clock: give the customer a progress update (it restarts the clock)"
        )
    return None


def close_blockers(case: Case) -> list[str]:
    """What still stands between a documented case and closing it."""
    blockers = []
    if case.public and case.public_apology_at is None:
        blockers.append("post the public apology first (this case is public)")
    if case.public and not case.spokesperson:
        blockers.append("name a spokesperson first (this case is public)")
    if case.check_back_owed_since is not None:
        blockers.append(f"the original owner {case.owner} must check back with the customer first")
    return blockers


def check(
    case: Case,
    event: Event,
    authority: AuthorityPolicy | None = None,
    on_shift: tuple[str, ...] = (),
    pause_cap: timedelta | None = None,
) -> None:
    """Raise WorkflowError (or AuthorityError) unless `event` may happen to `case` now.

    `pause_cap`: the configured cap on pauses; None when replaying history (as `authority`), which then
    takes pauses and resumes as they were recorded.
    """
    action = event.action
    if action is _OPEN:
        raise WorkflowError(f"case {case.label} is already open")
    transition = TRANSITIONS[action]
    if case.stage not in transition.source:
        raise WorkflowError(_refusal(case, action, transition))
    if not event.actor.strip():
        raise WorkflowError("actor: who is acting must be named")
    if action in TEXT_REQUIRED and not event.text.strip():
        raise WorkflowError(f"{action.value}: the text must not be empty")
    if action is _REASSIGN:
        if not isinstance(event.payload, ReassignPayload):
            raise WorkflowError("reassign: the details of the hand-over could not be read")
        target = event.payload.to_agent.strip()
        if not target:
            raise WorkflowError("reassign: name the agent to hand the case to")
        if target == case.assignee and event.payload.owner_to is None:
            raise WorkflowError(f"case {case.label} is already assigned to {target}")
        if event.payload.owner_to is not None and not event.payload.owner_to.strip():
            raise WorkflowError("reassign: name who takes over the owner's check-back")
    if action is _CHECK_BACK and case.check_back_owed_since is None:
        raise WorkflowError(
            f"case {case.label} has not been handed off, so no check-back by the owner is owed"
        )
    if action is _CHECK_BACK and event.actor.strip() != case.owner:
        # The owner's own contact is what the customer is owed: anyone else doing it does not discharge it
        # (recording it for the owner is fine: done by the owner, recorded by whoever enters it).
        raise WorkflowError(
            f"only the original owner {case.owner} can check back on case {case.label}, "
            f"not {event.actor.strip()}: record it as done by {case.owner} once they have"
        )
    if action is _SPOKESPERSON and not (
        isinstance(event.payload, SpokespersonPayload) and event.payload.name.strip()
    ):
        raise WorkflowError("spokesperson: name the spokesperson")
    if action is _FIX and isinstance(event.payload, FixPayload) and event.payload.gesture is not None:
        gesture = event.payload.gesture
        if not gesture.kind.strip():
            raise WorkflowError("fix: a gesture needs a kind (discount, upgrade, voucher …)")
        if authority is not None:  # replaying history skips limits that held at the time
            authority.check(event.actor, gesture.value, gesture.approved_by, on_shift)
    if action is _CLOSE:
        blockers = close_blockers(case)
        if blockers:
            raise WorkflowError(f"cannot close case {case.label}: " + "; ".join(blockers))
    if action is _PAUSE:
        payload = event.payload
        if not (isinstance(payload, PausePayload) and payload.reason.strip()):
            raise WorkflowError("pause: say what the case waits on (the reason)")
        if payload.until is not None:
            problem = time_problem(payload.until)
            if problem is None and payload.until <= event.at:
                problem = "is not later than now"
            if problem:
                raise WorkflowError(f"pause: the resume time {payload.until.isoformat()} {problem}")
    if action in _PAUSE_OR_RESUME and pause_cap is not None:
        problem = pause_refusal(case, action, event.at, pause_cap)
        if problem:
            raise WorkflowError(problem)


def _refusal(case: Case, action: Action, transition: Transition) -> str:
    if case.stage is Stage.CLOSED:
        return f"case {case.label} is closed"
    if action is Action.AMEND:
        return f"case {case.label} has no deposition to amend yet: file the deposition first"
    if action in (Action.PAUSE, Action.RESUME):
        return (
            f"cannot {action.value} case {case.label}: no fix or progress update is owed "
            f"(it is {case.stage.value}), so the fix-or-update clock is not running"
        )
    earliest = min(transition.source, key=list(Stage).index)
    if list(Stage).index(case.stage) < list(Stage).index(earliest):
        return f"cannot {action.value} case {case.label} yet: {NEXT_STEP[case.stage]}"
    return f"cannot {action.value} case {case.label}: it is already {case.stage.value}"


def apply(
    case: Case,
    event: Event,
    authority: AuthorityPolicy | None = None,
    on_shift: tuple[str, ...] = (),
    pause_cap: timedelta | None = None,
) -> Case:
    """Check `event` against `case`, then record its effect on the case's stage and facts."""
    check(case, event, authority, on_shift, pause_cap)
    action, at = event.action, event.at
    target = TRANSITIONS[action].target
    if target is not None:
        case.stage = target
    if action in CUSTOMER_CONTACTS:
        case.last_contact_at = at
    case.pauses = pauses_after(case.pauses, event)
    if action is _FIX:
        case.fixed_at = at
    elif action is _FOLLOW_UP and not_satisfied(event):
        # Not recovered yet: back to where another fix or a progress update is owed, its clock restarting
        # from this contact; the next fix is followed up (and only then documented) again.
        case.stage = Stage.REVIEWED
        case.last_contact_at = at
        case.fixed_at = None
        case.followed_up_at = None
    elif action is _FOLLOW_UP:
        case.followed_up_at = at
    elif action is _DOCUMENT:
        case.documented_at = at
    elif action is _CLOSE:
        case.closed_at = at
    elif action is _REASSIGN:
        assert isinstance(event.payload, ReassignPayload)  # `check` refused any other
        case.assignee = event.payload.to_agent.strip()
        if event.payload.owner_to is not None:
            # The owner is absent: the customer's ally changes, and the check-back they owed (or would owe
            # for this hand-over) is owed by the new owner from the same moment — moved, not dropped.
            case.owner = event.payload.owner_to.strip()
            if case.check_back_owed_since is None:
                case.check_back_owed_since = at
        elif case.assignee == case.owner:
            # Back with the original ally: the owner is in touch again, nothing to check back on.
            case.check_back_owed_since = None
        elif case.check_back_owed_since is None:
            case.check_back_owed_since = at
    elif action is _CHECK_BACK:
        case.check_back_owed_since = None
    elif action is _PUBLIC_APOLOGY:
        case.public_apology_at = at
    elif action is _SPOKESPERSON:
        assert isinstance(event.payload, SpokespersonPayload)  # `check` refused any other
        case.spokesperson = event.payload.name.strip()
    return case


def pauses_after(pauses: tuple[Pause, ...], event: Event) -> tuple[Pause, ...]:
    """The running fix-or-update clock's pauses once `event` has happened (its checks passed)."""
    action = event.action
    if action in CLOCK_RESTARTS or (action is _FOLLOW_UP and not_satisfied(event)):
        # A contact resumes a paused clock by restarting it; a fix ends it: its pauses are over.
        return ()
    if action is _PAUSE and isinstance(event.payload, PausePayload):
        return (*pauses, Pause(event.at, event.actor, event.payload.reason.strip(), event.payload.until))
    if action is _RESUME and pauses:
        why = event.payload.why if isinstance(event.payload, ResumePayload) else ResumeWhy.BY_HAND
        return (*pauses[:-1], pauses[-1].resumed(event.at, event.actor, why))
    return pauses


def clock_pauses(events: Iterable[Event]) -> tuple[Pause, ...]:
    """The pauses of the clock running after `events` (a case's events in order; those that neither pause,
    resume nor restart the clock may be left out): what `apply` leaves in `Case.pauses`, for storage,
    which keeps them as events only."""
    pauses: tuple[Pause, ...] = ()
    for event in events:
        pauses = pauses_after(pauses, event)
    return pauses


# The actions `clock_pauses` needs to see (a not-satisfied follow-up restarts the clock too).
CLOCK_EVENTS = CLOCK_RESTARTS | {Action.PAUSE, Action.RESUME, Action.FOLLOW_UP}


def replay(case: Case, events: list[Event], authority: AuthorityPolicy | None = None) -> Case:
    """Rebuild a case's state from its events (the first must be the OPEN event)."""
    for event in events:
        if event.action is Action.OPEN:
            continue
        apply(case, event, authority)
    return case
