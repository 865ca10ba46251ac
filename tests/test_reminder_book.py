"""The reminder book's time-ordered plan fires exactly what a pass over every deadline would, once each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from core.deadlines import Deadline
from core.reminders import ALERT, ReminderBook, warnings_for
from tests.domain_helpers import T0

KINDS = ("fix-or-update", "follow-up", "deposition")


@dataclass
class EveryDeadlineEachTime:
    """The obvious reference: look at every warning of every deadline on each call."""

    before: timedelta
    fired: set[tuple[int, str, datetime, str]] = field(default_factory=set)

    def due(self, deadlines: list[Deadline], now: datetime) -> list[tuple[int, str, datetime, str]]:
        ready = []
        for deadline in deadlines:
            warnings = [warning for warning in warnings_for(deadline, self.before) if warning.at <= now]
            if any(warning.kind == ALERT for warning in warnings):
                warnings = [warning for warning in warnings if warning.kind == ALERT]
            ready.extend(warning for warning in warnings if warning.key not in self.fired)
        ready.sort(key=lambda warning: (warning.at, warning.deadline.case_id or 0))
        self.fired.update(warning.key for warning in ready)
        return [warning.key for warning in ready]

    def forget_except(self, deadlines: list[Deadline]) -> None:
        live = {(deadline.case_id or 0, deadline.kind, deadline.due_at) for deadline in deadlines}
        self.fired = {key for key in self.fired if key[:3] in live}

    def next_at(self, deadlines: list[Deadline], now: datetime) -> datetime | None:
        upcoming = [
            warning.at
            for deadline in deadlines
            for warning in warnings_for(deadline, self.before)
            if warning.at > now and warning.key not in self.fired
        ]
        return min(upcoming, default=None)


deadline_strategy = st.builds(
    Deadline,
    case_id=st.integers(min_value=1, max_value=12),
    kind=st.sampled_from(KINDS),
    due_at=st.integers(min_value=-30, max_value=90).map(lambda minute: T0 + timedelta(minutes=minute)),
    owed_by=st.sampled_from(("Ada", "Billy")),
)
# Each step: the board's deadlines may change (a new list), then the clock moves on by some minutes.
steps_strategy = st.lists(
    st.tuples(st.none() | st.lists(deadline_strategy, max_size=15, unique=True), st.integers(0, 12)),
    min_size=1,
    max_size=25,
)


@settings(max_examples=300)
@given(first=st.lists(deadline_strategy, max_size=15, unique=True), steps=steps_strategy)
def test_the_plan_fires_what_a_full_pass_would(first, steps) -> None:
    book = ReminderBook(timedelta(minutes=5))
    reference = EveryDeadlineEachTime(timedelta(minutes=5))
    deadlines = sorted(first, key=lambda deadline: deadline.due_at)
    book.plan(deadlines)
    now = T0 - timedelta(minutes=20)
    for changed, minutes in steps:
        if changed is not None:
            deadlines = sorted(changed, key=lambda deadline: deadline.due_at)
            book.plan(deadlines)
            reference.forget_except(deadlines)  # a deadline gone from the board is forgotten by both
        now += timedelta(minutes=minutes)
        assert [warning.key for warning in book.due(now)] == reference.due(deadlines, now)
        assert book.next_at(now) == reference.next_at(deadlines, now)
        assert book.due(now) == []  # once each
    assert len(book.fired) <= 2 * len(deadlines)
