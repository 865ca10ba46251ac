"""The stable JSON shape of a case, its events and its deadlines (documented in the README)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from core.cases import Case, Event
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


def case_json(
    case: Case,
    events: list[Event] | None = None,
    deadlines: list[Deadline] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": case.id,
        "opened_at": iso(case.opened_at),
        "customer": case.customer,
        "contact": case.contact,
        "tier": case.tier.value,
        "channel": case.channel.value,
        "category": case.category,
        "severity": case.severity.value,
        "public": case.public,
        "site": case.site,
        "region": case.region,
        "product": case.product,
        "staff": case.staff,
        "owner": case.owner,
        "assignee": case.assignee,
        "stage": case.stage.value,
        "description": case.description,
        "version": case.version,
        "fixed_at": iso(case.fixed_at),
        "closed_at": iso(case.closed_at),
    }
    if events is not None:
        result["events"] = [event_json(event) for event in events]
    if deadlines is not None:
        assert now is not None, "deadlines are relative to an instant"
        result["deadlines"] = [deadline_json(deadline, now) for deadline in deadlines]
    return result
