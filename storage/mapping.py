"""Translation between table rows and the domain's dataclasses (one place, both directions)."""

from __future__ import annotations

from operator import attrgetter

from sqlalchemy.orm import Session

from core.case_fields import DOMAIN_NAMES, READ_ORDER, WRITTEN_BACK_NAMES, case_reader, stored_value
from core.cases import Action, Case, Event
from core.deposition import Amendment, Deposition, FiledDeposition, parse_factors
from core.payloads import read
from storage.errors import CaseNotFound
from storage.models import ID_MAX, CaseRow, DepositionRow, EventRow

_stored_values = attrgetter(*READ_ORDER)
_case_from_values = case_reader(None)  # the ORM gives datetimes already


def case_row(session: Session, case_id: int) -> CaseRow:
    """The stored row of case `case_id`, or CaseNotFound: every lookup by a given id goes through here.

    An id no column can hold is no case either: PostgreSQL's integer stops at 2**31 - 1 and SQLite's
    driver at 2**63 - 1, and both would raise their own overflow instead of saying "no case #N".
    """
    row = session.get(CaseRow, case_id) if 1 <= case_id <= ID_MAX else None
    if row is None:
        raise CaseNotFound(case_id)
    return row


def case_from_row(row: CaseRow) -> Case:
    return _case_from_values(_stored_values(row))


def row_from_case(case: Case, last_event_id: int = 0) -> CaseRow:
    # id and version are storage's own: the row gets its id on insert and starts at version 1.
    values = {name: stored_value(getattr(case, name)) for name in DOMAIN_NAMES}
    return CaseRow(**values, last_event_id=last_event_id)


def copy_derived(case: Case, row: CaseRow) -> None:
    """Copy back to the row the facts the workflow derived (the columns an action can change)."""
    for name in WRITTEN_BACK_NAMES:
        setattr(row, name, stored_value(getattr(case, name)))


def event_from_row(row: EventRow) -> Event:
    action = Action(row.action)
    # Details that do not fit their type come back as Unreadable: one bad row never stops a case opening.
    return Event(
        at=row.at,
        actor=row.actor,
        action=action,
        text=row.text,
        payload=read(action, row.data),
        id=row.id,
        recorded_by=row.recorded_by,
        os_user=row.os_user,
        host=row.host,
    )


def event_row(case_id: int, event: Event) -> EventRow:
    # Who recorded it only when known: an attribute never set is left out of the INSERT (NULL).
    recorder = {
        name: value
        for name, value in (
            ("recorded_by", event.recorded_by),
            ("os_user", event.os_user),
            ("host", event.host),
        )
        if value is not None
    }
    return EventRow(
        case_id=case_id,
        at=event.at,
        actor=event.actor,
        action=event.action.value,
        text=event.text,
        data=event.payload.to_json(),  # the stand-ins (Unreadable, NotLoaded) refuse: TypeError
        **recorder,
    )


def deposition_row(case_id: int, event: Event, content: Deposition) -> DepositionRow:
    return DepositionRow(
        case_id=case_id,
        filed_at=event.at,
        author=event.actor,
        customer_view=content.customer_view,
        customer_needed=content.customer_needed,
        actions_taken=content.actions_taken,
        root_cause=content.root_cause,
        factors=",".join(factor.value for factor in content.factors),
        gesture=content.gesture,
        notes=content.notes,
    )


def filed_from_row(row: DepositionRow, amendments: list[Event]) -> FiledDeposition:
    return FiledDeposition(
        case_id=row.case_id,
        filed_at=row.filed_at,
        author=row.author,
        content=Deposition(
            customer_view=row.customer_view,
            customer_needed=row.customer_needed,
            actions_taken=row.actions_taken,
            root_cause=row.root_cause,
            factors=parse_factors(row.factors),
            gesture=row.gesture,
            notes=row.notes,
        ),
        amendments=tuple(Amendment(event.at, event.actor, event.text) for event in amendments),
    )
