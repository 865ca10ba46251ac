"""Crash durability: workers killed with SIGKILL mid-command lose nothing they acknowledged."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from core.cases import Action, Stage
from core.workflow import replay
from storage import views
from storage.database import Database
from tests.pgserver import PostgresUnavailable, throwaway_postgres

REPO = Path(__file__).resolve().parent.parent
KILLS = int(os.environ.get("SHIFTDESK_CRASH_KILLS", "6"))
WORKERS = 4


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def durable_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/crash.db"
        return
    # Its own server with fsync on: a durability test must not run on a server told to skip fsync.
    try:
        with throwaway_postgres(fsync=True) as server:
            yield server.create_database("crash")
    except PostgresUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required when CI is set: {error}")
        pytest.skip(f"PostgreSQL unavailable: {error}")


def start_worker(url: str, number: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.crash_worker", url, f"w{number}", str(number)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def test_killed_workers_lose_no_acknowledged_command(durable_url: str) -> None:
    Database(durable_url).dispose()  # schema first, so workers race on data, not on migrations
    rng = random.Random(2026)
    running = [start_worker(durable_url, number) for number in range(WORKERS)]
    finished: list[subprocess.Popen[str]] = []
    started = WORKERS
    time.sleep(1.5)  # let the workers import and get going
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.2, 0.9))
        victim = running.pop(rng.randrange(len(running)))
        victim.send_signal(signal.SIGKILL)
        finished.append(victim)
        running.append(start_worker(durable_url, started))
        started += 1
    time.sleep(1.0)
    for worker in running:
        worker.send_signal(signal.SIGKILL)
    finished.extend(running)

    acknowledged: Counter[tuple[int, str]] = Counter()
    added: set[int] = set()
    for worker in finished:
        worker.wait(timeout=10)
        assert worker.stdout is not None
        for line in worker.stdout.read().splitlines():
            _, command, case_id = line.split()
            if command == "add":
                added.add(int(case_id))
            else:
                acknowledged[(int(case_id), command)] += 1
    assert len(added) >= WORKERS, "the workers barely ran: the test would prove nothing"

    database = Database(durable_url)
    cases = {case.id: case for case in views.list_cases(database)}
    assert added <= set(cases), f"acknowledged cases missing: {sorted(added - set(cases))}"
    action_names = {action.value: action for action in Action}
    for case_id, case in cases.items():
        assert case_id is not None
        detail = views.case_detail(database, case_id)
        events = detail.events
        assert events[0].action is Action.OPEN
        # The log is complete: replaying it from the opening state gives exactly the stored state.
        opened = replace(
            case,
            stage=Stage.NEW,
            assignee=case.owner,
            last_contact_at=case.opened_at,
            fixed_at=None,
            followed_up_at=None,
            documented_at=None,
            closed_at=None,
            check_back_owed_since=None,
        )
        rebuilt = replay(opened, events)
        assert (rebuilt.stage, rebuilt.assignee, rebuilt.fixed_at) == (
            case.stage,
            case.assignee,
            case.fixed_at,
        )
        assert case.version == len(events), "every committed change is exactly one event"
        recorded = Counter(event.action for event in events)
        for (acked_id, command), count in acknowledged.items():
            if acked_id == case_id:
                assert recorded[action_names[command]] >= count, (case_id, command)
    if database.is_sqlite:
        with database.engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    database.dispose()
    # The figure the README's Reliability section quotes (shown with -s).
    backend = "sqlite" if database.is_sqlite else "postgresql"
    actions = sum(acknowledged.values())
    print(
        f"\ncrash durability ({backend}): {WORKERS} workers, {KILLS} SIGKILLs, {len(added)} acknowledged "
        f"adds and {actions} acknowledged actions: all present, {len(cases)} event logs complete"
    )
