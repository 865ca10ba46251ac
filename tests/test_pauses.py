"""Waiting on the customer: a paused fix-or-update clock neither breaches nor counts as met, within a cap."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, timedelta

import pytest

from core.cases import Action, Case, CaseHistory, Event, Stage
from core.deadlines import Deadline, deadline_history, pending_deadlines
from core.export_formats import to_csv, to_json, to_markdown
from core.pauses import ResumeWhy, minutes
from core.policy import FIX_OR_UPDATE, DeadlinePolicy
from core.summary import summarize
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


def history(case_id: int, assignee: str, steps: list[Event]) -> CaseHistory:
    """A case's history, its final state replayed through the workflow (pauses checked against the cap)."""
    opened = make_case(id=case_id, assignee=assignee, owner=assignee, staff=assignee)
    case = replace(opened)
    for step in steps:
        apply(case, step, pause_cap=CAP)
    return CaseHistory(replace(case, pauses=()), [event(Action.OPEN, 0, assignee), *steps])


def test_the_summary_shows_paused_minutes_per_case_and_per_agent_in_every_format() -> None:
    # The period runs from T0 + 10 to T0 + 100, ten minutes after the cases opened.
    start, end = at(10), at(100)
    billy = [event(Action.PAUSE, 0, "Billy", reason="courier"), event(Action.APOLOGIZE, 45)]
    parked = history(1, "Billy", billy)  # paused 45 min, 35 of them in the period; its next clock missed
    # Paused from T0 + 5 to the end of the period and on (the cap ends it at T0 + 125): 90 min in the period.
    waiting = history(2, "Hana", [event(Action.PAUSE, 5, "Hana", reason="calls back")])
    untouched = history(3, "Marta", [event(Action.APOLOGIZE, 5, "Marta")])
    summary = summarize([parked, waiting, untouched], start, end, at(300), POLICY, None, "p")
    assert [line.paused for line in summary.cases] == [
        timedelta(minutes=35),
        timedelta(minutes=90),
        timedelta(0),
    ]
    assert summary.per_agent["Billy"].paused == timedelta(minutes=35)
    assert summary.per_agent["Hana"].paused == timedelta(minutes=90)
    assert summary.per_agent["Marta"].paused == timedelta(0)
    # Hana's case, paused all along, neither breached nor counts as met; the others missed their clocks.
    assert [b.case_id for b in summary.fix_or_update_breached] == [1, 3]
    assert 2 not in summary.fix_or_update_met and summary.cases[1].fix_or_update_met is None

    document = json.loads(to_json(summary))
    assert {name: figures["paused_seconds"] for name, figures in document["per_agent"].items()} == {
        "Billy": 35 * 60,
        "Hana": 90 * 60,
        "Marta": 0,
    }
    assert document["paused"] == [
        {"case_id": 1, "paused_seconds": 35 * 60, "assignee": "Billy"},
        {"case_id": 2, "paused_seconds": 90 * 60, "assignee": "Hana"},
    ]
    rows = list(csv.DictReader(io.StringIO(to_csv(summary, UTC))))
    assert [row["paused_minutes"] for row in rows] == ["35", "90", "0"]
    markdown = to_markdown(summary, UTC)
    assert "| #2 | 1 h 30 min | Hana |" in markdown
    assert "| Billy | 1 | 1 | 0 | 1 | 35 |" in markdown and "| Hana | 1 | 0 | 0 | 0 | 90 |" in markdown
