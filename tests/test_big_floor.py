"""A big floor: the open-breakdowns table pages through hundreds of open cases as a supervisor moves."""

from __future__ import annotations

import asyncio

import pytest

from core.cases import Action, CaseHistory, Event, Tier
from core.payloads import OpenPayload
from storage.database import Database
from storage.service import WorkflowService
from tests.tui_fixtures import NOW, ROSTER, new_case, settings
from tui.app import ShiftdeskApp
from tui.screens.reassign import ReassignPicker
from tui.widgets import open_cases
from tui.widgets.open_cases import OpenCasesTable

SIZE = (120, 40)
OPEN = 230
PAGE = 40


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(open_cases, "PAGE_ROWS", PAGE)


@pytest.fixture
def floor(sqlite_url: str) -> WorkflowService:
    """OPEN open cases, opened a minute apart: the oldest owes the soonest fix-or-update, so the urgency
    order is the order they were opened in (and, imported in that order, their ids')."""
    from core.clock import FrozenClock

    service = WorkflowService(Database(sqlite_url), settings(), FrozenClock(NOW))
    histories = []
    for index in range(OPEN):
        case = new_case(f"Floor Customer {index:03d}", OPEN + 5 - index, ROSTER[index % len(ROSTER)])
        event = Event(case.opened_at, case.staff, Action.OPEN, case.description, OpenPayload())
        histories.append(CaseHistory(case, [event], None))
    service.import_histories(histories)
    return service


def make_app(service: WorkflowService) -> ShiftdeskApp:
    return ShiftdeskApp(service, actor="Omar Farouk", poll_seconds=0.05, hotspots=False, auto_export=False)


async def started(pilot) -> tuple[ShiftdeskApp, OpenCasesTable]:  # type: ignore[no-untyped-def]
    app = pilot.app
    await asyncio.wait_for(app.loaded.wait(), timeout=60)  # a load that fails never sets it
    await app.main_screen.complete.wait()
    await pilot.pause()
    return app, app.main_screen.query_one(OpenCasesTable)


def customer_of(table: OpenCasesTable) -> str:
    case_id = table.highlighted_case_id
    assert case_id is not None
    return table.board.cases[case_id].customer


async def test_the_table_holds_a_page_and_the_keys_reach_every_case(floor: WorkflowService) -> None:
    async with make_app(floor).run_test(size=SIZE) as pilot:
        app, table = await started(pilot)
        assert table.row_count == PAGE
        assert customer_of(table) == "Floor Customer 000"
        assert table.border_subtitle == f"1–{PAGE} of {OPEN}"

        await pilot.press("end")
        assert customer_of(table) == f"Floor Customer {OPEN - 1:03d}"
        assert table.row_count == OPEN % PAGE  # the last page, with the rest
        await pilot.press("home")
        assert customer_of(table) == "Floor Customer 000"

        # Down past the page's last row: the next page, its first case; up again: back.
        for _ in range(PAGE):
            await pilot.press("down")
        assert customer_of(table) == f"Floor Customer {PAGE:03d}"
        assert table.border_subtitle == f"{PAGE + 1}–{2 * PAGE} of {OPEN}"
        await pilot.press("up")
        assert customer_of(table) == f"Floor Customer {PAGE - 1:03d}"

        # PageDown alone walks to the last case, every case passing through the table on the way.
        await pilot.press("home")
        seen: set[int] = set()
        for _ in range(3 * OPEN // PAGE + 10):
            seen.update(int(str(key.value)) for key in table.rows)
            await pilot.press("pagedown")
        assert customer_of(table) == f"Floor Customer {OPEN - 1:03d}"
        assert seen == set(app.board.cases) and len(seen) == OPEN


async def test_the_case_under_the_cursor_on_a_later_page_is_reassigned(floor: WorkflowService) -> None:
    async with make_app(floor).run_test(size=SIZE) as pilot:
        app, table = await started(pilot)
        await pilot.press("end", "up", "up")
        case_id = table.highlighted_case_id
        assert case_id is not None and table.page == table.page_count - 1
        before = floor.get(case_id)
        await pilot.press("r")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ReassignPicker)
        options = picker.query_one("#picker-options")
        agent = (options.get_option_at_index(options.highlighted or 0).id or "").removeprefix("agent:")
        assert agent and agent != before.assignee
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.screen is app.main_screen
        assert floor.get(case_id).assignee == agent
        others = {case.id: case.assignee for case in app.reads.open_cases() if case.id != case_id}
        assert all(others[key] == case.assignee for key, case in app.board.cases.items() if key != case_id)
        assert table.highlighted_case_id == case_id  # the cursor stayed on its case, on its page
        assert table.get_row(str(case_id))[5].plain == agent


async def test_a_change_made_elsewhere_shows_on_the_page_it_belongs_to(floor: WorkflowService) -> None:
    other = WorkflowService(Database(floor.database.url), settings(), floor.clock)
    async with make_app(floor).run_test(size=SIZE) as pilot:
        _app, table = await started(pilot)
        await pilot.press("end")
        watched = table.highlighted_case_id
        assert watched is not None
        to = next(name for name in ROSTER if name != floor.get(watched).assignee)
        other.reassign(watched, to, "Hana Sato")  # another terminal
        # A VIP case opened long ago: more urgent than all, the first case of the first page.
        urgent = other.open_case(new_case("Urgent Newcomer", 600, "Dev Patel", tier=Tier.VIP), "Dev Patel")
        for _ in range(100):
            await pilot.pause(0.05)
            if table.get_row(str(watched))[5].plain == to:
                break
        assert table.get_row(str(watched))[5].plain == to
        assert table.highlighted_case_id == watched
        assert table.border_subtitle.endswith(f"of {OPEN + 1}")
        await pilot.press("home")
        assert table.highlighted_case_id == urgent.id
        assert customer_of(table) == "Urgent Newcomer"


async def test_the_full_load_after_a_quick_read_takes_in_only_what_changed_since(
    floor: WorkflowService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.quick_read import open_cases_at
    from storage.views import Reads

    url = floor.database.url
    quick = open_cases_at(url)
    assert quick is not None
    watermark, cases = quick
    assert len(cases) == OPEN
    # Between the quick read and the full load, another terminal hands one case over and opens another.
    first = min(case.id for case in cases if case.id is not None)
    floor.reassign(
        first, "Dev Patel" if floor.get(first).assignee != "Dev Patel" else "Hana Sato", "Grace Liu"
    )
    newcomer = floor.open_case(new_case("Late Arrival", 1, "Dev Patel"), "Dev Patel")

    def every_open_case(self: Reads) -> list[object]:
        raise AssertionError("the full load read every open case again")

    monkeypatch.setattr(Reads, "open_cases", every_open_case)
    app = ShiftdeskApp(
        lambda: WorkflowService(Database(url), settings(), floor.clock),
        settings=settings(),
        clock=floor.clock,
        preload=cases,
        preload_watermark=watermark,
        actor="Omar Farouk",
        poll_seconds=60,
        hotspots=False,
        auto_export=False,
    )
    async with app.run_test(size=SIZE) as pilot:
        _app, table = await started(pilot)
        assert app.board.cases[first].assignee == floor.get(first).assignee
        assert table.get_row(str(first))[5].plain == floor.get(first).assignee
        assert newcomer.id in app.board.cases and len(app.board.cases) == OPEN + 1
        assert app.live_sync.watermark > watermark


async def test_a_filter_pages_through_what_it_shows_and_clearing_it_keeps_the_case(
    floor: WorkflowService,
) -> None:
    async with make_app(floor).run_test(size=SIZE) as pilot:
        _app, table = await started(pilot)
        await pilot.press("end")  # the last page: the filter must not leave the cursor there
        await pilot.press("slash", *"Dev Patel")  # every fourth case: 003, 007, … 227
        await pilot.pause()
        assert table.page == 0 and customer_of(table) == "Floor Customer 003"
        assert table.border_subtitle == f"1–{PAGE} of 57"
        await pilot.press("enter", "end")
        assert customer_of(table) == "Floor Customer 227"
        assert table.border_subtitle == f"{PAGE + 1}–57 of 57"
        await pilot.press("up")
        assert customer_of(table) == "Floor Customer 223"
        await pilot.press("slash", "escape")
        await pilot.pause()
        assert len(table.order) == OPEN
        assert customer_of(table) == "Floor Customer 223"  # the cursor stays on its case, on its page
        assert table.page == 223 // PAGE
