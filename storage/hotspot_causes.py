"""The depositions' root causes and factors beside each hotspot: two grouped reads, counted in core."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from core.hotspot_causes import CauseCount, hotspot_json, over_represented
from core.hotspots import DEFAULT_BOUNDARIES, Hotspot
from storage.models import DepositionRow, TrendFactRow

# SQLite allows 32,766 bound parameters; stay far below it per IN list.
_CHUNK = 5_000


def _factors(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def hotspot_causes(
    database: Any, hotspots: Sequence[Hotspot], since: datetime | None, until: datetime | None
) -> list[list[CauseCount]]:
    """For each hotspot, the root causes and factors its cases' depositions name more often than the rest of
    the documented cases opened in [since, until) (the scan's window)."""
    if not hotspots:
        return []
    window = select(DepositionRow.root_cause, DepositionRow.factors, func.count().label("n")).join(
        TrendFactRow, TrendFactRow.case_id == DepositionRow.case_id
    )
    if since is not None:
        window = window.where(TrendFactRow.opened_epoch >= int(since.astimezone(UTC).timestamp()))
    if until is not None:
        window = window.where(TrendFactRow.opened_epoch < int(until.astimezone(UTC).timestamp()))
    window = window.group_by(DepositionRow.root_cause, DepositionRow.factors)
    found: list[list[CauseCount]] = []
    with database.read() as session:
        totals = [(text, _factors(factors), int(n)) for text, factors, n in session.execute(window)]
        for hotspot in hotspots:
            cell: list[tuple[str, tuple[str, ...]]] = []
            ids = list(hotspot.case_ids)
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                query = select(DepositionRow.root_cause, DepositionRow.factors).where(
                    DepositionRow.case_id.in_(chunk)
                )
                cell.extend((text, _factors(factors)) for text, factors in session.execute(query))
            found.append(over_represented(cell, totals))
    return found


def hotspot_documents(
    database: Any,
    since: datetime | None,
    until: datetime | None,
    *,
    limit: int = 20,
    boundaries: Sequence[int] = DEFAULT_BOUNDARIES,
    case_ids: bool = True,
) -> list[dict[str, Any]]:
    """`trends --json`'s list (and, with `case_ids=False`, the shift summary's hotspots): each hotspot's
    finding, what changed this week and its depositions' causes (`core.hotspot_causes.hotspot_json`)."""
    from storage.trend_facts import scan_hotspots

    found = scan_hotspots(database, since, until, limit=limit, boundaries=boundaries)
    documents = [
        hotspot_json(hotspot, causes)
        for hotspot, causes in zip(found, hotspot_causes(database, found, since, until), strict=True)
    ]
    if not case_ids:
        for document in documents:
            document.pop("case_ids")
    return documents
