"""Bulk writing of whole case histories (CSV import, demo data): one transaction, batched inserts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import tzinfo
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from core.cases import Case, CaseHistory
from storage.mapping import DERIVED
from storage.models import CaseRow, DepositionRow, EventRow
from storage.trend_facts import record_trend_facts

BATCH = 5_000


def _case_values(case: Case) -> dict[str, Any]:
    values: dict[str, Any] = {
        "opened_at": case.opened_at,
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
        "description": case.description,
        "version": 1,
        "last_event_id": 0,
    }
    for name in DERIVED:
        value = getattr(case, name)
        values[name] = value.value if name == "stage" else value
    return values


def insert_histories(
    session: Session,
    histories: Sequence[CaseHistory],
    zone: tzinfo,
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    """Insert every history inside the caller's transaction; returns the new case ids in order.

    Ids come from the database (never from the input), so an import can never overwrite a stored case.
    """
    ids: list[int] = []
    for start in range(0, len(histories), BATCH):
        batch = histories[start : start + BATCH]
        case_ids = list(
            session.scalars(
                insert(CaseRow).returning(CaseRow.id, sort_by_parameter_order=True),
                [_case_values(h.case) for h in batch],
            )
        )
        event_rows: list[dict[str, Any]] = []
        deposition_rows: list[dict[str, Any]] = []
        documented: list[Case] = []
        for case_id, history in zip(case_ids, batch, strict=True):
            history.case.id = case_id
            for event in history.events:
                event_rows.append(
                    {
                        "case_id": case_id,
                        "at": event.at,
                        "actor": event.actor,
                        "action": event.action.value,
                        "text": event.text,
                        "data": event.data,
                    }
                )
            if history.deposition is not None:
                document_event = next((e for e in history.events if e.action.value == "document"), None)
                content = history.deposition
                deposition_rows.append(
                    {
                        "case_id": case_id,
                        "filed_at": document_event.at if document_event else history.case.documented_at,
                        "author": document_event.actor if document_event else history.case.assignee,
                        "customer_view": content.customer_view,
                        "customer_needed": content.customer_needed,
                        "actions_taken": content.actions_taken,
                        "root_cause": content.root_cause,
                        "factors": ",".join(f.value for f in content.factors),
                        "gesture": content.gesture,
                        "notes": content.notes,
                    }
                )
                documented.append(history.case)
        last_event: dict[int, int] = {}
        if event_rows:
            event_ids = session.scalars(
                insert(EventRow).returning(EventRow.id, sort_by_parameter_order=True), event_rows
            )
            for row, event_id in zip(event_rows, event_ids, strict=True):
                last_event[row["case_id"]] = max(event_id, last_event.get(row["case_id"], 0))
            # Each case points at its newest event, so live dashboards see the import as a change.
            table = CaseRow.__table__
            session.execute(
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .values(last_event_id=bindparam("b_last")),
                [{"b_id": case_id, "b_last": event_id} for case_id, event_id in last_event.items()],
            )
        if deposition_rows:
            session.execute(insert(DepositionRow), deposition_rows)
        record_trend_facts(session, documented, zone)
        ids.extend(case_ids)
        if progress is not None:
            progress(len(batch))
    return ids
