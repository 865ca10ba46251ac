"""Reliability of the dashboard: markup-like text stays literal everywhere, an outage shows a banner and
keeps what was typed, a long shift neither grows memory nor keeps stale state, and no password leaks."""

from __future__ import annotations

import gc
import html
import json
import re
import tracemalloc
from datetime import timedelta

import pytest

from core.cases import Action, Case
from core.deposition import Deposition
from storage.database import Database
from storage.service import WorkflowService
from tests.pgserver import PostgresServer
from tests.tui_fixtures import NOW, build_shift, settings
from tui.app import ShiftdeskApp
from tui.screens.case_view import CaseScreen
from tui.screens.form import FormScreen
from tui.screens.reassign import ReassignPicker
from tui.widgets.countdowns import Countdowns
from tui.widgets.shift_header import ShiftHeader

SIZE = (160, 48)
# Short enough to survive the table's column widths; each would change the screen if read as markup.
CUSTOMER = "[b]Zoe[/b]"
STAFF = "[u]Al[/u]"
CATEGORY = "[i]late[/]"
SITE = "[red]Pier[/]"
CLICK = "[@click=app.quit]quit[/]"
LINK = "[link=http://x]site[/link]"


def screen_text(app: ShiftdeskApp) -> str:
    """What the terminal shows, line by line, read back from Textual's own screenshot."""
    svg = app.export_screenshot()
    lines: dict[float, list[tuple[float, str]]] = {}
    for match in re.finditer(r'<text[^>]*x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        x, y, content = float(match[1]), float(match[2]), match[3]
        lines.setdefault(y, []).append((x, html.unescape(content).replace("\xa0", " ")))
    return "\n".join("".join(part for _x, part in sorted(parts)) for _y, parts in sorted(lines.items()))


def markup_case(service: WorkflowService) -> int:
    case = Case(
        opened_at=NOW - timedelta(minutes=15),
        customer=CUSTOMER,
        contact=LINK,
        category=CATEGORY,
        site=SITE,
        region="[green]N[/]",
        product="[blink]Tray[/]",
        staff=STAFF,
        owner=STAFF,
        assignee=STAFF,
        description=f"Dropped {CLICK} and {LINK}",
    )
    stored = service.open_case(case, STAFF)
    assert stored.id is not None
    service.act(stored.id, Action.APOLOGIZE, STAFF, f"Sorry {CLICK}")
    service.act(stored.id, Action.REVIEW, STAFF, f"Broken {LINK}", {"needs": f"refund {CLICK}"})
    service.fix(stored.id, STAFF, f"Refunded {CLICK}", gesture_kind="[b]voucher[/b]", gesture_value=10)
    service.follow_up(stored.id, STAFF, f"Fine {LINK}", satisfied=True)
    service.file_deposition(
        stored.id,
        STAFF,
        Deposition(
            customer_view=f"view {CLICK}",
            customer_needed=f"needed {LINK}",
            actions_taken="[bold]acted[/bold]",
            root_cause="[r]cause[/r]",
            notes=f"notes {CLICK}",
        ),
    )
    service.act(stored.id, Action.AMEND, STAFF, f"amended {CLICK}")
    return stored.id


async def started(pilot) -> ShiftdeskApp:
    await pilot.app.loaded.wait()
    await pilot.pause()
    return pilot.app


async def test_markup_stays_literal_in_every_pane_form_toast_and_export(sqlite_url, tmp_path):
    shift = build_shift(sqlite_url)
    from dataclasses import replace

    shift.service.settings = replace(shift.service.settings, export_folder=tmp_path)
    from tui.export import export_folder

    folder = export_folder(shift.service.settings, shift.service.database.url)
    case_id = markup_case(shift.service)
    app = ShiftdeskApp(
        shift.service, actor="[b]Sup[/b]", poll_seconds=0.05, hotspots=False, auto_export=False
    )
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        main = screen_text(app)
        for text in (CUSTOMER, CATEGORY, STAFF, "[r]cause[/r]"):  # table, countdowns, depositions
            assert text in main, text
        # Case view: every field, the timeline, the deposition and its amendment.
        table = app.table
        table.move_cursor(row=table.get_row_index(str(case_id)))
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, CaseScreen)
        view = screen_text(app)
        # The view scrolls: its bottom (the timeline's end, the deposition) is read scrolled to the end.
        app.screen.query_one("#case-body").scroll_end(animate=False, immediate=True)
        await pilot.pause()
        view += screen_text(app)
        for text in (
            CUSTOMER,
            LINK,
            SITE,
            f"Dropped {CLICK}",
            f"Sorry {CLICK}",
            f"refund {CLICK}",
            "[b]voucher[/b]",
            f"view {CLICK}",
            "[bold]acted[/bold]",
            f"amended {CLICK}",
        ):
            assert text in view, text
        await pilot.press("escape")
        # A form: its context line quotes the customer; its error quotes what was typed.
        await pilot.press("n")
        assert isinstance(app.screen, FormScreen)
        form = app.screen
        form.query_one("#field-customer").value = CLICK
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert "Required:" in screen_text(app)
        await pilot.press("escape")
        # The picker lists names with markup literally, and the toast after a reassignment quotes it.
        other = shift.ids["reviewed"]
        table.move_cursor(row=table.get_row_index(str(other)))
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReassignPicker)
        assert STAFF in screen_text(app)
        await pilot.press(*"[u]", "enter")
        await pilot.pause(0.3)
        assert shift.service.get(other).assignee == STAFF
        assert any(f"reassigned to {STAFF}" in str(n.message) for n in app._notifications)
        await pilot.pause(0.2)
        toasts = [str(toast.render()) for toast in app.screen.query("Toast")]
        assert any(f"reassigned to {STAFF}" in toast for toast in toasts), toasts
        # The export written by `e`.
        await pilot.press("e")
        for _ in range(40):
            await pilot.pause(0.05)
            if folder.exists() and any(folder.glob("*.md")):
                break
        exported = next(folder.glob("*.md")).read_text()
        assert "\\[b\\]Zoe\\[/b\\]" in exported and "[b]Zoe[/b]" not in exported.replace("\\[", "")
        assert app.is_running  # nothing clicked app.quit
    assert app.return_code in (None, 0)


async def test_markup_in_csv_and_json_exports_is_data(sqlite_url):
    from core.summary import Period
    from storage.summary_views import export_shift

    shift = build_shift(sqlite_url)
    markup_case(shift.service)
    period = Period.between(NOW - timedelta(hours=1), NOW + timedelta(minutes=1))
    document = json.loads(export_shift(shift.service, shift.service.settings, period, "json", False, NOW))
    assert CUSTOMER in {item["customer"] for item in document["handover"]}
    csv_text = export_shift(shift.service, shift.service.settings, period, "csv", False, NOW)
    assert CUSTOMER in csv_text


@pytest.mark.postgres
async def test_postgres_outage_banner_keeps_counting_and_typed_text_then_recovers(own_server: PostgresServer):
    url = own_server.create_database("tui_outage")
    shift = build_shift(url)
    app = ShiftdeskApp(
        shift.service, actor="Omar Farouk", poll_seconds=0.1, hotspots=False, auto_export=False
    )
    case_id = shift.ids["reviewed"]
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        table = app.table
        table.move_cursor(row=table.get_row_index(str(case_id)))
        own_server.stop()
        for _ in range(50):
            await pilot.pause(0.1)
            if "database unreachable" in str(app.main_screen.query_one(ShiftHeader).content):
                break
        assert "database unreachable, retrying" in str(app.main_screen.query_one(ShiftHeader).content)
        # The countdowns still run from what the dashboard knows.
        shift.clock.advance(timedelta(minutes=1))
        app.tick()
        assert "+" in app.main_screen.query_one(Countdowns).text
        await pilot.press("u", *"Courier at five")
        await pilot.press("ctrl+s")
        await pilot.pause(0.5)
        assert isinstance(app.screen, FormScreen)
        error = str(app.screen.query_one("#form-error").content)
        assert "nothing was saved" in error
        assert app.screen.query_one("#field-text").value == "Courier at five"
        own_server.start()
        for _ in range(50):
            await pilot.pause(0.1)
            if "unreachable" not in str(app.main_screen.query_one(ShiftHeader).content):
                break
        assert "unreachable" not in str(app.main_screen.query_one(ShiftHeader).content)
        await pilot.press("ctrl+s")
        await pilot.pause(0.5)
        assert app.screen is app.main_screen
    events = WorkflowService(Database(url), settings()).get(case_id)
    assert events.stage.value == "reviewed" and events.last_contact_at == shift.clock.now()


async def test_the_password_never_reaches_the_screen(tmp_path):
    url = "postgresql+psycopg://shiftdesk:s3cr3t-pw@127.0.0.1:1/nowhere?connect_timeout=1"
    try:
        database = Database(url)
    except Exception as error:  # the error itself must not carry it either
        assert "s3cr3t-pw" not in str(error)
        return
    app = ShiftdeskApp(
        WorkflowService(database, settings()), poll_seconds=0.1, hotspots=False, auto_export=False
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(1.5)
        shown = screen_text(app) + " ".join(str(n.message) for n in app._notifications)
        assert "unreachable" in shown
        assert "s3cr3t-pw" not in shown


async def test_a_long_shift_keeps_state_and_memory_flat(sqlite_url):
    """Simulated hours in one-minute steps with a case opened and taken to closed every step: the board
    holds only open cases, the fired-warning memory stays as small as the board, and Python memory stays
    flat. (The full 12-hour run with RSS figures is in benchmarks/bench_dashboard.py.)"""
    shift = build_shift(sqlite_url)
    writer = WorkflowService(Database(sqlite_url), settings(), shift.clock)
    app = ShiftdeskApp(
        shift.service, actor="Omar Farouk", poll_seconds=3600, hotspots=False, auto_export=False
    )
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)

        async def one_hour() -> None:
            for minute in range(40):
                shift.clock.advance(timedelta(minutes=1))
                case = writer.open_case(
                    Case(
                        opened_at=shift.clock.now(),
                        customer=f"C{minute}",
                        category="late",
                        site="H",
                        product="P",
                        staff="Dev Patel",
                        owner="Dev Patel",
                        assignee="Dev Patel",
                        description="d",
                    ),
                    "Dev Patel",
                )
                assert case.id is not None
                writer.act(case.id, Action.APOLOGIZE, "Dev Patel", "sorry")
                writer.act(case.id, Action.REVIEW, "Dev Patel", "late", {"needs": "date"})
                writer.fix(case.id, "Dev Patel", "done")
                writer.follow_up(case.id, "Dev Patel", "ok", satisfied=True)
                writer.file_deposition(
                    case.id,
                    "Dev Patel",
                    Deposition(customer_view="v", customer_needed="n", actions_taken="a", root_cause="r"),
                )
                writer.act(case.id, Action.CLOSE, "Dev Patel", "")
                await app.poll()
                await pilot.pause()  # live sync posted the changes: the main screen takes them in
                app.tick()
                await app.alerts.fire_warnings()

        await one_hour()  # warm-up: caches, first allocations
        gc.collect()
        tracemalloc.start()
        await one_hour()
        gc.collect()
        first, _ = tracemalloc.get_traced_memory()
        await one_hour()
        gc.collect()
        second, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert len(app.board.cases) == 5  # 120 cases opened and closed meanwhile: none left on the board
        assert app.table.row_count == 5
        assert len(app.alerts.book.fired) <= 4 * len(app.board.all_deadlines())
        # Textual's render caches are LRU-bounded and still filling here, so the bound is loose; it catches
        # anything kept per case (40 cases a stretch). The 12-hour RSS figure is in benchmarks/.
        assert second - first < 1_000_000, f"grew {(second - first) / 1e3:.0f} kB in 40 simulated minutes"
