"""Small builders shared by the domain tests (cases and events at chosen instants)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from core import payloads
from core.cases import Action, Case, Event
from core.deposition import Deposition

T0 = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday
PLAIN_DEPOSITION = Deposition("late", "a date", "rebooked", "carrier missed the slot")


def make_case(**overrides: Any) -> Case:
    fields: dict[str, Any] = {
        "opened_at": T0,
        "customer": "Ada Brennan",
        "category": "late delivery",
        "site": "Harbour Road",
        "region": "North",
        "product": "Sofa",
        "staff": "Billy",
        "owner": "Billy",
        "assignee": "Billy",
        "description": "The sofa did not arrive.",
        "id": 1,
    }
    fields.update(overrides)
    return Case(**fields)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def event(action: Action, minutes: float, actor: str = "Billy", text: str = "done", **data: Any) -> Event:
    if action is Action.DOCUMENT and not data:
        data = PLAIN_DEPOSITION.to_data()  # a document event always carries its deposition
    return Event(at(minutes), actor, action, text, payloads.parse(action, data))
