"""Waiting on the customer: a paused fix-or-update clock neither breaches nor counts as met, within a cap."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.cases import Action, Case, Stage
from core.deadlines import Deadline, deadline_history, pending_deadlines
from core.pauses import ResumeWhy, minutes
from core.policy import FIX_OR_UPDATE, DeadlinePolicy
from core.workflow import WorkflowError, apply, refusal
from tests.domain_helpers import at, event, make_case

POLICY = DeadlinePolicy()  # fix or update within 20 minutes; pauses stop the clock for 2 hours at most
CAP = POLICY.pause_cap


def act(case: Case, action: Action, minute: float, actor: str = "Billy", **data: object) -> Case:
    """Apply as the service does: pauses checked against the clock and the configured cap."""
    return apply(case, event(action, minute, actor, **data), pause_cap=CAP)


def pause(case: Case, minute: float, until: float | None = None, reason: str = "courier calls back") -> Case:
    data: dict[str, object] = {"reason": reason}
    if until is not None:
        data["until"] = at(until).isoformat()
    return act(case, Action.PAUSE, minute, text="", **data)


def fix_or_update(case: Case) -> Deadline:
    (deadline,) = [d for d in pending_deadlines(case, POLICY) if d.kind == FIX_OR_UPDATE]
    return deadline


def test_a_paused_clock_stands_still_and_neither_breaches_nor_counts_as_met() -> None:
    case = pause(make_case(), 5)
    deadline = fix_or_update(case)
    for minute in (5, 20, 60, 124):  # long past the twenty minutes, still paused
        assert deadline.paused(at(minute)) is not None
        assert deadline.remaining(at(minute)) == timedelta(minutes=15)
        assert not deadline.breached(at(minute))
        assert deadline.pending
    assert deadline.paused_for(at(60)) == timedelta(minutes=55)
    history = deadline_history(make_case(), [event(Action.PAUSE, 5, reason="courier calls back")], POLICY)
    assert [(d.kind, d.met_at) for d in history] == [(FIX_OR_UPDATE, None)]


def test_past_the_cap_the_clock_runs_again_and_breaches() -> None:
    case = pause(make_case(), 5)
    deadline = fix_or_update(case)
    cap_end = at(5) + CAP
    assert deadline.paused(cap_end) is None
    assert deadline.pauses[0].why is ResumeWhy.CAP_REACHED and not deadline.pauses[0].recorded
    assert deadline.due_at == at(20) + CAP
    assert deadline.remaining(cap_end + timedelta(minutes=5)) == timedelta(minutes=10)
    assert deadline.overdue_by(cap_end + timedelta(minutes=16)) == timedelta(minutes=1)
    assert deadline.paused_for(cap_end + timedelta(hours=5)) == CAP


def test_pausing_again_cannot_stretch_one_wait_past_the_cap() -> None:
    case = pause(make_case(), 0)
    act(case, Action.RESUME, 100)
    pause(case, 110)
    deadline = fix_or_update(case)
    assert [stretch.length for stretch in deadline.pauses] == [timedelta(minutes=100), timedelta(minutes=20)]
    assert deadline.pauses[1].why is ResumeWhy.CAP_REACHED
    assert deadline.due_at == at(20) + CAP
    problem = refusal(case, Action.PAUSE, at(131), CAP)
    assert problem is not None and f"paused for {minutes(CAP)} already" in problem
    with pytest.raises(WorkflowError, match="progress update"):
        pause(case, 131)


def test_the_resume_time_restarts_the_clock() -> None:
    deadline = fix_or_update(pause(make_case(), 5, until=30))
    assert deadline.due_at == at(45)
    assert deadline.paused(at(29)) is not None and deadline.paused(at(30)) is None
    assert deadline.pauses[0].why is ResumeWhy.RESUME_TIME
    assert deadline.remaining(at(40)) == timedelta(minutes=5)
    assert deadline.breached(at(46))


def test_resuming_by_hand_counts_the_pause_up_to_then() -> None:
    case = pause(make_case(), 5)
    act(case, Action.RESUME, 15, actor="Hana")
    deadline = fix_or_update(case)
    assert deadline.due_at == at(30) and deadline.paused(at(16)) is None
    (stretch,) = deadline.pauses
    assert (stretch.recorded, stretch.why, stretch.pause.resumed_by) == (True, ResumeWhy.BY_HAND, "Hana")


def test_a_customer_contact_resumes_by_restarting_the_clock() -> None:
    events = [event(Action.PAUSE, 5, reason="waiting for the courier"), event(Action.APOLOGIZE, 50, "Hana")]
    case = make_case()
    for item in events:
        apply(case, item, pause_cap=CAP)
    assert case.pauses == () and fix_or_update(case).due_at == at(70)
    first, second = deadline_history(make_case(), events, POLICY)
    assert (first.met_at, first.met_by, first.due_at) == (at(50), "Hana", at(65))
    assert first.pauses[0].why is ResumeWhy.CUSTOMER_CONTACTED and first.pauses[0].recorded
    assert not first.breached(at(200)) and first.paused_for(at(200)) == timedelta(minutes=45)
    assert second.pending and second.pauses == ()


def test_a_fix_while_paused_meets_the_deadline_and_ends_the_pause() -> None:
    events = [
        event(Action.APOLOGIZE, 1),
        event(Action.REVIEW, 2),
        event(Action.PAUSE, 3, reason="part on order"),
        event(Action.FIX, 90, "Marta"),
    ]
    history = deadline_history(make_case(), events, POLICY)
    met = [d for d in history if d.kind == FIX_OR_UPDATE and d.pauses]
    assert met[0].met_by == "Marta" and met[0].pauses[0].why is ResumeWhy.FIXED
    assert met[0].paused_for(at(500)) == timedelta(minutes=87)
    assert not met[0].breached(at(500))


def test_pause_rules_name_what_is_wrong() -> None:
    fixed = make_case(stage=Stage.FIXED, fixed_at=at(1))
    assert "no fix or progress update is owed" in (refusal(fixed, Action.PAUSE, at(2), CAP) or "")
    assert refusal(make_case(), Action.RESUME, at(2), CAP) == "case #1 is not paused"
    paused = pause(make_case(), 1)
    assert "already paused (courier calls back)" in (refusal(paused, Action.PAUSE, at(2), CAP) or "")
    with pytest.raises(WorkflowError, match="the reason"):
        pause(make_case(), 1, reason="  ")
    with pytest.raises(WorkflowError, match=r"resume time .* is not later than now"):
        pause(make_case(), 10, until=5)
    ended = pause(make_case(), 1, until=10)
    assert "its pause ended (resume time passed)" in (refusal(ended, Action.RESUME, at(11), CAP) or "")
    assert refusal(ended, Action.PAUSE, at(11), CAP) is None  # nine minutes of the cap used, the rest left
