"""Pauses kept as events: what rebuilding the running clocks' pauses adds to reading the open cases.

    python benchmarks/bench_pauses.py [--open 5000] [--paused 50] [--repeat 7]

A temp SQLite file gets `--open` open cases of a running shift (benchmarks/_common.open_shift_histories), then
`--paused` of those whose clock runs are paused through the WorkflowService. Timed, medians of `--repeat`:
the ORM read of the open cases as it was before pauses (the rows, mapped) against `storage.views.open_cases`
(the same plus `storage.pauses.with_pauses`), and the first-paint quick read's bare SELECT against
`storage.quick_read.open_cases` (the same plus its clock-events query) — each with no case paused, then with
`--paused`. Prints the figures and a `RESULT {json}` line; exits non-zero when a read with pauses takes more
than 1.5× its baseline (target).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import emit, median, open_shift_histories  # noqa: E402 (needs ROOT on the path)

TARGET_RATIO = 1.5


def timed(read: Callable[[], object], repeat: int) -> float:
    read()  # warm: the first read pays for statement compilation and the page cache
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        read()
        samples.append(time.perf_counter() - began)
    return median(samples)


def measure(url: str, repeat: int) -> dict[str, float]:
    import sqlite3

    from sqlalchemy import select

    from storage import quick_read, views
    from storage.database import Database
    from storage.mapping import case_from_row
    from storage.models import CaseRow

    database = Database(url)

    def orm_before() -> object:  # storage/views.open_cases as it was before pauses
        with database.read() as session:
            rows = session.execute(select(CaseRow).where(CaseRow.closed_at.is_(None))).scalars()
            return [case_from_row(row) for row in rows]

    path = quick_read.sqlite_file(url)
    assert path is not None

    def quick_before() -> object:  # the quick read's one SELECT, as it was before pauses
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = connection.execute(
                f"SELECT {quick_read.COLUMNS} FROM cases WHERE closed_at IS NULL"
            ).fetchall()
            return [quick_read._case(row) for row in rows]
        finally:
            connection.close()

    from storage.pauses import with_pauses

    cases = orm_before()
    assert isinstance(cases, list)

    def pauses_alone() -> object:  # what with_pauses adds, on the cases already read
        with database.read() as session:
            return with_pauses(session, cases)

    clock_events = quick_read._CLOCK_EVENTS

    def quick_clock_alone() -> object:  # what the quick read's clock-events query adds
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return connection.execute(clock_events).fetchall()
        finally:
            connection.close()

    try:
        return {
            "pauses_alone_ms": 1000 * timed(pauses_alone, repeat),
            "quick_clock_alone_ms": 1000 * timed(quick_clock_alone, repeat),
            "orm_before_ms": 1000 * timed(orm_before, repeat),
            "orm_ms": 1000 * timed(lambda: views.open_cases(database), repeat),
            "quick_before_ms": 1000 * timed(quick_before, repeat),
            "quick_ms": 1000 * timed(lambda: quick_read.open_cases(url), repeat),
        }
    finally:
        database.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=5000)
    parser.add_argument("--paused", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()

    from core.clock import SystemClock
    from core.config import Settings
    from storage import views
    from storage.database import Database
    from storage.service import WorkflowService

    result: dict[str, Any] = {"bench": "pauses", "open": options.open, "paused": options.paused}
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/shiftdesk.db"
        database = Database(url)
        service = WorkflowService(database, Settings(zone=UTC), SystemClock())
        service.import_histories(open_shift_histories(options.open, datetime.now(UTC), seed=7))
        none = measure(url, options.repeat)
        running = [case.id for case in views.open_cases(database) if case.fixed_at is None]
        for case_id in running[: options.paused]:
            assert case_id is not None
            service.pause(case_id, "Bench", "customer calls back")
        some = measure(url, options.repeat)
        database.dispose()
    worst = 0.0
    for label, figures in (("no case paused", none), (f"{options.paused} paused", some)):
        orm = figures["orm_ms"] / figures["orm_before_ms"]
        quick = figures["quick_ms"] / figures["quick_before_ms"]
        worst = max(worst, orm, quick)
        print(
            f"{options.open} open cases, {label}: ORM read {figures['orm_ms']:.1f} ms "
            f"(before pauses {figures['orm_before_ms']:.1f} ms, {orm:.2f}×; the pauses alone "
            f"{figures['pauses_alone_ms']:.1f} ms); quick read {figures['quick_ms']:.1f} ms (before "
            f"{figures['quick_before_ms']:.1f} ms, {quick:.2f}×; its clock query alone "
            f"{figures['quick_clock_alone_ms']:.1f} ms)"
        )
        result[label.replace(" ", "_")] = {key: round(value, 2) for key, value in figures.items()}
    result["worst_ratio"] = round(worst, 3)
    result["ok"] = worst <= TARGET_RATIO
    print(f"worst ratio {worst:.2f}× (target ≤ {TARGET_RATIO}×): {'ok' if result['ok'] else 'MISSED'}")
    emit(result)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
