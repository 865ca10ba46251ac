"""Shifts: named daily time ranges in local time, each with a supervisor and a roster of agents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from core.clock import ensure_utc


@dataclass(frozen=True, slots=True)
class Shift:
    """A daily shift such as "Late 14:00–22:00"; it may run past midnight."""

    name: str
    start: time
    end: time
    supervisor: str = ""
    agents: tuple[str, ...] = ()

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    @property
    def hours_label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@dataclass(frozen=True, slots=True)
class ShiftOccurrence:
    """One shift on one day, as an absolute UTC interval."""

    shift: Shift
    day: date
    starts_at: datetime
    ends_at: datetime

    @property
    def label(self) -> str:
        return f"{self.day.isoformat()}:{self.shift.name}"


@lru_cache(maxsize=1024)
def _occurrence(zone: tzinfo, shift: Shift, day: date) -> ShiftOccurrence:
    """One shift on one day (remembered: the dashboard asks for the same few days' shifts for every open
    case's deposition deadline, thousands of times at start on a big floor)."""
    starts = datetime.combine(day, shift.start, tzinfo=zone)
    end_day = day + timedelta(days=1) if shift.crosses_midnight else day
    ends = datetime.combine(end_day, shift.end, tzinfo=zone)
    return ShiftOccurrence(shift, day, ensure_utc(starts), ensure_utc(ends))


DEFAULT_SHIFTS = (
    Shift("Early", time(6), time(14)),
    Shift("Late", time(14), time(22)),
    Shift("Night", time(22), time(6)),
)


@dataclass(frozen=True, slots=True)
class ShiftCalendar:
    """Answers which shift an instant falls in, in the configured local time zone."""

    zone: tzinfo
    shifts: tuple[Shift, ...] = field(default=DEFAULT_SHIFTS)

    def occurrence(self, shift: Shift, day: date) -> ShiftOccurrence:
        return _occurrence(self.zone, shift, day)

    def at(self, instant: datetime) -> ShiftOccurrence | None:
        """The shift occurrence containing `instant`, or None when no shift covers it."""
        local_day = ensure_utc(instant).astimezone(self.zone).date()
        # A shift that crosses midnight and started yesterday may still be running.
        for day in (local_day, local_day - timedelta(days=1)):
            for shift in self.shifts:
                occurrence = self.occurrence(shift, day)
                if occurrence.starts_at <= instant < occurrence.ends_at:
                    return occurrence
        return None

    def people_at(self, instant: datetime) -> tuple[str, ...]:
        """Who works the shift running at `instant`: its supervisor, then its roster (none when no shift)."""
        occurrence = self.at(instant)
        if occurrence is None:
            return ()
        shift = occurrence.shift
        return tuple(dict.fromkeys(person for person in (shift.supervisor, *shift.agents) if person))

    def previous(self, occurrence: ShiftOccurrence) -> ShiftOccurrence | None:
        """The shift occurrence that ended when (or most recently before) `occurrence` started."""
        return self.at(occurrence.starts_at - timedelta(seconds=1))

    def named(self, day: date, name: str) -> ShiftOccurrence:
        for shift in self.shifts:
            if shift.name.lower() == name.lower():
                return self.occurrence(shift, day)
        known = ", ".join(shift.name for shift in self.shifts)
        raise ValueError(f"no shift named {name!r} (known: {known})")

    def end_of_shift(self, instant: datetime) -> datetime | None:
        occurrence = self.at(instant)
        return occurrence.ends_at if occurrence else None
