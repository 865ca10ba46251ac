"""The stable JSON shape of a case, its events and its deadlines (documented in the README)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from core.case_fields import JSON_FIELDS, CaseField, Kind, stored_value
from core.cases import Case, Event, UnreadableCase
from core.deadlines import Deadline
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
    return {
        "kind": deadline.kind,
        "due_at": iso(deadline.due_at),
        "owed_by": deadline.owed_by,
        "remaining_seconds": int(deadline.remaining(now).total_seconds()),
        "breached": deadline.breached(now),
        "overdue_seconds": int(deadline.overdue_by(now).total_seconds()),
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
) -> dict[str, Any]:
    result: dict[str, Any] = {field.name: _json_value(field, case) for field in JSON_FIELDS}
    if isinstance(case, UnreadableCase):
        # A row intake would refuse, read with stand-ins: what is wrong with it as stored, as for events.
        result["unreadable"] = list(case.problems)
    if events is not None:
        result["events"] = [event_json(event) for event in events]
    if deadlines is not None:
        assert now is not None, "deadlines are relative to an instant"
        result["deadlines"] = [deadline_json(deadline, now) for deadline in deadlines]
    return result
