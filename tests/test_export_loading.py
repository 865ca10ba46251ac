"""The export's loader (storage/summary_views.py) against the whole histories, on SQLite and PostgreSQL:
the same summary from fewer payloads, the same histories in chunks, amended closed cases found."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from core.absence import roster_at
from core.cases import Action, CaseHistory
from core.clock import FrozenClock
from core.config import Settings
from core.demo import DEMO_SHIFTS, build_demo
from core.payloads import NOT_LOADED, DocumentPayload
from core.summary import PAYLOAD_ACTIONS, Period, summarize
from storage import summary_views
from storage.database import Database
from storage.service import WorkflowService
from storage.summary_views import histories_for_period, histories_to_summarize, summary_for

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # in the Late shift (14:00-22:00 UTC)
SETTINGS = Settings(zone=UTC, shifts=DEMO_SHIFTS)
PERIODS = [
    Period.between(NOW.replace(hour=14), NOW.replace(hour=22), "running Late"),
    Period.between(NOW - timedelta(days=1, hours=4), NOW - timedelta(hours=20), "yesterday's Late"),
    Period.between(NOW - timedelta(days=3), NOW + timedelta(days=1), "all of it"),
    Period.between(NOW + timedelta(days=2), NOW + timedelta(days=3), "later: the open cases only"),
]


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """Two days of demo stories and the running shift's cases, stored through the service."""
    database = Database(database_url)
    data = build_demo(NOW, UTC, days=2)
    WorkflowService(database, SETTINGS, FrozenClock(NOW)).import_histories([*data.history, *data.shift_cases])
    yield database
    database.dispose()


def test_the_export_loader_gives_the_summary_of_the_whole_histories(database: Database) -> None:
    for period in PERIODS:
        whole = histories_for_period(database, period.start, period.end)
        lean = histories_to_summarize(database, period.start, period.end)
        assert [h.case for h in lean] == [h.case for h in whole] and lean
        for short, long in zip(lean, whole, strict=True):
            assert short.deposition is None
            unread = [replace(e, payload=NOT_LOADED) for e in long.events]
            assert [replace(e, payload=NOT_LOADED) for e in short.events] == unread
            for kept, stored in zip(short.events, long.events, strict=True):
                assert kept.payload == (stored.payload if stored.action in PAYLOAD_ACTIONS else NOT_LOADED)
        for now in (NOW, NOW - timedelta(minutes=7)):
            # The export names the next shift's roster, so that cases nobody there has come first.
            roster = roster_at(SETTINGS.calendar, period.end)
            expected = summarize(
                whole,
                period.start,
                period.end,
                now,
                SETTINGS.deadlines,
                SETTINGS.calendar,
                next_roster=roster,
            )
            assert summary_for(database, SETTINGS, period, now) == replace(expected, label=period.label)
    documents = histories_for_period(database, NOW - timedelta(days=3), NOW)
    assert any(h.deposition for h in documents)
    assert any(isinstance(e.payload, DocumentPayload) for h in documents for e in h.events)


def test_histories_come_the_same_in_chunks_of_case_ids(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    period = PERIODS[2]
    at_once = histories_for_period(database, period.start, period.end)
    lean = histories_to_summarize(database, period.start, period.end)
    assert len(at_once) > 7 * 3
    monkeypatch.setattr(summary_views, "_IDS_PER_QUERY", 7)
    assert histories_for_period(database, period.start, period.end) == at_once
    assert histories_to_summarize(database, period.start, period.end) == lean


def test_an_amendment_brings_a_long_closed_case_into_the_period(database: Database) -> None:
    period = PERIODS[0]
    before = {h.case.id for h in histories_to_summarize(database, period.start, period.end)}
    closed = [
        h
        for h in histories_for_period(database, NOW - timedelta(days=3), NOW - timedelta(days=1))
        if h.case.closed_at is not None and h.case.closed_at < NOW - timedelta(days=1)
    ]
    case_id = closed[0].case.id
    assert case_id is not None and case_id not in before
    service = WorkflowService(database, SETTINGS, FrozenClock(NOW - timedelta(minutes=30)))
    service.act(case_id, Action.AMEND, "Hana Sato", "The carrier confirmed the missed slot.")
    after: list[CaseHistory] = histories_to_summarize(database, period.start, period.end)
    assert {h.case.id for h in after} == before | {case_id}
    summary = summary_for(database, SETTINGS, period, NOW)
    line = next(line for line in summary.cases if line.case.id == case_id)
    assert line.last_note == "The carrier confirmed the missed slot."
