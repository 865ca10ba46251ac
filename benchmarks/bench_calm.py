"""Calm: how much of ten idle minutes on the demo shift has a toast on screen; bells against new breaches.

    python benchmarks/bench_calm.py [--minutes 10] [--sample-seconds 2]

In process: the demo database (`core.demo.build_demo`, the running shift plus 90 days of history) is written
into a temp SQLite file, and `ShiftdeskApp` runs under `run_test()` on an injected `FrozenClock`. The clock is
advanced one second at a time through the window; the warnings job and the escalation ladder's run when the
clock reaches the moment the app planned them for (what APScheduler does on the wall clock), the 1-s tick runs
each second, and each frame is painted. Nobody touches a key: the idle supervisor. A toast counts as on screen
from the simulated moment it was raised for its timeout (Textual's toasts expire on the wall clock, which
stands still here). Sampled every two simulated seconds. Prints the figures and a `RESULT {json}` line; exits
non-zero when a target is missed: a toast on screen ≤ 10 % of the samples, bells ≤ new breaches.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_SHARE = 0.10


async def calm(minutes: float, sample_seconds: float) -> dict[str, Any]:
    from core.clock import FrozenClock
    from core.config import Settings
    from core.demo import DEMO_SHIFTS, build_demo
    from core.policy import AuthorityPolicy
    from storage.database import Database
    from storage.service import WorkflowService
    from tui.app import ShiftdeskApp
    from tui.scheduling import ESCALATION_JOB, WARNINGS_JOB

    start = datetime.now(UTC).replace(microsecond=0)
    settings = replace(
        Settings(),
        shifts=DEMO_SHIFTS,
        authority=AuthorityPolicy(limits={shift.supervisor: 250.0 for shift in DEMO_SHIFTS}),
    )
    folder = Path(tempfile.mkdtemp(prefix="shiftdesk-calm-"))
    clock = FrozenClock(start)
    service = WorkflowService(Database(f"sqlite:///{folder / 'demo.db'}"), settings, clock)
    data = build_demo(start, settings.zone)
    service.import_histories([*data.history, *data.shift_cases])

    app = ShiftdeskApp(service, actor="Omar Farouk", poll_seconds=1.0, hotspots=False, auto_export=False)
    toasts: list[tuple[datetime, float, str]] = []  # (raised at, on the frozen clock; timeout; text)
    bells: list[datetime] = []
    planned: dict[str, tuple[datetime, Callable[[], Awaitable[Any]]]] = {}
    notify = app.notify

    def counting_notify(message: Any, **kwargs: Any) -> None:
        timeout = kwargs.get("timeout")
        toasts.append(
            (clock.now(), float(timeout if timeout is not None else app.NOTIFICATION_TIMEOUT), str(message))
        )
        notify(message, **kwargs)

    def plan(job_id: str, at: datetime | None, run: Callable[[], Awaitable[Any]]) -> None:
        if at is None:
            planned.pop(job_id, None)
        else:
            planned[job_id] = (at, run)

    app.notify = counting_notify  # type: ignore[method-assign]
    app.bell = lambda: bells.append(clock.now())  # type: ignore[method-assign]
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        app.scheduler.plan = plan  # type: ignore[method-assign]
        await app.loaded.wait()
        await pilot.pause()
        began = clock.now()  # start-up's own toasts (if any) count: they are on screen in the window too
        toasts[:] = [(began, timeout, text) for _at, timeout, text in toasts]
        app.alerts.plan_warnings()
        deadlines = app.board.all_deadlines()
        end = began + timedelta(minutes=minutes)
        new_breaches = len({(d.case_id, d.kind, d.due_at) for d in deadlines if began < d.due_at <= end})
        samples = on_screen = 0
        next_sample = began + timedelta(seconds=sample_seconds / 2)  # between whole-second events
        while clock.now() < end:
            clock.advance(seconds=1)
            now = clock.now()
            for job_id in (WARNINGS_JOB, ESCALATION_JOB):  # the breach toasts, then the ladder's
                job = planned.get(job_id)
                if job is not None and job[0] <= now:
                    planned.pop(job_id)
                    await job[1]()
            app.tick()
            await pilot.pause()
            while next_sample <= now:
                samples += 1
                if any(at <= next_sample < at + timedelta(seconds=timeout) for at, timeout, _ in toasts):
                    on_screen += 1
                next_sample += timedelta(seconds=sample_seconds)
    share = on_screen / samples if samples else 0.0
    covered = covered_seconds([(at, timeout) for at, timeout, _ in toasts], began, end)
    return {
        "figure": "calm",
        "minutes": minutes,
        "open_cases": len(app.board.cases),
        "samples": samples,
        "with_toast": on_screen,
        "value": share,
        "toast_seconds": covered,
        "toasts": len(toasts),
        "bells": len(bells),
        "new_breaches": new_breaches,
        "examples": [text[:100] for _at, _timeout, text in toasts[:5]],
    }


def covered_seconds(shown: list[tuple[datetime, float]], began: datetime, end: datetime) -> float:
    """Seconds of [began, end) with at least one toast on screen (the union of their lifetimes)."""
    total = 0.0
    reach = began
    for at, timeout in sorted(shown):
        low, high = max(at, reach, began), min(at + timedelta(seconds=timeout), end)
        if high > low:
            total += (high - low).total_seconds()
            reach = high
    return total


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--sample-seconds", type=float, default=2.0)
    args = parser.parse_args()
    result = asyncio.run(calm(args.minutes, args.sample_seconds))
    share, bells, breaches = result["value"], result["bells"], result["new_breaches"]
    print(
        f"calm, {args.minutes:g} idle minutes on the demo shift ({result['open_cases']} open cases): "
        f"a toast on screen in {result['with_toast']} of {result['samples']} samples = {share:.1%} "
        f"(target ≤ {TARGET_SHARE:.0%}; {result['toast_seconds']:.0f} s of {args.minutes * 60:.0f} s); "
        f"{result['toasts']} toasts; bells {bells} for {breaches} new breaches "
        f"(ratio {bells / breaches if breaches else 0:.2f}, target ≤ 1)"
    )
    for example in result["examples"]:
        print(f"  toast: {example}")
    print("RESULT " + json.dumps(result))
    return 0 if share <= TARGET_SHARE and bells <= breaches else 1


if __name__ == "__main__":
    sys.exit(main())
