"""No forgotten case: whose cases are orphaned (assignee absent or off the running shift), and the plan
that hands an absent agent's open cases to the least loaded people on shift."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from core.cases import Case
from core.shifts import ShiftCalendar

ABSENT = "absent"
OFF_SHIFT = "not on shift"


@dataclass(frozen=True, slots=True)
class Absence:
    """An agent marked absent: since when, by whom."""

    agent: str
    since: datetime
    marked_by: str


def roster_at(calendar: ShiftCalendar, at: datetime) -> tuple[str, ...]:
    """The running shift's people (supervisor and agents) when it names agents; () when no roster is
    configured (then nobody is off the roster: only an absence orphans a case)."""
    occurrence = calendar.at(at)
    if occurrence is None or not occurrence.shift.agents:
        return ()
    return calendar.people_at(at)


def agents_at(calendar: ShiftCalendar, at: datetime) -> tuple[str, ...]:
    """The running shift's agents (not its supervisor): who an absent agent's cases are handed to."""
    occurrence = calendar.at(at)
    return occurrence.shift.agents if occurrence is not None else ()


def orphan_reason(assignee: str, roster: Collection[str], absent: Collection[str]) -> str | None:
    """Why a case assigned to `assignee` has nobody working it now, or None."""
    if assignee in absent:
        return ABSENT
    if roster and assignee not in roster:
        return OFF_SHIFT
    return None


@dataclass(frozen=True, slots=True)
class Move:
    """One case of an absent agent: to whom it goes, and whether the customer's ally changes with it
    (`owner_to`: the absent agent was the owner, so the check-back they owe moves there), with the note
    the reassignment event records."""

    case_id: int
    to: str
    owner_to: str | None
    note: str
    check_back_only: bool = (
        False  # the case stays with its assignee; only the absent owner's check-back moves
    )


def plan_absence(
    agent: str,
    cases: Iterable[Case],
    loads: Mapping[str, int],
    candidates: Sequence[str],
    urgency: Mapping[int, datetime] | None = None,
) -> list[Move]:
    """Every open case `agent` is assigned (to the least loaded candidate, loads counted as they are
    handed out, the most urgent case first) or owes a check-back on (the ally becomes its assignee)."""
    load = {name: loads.get(name, 0) for name in candidates if name != agent}
    assigned = [case for case in cases if case.is_open and case.id is not None and case.assignee == agent]
    owed = [
        case
        for case in cases
        if case.is_open
        and case.id is not None
        and case.assignee != agent
        and case.owner == agent
        and case.check_back_owed_since is not None
    ]
    soon = urgency or {}
    assigned.sort(key=lambda case: (soon.get(case.id or 0, case.opened_at), case.id or 0))
    moves: list[Move] = []
    for case in assigned:
        if not load:
            break
        to = min(load, key=lambda name: (load[name], name.casefold()))
        load[to] += 1
        if case.owner == agent:
            note = f"{agent} is absent: handed to {to}; the check-back {agent} would owe moves to {to}"
            moves.append(Move(case.id or 0, to, to, note))
        else:
            moves.append(Move(case.id or 0, to, None, f"{agent} is absent: handed to {to}"))
    for case in owed:
        note = f"{agent} is absent: the check-back {agent} owes moves to {case.assignee}"
        moves.append(Move(case.id or 0, case.assignee, case.assignee, note, check_back_only=True))
    return moves


def plan_lines(moves: Sequence[Move]) -> list[str]:
    """One line per move for the one confirmation: '#4 → Ana Ruiz', '#9 check-back → Dev Patel'."""
    return [f"#{move.case_id} {'check-back ' if move.check_back_only else ''}→ {move.to}" for move in moves]
