"""Floor-ready: what supervisors tripped over on a real shift, replayed with the keys they pressed."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input

from core.cases import Action, Stage
from storage import views
from tests.tui_fixtures import Shiftdesk, build_shift
from tui.app import ShiftdeskApp
from tui.screens.choice import ChoiceField
from tui.screens.form import FormScreen
from tui.widgets.open_cases import OpenCasesTable

SIZE = (120, 40)


@pytest.fixture
def shift(sqlite_url: str) -> Shiftdesk:
    return build_shift(sqlite_url)


def make_app(shift: Shiftdesk, actor: str = "Omar Farouk") -> ShiftdeskApp:
    return ShiftdeskApp(shift.service, actor=actor, poll_seconds=0.05, hotspots=False)


async def started(pilot: Any) -> ShiftdeskApp:
    app: ShiftdeskApp = pilot.app
    await app.loaded.wait()
    await pilot.pause()
    return app


async def highlight(pilot: Any, case_id: int) -> None:
    table = pilot.app.main_screen.query_one(OpenCasesTable)
    table.move_cursor(row=table.get_row_index(str(case_id)))
    await pilot.pause()


def shown(widget: Any) -> str:
    visual = getattr(widget, "content", None) or widget.render()
    return str(getattr(visual, "plain", visual))


def satisfied_of(event: Any) -> Any:
    """The follow-up's answer, whether the event carries a data dict or a typed payload."""
    payload = getattr(event, "payload", None)
    if payload is not None and hasattr(payload, "satisfied"):
        return payload.satisfied
    return event.data.get("satisfied")


def follow_ups(shift: Shiftdesk, case_id: int) -> list[Any]:
    events = views.case_detail(shift.service.database, case_id).events
    return [event for event in events if event.action is Action.FOLLOW_UP]


# -- 1. the follow-up's answer is chosen, never defaulted, never flipped by Enter --------------------


@pytest.mark.parametrize(("keys", "satisfied"), [(["s"], True), (["n"], False), (["right", "space"], False)])
async def test_follow_up_answer_is_what_was_chosen_with_enter_only_navigation(shift, keys, satisfied):
    app = make_app(shift)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        case_id = shift.ids["fixed"]
        await highlight(pilot, case_id)
        await pilot.press("o")
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press(*"Chair arrived, customer happy", "enter")
        choice = form.query_one("#field-satisfied", ChoiceField)
        assert choice.has_focus and choice.value is None
        await pilot.press("enter", "enter", "enter")  # Enter alone: refused, names the field, sets nothing
        await pilot.pause(0.2)
        assert app.screen is form and choice.value is None
        error = shown(form.query_one("#form-error"))
        assert "satisfied" in error.lower() and "choose" in error.lower(), error
        assert not follow_ups(shift, case_id)
        assert "not chosen yet" in shown(choice)
        await pilot.press(*keys)
        assert choice.value == ("satisfied" if satisfied else "not satisfied")
        assert f"chosen: {choice.value}" in shown(choice)  # in words, not only colour
        assert "(•) " + choice.value in shown(choice)
        done_by = form.query_one("#field-done_by", Input)
        assert done_by.value == shift.service.get(case_id).assignee  # the answer went to the choice only
        await pilot.press("enter", "enter")  # on to "Done by", then save
        await pilot.pause(0.3)
        assert app.screen is app.main_screen
        (event,) = follow_ups(shift, case_id)
        assert satisfied_of(event) is satisfied
        assert event.text == "Chair arrived, customer happy"


async def test_new_case_public_is_chosen_explicitly(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, FormScreen)
        for name, value in {
            "customer": "Yara Haddad",
            "category": "damaged item",
            "description": "Tray dropped",
            "site": "Gulf Point",
            "product": "Tray",
            "staff": "Dev Patel",
        }.items():
            form.query_one(f"#field-{name}").value = value
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert app.screen is form
        assert "public" in shown(form.query_one("#form-error")).lower()
        public = form.query_one("#field-public", ChoiceField)
        public.focus()
        await pilot.press("enter")  # Enter on the last field saves; it does not choose
        await pilot.pause(0.2)
        assert app.screen is form and public.value is None
        await pilot.press("p", "enter")
        await pilot.pause(0.3)
        assert app.screen is app.main_screen
        newest = max(case.id for case in views.open_cases(shift.service.database) if case.id)
        stored = shift.service.get(newest)
        assert stored.public is True and stored.customer == "Yara Haddad"


def test_no_form_has_a_checkbox():
    from tui.forms import CASE_FORMS, NEW_CASE

    fields = [field for form in CASE_FORMS.values() for field in form.fields] + NEW_CASE.fields
    assert all(field.kind != "bool" for field in fields)
    assert all(field.initial in ("", None) for field in fields if field.kind == "either")


# -- 4. q asks before quitting -------------------------------------------------------------------------


@pytest.mark.parametrize("stay", ["n", "escape", "enter"])
async def test_q_asks_and_staying_keeps_the_dashboard(shift, stay):
    from tui.screens.confirm import QuitScreen

    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, QuitScreen) and app.is_running
        await pilot.press("q", "e", "a")  # swallowed: no second question, no export, no form
        assert isinstance(app.screen, QuitScreen)
        assert app.screen_stack[:-1] == [app.main_screen]  # the main screen and the one question
        await pilot.press(stay)
        await pilot.pause()
        assert app.is_running and app.screen is app.main_screen
        assert all(worker.group != "export" for worker in app.workers)


@pytest.mark.parametrize("keys", [["q", "y"], ["ctrl+q", "y"], ["ctrl+q", "ctrl+q"]])
async def test_q_then_y_quits(shift, keys):
    from tui.screens.confirm import QuitScreen

    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press(keys[0])
        await pilot.pause()
        assert isinstance(app.screen, QuitScreen) and app.is_running
        await pilot.press(keys[1])
        await pilot.pause()
        assert not app.is_running


# -- 2. the reassign picker: the best match under the cursor, off-roster names asked twice --------------


def with_roster(shift: Shiftdesk, roster: tuple[str, ...]) -> Shiftdesk:
    """The same database and clock, with the Late shift's roster replaced (none: no roster configured)."""
    from dataclasses import replace

    from storage.service import WorkflowService
    from tests.tui_fixtures import settings

    base = settings()
    shifts = tuple(replace(one, agents=roster) if one.name == "Late" else one for one in base.shifts)
    service = WorkflowService(shift.service.database, replace(base, shifts=shifts), shift.clock)
    return Shiftdesk(service, shift.clock, shift.ids)


def option_texts(picker: Any) -> list[str]:
    options = picker.query_one("#picker-options")
    return [str(options.get_option_at_index(index).prompt) for index in range(options.option_count)]


async def open_picker(pilot: Any, case_id: int) -> Any:
    from tui.screens.reassign import ReassignPicker

    await highlight(pilot, case_id)
    await pilot.press("r")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ReassignPicker)
    return pilot.app.screen


async def closed_picker(pilot: Any) -> None:
    for _ in range(60):
        await pilot.pause(0.05)
        if pilot.app.screen is pilot.app.main_screen:
            return
    raise AssertionError("the picker did not close")


@pytest.mark.parametrize(
    ("typed", "expected"), [("ha", "Hana Sato"), ("hana sato", "Hana Sato"), ("MAR", "Marta Kowalski")]
)
async def test_typed_letters_put_the_best_match_under_the_cursor(shift, typed, expected):
    desk = with_roster(shift, ("Aisha Bello", "Hana Sato", "Marta Kowalski", "Billy Okafor"))
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        case_id = shift.ids["reviewed"]  # Billy's
        picker = await open_picker(pilot, case_id)
        assert option_texts(picker)[0].startswith("Aisha Bello")  # nothing typed: the least loaded first
        await pilot.press(*typed)
        await pilot.pause()
        assert option_texts(picker)[0].startswith(expected), option_texts(picker)
        await pilot.press("enter")
        await closed_picker(pilot)
        assert desk.service.get(case_id).assignee == expected


async def test_an_off_roster_name_needs_a_second_enter(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        case_id = shift.ids["reviewed"]
        picker = await open_picker(pilot, case_id)
        await pilot.press(*"zzz", "enter")
        await pilot.pause(0.2)
        assert app.screen is picker  # one Enter hands nothing over
        assert shift.service.get(case_id).assignee == "Billy Okafor"
        assert option_texts(picker)[-1] == "zzz — not on the roster: Enter again"
        await pilot.press("backspace", "z")  # typing again disarms it
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.screen is picker and shift.service.get(case_id).assignee == "Billy Okafor"
        await pilot.press("enter")
        await closed_picker(pilot)
        assert shift.service.get(case_id).assignee == "zzz"


async def test_an_off_roster_name_is_offered_after_the_partial_matches(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        picker = await open_picker(pilot, shift.ids["reviewed"])
        await pilot.press(*"Han")
        await pilot.pause()
        texts = option_texts(picker)
        assert texts[0].startswith("Hana Sato") and "Han — not on the roster" in texts[-1]


def without_a_roster_priya_only_recent(shift):
    """No roster configured; Priya Nair owns a recent case but holds none (handed to Hana Sato)."""
    from tests.tui_fixtures import new_case

    desk = with_roster(shift, ())
    handed = desk.service.open_case(new_case("Lena Park", 5, "Priya Nair"), "Priya Nair")
    assert handed.id is not None
    desk.service.reassign(handed.id, "Hana Sato", "Omar Farouk")
    return desk


async def test_without_a_roster_the_picker_offers_who_worked_recent_cases(shift):
    desk = without_a_roster_priya_only_recent(shift)
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        picker = await open_picker(pilot, shift.ids["reviewed"])
        texts = option_texts(picker)
        assert any(text.startswith("Priya Nair") and "0 open" in text for text in texts), texts
        assert any(text.startswith("Hana Sato") and "2 open" in text for text in texts), texts
        assert not any("not on this shift" in text for text in texts)
        await pilot.press(*"pri", "enter")
        await closed_picker(pilot)
        assert desk.service.get(shift.ids["reviewed"]).assignee == "Priya Nair"


async def test_without_a_roster_the_cursor_starts_on_someone_holding_cases_now(shift):
    """Driving the demo without its roster (`shiftdesk --db …`): r put the cursor on "Aisha Bello  0 open
    (seen on recent cases)", someone who had worked a case in the last 30 days and might be off today, and
    Enter would have handed the case to her. Who holds open cases is working now: they come first, the
    least loaded under the cursor; the recent names follow."""
    desk = without_a_roster_priya_only_recent(shift)
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        picker = await open_picker(pilot, shift.ids["reviewed"])
        texts = option_texts(picker)
        holding = [index for index, text in enumerate(texts) if "seen on recent cases" not in text]
        recent = [index for index, text in enumerate(texts) if "seen on recent cases" in text]
        assert recent and holding and max(holding) < min(recent), texts
        assert "Priya Nair" in texts[min(recent)], texts


def test_recent_agents_are_the_assignees_and_owners_of_recent_cases(shift):
    from datetime import timedelta

    from tests.tui_fixtures import NOW, new_case

    service = shift.service
    shift.clock.set(NOW - timedelta(days=40))
    service.open_case(new_case("Old", 40 * 24 * 60, "Long Gone"), "Long Gone")
    shift.clock.set(NOW)
    names = views.recent_agents(service.database, NOW - timedelta(days=30))
    assert names == ["Billy Okafor", "Hana Sato", "Marta Kowalski"]


# -- 3. a refusal swallows what is typed after it -----------------------------------------------------


async def test_text_typed_after_a_refusal_fires_no_dashboard_key(shift, tmp_path, monkeypatch):
    import tui.export
    from tui.screens.confirm import RefusalScreen

    exports: list[object] = []
    monkeypatch.setattr(tui.export, "write_shift", lambda *args: exports.append(args) or [tmp_path / "x"])
    app = ShiftdeskApp(
        shift.service, actor="Omar Farouk", poll_seconds=0.05, hotspots=False, auto_export=False
    )
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        case_id = shift.ids["markup"]  # new: an update is refused until the apology and the review
        await highlight(pilot, case_id)
        open_before = len(app.board.cases)
        # As if the form had opened: a text, Enter for the next field, another text with e and n in it.
        await pilot.press("u", *"Refund being processed, quick? yes", "enter", *"export done", "enter")
        await pilot.pause(0.3)
        refusal = app.screen
        assert isinstance(refusal, RefusalScreen), app.screen_stack  # no form, no quit question, no help
        assert app.screen_stack[:-1] == [app.main_screen]
        typed = shown(refusal.query_one("#refusal-typed"))
        assert "Refund being processed, quick? yes ⏎ export done" in typed, typed
        assert "apolog" in shown(refusal.query_one("#refusal-reason")).lower()
        assert "a Apologize" in shown(refusal.query_one("#refusal-next"))
        assert all(worker.group != "export" for worker in app.workers)
        assert not exports
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main_screen and app.is_running
        assert len(app.board.cases) == open_before
        assert shift.service.get(case_id).stage is Stage.NEW
        assert [event.action for event in views.case_detail(shift.service.database, case_id).events] == [
            Action.OPEN
        ]
        await pilot.press("a")  # the board's keys work again at once
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)


async def test_enter_closes_a_refusal_only_while_nothing_was_typed(shift):
    from tui.screens.confirm import RefusalScreen

    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await highlight(pilot, shift.ids["markup"])
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, RefusalScreen)
        await pilot.press("enter")  # read it, Enter: back
        await pilot.pause()
        assert app.screen is app.main_screen
        await pilot.press("f", *"new voucher", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RefusalScreen)  # typed into a form that never opened: Enter stays
        assert "Esc" in shown(app.screen.query_one("#refusal-hint"))
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main_screen


async def test_no_highlighted_case_is_a_refusal_that_keeps_the_keys_too(shift):
    from tui.screens.confirm import RefusalScreen

    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        app.main_screen.table.clear()  # nothing highlighted
        await pilot.press("u", *"ten")
        await pilot.pause()
        assert isinstance(app.screen, RefusalScreen)
        assert "highlighted" in shown(app.screen.query_one("#refusal-reason"))


# -- 5. a gesture above the limit: the refusal names who could approve it ------------------------------


async def test_fix_above_the_limit_names_who_could_approve_it_on_shift_first(shift):
    from dataclasses import replace

    from core.policy import AuthorityPolicy
    from storage.service import WorkflowService

    limits = {"Omar Farouk": 250, "Grace Liu": 500, "Hana Sato": 100}
    settings = replace(shift.service.settings, authority=AuthorityPolicy(default_limit=25, limits=limits))
    service = WorkflowService(shift.service.database, settings, shift.clock)
    app = ShiftdeskApp(service, actor="Billy Okafor", poll_seconds=0.05, hotspots=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await highlight(pilot, shift.ids["reviewed"])
        # text, gesture, value, approver (left empty), "Done by" (prefilled): Enter saves on the last
        await pilot.press(
            "f", *"Replaced the sofa", "enter", *"upgrade", "enter", *"80", "enter", "enter", "enter"
        )
        await pilot.pause(0.3)
        assert isinstance(app.screen, FormScreen)
        error = shown(app.screen.query_one("#form-error"))
        assert (
            "Omar Farouk (on shift, limit 250), Hana Sato (on shift, limit 100), Grace Liu (limit 500)"
            in error
        ), error
        assert service.get(shift.ids["reviewed"]).stage is Stage.REVIEWED


async def test_choosing_clears_the_choose_one_message(shift):
    app = make_app(shift)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await highlight(pilot, shift.ids["fixed"])
        await pilot.press("o", *"fine", "enter", "enter")
        await pilot.pause(0.2)
        form = app.screen
        assert "Choose one" in shown(form.query_one("#form-error"))
        choice = form.query_one("#field-satisfied", ChoiceField)
        assert "not chosen yet" in shown(choice)  # at 80 columns too: it wraps rather than being cut
        assert choice.size.height >= 1
        await pilot.press("n")
        await pilot.pause()
        assert "Choose one" not in shown(form.query_one("#form-error"))


async def test_new_case_form_filled_with_enter_only_navigation(shift):
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, FormScreen)
        texts = ["Yara Haddad", "", "damaged item", "Tray dropped", "Gulf Point", "", "Tray", "Dev Patel", ""]
        for text in texts:
            await pilot.press(*text, "enter")
        await pilot.press("down", "down", "enter")  # tier: ↓ opens the list, ↓ moves to vip, Enter picks it
        await pilot.press("enter", "enter", "enter")  # past tier, channel and severity: Enter moves on
        public = form.query_one("#field-public", ChoiceField)
        assert public.has_focus and public.value is None
        await pilot.press("n", "enter")
        await pilot.pause(0.3)
        assert app.screen is app.main_screen
        newest = max(case.id for case in views.open_cases(shift.service.database) if case.id)
        stored = shift.service.get(newest)
        assert (stored.customer, stored.staff, stored.tier.value, stored.public) == (
            "Yara Haddad",
            "Dev Patel",
            "vip",
            False,
        )


async def test_at_80x24_the_focused_field_and_the_form_message_stay_on_screen(shift):
    app = make_app(shift)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("n")
        form = app.screen
        for text in ["Yara Haddad", "", "damaged item", "Tray", "Gulf Point", "", "Tray", "Dev Patel", ""]:
            await pilot.press(*text, "enter")
        await pilot.press("enter", "enter", "enter", "enter")  # past the lists; Enter on "public" refuses
        await pilot.pause(0.3)
        public = form.query_one("#field-public", ChoiceField)
        error, hint = form.query_one("#form-error"), form.query_one("#form-hint")
        assert public.has_focus and "public" in shown(error).lower()
        inside = form.query_one("#form").content_region  # within the form's border, on a 24-row screen
        assert inside.bottom <= 24
        for widget in (public, error, hint):
            region = widget.region
            assert region.height and inside.contains_region(region), (widget, region, inside)
