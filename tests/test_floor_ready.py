"""Floor-ready: what supervisors tripped over on a real shift, replayed with the keys they pressed."""

from __future__ import annotations

from typing import Any

import pytest

from core.cases import Action
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
        await pilot.press("enter")
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
        assert len(app.screen_stack) == 3  # default, main, the one question
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
