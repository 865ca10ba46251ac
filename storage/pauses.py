"""The running fix-or-update clock's pauses, read off the events: they are kept there, not in the case row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases import Action, Case, Event
from core.workflow import CLOCK_EVENTS, clock_pauses
from storage.mapping import event_from_row
from storage.models import EventRow

# Case ids per IN (...) list: under the 999 bound parameters of SQLite builds before 3.32.
_IDS_PER_QUERY = 900
_CLOCK_ACTIONS = sorted(action.value for action in CLOCK_EVENTS)


def with_pauses(session: Session, cases: Sequence[Case]) -> list[Case]:
    """`cases` with their pauses: only cases whose fix-or-update clock runs can have any, and only those
    ever paused need their clock's events read (usually none: one indexed look-up per 900 cases)."""
    running = [case.id for case in cases if case.id is not None and case.is_open and case.fixed_at is None]
    paused: set[int] = set()
    for first in range(0, len(running), _IDS_PER_QUERY):
        chunk = running[first : first + _IDS_PER_QUERY]
        paused.update(
            session.execute(
                select(EventRow.case_id)
                .where(EventRow.case_id.in_(chunk), EventRow.action == Action.PAUSE.value)
                .distinct()
            ).scalars()
        )
    if not paused:
        return list(cases)
    events: dict[int, list[Event]] = defaultdict(list)
    ids = sorted(paused)
    for first in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[first : first + _IDS_PER_QUERY]
        rows = session.execute(
            select(EventRow)
            .where(EventRow.case_id.in_(chunk), EventRow.action.in_(_CLOCK_ACTIONS))
            .order_by(EventRow.id)
        ).scalars()
        for row in rows:
            events[row.case_id].append(event_from_row(row))
    return [
        replace(case, pauses=clock_pauses(events[case.id])) if case.id in paused else case for case in cases
    ]
