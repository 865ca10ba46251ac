"""APScheduler inside the app's event loop: the next deadline warning and the end-of-shift export."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from core.clock import Clock

WARNINGS_JOB = "deadline-warnings"
SHIFT_END_JOB = "shift-end-export"
ESCALATION_JOB = "escalation-ladder"
SHIFT_CHANGE_JOB = "shift-change-orphans"


class AppScheduler:
    """Jobs are planned in the service clock's time and mapped onto the wall clock APScheduler runs on,
    so a test's frozen clock and the real one plan alike. Re-planned from the database's state on every
    change, hence nothing stale survives a fix or a reassignment.

    APScheduler is imported on start, after the first frame: it is not needed to paint."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.scheduler: Any = None

    def start(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]

        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def wall_time(self, at: datetime) -> datetime:
        return datetime.now(UTC) + (at - self.clock.now())

    def plan(self, job_id: str, at: datetime | None, run: Callable[[], Awaitable[Any]]) -> None:
        """Run `run` at `at` (service-clock time), replacing any earlier plan of this job; None cancels."""
        if self.scheduler is None:
            return
        if at is None:
            if self.scheduler.get_job(job_id):
                self.scheduler.remove_job(job_id)
            return
        from apscheduler.triggers.date import DateTrigger  # type: ignore[import-untyped]

        self.scheduler.add_job(
            run,
            DateTrigger(run_date=self.wall_time(at), timezone=UTC),
            id=job_id,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    def planned_at(self, job_id: str) -> datetime | None:
        job = self.scheduler.get_job(job_id) if self.scheduler is not None else None
        return None if job is None else job.next_run_time
