"""What the dashboard knows between polls: the open cases, their pending deadlines, in urgency order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.cases import Case
from core.config import Settings
from core.deadlines import Deadline, pending_deadlines


@dataclass
class Board:
    """Open cases keyed by id; deadlines recomputed only for cases that changed (never on the clock tick)."""

    settings: Settings
    cases: dict[int, Case] = field(default_factory=dict)
    deadlines: dict[int, list[Deadline]] = field(default_factory=dict)
    _sorted_deadlines: list[Deadline] | None = None

    def load(self, cases: list[Case]) -> None:
        self.cases.clear()
        self.deadlines.clear()
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
                shown.add(case.id)
            elif case.id in self.cases:
                del self.cases[case.id]
                self.deadlines.pop(case.id, None)
                gone.add(case.id)
        if shown or gone:
            self._sorted_deadlines = None
        return shown, gone

    def next_deadline(self, case_id: int) -> Deadline | None:
        owed = self.deadlines.get(case_id) or []
        return min(owed, key=lambda deadline: deadline.due_at) if owed else None

    def urgency_key(self, case_id: int) -> tuple[datetime, int]:
        """Soonest deadline first; cases owing nothing last, oldest first among equals."""
        deadline = self.next_deadline(case_id)
        case = self.cases[case_id]
        due = deadline.due_at if deadline else case.opened_at + timedelta(days=36500)
        return due, case_id

    def all_deadlines(self) -> list[Deadline]:
        """Every pending deadline, soonest first (sorted once per change, not per tick)."""
        if self._sorted_deadlines is None:
            self._sorted_deadlines = sorted(
                (deadline for owed in self.deadlines.values() for deadline in owed),
                key=lambda deadline: (deadline.due_at, deadline.case_id or 0),
            )
        return self._sorted_deadlines

    def counts(self, now: datetime, soon: timedelta = timedelta(minutes=5)) -> tuple[int, int, int]:
        """(open, due within `soon`, overdue) — the header's figures."""
        due_soon = overdue = 0
        for case_id in self.cases:
            deadline = self.next_deadline(case_id)
            if deadline is None:
                continue
            if deadline.due_at <= now:
                overdue += 1
            elif deadline.due_at - now <= soon:
                due_soon += 1
        return len(self.cases), due_soon, overdue
