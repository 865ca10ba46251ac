"""Pauses of the fix-or-update clock while waiting on the customer: recorded, and as the clock counts them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

ZERO = timedelta(0)
# How long one wait on the customer (the time between two contacts) may stop the clock in all, unless the
# configuration says otherwise ([deadlines] pause_cap_minutes).
DEFAULT_PAUSE_CAP = timedelta(hours=2)


class ResumeWhy(StrEnum):
    """Why a paused clock runs again."""

    BY_HAND = "by hand"
    CUSTOMER_CONTACTED = "customer contacted"
    RESUME_TIME = "resume time passed"
    CAP_REACHED = "cap reached"
    FIXED = "fixed"


@dataclass(frozen=True, slots=True)
class Pause:
    """One recorded pause: from `since`, by `by`, for `reason`, asked to last `until` (None: no time given);
    `resumed_at` once a resume (or the customer contact or the fix that ends it) is recorded."""

    since: datetime
    by: str
    reason: str
    until: datetime | None = None
    resumed_at: datetime | None = None
    resumed_by: str | None = None
    resumed_why: ResumeWhy | None = None

    def resumed(self, at: datetime, by: str, why: ResumeWhy) -> Pause:
        """This pause ended at `at` (kept as it was when it already had a recorded end)."""
        if self.resumed_at is not None:
            return self
        return replace(self, resumed_at=at, resumed_by=by, resumed_why=why)


@dataclass(frozen=True, slots=True)
class Stretch:
    """A pause as the clock counts it: from `since` to `ends_at`, the first of its recorded resume, its
    resume time and the cap; `recorded` when that end is a recorded step, not worked out from the clock."""

    pause: Pause
    ends_at: datetime
    why: ResumeWhy
    recorded: bool

    @property
    def since(self) -> datetime:
        return self.pause.since

    @property
    def length(self) -> timedelta:
        return self.ends_at - self.pause.since

    def running(self, now: datetime) -> bool:
        return self.pause.since <= now < self.ends_at

    def counted(self, now: datetime) -> timedelta:
        """How much of it has passed by `now`."""
        return max(ZERO, min(now, self.ends_at) - self.pause.since)

    def ahead(self, now: datetime) -> timedelta:
        """How much of it is still to come after `now`."""
        return max(ZERO, self.ends_at - max(now, self.pause.since))


def stretches(pauses: Sequence[Pause], cap: timedelta) -> tuple[Stretch, ...]:
    """The pauses of one clock as counted: together they stop it for `cap` at most, however often the clock
    is paused and resumed (so pausing again cannot stretch one wait on the customer past the cap)."""
    left = max(ZERO, cap)
    counted: list[Stretch] = []
    for index, pause in enumerate(pauses):
        # In order of preference on a tie: what was recorded, the resume time asked for, the cap.
        ends: list[tuple[datetime, ResumeWhy, bool]] = []
        if pause.resumed_at is not None:
            ends.append((pause.resumed_at, pause.resumed_why or ResumeWhy.BY_HAND, True))
        elif index + 1 < len(pauses):
            # Paused again without a recorded resume (the first had ended by the clock): never overlap.
            ends.append((pauses[index + 1].since, ResumeWhy.BY_HAND, False))
        if pause.until is not None:
            ends.append((max(pause.until, pause.since), ResumeWhy.RESUME_TIME, False))
        ends.append((pause.since + left, ResumeWhy.CAP_REACHED, False))
        end, why, recorded = min(ends, key=lambda candidate: candidate[0])
        stretch = Stretch(pause, max(end, pause.since), why, recorded)
        left = max(ZERO, left - stretch.length)
        counted.append(stretch)
    return tuple(counted)


def cap_left(pauses: Sequence[Pause], cap: timedelta) -> timedelta:
    """How much of the cap the clock's pauses have not used (counting a running pause to its end)."""
    return max(ZERO, cap - sum((stretch.length for stretch in stretches(pauses, cap)), ZERO))


def running(pauses: Sequence[Pause], cap: timedelta, now: datetime) -> Stretch | None:
    """The pause that stops the clock at `now`, or None."""
    return next((stretch for stretch in stretches(pauses, cap) if stretch.running(now)), None)


def minutes(length: timedelta) -> str:
    """'0 min', '45 min', '2 h', '2 h 5 min': a paused time as the screens and exports say it."""
    total = int(length.total_seconds() // 60)
    hours, rest = divmod(total, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" + (f" {rest} min" if rest else "")
