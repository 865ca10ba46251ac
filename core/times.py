"""The one rule for when a recorded time may lie, shared by every way a time enters shiftdesk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

# A service breakdown from before this is a typo (0226 for 2026, 1026 …), never a real case. The floor also
# keeps every stored time far from datetime.min, where converting it to a zone west of UTC overflows.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
# The ceiling that holds even when no clock is at hand: year 9999 is accepted by fromisoformat, but adding a
# deadline to it, or showing it in a zone east of UTC, raises OverflowError in every later list and export.
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
# What a stored time that cannot be read at all (text no parser takes) comes back as, so that the case
# holding it is read, and marked, instead of the whole list failing.
UNREADABLE = datetime.min.replace(tzinfo=UTC)
# The latest stand-in for a stored time beyond LATEST: a week (the longest deadline) before it, so that
# adding any deadline, or showing it in any zone, still fits in a datetime.
_LATEST_STAND_IN = LATEST - timedelta(days=8)


def stored_time_problem(at: datetime) -> tuple[datetime, str | None]:
    """A stored time as it can be used, and what is wrong with it as stored (None: nothing, used as is).

    Intake's range (EARLIEST .. LATEST) is the rule: a time outside it is replaced by the nearest time
    inside, so that deadlines and local times computed from it cannot overflow.
    """
    if at is UNREADABLE or at == UNREADABLE:
        return EARLIEST, "is not a readable time"
    if at.tzinfo is None or at.utcoffset() is None:
        return at.replace(tzinfo=UTC), f"{at.isoformat()} has no time zone (read as UTC)"
    if at < EARLIEST:
        return EARLIEST, f"{at.isoformat()} is earlier than {EARLIEST:%Y-%m-%d}"
    if at >= LATEST:
        return _LATEST_STAND_IN, f"{at.isoformat()} is not earlier than {LATEST:%Y-%m-%d}"
    return at, None


def time_problem(at: datetime, now: datetime | None = None) -> str | None:
    """What is wrong with `at` as the time something happened, or None.

    The answer is a phrase that follows the value as the caller shows it ("… is later than now (…)"), as
    `intake.text_problem`'s follows the field name. `now` is the injected clock's reading: nothing may have
    happened after it (it comes from the clock that also stamps the event, so no skew is allowed). Without
    it, only the fixed range EARLIEST .. LATEST is checked.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        return "has no time zone"
    if at < EARLIEST:
        return f"is earlier than {EARLIEST:%Y-%m-%d}, which cannot be right"
    if now is not None and at > now:
        return f"is later than now ({now.astimezone(UTC).isoformat(timespec='seconds')})"
    if at >= LATEST:
        return f"is not earlier than {LATEST:%Y-%m-%d}, which cannot be right"
    return None


def zone_name(zone: tzinfo) -> str:
    """How a problem names a zone: its IANA key (Europe/London), else what it prints as."""
    return str(getattr(zone, "key", None) or zone)


def skipped_problem(wall: datetime, zone: tzinfo) -> str:
    """The phrase for a local time that never happened: the clocks jumped over it in spring."""
    return f"{wall:%H:%M} on {wall:%Y-%m-%d} does not exist in {zone_name(zone)} (the clocks went forward)"


def local_time(wall: datetime, zone: tzinfo) -> datetime:
    """The naive local time `wall` read in `zone`, or ValueError saying why it is no time there.

    An ambiguous time (repeated when the clocks go back) is read as its first occurrence (fold=0), as the
    CSV import reads it; a time the clocks skip is refused, naming the zone, never shifted by an hour.
    """
    at = wall.replace(tzinfo=zone, fold=0)
    try:
        back = at.astimezone(UTC).astimezone(zone)
    except (OverflowError, ValueError):
        raise ValueError(f"{wall.isoformat()} is out of range") from None
    if back.replace(tzinfo=None) != wall.replace(fold=0):
        raise ValueError(skipped_problem(wall, zone))
    return at
