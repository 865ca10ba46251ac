"""Whole databases as users build them (`shiftdesk demo`, `shiftdesk import`): every stored event reads
back as its action's type, every demo case is drawn, and the dashboard opens every recent deposition and a
case of every kind."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import fields, replace
from datetime import UTC
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console
from sqlalchemy import select

from benchmarks.bench_import import write_csv
from core.cases import Action, Event
from core.clock import SystemClock
from core.config import Settings
from core.demo import DEMO_SHIFTS, build_demo
from core.payloads import PAYLOAD_TYPES, OpenPayload
from core.policy import AuthorityPolicy
from storage import views
from storage.database import Database
from storage.mapping import event_from_row
from storage.models import EventRow
from storage.service import WorkflowService
from tui.app import ShiftdeskApp
from tui.cli import main
from tui.screens.case_view import CaseScreen, deposition_block, fields_table, timeline_table
from tui.widgets.depositions import RecentDepositions

SIZE = (160, 48)


def shiftdesk(home: Path, *args: str) -> str:
    """Run a command as a user would, with config and data folders of its own."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("XDG_CONFIG_HOME", str(home / "config"))
        env.setenv("XDG_DATA_HOME", str(home / "data"))
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo database exactly as `shiftdesk demo --fresh` builds it (90 days and the running shift)."""
    home = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{home}/demo.db"
    shiftdesk(home, "--db", url, "demo", "--fresh", "--no-open")
    return url


def stored_events(url: str) -> Iterator[tuple[EventRow, Event]]:
    """Every events row with what the read side makes of it."""
    database = Database(url)
    try:
        with database.read() as session:
            for row in session.execute(select(EventRow).order_by(EventRow.id)).scalars():
                yield row, event_from_row(row)
    finally:
        database.dispose()


def assert_every_event_reads_as_its_type(url: str) -> Counter[Action]:
    actions: Counter[Action] = Counter()
    for row, event in stored_events(url):
        assert type(event.payload) is PAYLOAD_TYPES[event.action], (
            row.id,
            row.action,
            row.data,
            event.payload,
        )
        actions[event.action] += 1
    return actions


def test_every_event_of_the_demo_reads_back_as_its_actions_type(demo_url: str) -> None:
    actions = assert_every_event_reads_as_its_type(demo_url)
    # The demo reaches every action that carries details (else the check above proves less than it says).
    carrying = {Action.OPEN, Action.REVIEW, Action.FIX, Action.FOLLOW_UP, Action.DOCUMENT, Action.REASSIGN}
    assert carrying | {Action.SPOKESPERSON} <= set(actions)
    assert sum(actions.values()) > 20_000


def test_every_event_of_a_10000_case_import_reads_back_as_its_actions_type(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/imported.db"
    write_csv(tmp_path / "cases.csv", 10_000)
    assert "imported 10,000 cases" in shiftdesk(tmp_path, "--db", url, "import", str(tmp_path / "cases.csv"))
    actions = assert_every_event_reads_as_its_type(url)
    assert actions[Action.OPEN] == 10_000 and actions[Action.DOCUMENT] > 5_000
    assert {Action.REVIEW, Action.FIX, Action.FOLLOW_UP, Action.CLOSE} <= set(actions)
    lines = {
        event.payload.imported.line
        for _row, event in stored_events(url)
        if isinstance(event.payload, OpenPayload) and event.payload.imported is not None
    }
    # Every case knows the line of the file it came from (physical lines: some rows span several).
    assert len(lines) == 10_000 and min(lines) == 2


def demo_service(url: str) -> WorkflowService:
    """A service with the settings `shiftdesk demo` works with (its shifts and supervisors' limits)."""
    settings = replace(
        Settings(),
        shifts=DEMO_SHIFTS,
        authority=AuthorityPolicy(limits={shift.supervisor: 250.0 for shift in DEMO_SHIFTS}),
    )
    return WorkflowService(Database(url), settings, SystemClock())


async def shown_case(pilot, case_id: int) -> CaseScreen:  # type: ignore[no-untyped-def]
    """The case screen on top once all of it is drawn: the deposition section is titled last, after the
    timeline (where the crash was). A load that failed (the app then shows an error) never gets there."""
    app = pilot.app
    for _ in range(300):
        screen = app.screen
        section = screen.query("#case-deposition") if isinstance(screen, CaseScreen) else None
        if section and section.first().border_title == "Deposition":
            assert isinstance(screen, CaseScreen) and screen.case_id == case_id
            return screen
        await pilot.pause(0.01)
    raise AssertionError(f"case #{case_id} was not shown: {[n.message for n in app._notifications]}")


async def tab_to_depositions(pilot) -> RecentDepositions:  # type: ignore[no-untyped-def]
    """Tab until the recent-depositions pane has the focus, as a user gets there; its first line under the
    cursor."""
    app = pilot.app
    pane = app.main_screen.query_one(RecentDepositions)
    for _ in range(6):
        if app.focused is pane:
            break
        await pilot.press("tab")
    assert app.focused is pane
    await pilot.press("home")
    return pane


def test_the_case_view_draws_every_case_of_the_demo(demo_url: str) -> None:
    """Every one of the demo's cases through the case view's own drawing (the Pilot test below opens a
    smaller demo's cases one by one: 4,500 screens would take minutes)."""
    database = Database(demo_url)
    drawn = io.StringIO()
    console = Console(width=SIZE[0], color_system=None, file=drawn)
    cases = views.list_cases(database)
    assert len(cases) > 4_000
    for case in cases:
        assert case.id is not None
        detail = views.case_detail(database, case.id)
        fields_table(detail, UTC)
        deposition_block(detail, UTC)
        timeline = timeline_table(detail, UTC)
        assert timeline.row_count == len(detail.events)
        console.print(timeline)  # the timeline drawn in full: where the crash was
    database.dispose()
    assert drawn.getvalue().count("[gesture ") > 1_000 and "[NOT satisfied]" in drawn.getvalue()


@pytest.fixture
def small_demo_url(tmp_path: Path) -> str:
    """The demo's generator over its last two days (and the running shift), stored as `demo` stores it."""
    url = f"sqlite:///{tmp_path}/demo.db"
    service = demo_service(url)
    data = build_demo(service.clock.now(), service.settings.zone, days=2)
    service.import_histories([*data.history, *data.shift_cases])
    service.database.dispose()
    return url


def what_a_case_shows(detail: views.CaseDetail) -> set[object]:
    """What the case view draws differently from case to case: its stage, tier, channel, severity and
    flags, which optional fields are set, whether a deposition is filed, and each event's action with the
    payload fields it fills."""
    case = detail.case
    shown: set[object] = {
        ("stage", case.stage),
        ("tier", case.tier),
        ("channel", case.channel),
        ("severity", case.severity),
        ("deposition", detail.deposition is not None),
    }
    shown.add(("public", case.public))
    optional = [field.name for field in fields(case) if field.default is None]
    shown |= {(name, getattr(case, name) is None) for name in optional}
    for event in detail.events:
        filled = frozenset(
            field.name for field in fields(event.payload) if getattr(event.payload, field.name)
        )
        shown.add(("event", event.action, filled))
    return shown


def cases_showing_everything(database: Database) -> list[int]:
    """Few cases that between them show everything any case of the database shows (a greedy cover)."""
    shown = {
        case.id: what_a_case_shows(views.case_detail(database, case.id))
        for case in views.list_cases(database)
        if case.id is not None
    }
    left = set().union(*shown.values())
    chosen: list[int] = []
    while left:
        best = max(shown, key=lambda case_id: len(shown[case_id] & left))
        chosen.append(best)
        left -= shown[best]
    return chosen


async def test_the_dashboard_opens_every_recent_deposition_and_a_demo_case_of_every_kind(
    small_demo_url: str,
) -> None:
    """Every recent deposition from its pane, then through the app's own way of opening a case, cases
    that between them show every stage, flag and filled payload field of the demo (each case is drawn
    above; a Pilot opening every one of them took half a minute)."""
    database = Database(small_demo_url)
    case_count = len(views.list_cases(database))
    kinds = cases_showing_everything(database)
    depositions = [line.case_id for line in views.recent_depositions(database, 30)]
    database.dispose()
    assert case_count > 100 and len(depositions) == 30 and 0 < len(kinds) < case_count / 4
    app = ShiftdeskApp(
        demo_service(small_demo_url), actor="Omar Farouk", poll_seconds=60, hotspots=False, auto_export=False
    )
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await app.loaded.wait()
        await pilot.pause()
        # The way the crash was found: Tab to the depositions pane, Enter on each in turn.
        pane = await tab_to_depositions(pilot)
        for index, case_id in enumerate(depositions):
            assert pane.highlighted == index
            await pilot.press("enter")
            screen = await shown_case(pilot, case_id)
            assert screen.detail is not None and screen.detail.deposition is not None
            await pilot.press("escape")
            await pilot.pause()
            assert app.focused is pane
            await pilot.press("down")
        for case_id in kinds:
            app.main_screen.open_case_screen(case_id)
            await shown_case(pilot, case_id)
            app.pop_screen()


@pytest.mark.parametrize("hour", [3, 9, 18])  # the night, the early and the late shift (UTC demo zone)
def test_the_demos_open_cases_are_worked_by_the_shift_running_when_it_is_built(hour: int) -> None:
    """A demo opened at night showed every case orphaned: the cases had been dealt to the late shift."""
    from datetime import datetime

    from core.absence import orphan_reason, roster_at
    from core.shifts import ShiftCalendar

    now = datetime(2026, 11, 25, hour, 10, tzinfo=UTC)
    calendar = ShiftCalendar(UTC, DEMO_SHIFTS)
    roster = roster_at(calendar, now)
    assert roster  # the demo's shifts cover the whole day
    open_cases = [h.case for h in build_demo(now, UTC, days=1).shift_cases if h.case.is_open]
    assert len(open_cases) > 20
    assert [c.id for c in open_cases if orphan_reason(c.assignee, roster, frozenset()) is not None] == []


def test_the_demos_steps_are_their_own_actors_and_name_no_os_account() -> None:
    """Every demo event said "(recorded by root)": the importer's OS user, stamped on made-up steps."""
    from datetime import datetime

    data = build_demo(datetime(2026, 11, 25, 15, tzinfo=UTC), UTC, days=2)
    events = [event for history in (*data.history, *data.shift_cases) for event in history.events]
    assert events
    assert [e for e in events if e.recorder_note or e.recorded_by != e.actor] == []


@pytest.mark.parametrize("hour", [3, 7, 15])
def test_the_demos_history_holds_nothing_after_the_moment_it_is_built(hour: int) -> None:
    """Built at 03:43, the demo listed depositions of 06:38 the same morning: the night shift's history
    (22:00–06:00) ran into the shift still running, and past now."""
    from datetime import datetime

    now = datetime(2026, 11, 26, hour, 43, tzinfo=UTC)
    data = build_demo(now, UTC, days=3)
    assert data.history
    late = [(h.case.customer, e.action.value, e.at) for h in data.history for e in h.events if e.at > now]
    assert late == []
    # The shift's own open cases are not dropped with them.
    assert len([h for h in data.shift_cases if h.case.is_open]) > 20
