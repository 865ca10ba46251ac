"""The `x` and `A` keys: mark an agent absent (their open cases handed over in one confirmation) or present
again; acknowledge a case's escalation."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import TYPE_CHECKING

from rich.text import Text

from core.absence import agents_at, plan_absence, plan_lines, roster_at
from storage.errors import CaseNotFound, DatabaseError, ValidationError
from tui.clockface import local_time
from tui.screens.confirm import AskScreen
from tui.screens.reassign import Candidate, ReassignPicker
from tui.text import joined, literal, one_line

if TYPE_CHECKING:
    from tui.screens.recovery import RecoveryScreen


async def acknowledge(screen: RecoveryScreen, case_id: int) -> None:
    """`A`: the case's escalation acknowledged (recorded), so its alert stops repeating."""
    from tui.screens.recovery import explain

    desk = screen.desk
    try:
        service = await desk.ready_service()
        updated = await asyncio.to_thread(service.acknowledge, case_id, desk.actor)
    except (ValidationError, CaseNotFound, DatabaseError) as error:
        screen.refuse(literal(explain(error)))
        return
    desk.main_screen.take_in([updated])
    desk.confirm(literal(f"#{case_id}: escalation acknowledged by {desk.actor}"), timeout=4)


def pick_absent(screen: RecoveryScreen) -> None:
    """`x`: the roster and everyone with open cases; Enter marks the one highlighted absent, or present
    again when they are absent already."""
    desk = screen.desk
    main = desk.main_screen
    loads = (
        main.agent_loads
        if main.agent_loads is not None
        else dict(Counter(c.assignee for c in desk.board.cases.values()))
    )
    absent = {absence.agent: absence for absence in main.absences}
    roster = roster_at(desk.settings.calendar, desk.now())
    names = list(dict.fromkeys([*roster, *sorted(loads), *sorted(absent)]))
    candidates = [
        Candidate(
            name,
            loads.get(name, 0),
            name not in absent,
            f"ABSENT since {local_time(absent[name].since, desk.settings.zone)}: Enter marks present"
            if name in absent
            else "",
        )
        for name in names
    ]
    title = Text("Mark an agent absent (their open cases are handed over) — or present again", style="bold")

    async def chosen(agent: str) -> None:
        picker.dismiss()
        if agent in absent:
            await mark_present(screen, agent)
        else:
            await mark_absent(screen, agent)

    hint = "Enter: mark absent (or present again) · ↑/↓: move · Esc: cancel"
    picker = ReassignPicker(title, candidates, "", "", hand_over=chosen, hint=hint)
    desk.push_screen(picker)


async def mark_present(screen: RecoveryScreen, agent: str) -> None:
    desk = screen.desk
    service = await desk.ready_service()
    await asyncio.to_thread(service.mark_present, agent, desk.actor)
    desk.main_screen.refresh_agent_loads()
    desk.notify(joined(one_line(agent, 40), " is marked present again"), timeout=4)


async def mark_absent(screen: RecoveryScreen, agent: str) -> None:
    """Record the absence, then offer every open case of theirs to the least loaded people on shift, in
    one confirmation; the check-backs they owe as owner move with a note on each hand-over."""
    desk = screen.desk
    main = desk.main_screen
    service = await desk.ready_service()
    await asyncio.to_thread(service.mark_absent, agent, desk.actor)
    main.refresh_agent_loads()
    absent = {absence.agent for absence in main.absences} | {agent}
    desk.board.absent = frozenset(absent)
    now = desk.now()
    desk.table.rebuild(now)
    loads = main.agent_loads or dict(Counter(case.assignee for case in desk.board.cases.values()))
    roster = agents_at(desk.settings.calendar, now)
    people = roster or tuple(dict.fromkeys([*sorted(loads), *main.recent_agents]))
    candidates = [name for name in people if name not in absent]
    urgency = {case_id: desk.board.urgency_key(case_id)[0] for case_id in desk.board.cases}
    moves = plan_absence(agent, list(desk.board.cases.values()), loads, candidates, urgency)
    if not moves:
        desk.notify(joined(one_line(agent, 40), " is marked absent: no open case of theirs"), timeout=5)
        return
    if not candidates:
        desk.notify(
            joined(one_line(agent, 40), " is marked absent; nobody on shift to hand their cases to"),
            severity="warning",
            timeout=8,
        )
        return
    body = literal("\n".join(plan_lines(moves)))

    async def answered(yes: bool | None) -> None:
        if not yes:
            desk.notify(joined(one_line(agent, 40), " is marked absent; cases left as they are"), timeout=5)
            return
        done, problems = await asyncio.to_thread(service.hand_over_absent, moves, desk.actor)
        main.take_in(done)
        if problems:
            desk.notify(literal("Not handed over: " + "; ".join(problems)), severity="warning", timeout=10)
        desk.confirm(joined(f"{len(done)} case(s) of ", one_line(agent, 40), " handed over"), timeout=5)

    def dismissed(yes: bool | None) -> None:
        desk.run_worker(answered(yes), group="write")

    question = joined("Hand ", one_line(agent, 40), f"'s {len(moves)} open case(s) over?")
    desk.push_screen(AskScreen(question, body, "y: hand them over · n / Esc: leave them"), dismissed)
