"""Deadlines: the fix-or-update rule, follow-up, deposition by shift end, owner check-back; property tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.cases import Action, Case, Event, Severity, Stage, Tier
from core.deadlines import deadline_history, pending_deadlines
from core.payloads import FollowUpPayload, PausePayload, ReassignPayload, parse
from core.policy import (
    DEPOSITION,
    FIX_OR_UPDATE,
    FOLLOW_UP,
    OWNER_CHECK_BACK,
    DeadlineMinutes,
    DeadlinePolicy,
)
from core.shifts import Shift, ShiftCalendar
from core.workflow import WorkflowError, apply
from tests.domain_helpers import PLAIN_DEPOSITION, T0, at, event, make_case

POLICY = DeadlinePolicy()
CALENDAR = ShiftCalendar(UTC, (Shift("Late", time(14), time(22)), Shift("Night", time(22), time(14))))


def kinds(deadlines: list) -> dict[str, datetime]:  # type: ignore[type-arg]
    return {deadline.kind: deadline.due_at for deadline in deadlines}


def test_new_case_owes_fix_or_update_within_twenty_minutes() -> None:
    assert kinds(pending_deadlines(make_case(), POLICY, CALENDAR)) == {FIX_OR_UPDATE: at(20)}


def test_every_customer_contact_restarts_the_twenty_minutes() -> None:
    case = make_case()
    apply(case, event(Action.APOLOGIZE, 5))
    apply(case, event(Action.REVIEW, 12))
    apply(case, event(Action.UPDATE, 30))
    assert kinds(pending_deadlines(case, POLICY, CALENDAR)) == {FIX_OR_UPDATE: at(50)}


def test_vip_and_critical_get_the_stricter_deadline() -> None:
    assert kinds(pending_deadlines(make_case(tier=Tier.VIP), POLICY))[FIX_OR_UPDATE] == at(10)
    assert kinds(pending_deadlines(make_case(severity=Severity.CRITICAL), POLICY))[FIX_OR_UPDATE] == at(10)
    strict = DeadlinePolicy(by_tier={Tier.VIP: DeadlineMinutes(fix_or_update=7)})
    assert kinds(pending_deadlines(make_case(tier=Tier.VIP), strict))[FIX_OR_UPDATE] == at(7)


def test_after_the_fix_follow_up_and_deposition_are_due() -> None:
    case = make_case()
    for minute, action in enumerate((Action.APOLOGIZE, Action.REVIEW, Action.FIX), start=1):
        apply(case, event(action, minute))
    assert kinds(pending_deadlines(case, POLICY, CALENDAR)) == {FOLLOW_UP: at(33), DEPOSITION: at(63)}


def test_deposition_is_due_by_the_end_of_the_shift_at_the_latest() -> None:
    case = make_case(opened_at=T0.replace(hour=21, minute=30))
    for minute, action in enumerate((Action.APOLOGIZE, Action.REVIEW, Action.FIX), start=1):
        apply(case, replace(event(action, 0), at=case.opened_at + timedelta(minutes=minute)))
    shift_end = T0.replace(hour=22, minute=0)
    assert kinds(pending_deadlines(case, POLICY, CALENDAR))[DEPOSITION] == shift_end


def test_hand_off_makes_the_original_owner_owe_a_check_back() -> None:
    case = make_case()
    apply(case, event(Action.REASSIGN, 4, to="Hana"))
    pending = pending_deadlines(case, POLICY, CALENDAR)
    check_back = next(d for d in pending if d.kind == OWNER_CHECK_BACK)
    assert (check_back.owed_by, check_back.due_at) == ("Billy", at(64))
    fix_or_update = next(d for d in pending if d.kind == FIX_OR_UPDATE)
    assert fix_or_update.owed_by == "Hana"


def test_breach_is_measured() -> None:
    deadline = pending_deadlines(make_case(), POLICY)[0]
    assert not deadline.breached(at(20))
    assert deadline.breached(at(26)) and deadline.overdue_by(at(26)) == timedelta(minutes=6)
    assert deadline.remaining(at(5)) == timedelta(minutes=15)


def test_history_records_each_window_and_its_breach() -> None:
    case = make_case()
    events = [event(Action.APOLOGIZE, 5), event(Action.REVIEW, 30), event(Action.FIX, 40)]
    history = deadline_history(case, events, POLICY, CALENDAR)
    windows = [d for d in history if d.kind == FIX_OR_UPDATE]
    assert [(d.due_at, d.met_at) for d in windows] == [(at(20), at(5)), (at(25), at(30)), (at(50), at(40))]
    assert [d.overdue_by(at(99)) for d in windows] == [timedelta(0), timedelta(minutes=5), timedelta(0)]
    assert case.stage is Stage.NEW, "deadline_history must not change the case it was given"


def test_closed_case_owes_nothing() -> None:
    case = make_case()
    for minute, action in enumerate(
        (Action.APOLOGIZE, Action.REVIEW, Action.FIX, Action.FOLLOW_UP, Action.DOCUMENT, Action.CLOSE),
        start=1,
    ):
        apply(case, event(action, minute))
    assert pending_deadlines(case, POLICY, CALENDAR) == []


# ---- property tests -----------------------------------------------------------------------------------

ACTIONS = [a for a in Action if a is not Action.OPEN]
PEOPLE = ["Billy", "Hana", "Marta"]


def fixed_details(action: Action, minute: float) -> dict[str, object]:
    """The details of the actions both property tests give the same ones (empty for the others)."""
    if action is Action.SPOKESPERSON:
        return {"name": "Grace"}
    if action is Action.ESCALATE:  # on the record only: no deadline moves
        return {
            "kind": "fix-or-update",
            "due_at": at(minute).isoformat(),
            "step": 0,
            "role": "owner",
            "target": "Billy",
        }
    if action is Action.ACKNOWLEDGE:
        return {"kind": "fix-or-update", "due_at": at(minute).isoformat(), "step": 0}
    if action is Action.DOCUMENT:
        return PLAIN_DEPOSITION.to_data()
    return {}


@st.composite
def action_sequences(draw: st.DrawFn) -> tuple[Case, list[Event]]:
    case = make_case(
        tier=draw(st.sampled_from(list(Tier))),
        severity=draw(st.sampled_from(list(Severity))),
        public=draw(st.booleans()),
    )
    events: list[Event] = []
    minute = 0.0
    for _ in range(draw(st.integers(0, 25))):
        minute += draw(st.floats(0, 45))
        action = draw(st.sampled_from(ACTIONS))
        data = fixed_details(action, minute)
        if action is Action.REASSIGN:
            data = {"to": draw(st.sampled_from(PEOPLE))}
            if draw(st.booleans()):  # the owner is absent: their check-back moves
                data["owner_to"] = draw(st.sampled_from(PEOPLE))
        elif action is Action.FOLLOW_UP:
            data = draw(st.sampled_from([{}, {"satisfied": True}, {"satisfied": False}]))
        elif action is Action.PAUSE:
            data = {"reason": "waiting for the courier"}
            if draw(st.booleans()):
                data["until"] = at(minute + draw(st.floats(0.5, 200))).isoformat()
        events.append(Event(at(minute), draw(st.sampled_from(PEOPLE)), action, "text", parse(action, data)))
    return case, events


def reference_pending(opened: Case, accepted: list[Event], policy: DeadlinePolicy) -> dict[str, datetime]:
    """A deliberately naive model of the pending deadlines, read straight off the accepted events."""
    by_action: dict[Action, list[Event]] = {}
    for item in accepted:
        by_action.setdefault(item.action, []).append(item)
    if Action.CLOSE in by_action:
        return {}
    result: dict[str, datetime] = {}
    unhappy = [
        i
        for i, e in enumerate(accepted)
        if isinstance(e.payload, FollowUpPayload) and e.payload.satisfied is False
    ]
    # After a follow-up where the customer was not satisfied, recovery starts again from the next fix.
    since = accepted[unhappy[-1] + 1 :] if unhappy else accepted
    fixes = [e for e in since if e.action is Action.FIX]
    contacts = [opened.opened_at] + [
        e.at
        for e in accepted
        if e.action in {Action.APOLOGIZE, Action.REVIEW, Action.UPDATE, Action.CHECK_BACK}
        or (isinstance(e.payload, FollowUpPayload) and e.payload.satisfied is False)
    ]
    if not fixes:
        restarts = [i for i, e in enumerate(accepted) if e.at == max(contacts) and e.action in RESTARTS]
        after_contact = accepted[restarts[-1] + 1 :] if restarts else accepted
        paused = reference_paused(after_contact, policy.pause_cap)
        result[FIX_OR_UPDATE] = max(contacts) + policy.allowed(FIX_OR_UPDATE, opened) + paused
    else:
        fixed = fixes[0].at
        if not any(e.action is Action.FOLLOW_UP for e in since):
            result[FOLLOW_UP] = fixed + policy.allowed(FOLLOW_UP, opened)
        if Action.DOCUMENT not in by_action:
            due = fixed + policy.allowed(DEPOSITION, opened)
            end = CALENDAR.end_of_shift(fixed)
            result[DEPOSITION] = min(due, end) if end else due
    owed_since = None
    owner = opened.owner
    for item in accepted:
        payload = item.payload
        if isinstance(payload, ReassignPayload) and payload.owner_to is not None:
            owner = payload.owner_to  # an absent owner's check-back moves: owed from then if not before
            owed_since = owed_since or item.at
        elif item.action is Action.CHECK_BACK or (
            isinstance(payload, ReassignPayload) and payload.to_agent == owner
        ):
            owed_since = None
        elif item.action is Action.REASSIGN and owed_since is None:
            owed_since = item.at
    if owed_since is not None:
        result[OWNER_CHECK_BACK] = owed_since + policy.allowed(OWNER_CHECK_BACK, opened)
    return result


RESTARTS = {Action.APOLOGIZE, Action.REVIEW, Action.UPDATE, Action.CHECK_BACK, Action.FOLLOW_UP}


def reference_paused(since_contact: list[Event], cap: timedelta) -> timedelta:
    """Naively: each pause lasts until a resume or the next pause, its resume time, or what is left of the
    cap, whichever comes first; a pause still running counts to that end."""
    used = timedelta(0)
    for index, item in enumerate(since_contact):
        if not isinstance(item.payload, PausePayload):
            continue
        ends = [item.at + (cap - used)]
        if item.payload.until is not None:
            ends.append(item.payload.until)
        later = [e.at for e in since_contact[index + 1 :] if e.action in (Action.RESUME, Action.PAUSE)]
        ends += later[:1]
        used += min(ends) - item.at
    return used


STAGE_FACTS = {
    "fixed_at": Stage.FIXED,
    "followed_up_at": Stage.FOLLOWED_UP,
    "documented_at": Stage.DOCUMENTED,
    "closed_at": Stage.CLOSED,
}


@settings(max_examples=300, deadline=None)
@given(action_sequences())
def test_random_sequences_never_reach_an_illegal_state(sequence: tuple[Case, list[Event]]) -> None:
    opened, events = sequence
    case = replace(opened)
    order = list(Stage)
    accepted: list[Event] = []
    for item in events:
        before = replace(case)
        try:
            apply(case, item, pause_cap=POLICY.pause_cap)  # pauses checked as the service does
        except WorkflowError:
            assert case == before, "a refused action must leave the case untouched"
            continue
        accepted.append(item)
        for fact, stage in STAGE_FACTS.items():
            reached = order.index(case.stage) >= order.index(stage)
            assert (getattr(case, fact) is not None) == reached, (fact, case.stage)
        if case.stage is Stage.CLOSED:
            assert case.check_back_owed_since is None
            assert not case.public or (case.public_apology_at and case.spokesperson)
    assert kinds(pending_deadlines(case, POLICY, CALENDAR)) == reference_pending(opened, accepted, POLICY)
    history = deadline_history(opened, accepted, POLICY, CALENDAR)
    assert kinds([d for d in history if d.pending]) == kinds(pending_deadlines(case, POLICY, CALENDAR))
    # Whoever the check-back moved to owes it, in the history as in the pending list.
    assert [d.owed_by for d in history if d.pending and d.kind == OWNER_CHECK_BACK] == [
        d.owed_by for d in pending_deadlines(case, POLICY, CALENDAR) if d.kind == OWNER_CHECK_BACK
    ]


@pytest.mark.parametrize("minutes", [0, 19.99, 20, 20.01, 600])
def test_overdue_is_never_negative_and_matches_the_clock(minutes: float) -> None:
    deadline = pending_deadlines(make_case(), POLICY)[0]
    now = at(minutes)
    assert deadline.overdue_by(now) == max(timedelta(0), now - at(20))


@settings(max_examples=200, deadline=None)
@given(
    st.booleans(),
    st.lists(st.tuples(st.integers(0, 20), st.floats(0, 45), st.sampled_from(PEOPLE)), max_size=30),
)
def test_guided_sequences_reach_late_stages_and_agree_with_the_reference(
    public: bool, steps: list[tuple[int, float, str]]
) -> None:
    """Like the test above, but each step picks among the allowed actions, so closing is reached often."""
    from core.workflow import allowed_actions

    opened = make_case(public=public)
    case = replace(opened)
    accepted: list[Event] = []
    minute = 0.0
    for choice, gap, person in steps:
        options = [a for a in allowed_actions(case) if a is not Action.AMEND]
        if not options:
            break
        action = options[choice % len(options)]
        minute += gap
        data = fixed_details(action, minute)
        if action is Action.REASSIGN:
            others = [p for p in PEOPLE if p != case.assignee]
            data = {"to": others[choice % len(others)]}
            if choice % 4 == 1:  # the owner is absent: their check-back moves to the new agent
                data["owner_to"] = data["to"]
        elif action is Action.FOLLOW_UP:
            data = {"satisfied": choice % 3 != 0}
        # Only the owner discharges the owner's check-back (the workflow refuses anyone else).
        actor = case.owner if action is Action.CHECK_BACK else person
        item = Event(at(minute), actor, action, "text", parse(action, data))
        apply(case, item)
        accepted.append(item)
    assert kinds(pending_deadlines(case, POLICY, CALENDAR)) == reference_pending(opened, accepted, POLICY)
    history = deadline_history(opened, accepted, POLICY, CALENDAR)
    assert kinds([d for d in history if d.pending]) == kinds(pending_deadlines(case, POLICY, CALENDAR))
    # Whoever the check-back moved to owes it, in the history as in the pending list.
    assert [d.owed_by for d in history if d.pending and d.kind == OWNER_CHECK_BACK] == [
        d.owed_by for d in pending_deadlines(case, POLICY, CALENDAR) if d.kind == OWNER_CHECK_BACK
    ]


def test_two_hand_offs_in_the_same_minute_owe_one_check_back() -> None:
    """Found by hypothesis: a second reassignment at the same instant opened a second check-back that a
    return to the owner never closed."""
    opened = make_case()
    events = [
        event(Action.APOLOGIZE, 0),
        event(Action.REASSIGN, 0, to="Marta"),
        event(Action.REASSIGN, 0, to="Hana"),
        event(Action.REASSIGN, 0, to="Billy"),
    ]
    history = deadline_history(opened, events, POLICY, CALENDAR)
    assert [d.kind for d in history if d.pending] == [FIX_OR_UPDATE]
    assert len([d for d in history if d.kind == OWNER_CHECK_BACK]) == 1


def test_a_follow_up_without_satisfaction_owes_another_fix_or_update_from_then() -> None:
    """Floor-ready: 'not satisfied' once let the case go on to its deposition as if recovered."""
    case = make_case()
    events = [
        event(Action.APOLOGIZE, 1),
        event(Action.REVIEW, 2),
        event(Action.FIX, 10),
        event(Action.FOLLOW_UP, 30, satisfied=False),
    ]
    for item in events:
        apply(case, item)
    owed = pending_deadlines(case, POLICY, CALENDAR)
    assert [d.kind for d in owed] == [FIX_OR_UPDATE]
    assert owed[0].due_at == at(30) + POLICY.allowed(FIX_OR_UPDATE, case)
    history = deadline_history(make_case(), events, POLICY, CALENDAR)
    assert [d.kind for d in history if d.pending] == [FIX_OR_UPDATE]
    assert DEPOSITION not in [d.kind for d in history]
    # The next fix owes its follow-up and the deposition again.
    apply(case, event(Action.FIX, 40))
    assert sorted(d.kind for d in pending_deadlines(case, POLICY, CALENDAR)) == sorted(
        [FOLLOW_UP, DEPOSITION]
    )
