"""The escalation ladder on the dashboard: rounds planned on the scheduler, toasts for new steps and
repeats; the steps themselves are taken by the service, once per database."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING

from core.absence import orphan_reason, roster_at
from core.escalation import ROUND_GAP, DeadlineKey, LadderAlert, alert_line, key_of
from tui.alerts import TOAST_SECONDS, WARNING_GATHER
from tui.scheduling import ESCALATION_JOB, SHIFT_CHANGE_JOB, AppScheduler
from tui.text import literal

if TYPE_CHECKING:
    from tui.app import ShiftdeskApp


class Escalations:
    """Plans the next instant anything happens on a ladder (a breach, a step, a repeat) from the board's
    deadlines after each change, and runs one round then, a minute after the previous one at the soonest:
    no work per second, none per stored event, at most one round a minute however many cases are overdue.

    Toasts share the reminders' gate (`Alerts.warned_at`, WARNING_GATHER): one deadline toast a minute at
    most, whatever each deadline's own grid says; what comes due meanwhile waits and is shown together. The
    steps themselves are recorded on time. No bell: the breach rang it already."""

    def __init__(self, app: ShiftdeskApp, scheduler: AppScheduler) -> None:
        self.app = app
        self.scheduler = scheduler
        self.since: datetime | None = None  # this terminal's previous round (None: none since the start)
        # The repeats are toasted for the whole floor once per `repeat` interval, from here: every deadline
        # still breached and unacknowledged is in that toast (its own repeat instant fell in the interval).
        self.repeats_since: datetime | None = None
        self.waiting: dict[DeadlineKey, LadderAlert] = {}  # to toast once the gate opens, newest per deadline
        self.running = False

    def next_at(self, now: datetime) -> datetime | None:
        """The next round: the ladder's next instant over the board's deadlines, but not sooner than
        ROUND_GAP after this terminal's previous round (what falls between is taken together then)."""
        ladder = self.app.settings.escalation
        deadlines = self.app.board.all_deadlines()
        instants = [ladder.next_at(deadline.due_at, now) for deadline in deadlines]
        at = min((at for at in instants if at is not None), default=None)
        if self.repeats_since is not None and deadlines and deadlines[0].due_at <= now:
            window_end = self.repeats_since + ladder.repeat  # the floor's repeats are toasted then
            at = window_end if at is None else min(at, window_end)
        if at is not None and self.since is not None:
            at = max(at, self.since + ROUND_GAP)
        warned = self.app.alerts.warned_at
        if self.waiting and warned is not None:
            gate = warned + WARNING_GATHER
            at = gate if at is None else min(at, gate)
        return at

    def repeats_window(self, now: datetime) -> datetime | None:
        """What this round asks the service for repeats since: the start of the repeat interval once it has
        run its length, else `now` (no repeats this round). None at start: nothing missed is replayed.

        Each breached deadline repeats on its own grid; toasted as they fell due, a floor with hundreds of
        them had a "Still overdue" toast every minute (each toast lays the screen out twice). Gathered per
        interval, the supervisor gets one toast per `repeat` listing every deadline still owed, and the
        climbs (a new step) still come within the minute."""
        since = self.repeats_since  # set with `self.since` by the first round: None until then
        if since is None:
            return None
        return since if now >= since + self.app.settings.escalation.repeat else now

    def plan(self) -> None:
        self.scheduler.plan(ESCALATION_JOB, self.next_at(self.app.now()), self.run)

    async def run(self, *, starting: bool = False) -> None:
        """One round: the service takes the steps that are due (or learns another dashboard did); this
        terminal toasts what it took and the repeats of unacknowledged steps, then plans the next round.

        The first step (to the person who owes it) is the breach alert the reminders already toast, so it
        is recorded without a toast of its own; at start nothing is toasted (as with the reminders: what
        was breached before is on the header and the countdowns, and a toast would only cover them)."""
        if self.running:
            return
        self.running = True
        app = self.app
        try:
            now = app.now()
            breached = [deadline for deadline in app.board.all_deadlines() if deadline.due_at <= now]
            repeats_since = self.repeats_window(now)
            if breached:
                service = await app.ready_service()
                taken = await asyncio.to_thread(service.escalate_breached, breached, repeats_since)
                if not starting:
                    for alert in taken:
                        if alert.repeat or alert.step > 0:
                            self.waiting[key_of(alert.deadline)] = alert
            if repeats_since is None or repeats_since < now:  # the start, or an interval's repeats were asked
                self.repeats_since = now
            self.since = now
            self.show_waiting(now)
        except Exception as error:  # the next change or round tries again; the supervisor is told
            app.notify(literal(f"escalation round failed: {error}"), severity="error", timeout=8)
        finally:
            self.running = False
        self.plan()

    def show_waiting(self, now: datetime) -> None:
        """One toast for what waits, once the shared gate is open; deadlines met meanwhile are dropped."""
        if not self.waiting:
            return
        warned = self.app.alerts.warned_at
        if warned is not None and now < warned + WARNING_GATHER:
            return  # `plan` wakes this up when the gate opens
        line = self.take_waiting(now)
        if line:
            self.app.notify(literal(line), severity="error", timeout=TOAST_SECONDS)
            self.app.alerts.warned_at = now
            self.app.alerts.schedule_next_warning()  # the gate just closed for the reminders too

    def take_waiting(self, now: datetime) -> str:
        """What waits to be toasted, as one line ("" if nothing), and forgotten: the reminders' toast takes
        it along when it comes first, so a busy floor gets one toast, not two."""
        owed = {key_of(deadline) for deadline in self.app.board.all_deadlines()}
        alerts = [alert for key, alert in sorted(self.waiting.items()) if key in owed]
        self.waiting.clear()
        return alert_line(alerts, now) if alerts else ""

    # -- the shift change ---------------------------------------------------------------------------

    def plan_shift_change(self) -> None:
        """At the running shift's end: a toast listing the open cases nobody on the next shift will take
        over (the automatic export lists them too); then the next shift's end is planned."""
        app = self.app
        occurrence = app.settings.calendar.at(app.now())
        if occurrence is None:
            return

        async def at_shift_end() -> None:
            self.tell_orphans(occurrence.ends_at)
            self.plan_shift_change()

        self.scheduler.plan(SHIFT_CHANGE_JOB, occurrence.ends_at, at_shift_end)

    def orphans_at(self, at: datetime) -> list[tuple[int, str, str]]:
        """(case id, assignee, why) of the open cases whose assignee is absent or not on the shift at `at`."""
        board = self.app.board
        roster = roster_at(self.app.settings.calendar, at)
        found = []
        for case_id in sorted(board.cases):
            case = board.cases[case_id]
            reason = orphan_reason(case.assignee, roster, board.absent)
            if reason is not None:
                found.append((case_id, case.assignee, reason))
        return found

    def tell_orphans(self, at: datetime, shown: int = 8) -> None:
        orphans = self.orphans_at(at)
        if not orphans:
            return
        listed = ", ".join(f"#{case_id} {assignee} ({why})" for case_id, assignee, why in orphans[:shown])
        more = f" and {len(orphans) - shown} more" if len(orphans) > shown else ""
        self.app.notify(
            literal(f"New shift: nobody on it has {listed}{more}. Reassign them (r), or mark absent (x)."),
            title="Open cases without an agent",
            severity="warning",
            timeout=20,
        )
