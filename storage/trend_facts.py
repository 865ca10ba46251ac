"""The compact integer form of documented cases that the hotspot scan reads, and its label codes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from core.cases import Case, Channel
from storage.models import DimensionCodeRow, TrendFactRow

CODED_DIMENSIONS = ("staff", "site", "region", "product", "category")
# How far back hotspots look unless told otherwise (the CLI, the dashboard, the trends screen, exports).
HOTSPOT_WINDOW = timedelta(days=90)
CHANNEL_CODES = {channel: index for index, channel in enumerate(Channel)}


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
    from core.hotspots import pack_fact

    weekday, window = local_slot(case.opened_at, zone)
    packed = pack_fact(
        weekday,
        window,
        codes["staff"][case.staff],
        codes["site"][case.site],
        codes["region"][case.region],
        codes["product"][case.product],
        codes["category"][case.category],
        CHANNEL_CODES[case.channel],
    )
    return int(case.opened_at.timestamp()), packed


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


def load_facts(
    session: Session, since: datetime | None, until: datetime | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Case ids and packed facts of cases opened in [since, until), as raw integers (no ORM objects)."""
    query = select(TrendFactRow.case_id, TrendFactRow.packed)
    if since is not None:
        query = query.where(TrendFactRow.opened_epoch >= int(since.astimezone(UTC).timestamp()))
    if until is not None:
        query = query.where(TrendFactRow.opened_epoch < int(until.astimezone(UTC).timestamp()))
    rows = session.execute(query).all()
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy()
    # Not np.array(rows): numpy probes every SQLAlchemy Row for the array protocols (10 s per million rows).
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=2 * len(rows))
    pairs = flat.reshape(-1, 2)
    return pairs[:, 0].copy(), pairs[:, 1].copy()


def load_labels(session: Session) -> dict[str, dict[int, str]]:
    labels: dict[str, dict[int, str]] = {dimension: {} for dimension in CODED_DIMENSIONS}
    for row in session.execute(select(DimensionCodeRow)).scalars():
        labels.setdefault(row.dimension, {})[row.code] = row.label
    labels["channel"] = {code: channel.value for channel, code in CHANNEL_CODES.items()}
    return labels


def fact_count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(TrendFactRow)).scalar_one())


def scan_hotspots(
    database: Any, since: datetime | None, until: datetime | None, *, limit: int = 20
) -> list[Any]:
    """Hotspots among the cases documented and opened in [since, until), best first."""
    from core.hotspots import find_hotspots

    with database.read() as session:
        case_ids, packed = load_facts(session, since, until)
        labels = load_labels(session)
    return find_hotspots(case_ids, packed, labels, limit=limit)


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
    for dimension in ("staff", "site", "product", "category"):
        counts = np.bincount(columns[dimension]) if len(pairs) else np.zeros(0, dtype=np.int64)
        order = np.argsort(-counts)[:top]
        tops[dimension] = [
            (labels.get(dimension, {}).get(int(code), f"#{code}"), int(counts[code]))
            for code in order
            if counts[code] > 0
        ]
    return TrendOverview(grid.tolist(), per_day, tops, len(pairs))
