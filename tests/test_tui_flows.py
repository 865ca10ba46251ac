"""The dashboard driven the way a supervisor uses it: keys through Textual's Pilot, the clock frozen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual import events

from core.cases import Action, Stage
from storage import views
from storage.database import Database
from storage.service import WorkflowService
from tests.tui_fixtures import MARKUP_NAME, MARKUP_TEXT, ROSTER, Shiftdesk, build_shift, new_case, settings
from tui.app import ShiftdeskApp
from tui.screens.case_view import CaseScreen
from tui.screens.form import FormScreen
from tui.screens.help import HelpScreen
from tui.screens.reassign import ReassignPicker
from tui.widgets.countdowns import Countdowns
from tui.widgets.depositions import RecentDepositions
from tui.widgets.open_cases import OpenCasesTable
from tui.widgets.shift_header import ShiftHeader

SIZE = (120, 40)


@pytest.fixture
def shift(sqlite_url: str) -> Shiftdesk:
    return build_shift(sqlite_url)


def make_app(shift: Shiftdesk, poll: float = 0.05) -> ShiftdeskApp:
    return ShiftdeskApp(shift.service, actor="Omar Farouk", poll_seconds=poll, hotspots=False)


async def started(pilot) -> ShiftdeskApp:
    app = pilot.app
    await app.loaded.wait()
    await pilot.pause()
    return app


def table_of(app: ShiftdeskApp) -> OpenCasesTable:
    return app.main_screen.query_one(OpenCasesTable)


def row_ids(app: ShiftdeskApp) -> list[int]:
    return [int(str(key.value)) for key in table_of(app).rows]


async def highlight(pilot, case_id: int) -> None:
    table = table_of(pilot.app)
    table.move_cursor(row=table.get_row_index(str(case_id)))
    await pilot.pause()


def rendered(widget) -> str:
    """The text a widget shows (Content for Static; Rich renderables rendered through a console)."""
    if isinstance(widget, Countdowns):  # drawn line by line: read back what its lines show
        return "\n".join(widget.render_line(y).text.rstrip() for y in range(widget.size.height))
    visual = getattr(widget, "content", None) or widget.render()
    if isinstance(visual, str):
        return visual
    if hasattr(visual, "plain"):
        return visual.plain
    from rich.console import Console

    console = Console(width=200, record=True, color_system=None)
    console.print(visual)
    return console.export_text()


async def test_main_screen_shows_the_shift_the_panes_and_urgent_cases_first(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        header = rendered(app.main_screen.query_one(ShiftHeader))
        assert "Late 14:00–22:00" in header and "Omar Farouk" in header and "open 5" in header
        ids = row_ids(app)
        assert sorted(ids) == sorted(value for key, value in shift.ids.items())
        # The most urgent first: the markup case (new, opened 12 min ago, due in 8 min) is not last.
        due = [app.board.urgency_key(case_id)[0] for case_id in ids]
        assert due == sorted(due)
        countdowns = rendered(app.main_screen.query_one(Countdowns))
        # The soonest deadline is on the first line: a fix-or-update, not a deposition (nothing is fixed yet).
        assert "fix-or-update" in countdowns.split("\n")[0]
        assert app.focused is table_of(app)


async def test_user_text_is_shown_literally_in_table_countdowns_and_case_view(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        row = table_of(app).get_row(str(shift.ids["markup"]))
        assert MARKUP_NAME in row[2].plain
        countdowns = app.main_screen.query_one(Countdowns)
        assert "[bold]Ada[/bold]" in countdowns.text
        # What is drawn is that literal text, cut to the pane's width: no markup was interpreted on the way.
        for full, drawn in zip(countdowns.text.split("\n"), rendered(countdowns).split("\n"), strict=False):
            assert full.startswith(drawn.removesuffix("…")), (full, drawn)
        await highlight(pilot, shift.ids["markup"])
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, CaseScreen)
        fields = rendered(app.screen.query_one("#case-fields"))
        assert MARKUP_TEXT in fields.replace("\n", "") or "[@click=app.quit]again[/]" in fields
        assert app.is_running  # [@click=app.quit] did nothing


async def test_j_k_move_and_enter_opens_the_case_with_timeline_and_deadlines(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        table = table_of(app)
        first = table.highlighted_case_id
        await pilot.press("j")
        second = table.highlighted_case_id
        assert second != first
        await pilot.press("k")
        assert table.highlighted_case_id == first
        await highlight(pilot, shift.ids["documented"])
        await pilot.press("enter")
        await pilot.pause(0.2)
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        timeline = rendered(screen.query_one("#case-timeline"))
        for action in ("open", "apologize", "review", "fix", "follow-up", "document"):
            assert action in timeline
        assert "Order released late [bold]by[/bold] the warehouse" in rendered(
            screen.query_one("#case-deposition")
        )
        await pilot.press("escape")
        assert app.screen is app.main_screen


async def test_apologize_through_the_form_records_the_event(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await highlight(pilot, shift.ids["markup"])
        await pilot.press("a")
        assert isinstance(app.screen, FormScreen)
        await pilot.press(*"So sorry [b]really[/b]")
        await pilot.press("enter")  # on to "Done by", prefilled with the assignee
        assert app.screen.query_one("#field-done_by").value == "Billy Okafor"
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.screen is app.main_screen
        case = shift.service.get(shift.ids["markup"])
        assert case.stage is Stage.APOLOGIZED
        detail = views.case_detail(shift.service.database, case.id)
        assert detail.events[-1].text == "So sorry [b]really[/b]"
        # Done by the agent who owes it, recorded by the supervisor at the dashboard.
        assert (detail.events[-1].actor, detail.events[-1].recorded_by) == ("Billy Okafor", "Omar Farouk")
        assert table_of(app).get_row(str(case.id))[4].plain == "apologized"


async def test_enter_past_an_empty_required_field_brings_the_save_back_to_it(shift):
    """Driving the demo: Enter on the empty apology went on to "Done by", Enter there tried to save and said
    "Required: How you apologized", but the cursor stayed in "Done by", so the apology then typed replaced
    the assignee's name. The refused save now puts the cursor in the first field it names."""
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await highlight(pilot, shift.ids["markup"])
        await pilot.press("a")
        assert isinstance(app.screen, FormScreen)
        await pilot.press("enter", "enter")  # past the empty apology, then save from "Done by"
        await pilot.pause()
        assert "Required: How you apologized" in str(app.screen.query_one("#form-error").render())
        assert app.screen.focused is app.screen.query_one("#field-text")
        await pilot.press(*"Sorry", "enter", "enter")
        await pilot.pause(0.3)
        assert app.screen is app.main_screen
        detail = views.case_detail(shift.service.database, shift.ids["markup"])
        assert (detail.events[-1].text, detail.events[-1].actor) == ("Sorry", "Billy Okafor")


async def test_a_refused_action_says_what_must_happen_first(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await highlight(pilot, shift.ids["markup"])
        await pilot.press("f")
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen)  # no form for an action that cannot happen
        reason = rendered(app.screen.query_one("#refusal-reason"))  # a refusal that keeps later keys
        assert "apolog" in reason, reason
        assert shift.service.get(shift.ids["markup"]).stage is Stage.NEW
        await pilot.press("escape")
        assert app.screen is app.main_screen


async def test_two_enters_at_once_on_a_refusal_close_it_once(shift):
    """Driving the demo at 80x24: `a` on a case already reviewed, then Enter Enter sent together. The refusal
    took both before it was gone and dismissed itself twice: "Can't pop screen" stopped the dashboard."""
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await highlight(pilot, shift.ids["markup"])
        await pilot.press("f")
        await pilot.pause()
        refusal = app.screen
        assert refusal.query("#refusal-reason")
        for _ in range(2):  # queued together, before the first is handled
            refusal.post_message(events.Key("enter", None))
        await pilot.pause(0.2)
        assert app.screen is app.main_screen
        assert app.is_running and app.return_code is None


async def test_fix_above_the_authority_limit_needs_an_approver(shift):
    app = ShiftdeskApp(shift.service, actor="Billy Okafor", poll_seconds=0.05, hotspots=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await highlight(pilot, shift.ids["reviewed"])
        await pilot.press("f")
        await pilot.press(
            *"Replaced the sofa", "enter", *"upgrade", "enter", *"80", "enter", "enter", "enter"
        )
        await pilot.pause(0.3)
        assert isinstance(app.screen, FormScreen)
        error = rendered(app.screen.query_one("#form-error"))
        assert "approv" in error.lower() and "80" in error
        assert shift.service.get(shift.ids["reviewed"]).stage is Stage.REVIEWED
        approver = app.screen.query_one("#field-approved_by")
        approver.value = "Omar Farouk"
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert app.screen is app.main_screen
        assert shift.service.get(shift.ids["reviewed"]).stage is Stage.FIXED


async def test_reassign_with_r_a_few_letters_and_enter(shift):
    shift.service.recorder = "root"  # as `shiftdesk`'s own service has it: the OS user, for the CLI
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        case_id = shift.ids["reviewed"]  # Billy's; the original owner stays Billy
        await highlight(pilot, case_id)
        await pilot.press("r")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ReassignPicker)
        options = picker.query_one("#picker-options")
        first = str(options.get_option_at_index(0).prompt)
        assert "Dev Patel" in first and "0 open" in first  # least loaded on the roster under the cursor
        names = [str(options.get_option_at_index(index).prompt) for index in range(options.option_count)]
        assert not any(name.startswith("Billy Okafor") for name in names)  # not the current assignee
        assert all(any(member in name for name in names) for member in ROSTER if member != "Billy Okafor")
        await pilot.press(*"mar", "enter")
        await pilot.pause(0.3)
        assert app.screen is app.main_screen
        case = shift.service.get(case_id)
        assert case.assignee == "Marta Kowalski" and case.owner == "Billy Okafor"
        assert table_of(app).get_row(str(case_id))[5].plain == "Marta Kowalski"
        assert table_of(app).highlighted_case_id == case_id  # the cursor stayed on its case
        owed = [deadline for deadline in app.board.deadlines[case_id] if deadline.kind == "owner-check-back"]
        assert owed and owed[0].owed_by == "Billy Okafor"
    # Recorded by the supervisor at the dashboard, as the forms' steps are (the demo drive showed
    # "Ines Costa reassign (recorded by root)" beside "(recorded by Ines Costa)" on the update before it).
    last = views.case_detail(shift.service.database, case_id).events[-1]
    assert (last.action, last.actor, last.recorded_by) == (Action.REASSIGN, "Omar Farouk", "Omar Farouk")


async def test_keys_pressed_while_the_hand_over_is_written_change_nothing(shift, monkeypatch):
    """The picker stays open until the write is done (then closes in the frame that shows the new row):
    Enter again or Escape meanwhile must neither write twice nor close it under the write."""
    import threading

    release = threading.Event()
    writing = threading.Event()
    original = shift.service.reassign

    def slow_reassign(*args, **kwargs):
        writing.set()
        release.wait(5)
        return original(*args, **kwargs)

    monkeypatch.setattr(shift.service, "reassign", slow_reassign)
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        case_id = shift.ids["reviewed"]
        await highlight(pilot, case_id)
        await pilot.press("r", *"mar", "enter")
        for _ in range(50):
            if writing.is_set():
                break
            await pilot.pause(0.05)
        picker = app.screen
        assert isinstance(picker, ReassignPicker) and picker.handing_over
        await pilot.press("enter", "escape")
        assert app.screen is picker  # still open: the write is under way
        release.set()
        for _ in range(50):
            await pilot.pause(0.05)
            if app.screen is app.main_screen:
                break
        assert app.screen is app.main_screen
        assert table_of(app).get_row(str(case_id))[5].plain == "Marta Kowalski"
        detail = views.case_detail(shift.service.database, case_id)
        assert [event.action for event in detail.events].count(Action.REASSIGN) == 1


async def test_a_case_changed_while_the_picker_was_open_is_not_reassigned(shift):
    app = make_app(shift, poll=60)  # no poll: the picker's write is what meets the change
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        case_id = shift.ids["reviewed"]
        await highlight(pilot, case_id)
        await pilot.press("r", *"mar")
        await pilot.pause()
        assert isinstance(app.screen, ReassignPicker)
        shift.service.reassign(case_id, "Hana Sato", "Grace Liu")  # another supervisor, meanwhile
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause(0.05)
            if app.screen is app.main_screen:
                break
        assert app.screen is app.main_screen
        assert shift.service.get(case_id).assignee == "Hana Sato"
        assert table_of(app).get_row(str(case_id))[5].plain == "Hana Sato"  # the fresh state is shown
        assert any("changed meanwhile" in str(note.message) for note in app._notifications)


async def test_the_footer_is_not_rebuilt_when_a_modal_closes(shift):
    from tui.widgets.key_footer import KeyFooter

    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await app.main_screen.complete.wait()
        await pilot.pause()
        footer = app.main_screen.query_one(KeyFooter)
        keys_before = list(footer.children)
        assert any("Reas" in str(key.render()) for key in keys_before)  # "Reas" under 150 columns
        await pilot.press("r", "escape")
        await pilot.pause(0.2)
        assert app.screen is app.main_screen
        assert list(footer.children) == keys_before  # the same widgets: nothing was re-styled


async def test_escape_cancels_the_picker(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await highlight(pilot, shift.ids["reviewed"])
        await pilot.press("r", "escape")
        await pilot.pause(0.2)
        assert app.screen is app.main_screen
        assert shift.service.get(shift.ids["reviewed"]).assignee == "Billy Okafor"


async def test_new_case_form_opens_a_case(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, FormScreen)
        values = {
            "customer": "Yara [i]Haddad[/i]",
            "category": "damaged item",
            "description": "Tray dropped",
            "site": "Gulf Point",
            "region": "South",
            "product": "Tray",
            "staff": "Dev Patel",
        }
        for name, value in values.items():
            form.query_one(f"#field-{name}").value = value
        form.query_one("#field-public").value = "not public"  # an either-or has no default
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert app.screen is app.main_screen
        newest = max(row_ids(app))
        case = shift.service.get(newest)
        assert case.customer == "Yara [i]Haddad[/i]" and case.assignee == "Dev Patel"


async def test_filter_as_you_type(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("slash", *"bruno")
        await pilot.pause()
        assert row_ids(app) == [shift.ids["apologized"]]
        await pilot.press("escape")
        await pilot.pause()
        assert len(row_ids(app)) == 5
        assert app.focused is table_of(app)


async def test_a_case_added_elsewhere_appears_without_reload(shift):
    app = make_app(shift)
    other = WorkflowService(Database(shift.service.database.url), settings(), shift.clock)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        before = set(row_ids(app))
        stored = other.open_case(new_case("Farah Qureshi", 0, "Dev Patel"), "Dev Patel")
        other.act(shift.ids["apologized"], Action.REVIEW, "Hana Sato", "Broken leg", {"needs": "refund"})
        for _ in range(40):
            await pilot.pause(0.05)
            if stored.id in row_ids(app):
                break
        assert set(row_ids(app)) == before | {stored.id}
        assert table_of(app).get_row(str(shift.ids["apologized"]))[4].plain == "reviewed"


async def test_a_conflicting_edit_keeps_the_typed_text_and_reapplies_it(shift):
    app = make_app(shift, poll=60)  # no poll: the form must find out by itself
    other = WorkflowService(Database(shift.service.database.url), settings(), shift.clock)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        case_id = shift.ids["reviewed"]
        await highlight(pilot, case_id)
        await pilot.press("u")
        assert isinstance(app.screen, FormScreen)
        await pilot.press(*"Courier booked for 17:00")
        other.reassign(case_id, "Dev Patel", "Hana Sato")  # meanwhile, in another terminal
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert isinstance(app.screen, FormScreen)
        assert "changed while you were typing" in rendered(app.screen.query_one("#form-error"))
        assert app.screen.query_one("#field-text").value == "Courier booked for 17:00"
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert app.screen is app.main_screen
        events = views.case_detail(shift.service.database, case_id).events
        assert [event.action for event in events[-2:]] == [Action.REASSIGN, Action.UPDATE]
        assert events[-1].text == "Courier booked for 17:00"


async def test_deposition_form_files_it_and_it_shows_in_recent_depositions(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        case_id = shift.ids["fixed"]
        shift.service.follow_up(case_id, "Marta Kowalski", "fine", satisfied=True)
        await pilot.pause(0.3)
        await highlight(pilot, case_id)
        await pilot.press("d")
        form = app.screen
        assert isinstance(form, FormScreen)
        assert "Harbour Road" in rendered(form.query_one("#form-note"))  # confirmed, not retyped
        for name, value in {
            "customer_view": "Late again",
            "customer_needed": "Reliability",
            "actions_taken": "Courier",
            "root_cause": "Van [b]broke[/b] down",
            "factors": "system, external",
        }.items():
            form.query_one(f"#field-{name}").value = value
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert app.screen is app.main_screen
        assert shift.service.get(case_id).stage is Stage.DOCUMENTED
        depositions = app.main_screen.query_one(RecentDepositions)
        first = str(depositions.get_option_at_index(0).prompt)
        assert "Van [b]broke[/b] down" in first


async def test_help_lists_every_key_and_the_palette_every_action(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        help_text = "\n".join(rendered(widget) for widget in app.screen.query("Static"))
        lines = [line.strip() for line in help_text.splitlines()]
        for key in ("a", "v", "u", "f", "o", "d", "c", "r", "n", "/", "t", "e", "q", "?", "b", "P", "S"):
            assert any(line.startswith(f"{key} ") for line in lines), key
        assert "hand the case to another agent" in help_text and "write the deposition" in help_text
        await pilot.press("escape")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for wanted in ("Reassign (r)", "Deposition (d)", "Fix (f)", "New (n)", "Trends (t)", "Export (e)"):
            assert wanted in titles


async def test_countdowns_tick_from_the_injected_clock(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        case_id = shift.ids["markup"]  # opened 14:48 London, fix-or-update due 15:08
        line = next(
            line
            for line in rendered(app.main_screen.query_one(Countdowns)).split("\n")
            if f"#{case_id} " in line
        )
        assert "08:00" in line
        shift.clock.advance(timedelta(minutes=9))
        app.tick()
        line = next(
            line
            for line in rendered(app.main_screen.query_one(Countdowns)).split("\n")
            if f"#{case_id} " in line
        )
        assert "+01:00" in line and "OVERDUE" in line
        # An hour late it reads in hours and minutes, and stays put between the minutes.
        shift.clock.advance(timedelta(hours=1, seconds=5))
        app.tick()
        pane = app.main_screen.query_one(Countdowns)
        line = next(line for line in rendered(pane).split("\n") if f"#{case_id} " in line)
        assert "+1h01m" in line and "OVERDUE" in line
        shift.clock.advance(timedelta(seconds=40))
        app.tick()
        assert line in rendered(pane).split("\n")


async def test_outage_shows_a_banner_and_recovers(shift, monkeypatch):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        from storage.database import DatabaseError

        def down(*_args, **_kwargs):
            raise DatabaseError("cannot connect to the database server")

        real = views.ChangeProbe.token
        monkeypatch.setattr(views.ChangeProbe, "token", down)
        await pilot.pause(0.3)
        assert "database unreachable" in rendered(app.main_screen.query_one(ShiftHeader))
        assert app.is_running
        monkeypatch.setattr(views.ChangeProbe, "token", real)
        await pilot.pause(0.3)
        assert "unreachable" not in rendered(app.main_screen.query_one(ShiftHeader))


async def test_keys_before_the_storage_layer_is_ready_wait_for_it(shift):
    """The dashboard paints from the quick read and builds the service behind the first frame; an action
    taken in that moment waits for the service off the event loop (it once deadlocked the loop)."""
    import time as wall

    from storage.quick_read import open_cases

    url = shift.service.database.url

    def slow_factory() -> WorkflowService:
        wall.sleep(0.5)
        return WorkflowService(Database(url), settings(), shift.clock)

    app = ShiftdeskApp(
        slow_factory, settings=settings(), clock=shift.clock, preload=open_cases(url),
        actor="Omar Farouk", poll_seconds=0.05, hotspots=False, auto_export=False,
    )  # fmt: skip
    case_id = shift.ids["reviewed"]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.loaded.is_set() and case_id in row_ids(app)  # painted from the quick read
        await highlight(pilot, case_id)
        await pilot.press("r", *"dev", "enter")
        for _ in range(300):  # up to 15 s: the wait is for the write, not a speed figure (shared machines)
            await pilot.pause(0.05)
            if shift.service.get(case_id).assignee == "Dev Patel":
                break
        assert shift.service.get(case_id).assignee == "Dev Patel"
        assert app.loaded.is_set()


async def test_the_first_frame_shows_the_board_whole(shift):
    """The first frame the terminal gets, painted from the quick read before the storage layer loads, has
    the columns fitted to the pane (no cut header, no sideways scrollbar), the countdowns and the header:
    nothing in it jumps or says "nothing owed" a moment later."""
    from textual.widgets.data_table import ColumnKey

    from storage.quick_read import open_cases

    url = shift.service.database.url
    app = ShiftdeskApp(
        lambda: WorkflowService(Database(url), settings(), shift.clock), settings=settings(),
        clock=shift.clock, preload=open_cases(url), actor="Omar Farouk", poll_seconds=3600,
        hotspots=False, auto_export=False,
    )  # fmt: skip
    first: list[tuple[bool, int, int, str, str]] = []
    display = app._display

    def probe(screen, renderable) -> None:
        if renderable is not None and not first and screen is app.main_screen:
            table = table_of(app)
            first.append(
                (
                    table.show_horizontal_scrollbar,
                    table.columns[ColumnKey("next")].width,
                    table.next_width(),
                    app.main_screen.query_one(Countdowns).text,
                    str(app.main_screen.query_one(ShiftHeader).render()),
                )
            )
        display(screen, renderable)

    app._display = probe
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert first, "no frame was drawn"
        sideways, next_width, widest_next, countdowns, header = first[0]
        assert not sideways and next_width == widest_next, first[0]
        assert "nothing owed" not in countdowns and f"#{shift.ids['reviewed']}" in countdowns
        assert "open 5" in header


async def test_selecting_text_over_the_countdowns_and_copying_does_not_crash(shift):
    """Text selection calls `Widget._render()` with no argument: the pane must not override that name."""
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        countdowns = app.main_screen.query_one(Countdowns)
        countdowns._render()  # what a selection does; a `_render(self, y)` of our own raised TypeError here
        await pilot.mouse_down(countdowns, offset=(0, 1))
        await pilot.hover(countdowns, offset=(20, 2))
        await pilot.mouse_up(countdowns, offset=(20, 2))
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.is_running
        assert app.screen is app.main_screen


async def test_a_failing_background_refresh_is_told_once_and_logged(shift, monkeypatch, caplog):
    """The lower panes refresh in workers; a failure reaches the user (once per outage), not a silent pass."""
    from textual.worker import WorkerFailed

    app = make_app(shift)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await app.workers.wait_for_complete()

        def broken(self, limit: int = 30) -> list:
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(views.Reads, "recent_depositions", broken)
        app.clear_notifications()
        for _ in range(2):
            with pytest.raises(WorkerFailed):
                await app.main_screen.refresh_depositions().wait()
            await pilot.pause()
        told = [str(n.message) for n in app._notifications if "Could not refresh" in str(n.message)]
        assert told == ["Could not refresh the recent depositions: RuntimeError: disk on fire"]
        assert any("disk on fire" in str(record.exc_info) for record in caplog.records)
        assert app.is_running and app.screen is app.main_screen


async def test_live_sync_closes_its_change_probe_on_exit(shift):
    from storage.views import ProbeClosed

    app = make_app(shift, poll=60)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await app.poll()
        probe = app.live_sync._probe
        assert probe is not None and probe.instant
    with pytest.raises(ProbeClosed):  # its own SQLite connection is closed
        probe.token()


async def test_every_main_screen_key_is_in_the_command_palette_and_help(shift):
    from textual.binding import Binding

    app = make_app(shift, poll=60)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        titles = [command.title for command in app.get_system_commands(app.main_screen)]
        for binding in app.main_screen.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.action in ("help", "app.quit"):
                continue
            assert f"{binding.description} ({binding.key_display or binding.key})" in titles, binding
        assert "Keys (?)" in titles
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)


async def test_the_owners_check_back_is_done_by_the_owner_recorded_by_the_supervisor(shift):
    """Floor-ready: the check-back owed by the owner was stored as the supervisor's and the deadline
    cleared; now the form names the owner, and the supervisor cannot discharge it as themself."""
    case_id = shift.ids["reviewed"]  # Billy Okafor's
    shift.service.reassign(case_id, "Marta Kowalski", "Omar Farouk")
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await highlight(pilot, case_id)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        done_by = app.screen.query_one("#field-done_by")
        assert done_by.value == "Billy Okafor"
        done_by.value = "Omar Farouk"
        await pilot.press(*"Called her myself", "ctrl+s")
        await pilot.pause(0.3)
        assert isinstance(app.screen, FormScreen)  # refused, the text kept
        assert "only the original owner Billy Okafor" in rendered(app.screen.query_one("#form-error"))
        assert shift.service.get(case_id).check_back_owed_since is not None
        app.screen.query_one("#field-done_by").value = "Billy Okafor"
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert app.screen is app.main_screen
    assert shift.service.get(case_id).check_back_owed_since is None
    last = views.case_detail(shift.service.database, case_id).events[-1]
    assert (last.action, last.actor, last.recorded_by) == (Action.CHECK_BACK, "Billy Okafor", "Omar Farouk")
