"""Times the end-of-shift export of a seeded 5,000-case shift against one plain SELECT of those cases.

Run from the repository root: `python -m benchmarks.bench_export [--cases N] [--history-days D]`.
The shift is the Late shift (14:00–22:00 UTC) of one day, filled with demo-like stories (core/demo.py)
stopped at every stage, plus optional days of closed history before it that the export must skip.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import bindparam, or_, select

from core.cases import CaseHistory, Stage
from core.clock import FrozenClock
from core.config import Settings
from core.demo import AGENTS, CATEGORIES, DEMO_SHIFTS, PRODUCTS, _new_case, _story
from core.export_formats import to_csv, to_json, to_markdown
from core.summary import resolve_shift, summarize
from storage.database import Database
from storage.models import CaseRow
from storage.service import WorkflowService
from storage.summary_views import export_shift, histories_to_summarize

TARGET_SECONDS = 1.0  # one document (load + summarize + render), as `shiftdesk export` produces
BASELINE = select(CaseRow.__table__).where(
    CaseRow.opened_at < bindparam("end"),
    or_(CaseRow.closed_at.is_(None), CaseRow.closed_at >= bindparam("start")),
)
SHIFT_START = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
NOW = SHIFT_START + timedelta(hours=8, minutes=5)  # just after the end of the Late shift
STOPS = [Stage.APOLOGIZED, Stage.REVIEWED, Stage.FIXED, Stage.FOLLOWED_UP, Stage.DOCUMENTED, Stage.CLOSED]


def shift_histories(count: int, start: datetime, rng: random.Random) -> list[CaseHistory]:
    """`count` cases opened across the 8 hours from `start`, a third of them carried to the end."""
    histories = []
    for _ in range(count):
        agent = rng.choice(AGENTS)
        opened = start + timedelta(seconds=rng.uniform(0, 8 * 3600 - 60))
        case = _new_case(rng, agent, opened, rng.choice(PRODUCTS), rng.choice(CATEGORIES))
        stop = rng.choice([None, None, *STOPS])
        events, deposition = _story(rng, case, opened, stop)
        histories.append(CaseHistory(case, events, deposition))
    return histories


def build(url: str, cases: int, history_days: int, seed: int) -> Settings:
    rng = random.Random(seed)
    settings = Settings(zone=UTC, shifts=DEMO_SHIFTS)
    histories = []
    for day in range(history_days, 0, -1):  # earlier days, all closed: not part of the export
        day_start = SHIFT_START - timedelta(days=day)
        histories += [h for h in shift_histories(cases // 10, day_start, rng) if h.case.closed_at]
    histories += shift_histories(cases, SHIFT_START, rng)
    database = Database(url)
    WorkflowService(database, settings, FrozenClock(NOW)).import_histories(histories)
    database.dispose()
    return settings


def timed(function, *args):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - began


def main_bench() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=5_000)
    parser.add_argument("--history-days", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="Best of this many runs.")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        settings = build(url, args.cases, args.history_days, args.seed)
        period = resolve_shift("2026-11-24:Late", settings.calendar, NOW)
        database = Database(url)
        best: dict[str, float] = {}

        def keep(name: str, value: float) -> None:
            best[name] = min(best.get(name, value), value)

        shift_cases = 0
        for _ in range(args.repeat):
            # The parts: one load, one summary, the three renderings of it.
            began = time.perf_counter()
            histories, load = timed(histories_to_summarize, database, period.start, period.end)
            summary, summarize_time = timed(
                summarize, histories, period.start, period.end, NOW, settings.deadlines, settings.calendar
            )
            _md, md_time = timed(to_markdown, summary, settings.zone, False)
            _csv, csv_time = timed(to_csv, summary, settings.zone, False)
            _json, json_time = timed(to_json, summary, False)
            keep("all three", time.perf_counter() - began)
            shift_cases = len(summary.cases)
            for name, value in (
                ("load", load),
                ("summarize", summarize_time),
                ("md", md_time),
                ("csv", csv_time),
                ("json", json_time),
            ):
                keep(name, value)
            # The full export as `shiftdesk export`, the dashboard and the end-of-shift job run it.
            for fmt in ("md", "csv", "json"):
                cpu = time.process_time()
                _text, seconds = timed(export_shift, database, settings, period, fmt, False, NOW)
                keep(f"export {fmt}", seconds)
                keep(f"cpu {fmt}", time.process_time() - cpu)
            # The baseline: the same case rows, one plain SELECT, no mapping.
            began = time.perf_counter()
            with database.engine.connect() as connection:
                rows = connection.execute(BASELINE, {"start": period.start, "end": period.end}).fetchall()
            keep("baseline", time.perf_counter() - began)
            assert len(rows) == shift_cases, (len(rows), shift_cases)
        database.dispose()
    total = max(best["export md"], best["export csv"], best["export json"])
    # The process's CPU time for the same exports: on a busy machine a steadier figure than the wall clock.
    cpu = max(best["cpu md"], best["cpu csv"], best["cpu json"])
    baseline = best["baseline"]
    verdict = "OK" if total <= TARGET_SECONDS else "TOO SLOW"
    print(
        f"export of {shift_cases}-case shift: {total:.2f} s for one document, slowest format (CPU "
        f"{cpu:.2f} s; load "
        f"{best['load']:.2f} s, summarize {best['summarize']:.2f} s, render md {best['md']:.2f} s, "
        f"csv {best['csv']:.2f}, json {best['json']:.2f}; all three formats from one load "
        f"{best['all three']:.2f} s); baseline SELECT of {shift_cases} cases {baseline:.3f} s; "
        f"ratio {total / baseline:.1f}x; target <= {TARGET_SECONDS:.0f} s: {verdict}"
    )
    return 0 if total <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main_bench())
