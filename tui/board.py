"""What the dashboard knows between polls: the open cases, their pending deadlines, in urgency order."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.absence import orphan_reason, roster_at
from core.cases import Case
from core.config import Settings
from core.deadlines import Deadline, pending_deadlines

_DAY = timedelta(days=1)


@dataclass
class Board:
    """Open cases keyed by id; deadlines recomputed only for cases that changed (never on the clock tick)."""

    settings: Settings
    cases: dict[int, Case] = field(default_factory=dict)
    deadlines: dict[int, list[Deadline]] = field(default_factory=dict)
    _sorted_deadlines: list[Deadline] | None = None
    _next_dues: list[datetime] | None = None  # each case's soonest deadline, sorted: the header's counts
    # Agents marked absent (Reads.absences, re-read with the agents' loads) and the running shift's roster,
    # kept until that shift ends: what makes a case orphaned.
    absent: frozenset[str] = frozenset()
    _roster: tuple[str, ...] = ()
    _roster_until: datetime | None = None
    _keys: dict[int, tuple[datetime, int]] = field(default_factory=dict)  # each case's urgency key
    _ordered: list[int] | None = None  # every open case's id, most urgent first

    def load(self, cases: list[Case]) -> None:
        self.cases.clear()
        self.deadlines.clear()
        self._keys.clear()
        self.apply(cases)

    def apply(self, changed: list[Case]) -> tuple[set[int], set[int]]:
        """Take changed cases in; returns (ids now open and shown, ids that left the board)."""
        shown: set[int] = set()
        gone: set[int] = set()
        for case in changed:
            assert case.id is not None
            if self.cases.get(case.id) == case:
                continue  # already known (our own write, seen again by the poll): nothing to redraw
            if case.is_open:
                self.cases[case.id] = case
                self.deadlines[case.id] = pending_deadlines(
                    case, self.settings.deadlines, self.settings.calendar
                )
                self._keys[case.id] = self._urgency(case)
                shown.add(case.id)
            elif case.id in self.cases:
                del self.cases[case.id]
                self.deadlines.pop(case.id, None)
                self._keys.pop(case.id, None)
                gone.add(case.id)
        if shown or gone:
            self._sorted_deadlines = None
            self._next_dues = None
            self._ordered = None
        return shown, gone

    def roster(self, now: datetime) -> tuple[str, ...]:
        """The running shift's people when it names a roster (core.absence.roster_at), once per shift."""
        if self._roster_until is None or now >= self._roster_until or now < self._roster_until - _DAY:
            calendar = self.settings.calendar
            self._roster = roster_at(calendar, now)
            occurrence = calendar.at(now)
            self._roster_until = occurrence.ends_at if occurrence else now + timedelta(minutes=1)
        return self._roster

    def orphaned(self, case: Case, now: datetime) -> str | None:
        """Why nobody works `case` now (its assignee is absent, or off the running shift), or None."""
        return orphan_reason(case.assignee, self.roster(now), self.absent)

    def next_deadline(self, case_id: int) -> Deadline | None:
        owed = self.deadlines.get(case_id) or []
        return min(owed, key=lambda deadline: deadline.due_at) if owed else None

    def urgency_key(self, case_id: int) -> tuple[datetime, int]:
        """Soonest deadline first; cases owing nothing last, oldest first among equals."""
        return self._keys[case_id]

    def _urgency(self, case: Case) -> tuple[datetime, int]:
        assert case.id is not None
        deadline = self.next_deadline(case.id)
        due = deadline.due_at if deadline else case.opened_at + timedelta(days=36500)
        return due, case.id

    def ordered(self) -> list[int]:
        """Every open case's id, most urgent first (sorted once per change, by keys computed per change)."""
        if self._ordered is None:
            self._ordered = sorted(self._keys, key=self._keys.__getitem__)
        return self._ordered

    def all_deadlines(self) -> list[Deadline]:
        """Every pending deadline, soonest first (sorted once per change, not per tick)."""
        if self._sorted_deadlines is None:
            self._sorted_deadlines = sorted(
                (deadline for owed in self.deadlines.values() for deadline in owed),
                key=lambda deadline: (deadline.due_at, deadline.case_id or 0),
            )
        return self._sorted_deadlines

    def counts(self, now: datetime, soon: timedelta = timedelta(minutes=5)) -> tuple[int, int, int]:
        """(open, due within `soon`, overdue) — the header's figures; two bisections per tick."""
        if self._next_dues is None:
            self._next_dues = sorted(
                deadline.due_at for case_id in self.cases if (deadline := self.next_deadline(case_id))
            )
        overdue = bisect_right(self._next_dues, now)
        due_soon = bisect_right(self._next_dues, now + soon) - overdue
        return len(self.cases), due_soon, overdue
