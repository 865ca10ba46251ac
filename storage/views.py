"""The read side: what the dashboard, the CLI and the exports show, fetched apart from the write path."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from core.absence import Absence
from core.cases import Action, Case, Event
from core.deposition import FiledDeposition
from core.hotspots import DEFAULT_BOUNDARIES
from core.workflow import clock_pauses
from storage.database import Database
from storage.mapping import case_from_row, case_row, event_from_row, filed_from_row
from storage.models import AbsenceRow, CaseRow, DepositionRow, EscalationRow, EventRow
from storage.pauses import with_pauses

if TYPE_CHECKING:
    from core.config import Settings
    from core.escalation import DeadlineKey, LadderState
    from core.hotspot_causes import CauseCount
    from core.hotspots import Hotspot
    from core.summary import Period
    from storage.trend_facts import TrendOverview


@dataclass(frozen=True, slots=True)
class CaseDetail:
    case: Case
    events: list[Event]
    deposition: FiledDeposition | None


@dataclass(frozen=True, slots=True)
class DepositionLine:
    """One line of the recent-depositions pane."""

    case_id: int
    filed_at: datetime
    author: str
    customer: str
    category: str
    root_cause: str


def latest_event_id(database: Database) -> int:
    """The newest event id: a change anywhere moves it (one index lookup)."""
    with database.read() as session:
        return int(session.execute(select(func.max(EventRow.id))).scalar() or 0)


def open_cases(database: Database) -> list[Case]:
    with database.read() as session:
        rows = session.execute(select(CaseRow).where(CaseRow.closed_at.is_(None))).scalars()
        return with_pauses(session, [case_from_row(row) for row in rows])


def changed_since(database: Database, event_id: int) -> tuple[int, list[Case]]:
    """The cases whose newest event is after `event_id`, and the new watermark."""
    with database.read() as session:
        newest = int(session.execute(select(func.max(EventRow.id))).scalar() or 0)
        if newest <= event_id:
            return newest, []
        rows = session.execute(
            select(CaseRow).where(CaseRow.last_event_id > event_id, CaseRow.last_event_id <= newest)
        ).scalars()
        return newest, with_pauses(session, [case_from_row(row) for row in rows])


def list_cases(database: Database, *, open_only: bool = False, limit: int | None = None) -> list[Case]:
    with database.read() as session:
        query = select(CaseRow).order_by(CaseRow.id.desc())
        if open_only:
            query = query.where(CaseRow.closed_at.is_(None))
        if limit:
            query = query.limit(limit)
        return with_pauses(session, [case_from_row(row) for row in session.execute(query).scalars()][::-1])


def case_detail(database: Database, case_id: int) -> CaseDetail:
    with database.read() as session:
        row = case_row(session, case_id)
        events = [
            event_from_row(event)
            for event in session.execute(
                select(EventRow).where(EventRow.case_id == case_id).order_by(EventRow.id)
            ).scalars()
        ]
        deposition_row = session.get(DepositionRow, case_id)
        deposition = None
        if deposition_row is not None:
            amendments = [event for event in events if event.action is Action.AMEND]
            deposition = filed_from_row(deposition_row, amendments)
        # The pauses of its running clock are read off its events, as storage keeps them.
        return CaseDetail(replace(case_from_row(row), pauses=clock_pauses(events)), events, deposition)


def recent_depositions(database: Database, limit: int = 30) -> list[DepositionLine]:
    with database.read() as session:
        rows = session.execute(
            select(DepositionRow, CaseRow.customer, CaseRow.category)
            .join(CaseRow, CaseRow.id == DepositionRow.case_id)
            .order_by(DepositionRow.filed_at.desc(), DepositionRow.case_id.desc())
            .limit(limit)
        ).all()
        return [
            DepositionLine(dep.case_id, dep.filed_at, dep.author, customer, category, dep.root_cause)
            for dep, customer, category in rows
        ]


def opened_between(database: Database, since: datetime, until: datetime) -> list[tuple[datetime, str]]:
    """(opened_at, category) of the cases opened in [since, until): the input of the trend sparklines."""
    with database.read() as session:
        rows = session.execute(
            select(CaseRow.opened_at, CaseRow.category).where(
                CaseRow.opened_at >= since, CaseRow.opened_at < until
            )
        ).all()
        return [(opened_at, category) for opened_at, category in rows]


def hourly_counts(opened: list[tuple[datetime, str]], until: datetime, hours: int = 24) -> list[int]:
    """Breakdowns per hour over the `hours` before `until`, oldest first."""
    counts = [0] * hours
    start = until - timedelta(hours=hours)
    for opened_at, _category in opened:
        index = int((opened_at - start).total_seconds() // 3600)
        if 0 <= index < hours:
            counts[index] += 1
    return counts


def top_categories(opened: list[tuple[datetime, str]], top: int = 3) -> list[str]:
    return [category for category, _ in Counter(category for _, category in opened).most_common(top)]


def agent_loads(database: Database) -> dict[str, int]:
    """Open cases per assignee."""
    with database.read() as session:
        rows = session.execute(
            select(CaseRow.assignee, func.count())
            .where(CaseRow.closed_at.is_(None))
            .group_by(CaseRow.assignee)
        ).all()
        return {assignee: int(count) for assignee, count in rows}


def escalation_states(database: Database, case_ids: Sequence[int]) -> dict[DeadlineKey, LadderState]:
    """The ladder steps taken and acknowledged for the deadlines of `case_ids` (the breached ones on the
    board: a handful, whatever the history's size)."""
    from core.escalation import LadderState

    if not case_ids:
        return {}
    taken: dict[DeadlineKey, set[int]] = {}
    acked: dict[DeadlineKey, set[int]] = {}
    with database.read() as session:
        rows = session.execute(
            select(
                EscalationRow.case_id,
                EscalationRow.kind,
                EscalationRow.due_at,
                EscalationRow.step,
                EscalationRow.acked_at,
            ).where(EscalationRow.case_id.in_(sorted(set(case_ids))))
        ).all()
    for case_id, kind, due_at, step, acked_at in rows:
        key = (case_id, kind, due_at)
        taken.setdefault(key, set()).add(step)
        if acked_at is not None:
            acked.setdefault(key, set()).add(step)
    return {key: LadderState(frozenset(steps), frozenset(acked.get(key, ()))) for key, steps in taken.items()}


def absences(database: Database) -> list[Absence]:
    """The agents marked absent now (not marked present again), by name."""
    with database.read() as session:
        rows = session.execute(
            select(AbsenceRow).where(AbsenceRow.ended_at.is_(None)).order_by(AbsenceRow.agent)
        ).scalars()
        return [Absence(row.agent, row.since, row.marked_by) for row in rows]


def recent_agents(database: Database, since: datetime) -> list[str]:
    """Who was assigned or owned the cases opened since `since`, by name: the people to hand a case to
    when no roster is configured."""
    with database.read() as session:
        recent = select(CaseRow.assignee, CaseRow.owner).where(CaseRow.opened_at >= since).subquery()
        names = session.execute(
            select(recent.c.assignee).union(select(recent.c.owner)),
        ).scalars()
        return sorted({name for name in names if name and name.strip()}, key=str.casefold)


def latest_event_at(database: Database) -> datetime | None:
    """When the newest event happened (None for an empty database)."""
    with database.read() as session:
        newest = session.execute(select(EventRow.at).order_by(EventRow.id.desc()).limit(1)).scalar()
        return newest


def cases_by_ids(database: Database, case_ids: list[int]) -> list[Case]:
    """The cases with these ids, in id order (a hotspot's cases)."""
    if not case_ids:
        return []
    with database.read() as session:
        rows = session.execute(select(CaseRow).where(CaseRow.id.in_(case_ids)).order_by(CaseRow.id)).scalars()
        return with_pauses(session, [case_from_row(row) for row in rows])


class ProbeClosed(RuntimeError):
    """The change probe was asked after `close` (a poll that outlived the dashboard)."""


class ChangeProbe:
    """A cheap "has anything been committed since I last asked?" for the dashboard's 1-second poll.

    On SQLite, `PRAGMA data_version` on a connection of its own changes whenever any other connection (this
    process's service included) commits: no transaction, no ORM. On PostgreSQL, one plain `max(id)`.
    """

    def __init__(self, database: Database) -> None:
        import sqlite3

        from storage.quick_read import sqlite_file

        self.database = database
        self._sqlite: sqlite3.Connection | None = None
        # `close` (on exit, from the event loop) must not free the connection under a worker thread that is
        # still asking on it: sqlite3 does not guard that, and the process dies in C (seen under load).
        self._lock = threading.Lock()
        path = sqlite_file(database.url) if database.is_sqlite else None
        if path is not None:
            # Asked from the event loop or a worker thread, one call at a time (polls never overlap).
            self._sqlite = sqlite3.connect(path, timeout=2, check_same_thread=False)
        self._on_file = self._sqlite is not None

    @property
    def instant(self) -> bool:
        """True when `token()` never waits on I/O (SQLite's counter lives in shared memory: ~8 µs), so the
        caller may ask on its own thread instead of paying a thread hand-off every second."""
        return self._on_file

    def token(self) -> int:
        if self.instant:
            with self._lock:
                if self._sqlite is None:
                    raise ProbeClosed("the change probe is closed")
                return int(self._sqlite.execute("PRAGMA data_version").fetchone()[0])
        with self.database.engine.connect() as connection:
            return int(connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM events").scalar() or 0)

    def close(self) -> None:
        with self._lock:
            if self._sqlite is not None:
                self._sqlite.close()
                self._sqlite = None


class Reads:
    """Everything the dashboard reads, typed, over one `Database`: screens are handed this, never the writer.

    Each method is a short read transaction and may run in a worker thread.
    """

    def __init__(self, database: Database) -> None:
        self.database = database

    def latest_event_id(self) -> int:
        return latest_event_id(self.database)

    def open_cases(self) -> list[Case]:
        return open_cases(self.database)

    def changed_since(self, event_id: int) -> tuple[int, list[Case]]:
        return changed_since(self.database, event_id)

    def case_detail(self, case_id: int) -> CaseDetail:
        return case_detail(self.database, case_id)

    def cases_by_ids(self, case_ids: list[int]) -> list[Case]:
        return cases_by_ids(self.database, case_ids)

    def recent_depositions(self, limit: int = 30) -> list[DepositionLine]:
        return recent_depositions(self.database, limit)

    def opened_between(self, since: datetime, until: datetime) -> list[tuple[datetime, str]]:
        return opened_between(self.database, since, until)

    def agent_loads(self) -> dict[str, int]:
        return agent_loads(self.database)

    def recent_agents(self, since: datetime) -> list[str]:
        return recent_agents(self.database, since)

    def escalation_states(self, case_ids: Sequence[int]) -> dict[DeadlineKey, LadderState]:
        return escalation_states(self.database, case_ids)

    def absences(self) -> list[Absence]:
        return absences(self.database)

    def hotspots(
        self,
        since: datetime,
        until: datetime,
        *,
        limit: int = 20,
        boundaries: Sequence[int] = DEFAULT_BOUNDARIES,
    ) -> list[Hotspot]:
        from storage.trend_facts import scan_hotspots

        found: list[Hotspot] = scan_hotspots(self.database, since, until, limit=limit, boundaries=boundaries)
        return found

    def hotspots_with_causes(
        self,
        since: datetime,
        until: datetime,
        *,
        limit: int = 20,
        boundaries: Sequence[int] = DEFAULT_BOUNDARIES,
    ) -> list[tuple[Hotspot, list[CauseCount]]]:
        """The scan's hotspots, each with the causes its depositions name more often than the rest's."""
        from storage.hotspot_causes import hotspot_causes
        from storage.trend_facts import scan_hotspots

        found: list[Hotspot] = scan_hotspots(self.database, since, until, limit=limit, boundaries=boundaries)
        return list(zip(found, hotspot_causes(self.database, found, since, until), strict=True))

    def trend_overview(self, since: datetime, until: datetime, zone: tzinfo) -> TrendOverview:
        from storage.trend_facts import trend_overview

        return trend_overview(self.database, since, until, zone)

    def shift_export(self, settings: Settings, period: Period, fmt: str, now: datetime) -> str:
        """The summary document of `period` in `fmt` (unredacted: the dashboard's own export folder)."""
        from storage.summary_views import export_shift

        return export_shift(self.database, settings, period, fmt, False, now)

    def change_probe(self) -> ChangeProbe:
        return ChangeProbe(self.database)
