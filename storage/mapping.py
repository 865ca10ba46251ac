"""Translation between table rows and the domain's dataclasses (one place, both directions)."""

from __future__ import annotations

from core.cases import Action, Case, Channel, Event, Severity, Stage, Tier
from core.deposition import Amendment, Deposition, FiledDeposition, parse_factors
from core.payloads import read
from storage.models import CaseRow, DepositionRow, EventRow

# Columns whose values the workflow derives; copied back to the row after every action.
DERIVED = (
    "stage",
    "assignee",
    "last_contact_at",
    "fixed_at",
    "followed_up_at",
    "documented_at",
    "closed_at",
    "check_back_owed_since",
    "public_apology_at",
    "spokesperson",
)


def case_from_row(row: CaseRow) -> Case:
    return Case(
        id=row.id,
        opened_at=row.opened_at,
        customer=row.customer,
        contact=row.contact,
        tier=Tier(row.tier),
        channel=Channel(row.channel),
        category=row.category,
        severity=Severity(row.severity),
        public=row.public,
        site=row.site,
        region=row.region,
        product=row.product,
        staff=row.staff,
        owner=row.owner,
        assignee=row.assignee,
        description=row.description,
        stage=Stage(row.stage),
        version=row.version,
        last_contact_at=row.last_contact_at,
        fixed_at=row.fixed_at,
        followed_up_at=row.followed_up_at,
        documented_at=row.documented_at,
        closed_at=row.closed_at,
        check_back_owed_since=row.check_back_owed_since,
        public_apology_at=row.public_apology_at,
        spokesperson=row.spokesperson,
    )


def row_from_case(case: Case, last_event_id: int = 0) -> CaseRow:
    return CaseRow(
        opened_at=case.opened_at,
        customer=case.customer,
        contact=case.contact,
        tier=case.tier.value,
        channel=case.channel.value,
        category=case.category,
        severity=case.severity.value,
        public=case.public,
        site=case.site,
        region=case.region,
        product=case.product,
        staff=case.staff,
        owner=case.owner,
        assignee=case.assignee,
        description=case.description,
        stage=case.stage.value,
        last_contact_at=case.last_contact_at,
        fixed_at=case.fixed_at,
        followed_up_at=case.followed_up_at,
        documented_at=case.documented_at,
        closed_at=case.closed_at,
        check_back_owed_since=case.check_back_owed_since,
        public_apology_at=case.public_apology_at,
        spokesperson=case.spokesperson,
        last_event_id=last_event_id,
    )


def copy_derived(case: Case, row: CaseRow) -> None:
    for name in DERIVED:
        value = getattr(case, name)
        setattr(row, name, value.value if name == "stage" else value)


def event_from_row(row: EventRow) -> Event:
    action = Action(row.action)
    # Details that do not fit their type come back as Unreadable: one bad row never stops a case opening.
    return Event(
        at=row.at, actor=row.actor, action=action, text=row.text, payload=read(action, row.data), id=row.id
    )


def event_row(case_id: int, event: Event) -> EventRow:
    return EventRow(
        case_id=case_id,
        at=event.at,
        actor=event.actor,
        action=event.action.value,
        text=event.text,
        data=event.payload.to_json(),  # the stand-ins (Unreadable, NotLoaded) refuse: TypeError
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
