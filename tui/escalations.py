"""The escalation ladder on the dashboard: rounds planned on the scheduler, toasts for new steps and
repeats; the steps themselves are taken by the service, once per database."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING

from core.escalation import alert_line
from tui.scheduling import ESCALATION_JOB, AppScheduler
from tui.text import literal

if TYPE_CHECKING:
    from tui.app import ShiftdeskApp

TOAST_SECONDS = 8.0


class Escalations:
    """Plans the next instant anything happens on a ladder (a breach, a step, a repeat) from the board's
    deadlines after each change, and runs one round then: no work per second, none per stored event."""

    def __init__(self, app: ShiftdeskApp, scheduler: AppScheduler) -> None:
        self.app = app
        self.scheduler = scheduler
        self.since: datetime | None = None  # this terminal's previous round (None: none since the start)
        self.running = False

    def next_at(self, now: datetime) -> datetime | None:
        ladder = self.app.settings.escalation
        instants = [ladder.next_at(deadline.due_at, now) for deadline in self.app.board.all_deadlines()]
        return min((at for at in instants if at is not None), default=None)

    def plan(self) -> None:
        self.scheduler.plan(ESCALATION_JOB, self.next_at(self.app.now()), self.run)

    async def run(self) -> None:
        """One round: the service takes the steps that are due (or learns another dashboard did); this
        terminal toasts what it took and the repeats of unacknowledged steps, then plans the next round."""
        if self.running:
            return
        self.running = True
        app = self.app
        try:
            now = app.now()
            breached = [deadline for deadline in app.board.all_deadlines() if deadline.due_at <= now]
            if breached:
                service = await app.ready_service()
                alerts = await asyncio.to_thread(service.escalate_breached, breached, self.since)
                if alerts:
                    app.notify(literal(alert_line(alerts, now)), severity="error", timeout=TOAST_SECONDS)
                    if app.settings.bell and any(not alert.repeat for alert in alerts):
                        app.bell()
            self.since = now
        except Exception as error:  # the next change or round tries again; the supervisor is told
            app.notify(literal(f"escalation round failed: {error}"), severity="error", timeout=8)
        finally:
            self.running = False
        self.plan()
