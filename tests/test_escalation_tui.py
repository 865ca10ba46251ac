"""The ladder and absences on the dashboard, as a supervisor uses them: two dashboards on one database
take each step once, `A` stops the repeats, `x` marks an agent absent and hands their cases over in one
confirmation, and an orphaned case shows its ORPH badge (also under NO_COLOR)."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from core.cases import Action
from core.escalation import ROUND_GAP, Ladder
from storage.database import Database
from storage.models import EventRow
from storage.service import WorkflowService
from storage.views import case_detail
from tests.tui_fixtures import NOW, ROSTER, Shiftdesk, build_shift, settings, started_quietly
from tui.app import ShiftdeskApp
from tui.scheduling import ESCALATION_JOB, SHIFT_CHANGE_JOB
from tui.screens.case_view import CaseScreen

SIZE = (160, 48)
LADDER = Ladder(timedelta(minutes=10), timedelta(minutes=10), timedelta(minutes=30), "Dana Reyes")


@pytest.fixture
def shift(sqlite_url: str) -> Shiftdesk:
    shift = build_shift(sqlite_url)
    shift.service.settings = escalating()
    return shift


@pytest.fixture
def shift_on_each_backend(database_url: str) -> Shiftdesk:
    """The same shift on SQLite and on PostgreSQL (tests/conftest.py's throwaway server)."""
    shift = build_shift(database_url)
    shift.service.settings = escalating()
    return shift


def escalating():  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(settings(), escalation=LADDER)


def dashboard(service: WorkflowService) -> ShiftdeskApp:
    return ShiftdeskApp(service, actor="Omar Farouk", poll_seconds=60, hotspots=False, auto_export=False)


def toasts(app: ShiftdeskApp, case_id: int) -> list[str]:
    """The parts of the toasts shown that are about `case_id` (one toast lists every case of a round)."""
    return [
        part for n in app._notifications for part in str(n.message).split(" · ") if f"#{case_id} " in part
    ]


def timeline_text(screen: CaseScreen) -> str:
    from tests.test_tui_flows import rendered

    return " ".join(rendered(screen.query_one("#case-timeline")).split())


def steps(database: Database, case_id: int) -> list[int]:
    return [
        event.payload.step  # type: ignore[attr-defined]
        for event in case_detail(database, case_id).events
        if event.action is Action.ESCALATE
    ]


async def ready(pilot) -> ShiftdeskApp:  # type: ignore[no-untyped-def]
    app = await started_quietly(pilot)
    assert isinstance(app, ShiftdeskApp)
    return app


async def test_two_dashboards_climb_the_ladder_once_and_a_acknowledges(
    shift_on_each_backend: Shiftdesk,
) -> None:
    shift = shift_on_each_backend
    case_id = shift.ids["markup"]  # fix-or-update due 15:08, owed by Billy Okafor
    due = NOW + timedelta(minutes=8)
    other = WorkflowService(Database(shift.service.database.url), escalating(), shift.clock)
    first, second = dashboard(shift.service), dashboard(other)
    async with first.run_test(size=SIZE) as one, second.run_test(size=SIZE) as two:
        await ready(one)
        await ready(two)
        # The next round is planned for the breach itself, on the scheduler.
        assert first.scheduler.planned_at(ESCALATION_JOB) is not None
        for minute, expected in ((8, [0]), (18, [0, 1]), (38, [0, 1, 2])):
            shift.clock.set(NOW + timedelta(minutes=minute))
            await first.escalations.run()
            await second.escalations.run()
            assert steps(shift.service.database, case_id) == expected  # each step once, on one database
        assert any("Dana Reyes" in line for line in toasts(first, case_id) + toasts(second, case_id))

        # The supervisor acknowledges on the first dashboard: the manager's step stops repeating there and
        # on the other dashboard too (the acknowledgement is in the database, not in one terminal).
        rows = first.table.get_row_index(str(case_id)) - first.table.cursor_row
        await one.press(*(["down"] * rows))
        assert first.table.highlighted_case_id == case_id
        await one.press("A")
        await first.workers.wait_for_complete()
        await one.pause()
        first.clear_notifications()
        second.clear_notifications()
        shift.clock.set(due + timedelta(minutes=40))
        await first.escalations.run()
        await second.escalations.run()
        assert toasts(first, case_id) == [] and toasts(second, case_id) == []

        # The case view's timeline shows the steps and the acknowledgement.
        await one.press("enter")
        await first.workers.wait_for_complete()
        await one.pause()
        assert isinstance(first.screen, CaseScreen)
        timeline = timeline_text(first.screen)
        assert "escalated to the manager Dana Reyes after 30 min" in timeline
        assert "acknowledged step 3" in timeline
    detail = case_detail(shift.service.database, case_id)
    texts = [event.text for event in detail.events if event.action in (Action.ESCALATE, Action.ACKNOWLEDGE)]
    assert texts[-2] == "escalated to the manager Dana Reyes after 30 min (fix-or-update)"
    assert texts[-1].startswith("acknowledged step 3")
    other.database.dispose()


async def test_a_restarted_dashboard_goes_on_where_the_ladder_stood(shift: Shiftdesk) -> None:
    case_id = shift.ids["markup"]
    async with dashboard(shift.service).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        shift.clock.set(NOW + timedelta(minutes=8))
        await app.escalations.run()
        shift.clock.set(NOW + timedelta(minutes=18))
        await app.escalations.run()
    assert steps(shift.service.database, case_id) == [0, 1]
    restarted = WorkflowService(Database(shift.service.database.url), escalating(), shift.clock)
    shift.clock.set(NOW + timedelta(minutes=25))
    async with dashboard(restarted).run_test(size=SIZE) as pilot:
        app = await ready(pilot)  # its start ran a round: nothing retaken, nothing replayed
        assert steps(restarted.database, case_id) == [0, 1]
        shift.clock.set(NOW + timedelta(minutes=38))
        await app.escalations.run()
        assert steps(restarted.database, case_id) == [0, 1, 2]
    restarted.database.dispose()


async def test_rounds_run_at_most_once_a_minute_and_take_what_fell_between(shift: Shiftdesk) -> None:
    """Each overdue deadline repeats on its own grid; without a gap a busy floor ran a round (a database
    read in a thread) every second or two. A step due 5 s after a round is taken by the next one, 60 s on."""
    case_id = shift.ids["markup"]  # fix-or-update due NOW + 8 min: the supervisor's step at + 18 min
    supervisor_step = NOW + timedelta(minutes=18)
    async with dashboard(shift.service).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        shift.clock.set(supervisor_step - timedelta(seconds=5))
        await app.escalations.run()
        assert steps(shift.service.database, case_id) == [0]
        now = app.now()
        ladder = app.settings.escalation
        soonest = min(
            at
            for deadline in app.board.all_deadlines()
            if (at := ladder.next_at(deadline.due_at, now)) is not None
        )
        assert soonest <= supervisor_step < now + ROUND_GAP  # the ladder alone would run again in 5 s
        planned = app.escalations.next_at(now)
        assert planned is not None and planned == now + ROUND_GAP
        shift.clock.set(planned)
        await app.escalations.run()
        assert steps(shift.service.database, case_id) == [0, 1]


async def test_the_floors_repeats_come_in_one_toast_per_repeat_interval(shift: Shiftdesk) -> None:
    """Each breached deadline repeats on its own grid; toasted as they fell due, several staggered breaches
    gave a "Still overdue" toast nearly every minute. Now one toast per interval (10 min) lists them all,
    the climbs still come within the minute, and an acknowledged case leaves the repeats."""
    async with dashboard(shift.service).run_test(size=SIZE) as pilot:
        app = await ready(pilot)
        repeat_toasts: list[tuple[int, str]] = []
        for minute in range(1, 61):  # a round every minute: as often as the scheduler runs them
            shift.clock.set(NOW + timedelta(minutes=minute))
            await app.escalations.run()
            await pilot.pause()
            for notification in app._notifications:
                if "Still overdue" in str(notification.message):
                    repeat_toasts.append((minute, str(notification.message)))
            app.clear_notifications()
            app.alerts.warned_at = None  # the reminders' own toasts do not hold these back here
        minutes = [minute for minute, _ in repeat_toasts]
        assert len(minutes) >= 4, repeat_toasts
        assert all(later - earlier >= 10 for earlier, later in pairwise(minutes)), minutes
        # The last toast lists every deadline breached for an interval or more (3 by name, then "and N more").
        owed = [
            deadline
            for deadline in app.board.all_deadlines()
            if deadline.due_at <= app.now() - timedelta(minutes=10)
        ]
        last = repeat_toasts[-1][1]
        named = [part for part in last.split(" · ") if part.startswith("Still overdue: #")]
        assert {int(part.split("#")[1].split(" ")[0]) for part in named} <= {d.case_id for d in owed}
        assert len(named) == min(3, len(owed)) and (len(owed) <= 3 or f"and {len(owed) - 3} more" in last)


async def test_marking_an_agent_absent_hands_every_case_over_in_one_confirmation(shift: Shiftdesk) -> None:
    billy = ROSTER[0]
    app = dashboard(shift.service)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        billys = [case for case in app.board.cases.values() if case.assignee == billy]
        assert len(billys) >= 2
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"billy", "enter")  # the picker: Billy Okafor, marked absent
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.board.absent == frozenset({billy})
        await pilot.press("y")  # the one confirmation
        await app.workers.wait_for_complete()
        await pilot.pause()
        on_shift = set(ROSTER) - {billy}
        assert all(case.assignee in on_shift for case in app.board.cases.values())
        assert all(app.board.orphaned(case, app.now()) is None for case in app.board.cases.values())
    with shift.service.database.read() as session:
        notes = (
            session.execute(select(EventRow.text).where(EventRow.action == "reassign").order_by(EventRow.id))
            .scalars()
            .all()
        )
    # Billy owned those cases: each hand-over says the check-back he would owe moves to the new agent.
    assert len(notes) == len(billys)
    assert all(note.startswith(f"{billy} is absent: handed to ") and "check-back" in note for note in notes)


@pytest.mark.parametrize("no_color", [False, True])
async def test_an_orphaned_case_carries_a_badge_readable_without_colour(
    shift: Shiftdesk, no_color: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    shift.service.mark_absent("Hana Sato", "Omar Farouk")
    app = dashboard(shift.service)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        table = app.table
        hana = str(shift.ids["apologized"])
        cell = table.get_cell(hana, "assignee")
        assert cell.plain == "ORPH Hana Sato"
        others = [
            table.get_cell(str(i), "assignee").plain
            for k, i in shift.ids.items()
            if k != "apologized" and str(i) in table.rows
        ]
        assert not any(text.startswith("ORPH") for text in others)
        (badge,) = cell.spans
        assert cell.plain[badge.start : badge.end] == "ORPH"
        # Under NO_COLOR the badge is bold and reversed: the word and its shape carry it, not a colour.
        assert str(badge.style) == ("bold reverse" if no_color else "bold red")
        assert app.no_color is no_color
    with shift.service.database.read() as session:
        assert session.execute(select(func.count()).select_from(EventRow)).scalar_one() > 0


async def test_at_the_shift_end_a_toast_lists_the_cases_nobody_on_the_next_shift_has(
    shift: Shiftdesk,
) -> None:
    app = dashboard(shift.service)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        late_ends = shift.service.settings.calendar.at(NOW).ends_at  # 22:00; Night's roster: Kenji Mori
        job = app.scheduler.scheduler.get_job(SHIFT_CHANGE_JOB)
        assert job is not None and app.scheduler.planned_at(SHIFT_CHANGE_JOB) is not None
        shift.clock.set(late_ends)
        await job.func()  # what the scheduler runs at 22:00
        await pilot.pause()
        (toast,) = [n for n in app._notifications if n.title == "Open cases without an agent"]
        listed = str(toast.message)
        for case_id in app.board.cases:
            assert f"#{case_id} " in listed
        assert "(not on shift)" in listed
        # The minute's refresh redraws the badges for the new roster: every case is orphaned now.
        app.table.refresh_ages(app.now())
        assert all(
            app.table.get_cell(str(case_id), "assignee").plain.startswith("ORPH ")
            for case_id in app.board.cases
        )
        # A name too long for the column after its badge ends in "…", like every other cut name.
        from tests.screen_helpers import screen_lines

        await pilot.pause()
        shown = "\n".join(screen_lines(app))
        assert re.search(r"ORPH Billy Ok\w*…", shown), shown
        # Planned again, for the Night shift's end.
        night_ends = shift.service.settings.calendar.at(late_ends).ends_at
        assert app.scheduler.planned_at(SHIFT_CHANGE_JOB) is not None
        assert night_ends > late_ends


async def test_the_reassign_picker_flags_an_orphaned_case_and_lists_absent_agents_last(
    shift: Shiftdesk,
) -> None:
    from textual.widgets import OptionList, Static

    from tui.screens.reassign import ReassignPicker

    shift.service.mark_absent("Hana Sato", "Omar Farouk")
    shift.service.mark_absent("Dev Patel", "Omar Farouk")  # no case: the least loaded, yet absent
    app = dashboard(shift.service)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        hana_case = shift.ids["apologized"]
        steps_down = app.table.get_row_index(str(hana_case)) - app.table.cursor_row
        await pilot.press(*(["down"] * steps_down), "r")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ReassignPicker)
        assert str(picker.query_one("#picker-title", Static).render()).startswith("ORPHANED (absent)")
        options = picker.query_one("#picker-options", OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert "Dev Patel" in prompts[-1] and "(absent)" in prompts[-1]
        assert "absent" not in prompts[0]  # the cursor starts on someone who is here
        await pilot.press("escape")
        # x, Enter on an ABSENT name: present again (and the ORPH badge goes).
        await pilot.press("x", *"hana", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Hana Sato" not in app.board.absent
        assert not app.table.get_cell(str(hana_case), "assignee").plain.startswith("ORPH")
