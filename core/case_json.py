"""The stable JSON shape of a case, its events and its deadlines (documented in the README)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from core.case_fields import JSON_FIELDS, CaseField, Kind, stored_value
from core.cases import Case, Event, UnreadableCase
from core.deadlines import Deadline
from core.pauses import Stretch
from core.payloads import NotLoaded, Unreadable


def iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def event_json(event: Event) -> dict[str, Any]:
    result: dict[str, Any] = {
        "at": iso(event.at),
        "actor": event.actor,
        "action": event.action.value,
        "text": event.text,
        # Who recorded it and from where (null on events stored before schema 0004).
        "recorded_by": event.recorded_by,
        "os_user": event.os_user,
        "host": event.host,
    }
    payload = event.payload
    if isinstance(payload, Unreadable):
        # What is stored, as stored, and why it could not be read: another tool's row stays visible.
        result["data"] = json.loads(payload.stored)
        result["unreadable"] = payload.problem
    elif not isinstance(payload, NotLoaded):
        data = payload.to_json()
        if data:
            result["data"] = data
    return result


def deadline_json(deadline: Deadline, now: datetime) -> dict[str, Any]:
    running = deadline.paused(now)
    return {
        "kind": deadline.kind,
        "due_at": iso(deadline.due_at),
        "owed_by": deadline.owed_by,
        "remaining_seconds": int(deadline.remaining(now).total_seconds()),
        "breached": deadline.breached(now),
        "overdue_seconds": int(deadline.overdue_by(now).total_seconds()),
        "met_at": iso(deadline.met_at),
        "met_by": deadline.met_by,
        # Waiting on the customer: whether its clock stands still now, and for how long it has in all.
        "paused": running is not None,
        "paused_seconds": int(deadline.paused_for(now).total_seconds()),
        "pauses": [stretch_json(stretch) for stretch in deadline.pauses],
    }


def stretch_json(stretch: Stretch) -> dict[str, Any]:
    """One pause: who paused it, why, the resume time asked for, and when and why the clock runs again
    (`recorded`: a resume or contact says so; otherwise worked out from the resume time or the cap)."""
    pause = stretch.pause
    return {
        "since": iso(pause.since),
        "by": pause.by,
        "reason": pause.reason,
        "until": iso(pause.until),
        "ends_at": iso(stretch.ends_at),
        "ends_because": stretch.why.value,
        "recorded": stretch.recorded,
    }


def _json_value(field: CaseField, case: Case) -> Any:
    """A case field in JSON: times in ISO 8601, choices as their values, the rest as they are."""
    value = getattr(case, field.name)
    return iso(value) if field.kind is Kind.TIME else stored_value(value)


def case_json(
    case: Case,
    events: list[Event] | None = None,
    deadlines: list[Deadline] | None = None,
    now: datetime | None = None,
    history: list[Deadline] | None = None,
) -> dict[str, Any]:
    """`deadlines`: those pending; `history`: every deadline the case has had, met, breached or pending."""
    result: dict[str, Any] = {field.name: _json_value(field, case) for field in JSON_FIELDS}
    if isinstance(case, UnreadableCase):
        # A row intake would refuse, read with stand-ins: what is wrong with it as stored, as for events.
        result["unreadable"] = list(case.problems)
    if events is not None:
        result["events"] = [event_json(event) for event in events]
    if deadlines is not None:
        assert now is not None, "deadlines are relative to an instant"
        result["deadlines"] = [deadline_json(deadline, now) for deadline in deadlines]
    if history is not None:
        assert now is not None, "deadlines are relative to an instant"
        result["deadline_history"] = [deadline_json(deadline, now) for deadline in history]
    return result
