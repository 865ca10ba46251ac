"""Escalation ladder: one round's cost against the size of the history behind the open cases.

    python benchmarks/bench_escalation.py [--rounds 20]

In process, on two SQLite files holding the same running shift (`core.demo.build_demo`'s shift cases): one
with that shift alone, one with 90 days of history under it as well. The clock is frozen 45 minutes after the
demo's now, so most open deadlines are breached. Figures, each the median of `--rounds`:

* the planning pass of the dashboard (`tui.escalations.Escalations.next_at`'s maths over the board's pending
  deadlines, run after every change, never per second);
* a ladder round with nothing new to take (`WorkflowService.escalate_breached`: reads the steps stored for
  the breached deadlines, decides repeats) — the round every repeat instant runs;
* the first round, which takes every due step in one transaction (once: timed once per database).

The target: a round costs the same whatever the history (ratio with history / without ≤ 1.5). Prints the
figures and a `RESULT {json}` line; exits non-zero when the target is missed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_RATIO = 1.5


def measure(with_history: bool, rounds: int, start: datetime) -> dict[str, Any]:
    from core.clock import FrozenClock
    from core.config import Settings
    from core.deadlines import pending_deadlines
    from core.demo import DEMO_SHIFTS, build_demo
    from core.escalation import Ladder
    from core.policy import AuthorityPolicy
    from storage import views
    from storage.database import Database
    from storage.service import WorkflowService

    settings = replace(
        Settings(zone=UTC),
        shifts=DEMO_SHIFTS,
        authority=AuthorityPolicy(limits={shift.supervisor: 250.0 for shift in DEMO_SHIFTS}),
        escalation=Ladder(manager="Dana Reyes"),
    )
    folder = Path(tempfile.mkdtemp(prefix="shiftdesk-ladder-"))
    clock = FrozenClock(start)
    service = WorkflowService(Database(f"sqlite:///{folder / 'ladder.db'}"), settings, clock)
    data = build_demo(start, settings.zone)
    service.import_histories([*data.history, *data.shift_cases] if with_history else data.shift_cases)
    events = views.latest_event_id(service.database)
    clock.advance(minutes=45)
    cases = views.open_cases(service.database)
    deadlines = sorted(
        (d for case in cases for d in pending_deadlines(case, settings.deadlines, settings.calendar)),
        key=lambda d: d.due_at,
    )
    now = clock.now()
    breached = [d for d in deadlines if d.due_at <= now]

    began = time.perf_counter()
    first = service.escalate_breached(breached, None)
    first_ms = (time.perf_counter() - began) * 1000

    plans, reads = [], []
    for index in range(rounds):
        began = time.perf_counter()
        instants = [settings.escalation.next_at(d.due_at, now) for d in deadlines]
        min(at for at in instants if at is not None)
        plans.append((time.perf_counter() - began) * 1000)
        since = now - timedelta(seconds=1 + index)  # no repeat instant in (since, now]
        began = time.perf_counter()
        again = service.escalate_breached(breached, since)
        reads.append((time.perf_counter() - began) * 1000)
        assert not [alert for alert in again if not alert.repeat], "a step taken twice"
    service.database.dispose()
    return {
        "events": events,
        "open_cases": len(cases),
        "breached": len(breached),
        "steps_taken_first_round": len(first),
        "first_round_ms": round(first_ms, 2),
        "plan_ms": round(statistics.median(plans), 3),
        "round_ms": round(statistics.median(reads), 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    start = datetime.now(UTC).replace(microsecond=0)
    alone = measure(False, args.rounds, start)
    history = measure(True, args.rounds, start)
    ratio = history["round_ms"] / alone["round_ms"] if alone["round_ms"] else 0.0
    for label, figures in (("shift alone", alone), ("with 90 days of history", history)):
        print(
            f"{label:>24}: {figures['events']:>6} events, {figures['breached']} breached of "
            f"{figures['open_cases']} open · first round {figures['first_round_ms']} ms "
            f"({figures['steps_taken_first_round']} steps) · round {figures['round_ms']} ms · "
            f"plan {figures['plan_ms']} ms"
        )
    ok = ratio <= TARGET_RATIO
    print(f"round with history / without: {ratio:.2f}× (target ≤ {TARGET_RATIO}×) {'ok' if ok else 'MISSED'}")
    result = {"figure": "escalation-round", "value": ratio, "alone": alone, "history": history}
    print("RESULT " + json.dumps(result))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
