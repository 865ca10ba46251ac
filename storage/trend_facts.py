"""The compact integer form of documented cases that the hotspot scan reads, and its label codes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core.cases import Case
from core.hotspots import DEFAULT_BOUNDARIES, DIMENSION_TABLE, PACKED, Coding, pack_fact
from storage.models import DimensionCodeRow, TrendFactRow

# The dimensions whose codes number a case field's text in the dimension_codes table (staff, site, …).
CODED_DIMENSIONS = tuple(dimension.name for dimension in DIMENSION_TABLE if dimension.coding is Coding.LABEL)
# The dimensions the trends screen lists its most frequent values of.
TREND_TOPS = tuple(dimension.name for dimension in DIMENSION_TABLE if dimension.trend_top)
# How far back hotspots look unless told otherwise (the CLI, the dashboard, the trends screen, exports).
HOTSPOT_WINDOW = timedelta(days=90)
# The code of each member of a CHOICE dimension's enum (its position in the enum: channel).
CHOICE_CODES: dict[str, dict[StrEnum, int]] = {
    dimension.name: {member: index for index, member in enumerate(dimension.choices)}
    for dimension in DIMENSION_TABLE
    if dimension.coding is Coding.CHOICE and dimension.choices is not None
}


def codes_for(session: Session, dimension: str, labels: Iterable[str]) -> dict[str, int]:
    """The code of each label, giving new labels the next free codes (writers are serialised)."""
    wanted = set(labels)
    known = {
        row.label: row.code
        for row in session.execute(
            select(DimensionCodeRow).where(DimensionCodeRow.dimension == dimension)
        ).scalars()
    }
    missing = sorted(wanted - set(known))
    if missing:
        next_code = (max(known.values()) + 1) if known else 0
        for offset, label in enumerate(missing):
            known[label] = next_code + offset
            session.add(DimensionCodeRow(dimension=dimension, label=label, code=next_code + offset))
        session.flush()
    return {label: known[label] for label in wanted}


def local_slot(opened_at: datetime, zone: tzinfo) -> tuple[int, int]:
    """Local weekday (0 = Monday) and 30-minute window of the day (0..47)."""
    local = opened_at.astimezone(zone)
    return local.weekday(), local.hour * 2 + local.minute // 30


def fact_for(case: Case, zone: tzinfo, codes: dict[str, dict[str, int]]) -> tuple[int, int]:
    """(opened epoch seconds, packed integer) of one case."""
    slot = dict(zip(("weekday", "window"), local_slot(case.opened_at, zone), strict=True))
    values = []
    for dimension in PACKED:
        if dimension.coding is Coding.LOCAL_TIME:
            values.append(slot[dimension.name])
        elif dimension.coding is Coding.CHOICE:
            values.append(CHOICE_CODES[dimension.name][getattr(case, dimension.name)])
        else:
            values.append(codes[dimension.name][getattr(case, dimension.name)])
    return int(case.opened_at.timestamp()), pack_fact(*values)


def trend_fact_rows(session: Session, cases: list[Case], zone: tzinfo) -> list[tuple[int, int, int]]:
    """(case id, opened epoch, packed fact) of documented cases: one code lookup per dimension."""
    if not cases:
        return []
    codes = {
        dimension: codes_for(session, dimension, (getattr(case, dimension) for case in cases))
        for dimension in CODED_DIMENSIONS
    }
    return [(case.id or 0, *fact_for(case, zone, codes)) for case in cases]


def record_trend_facts(session: Session, cases: list[Case], zone: tzinfo) -> None:
    """Write the trend facts of documented cases."""
    rows: list[dict[str, Any]] = [
        {"case_id": case_id, "opened_epoch": epoch, "packed": packed}
        for case_id, epoch, packed in trend_fact_rows(session, cases, zone)
    ]
    if rows:
        session.execute(insert(TrendFactRow), rows)


def record_trend_fact(session: Session, case: Case, zone: tzinfo) -> None:
    record_trend_facts(session, [case], zone)


def load_facts_and_days(
    session: Session, since: datetime | None, until: datetime | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Case ids, packed facts and local dates (days since 1970-01-01) of cases opened in [since, until).

    The local date comes from the opening's epoch and the local weekday packed with it (`local_days`), so the
    scan can tell which dates each person worked without a time zone.
    """
    from core.hotspots import local_days, unpack_facts

    query = select(TrendFactRow.case_id, TrendFactRow.packed, TrendFactRow.opened_epoch)
    if since is not None:
        query = query.where(TrendFactRow.opened_epoch >= int(since.astimezone(UTC).timestamp()))
    if until is not None:
        query = query.where(TrendFactRow.opened_epoch < int(until.astimezone(UTC).timestamp()))
    rows = session.execute(query).all()
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), empty.copy()
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=3 * len(rows))
    triples = flat.reshape(-1, 3)
    packed = triples[:, 1].copy()
    return triples[:, 0].copy(), packed, local_days(triples[:, 2], unpack_facts(packed)["weekday"])


def load_labels(session: Session) -> dict[str, dict[int, str]]:
    labels: dict[str, dict[int, str]] = {dimension: {} for dimension in CODED_DIMENSIONS}
    for row in session.execute(select(DimensionCodeRow)).scalars():
        labels.setdefault(row.dimension, {})[row.code] = row.label
    for dimension, members in CHOICE_CODES.items():
        labels[dimension] = {code: member.value for member, code in members.items()}
    return labels


def scan_hotspots(
    database: Any,
    since: datetime | None,
    until: datetime | None,
    *,
    limit: int = 20,
    boundaries: Sequence[int] = DEFAULT_BOUNDARIES,
) -> list[Any]:
    """Hotspots among the cases documented and opened in [since, until), best first.

    `boundaries` are the windows where the configured shifts start and end (`core.hotspots.shift_boundaries`
    of the settings' `[[shifts]]`); the default shifts' when not given.
    """
    from core.hotspots import find_hotspots

    with database.read() as session:
        case_ids, packed, days = load_facts_and_days(session, since, until)
        labels = load_labels(session)
    return find_hotspots(case_ids, packed, labels, days=days, boundaries=boundaries, limit=limit)


@dataclass(frozen=True)
class TrendOverview:
    """What the trends screen charts: counted with numpy from the compact facts, never row by row."""

    weekday_hour: list[list[int]]  # 7 x 24, Monday first, local time
    per_day: list[tuple[str, int]]  # ("2026-11-24", count), oldest first
    top: dict[str, list[tuple[str, int]]]  # dimension -> [(label, count)], most first
    total: int


def trend_overview(
    database: Any, since: datetime, until: datetime, zone: tzinfo, *, top: int = 5
) -> TrendOverview:
    from core.hotspots import unpack_facts

    with database.read() as session:
        rows = session.execute(
            select(TrendFactRow.opened_epoch, TrendFactRow.packed).where(
                TrendFactRow.opened_epoch >= int(since.astimezone(UTC).timestamp()),
                TrendFactRow.opened_epoch < int(until.astimezone(UTC).timestamp()),
            )
        ).all()
        labels = load_labels(session)
    pairs = np.array(rows, dtype=np.int64).reshape(-1, 2)
    columns = unpack_facts(pairs[:, 1].copy())
    grid = np.bincount(columns["weekday"] * 24 + columns["hour"], minlength=7 * 24).reshape(7, 24)
    first_day = since.astimezone(zone).date()
    last_day = until.astimezone(zone).date()
    days = (last_day - first_day).days + 1
    # Local day of each fact from the zone's offset at that instant: DST-correct, one conversion per hour.
    per_day_counts = np.zeros(days, dtype=np.int64)
    if len(pairs):
        epochs = pairs[:, 0]
        day_keys, counts = np.unique(epochs // 3600, return_counts=True)
        for hour_key, count in zip(day_keys.tolist(), counts.tolist(), strict=True):
            local_day = datetime.fromtimestamp(hour_key * 3600, UTC).astimezone(zone).date()
            index = (local_day - first_day).days
            if 0 <= index < days:
                per_day_counts[index] += count
    per_day = [
        ((first_day + timedelta(days=index)).isoformat(), int(count))
        for index, count in enumerate(per_day_counts)
    ]
    tops: dict[str, list[tuple[str, int]]] = {}
    for dimension in TREND_TOPS:
        counts = np.bincount(columns[dimension]) if len(pairs) else np.zeros(0, dtype=np.int64)
        order = np.argsort(-counts)[:top]
        tops[dimension] = [
            (labels.get(dimension, {}).get(int(code), f"#{code}"), int(counts[code]))
            for code in order
            if counts[code] > 0
        ]
    return TrendOverview(grid.tolist(), per_day, tops, len(pairs))
