"""The playbook in the dashboard, driven by keys: guidance that fits the case in every form, the phrase check
as the note is typed (never refusing the save), templates with ctrl+t, gesture suggestions, the checklist,
and the shift summary's per-agent hint counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from textual import events

from core.cases import Action, Channel, Stage, Tier
from core.config import load_settings
from core.payloads import hints_of
from core.summary import summarize
from storage import views
from storage.summary_views import histories_for_period
from tests.test_phrase_check import HARMLESS
from tests.test_tui_flows import highlight, rendered
from tests.tui_fixtures import NOW, ZONE, Shiftdesk, build_shift, new_case, quiet_app, started_quietly
from tui.app import ShiftdeskApp
from tui.screens.case_view import CaseScreen
from tui.screens.form import FormScreen

SIZE = (120, 40)

CONFIG = """
[[phrases.avoid]]
phrase = "above my pay grade"
instead = "“Let me bring in someone who can decide this now.”"

[templates."wrong item"]
update = "Dear {customer}, the right item leaves {site} today."
"""


@pytest.fixture
def shift(sqlite_url: str, tmp_path: Path) -> Shiftdesk:
    """The shared small shift, its settings' playbook read from a config file (one extra phrase, one
    template of its own for "wrong item")."""
    built = build_shift(sqlite_url)
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    loaded = load_settings(path)
    built.service.settings = replace(
        built.service.settings, phrases=loaded.phrases, templates=loaded.templates, gestures=loaded.gestures
    )
    return built


def app_for(shift: Shiftdesk, actor: str = "Omar Farouk") -> ShiftdeskApp:
    app = quiet_app(shift)
    assert isinstance(app, ShiftdeskApp)
    app.actor = actor
    return app


async def open_form(pilot, case_id: int, key: str) -> FormScreen:  # type: ignore[no-untyped-def]
    await highlight(pilot, case_id)
    await pilot.press(key)
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, FormScreen), rendered(screen.query_one("#refusal-reason"))
    return screen


def add_case(shift: Shiftdesk, customer: str, **extra: object) -> int:
    stored = shift.service.open_case(new_case(customer, 2, "Hana Sato", **extra), "Hana Sato")
    assert stored.id is not None
    return stored.id


# -- guidance -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "present", "absent"),
    [
        ({}, ["Apologise in your own words", "Phone:"], ["VIP", "Chronic", "Public"]),
        # The most senior person available: the Late shift's supervisor (limit 250).
        ({"tier": Tier.VIP}, ["VIP:", "most senior person available (Omar Farouk)"], ["Chronic"]),
        ({"tier": Tier.CHRONIC}, ["Chronic complainer", "hear them out"], ["VIP"]),
        ({"channel": Channel.EMAIL}, ["E-mail: reply the same day"], ["Phone:"]),
        ({"channel": Channel.IN_PERSON}, ["In person:"], ["Phone:"]),
        (
            {"channel": Channel.SOCIAL, "public": True},
            ["Social media:", "contact the customer directly first", "No spokesperson is named yet"],
            ["Phone:"],
        ),
    ],
)
async def test_the_apology_forms_guidance_changes_with_tier_channel_and_public(
    shift: Shiftdesk, extra: dict[str, object], present: list[str], absent: list[str]
) -> None:
    case_id = add_case(shift, "Gus Guide", **extra)
    app = app_for(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started_quietly(pilot)
        form = await open_form(pilot, case_id, "a")
        shown = " ".join(rendered(form.query_one("#form-guidance")).split())
        for words in present:
            assert words in shown, (words, shown)
        for words in absent:
            assert words not in shown, (words, shown)


async def test_a_named_spokesperson_is_in_the_public_apology_forms_guidance(shift: Shiftdesk) -> None:
    case_id = add_case(shift, "Pia Public", public=True, channel=Channel.SOCIAL)
    shift.service.act(case_id, Action.APOLOGIZE, "Hana Sato", "Called her directly: so sorry.")
    shift.service.act(case_id, Action.SPOKESPERSON, "Omar Farouk", "", {"name": "Grace [b]Liu[/b]"})
    app = app_for(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started_quietly(pilot)
        form = await open_form(pilot, case_id, "P")
        shown = " ".join(rendered(form.query_one("#form-guidance")).split())
        assert "now post the apology where the complaint appeared" in shown
        assert "through the spokesperson, Grace [b]Liu[/b]." in shown  # a name is shown as typed


# -- the phrase check ---------------------------------------------------------------------------------

# Each checked form, the case it opens on and its checked fields (the review has two).
CHECKED_FORMS = [
    ("a", "markup", ["text"]),
    ("v", "apologized", ["text", "needs"]),
    ("u", "reviewed", ["text"]),
]
CHECKED_FORMS += [("o", "fixed", ["text"])]


async def paste_into(pilot, form: FormScreen, name: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """As a terminal's paste (one event: quicker than key by key), into the field cleared first."""
    field = form.query_one(f"#field-{name}")
    field.focus()
    await pilot.press("end", "ctrl+u")
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


@pytest.mark.parametrize(("key", "case_key", "names"), CHECKED_FORMS)
async def test_every_configured_phrase_is_hinted_in_every_checked_field_and_harmless_sentences_are_not(
    shift: Shiftdesk, key: str, case_key: str, names: list[str]
) -> None:
    phrases = shift.service.settings.phrases
    assert phrases[-1].words == "above my pay grade"  # the configured one, after the shipped ones
    app = app_for(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started_quietly(pilot)
        form = await open_form(pilot, shift.ids[case_key], key)
        for name in names:
            # The hint appears on the key that completes the phrase, and goes on the key that breaks it.
            await paste_into(pilot, form, name, "Sorry, that's not my departmen")
            assert rendered(form.query_one("#form-phrases")).strip() == ""
            await pilot.press("t")
            assert "“that's not my department”" in rendered(form.query_one("#form-phrases"))
            await pilot.press("s")
            assert rendered(form.query_one("#form-phrases")).strip() == ""
            # Every configured phrase and harmless sentence in the apology's field; the other fields
            # share its check, so there a shipped phrase, the configured one and two sentences do (each
            # paste costs the Pilot a wait for idle: all of them in every field took 40 s).
            every = key == CHECKED_FORMS[0][0]
            shipped = phrases[[form[0] for form in CHECKED_FORMS].index(key) % (len(phrases) - 1)]
            for phrase in phrases if every else [shipped, phrases[-1]]:
                await paste_into(
                    pilot, form, name, f"Well, {phrase.words.replace('…', 'right now').upper()}!"
                )
                hints = rendered(form.query_one("#form-phrases"))
                assert f"“{phrase.words}”" in hints and phrase.instead[:20] in hints, (name, phrase, hints)
            for sentence in HARMLESS if every else HARMLESS[:2]:
                await paste_into(pilot, form, name, sentence)
                assert rendered(form.query_one("#form-phrases")).strip() == "", (name, sentence)


async def test_a_hinted_note_is_saved_with_its_count_and_the_forms_without_a_check_have_none(
    shift: Shiftdesk,
) -> None:
    app = app_for(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started_quietly(pilot)
        form = await open_form(pilot, shift.ids["markup"], "a")
        await pilot.press(*"Sorry if you feel that way; that's not my department.")
        assert rendered(form.query_one("#form-phrases")).count("hint:") == 2
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert app.screen is app.main_screen  # a hint never stops the save
        detail = views.case_detail(shift.service.database, shift.ids["markup"])
        assert detail.events[-1].action is Action.APOLOGIZE and hints_of(detail.events[-1].payload) == 2
        assert any("2 phrase hints noted" in str(note.message) for note in app._notifications)
        # The deposition form takes no customer-facing note: no phrase line at all.
        form = await open_form(pilot, shift.ids["fixed"], "o")
        await pilot.press("escape")
        await highlight(pilot, shift.ids["documented"])
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen) and not app.screen.query("#form-phrases")


# -- templates ----------------------------------------------------------------------------------------


async def test_the_configured_template_goes_in_with_ctrl_t_and_is_then_edited(shift: Shiftdesk) -> None:
    app = app_for(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started_quietly(pilot)
        form = await open_form(pilot, shift.ids["reviewed"], "u")  # Chloé Martin's "wrong item"
        assert "ctrl+t: template" in rendered(form.query_one("#form-hint"))
        assert "Insert the template (ctrl+t)" in [command.title for command in app.get_system_commands(form)]
        await pilot.press("ctrl+t")
        field = form.query_one("#field-text")
        assert field.value == "Dear Chloé Martin, the right item leaves Harbour Road today."
        await pilot.press(*" By 5pm.")
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        detail = views.case_detail(shift.service.database, shift.ids["reviewed"])
        assert (
            detail.events[-1].text == "Dear Chloé Martin, the right item leaves Harbour Road today. By 5pm."
        )


async def test_a_shipped_template_fills_the_apology_and_ctrl_t_is_offered_only_with_one(
    shift: Shiftdesk,
) -> None:
    app = app_for(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started_quietly(pilot)
        form = await open_form(pilot, shift.ids["markup"], "a")  # category "late delivery" (shipped)
        await pilot.press(*"Hello. ", "ctrl+t")
        assert form.query_one("#field-text").value.startswith(
            "Hello. [bold]Ada[/bold] Brennan, I'm sorry your"
        )
        await pilot.press("escape")
        await highlight(pilot, shift.ids["documented"])
        await pilot.press("d")  # the deposition has no text template: no key, nothing inserted
        await pilot.pause()
        await pilot.press("escape")
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen) and "ctrl+t" not in rendered(
            app.screen.query_one("#form-hint")
        )
        await pilot.press("ctrl+t")
        assert app.screen.query_one("#field-text").value == ""


# -- the something extra ------------------------------------------------------------------------------


async def test_the_fix_form_suggests_gestures_for_the_tier_within_the_limit_and_names_approvers(
    shift: Shiftdesk,
) -> None:
    vip = add_case(shift, "Vera Vip", tier=Tier.VIP)
    chronic = add_case(shift, "Carl Chronic", tier=Tier.CHRONIC)
    for case_id in (vip, chronic):
        shift.service.act(case_id, Action.APOLOGIZE, "Hana Sato", "So sorry.")
        shift.service.act(case_id, Action.REVIEW, "Hana Sato", "Late", {"needs": "a date"})
    app = app_for(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started_quietly(pilot)
        form = await open_form(pilot, shift.ids["reviewed"], "f")  # standard, Billy's (limit 25)
        note = " ".join(rendered(form.query_one("#form-note")).split())
        assert "Something extra makes the fix what they remember." in note
        within = "voucher 10, voucher 20, discount 10, discount 25, free delivery 15."
        assert f"Within Billy Okafor's limit of 25: {within}" in note
        # Above it, who could approve more: the supervisor on shift (limit 250).
        assert "Above it, name the approver: voucher 50 (Omar Farouk), upgrade 40 (Omar Farouk)." in note
        # The suggestions sit right under "Something extra", the gesture's field.
        children = list(form.query_one("#form-fields").children)
        assert (
            children.index(form.query_one("#form-note"))
            == children.index(form.query_one("#field-gesture")) + 1
        )
        await pilot.press("escape")
        form = await open_form(pilot, vip, "f")
        note = " ".join(rendered(form.query_one("#form-note")).split())
        assert "VIP: an immediate, generous gesture" in note and "upgrade 100 (Omar Farouk)" in note
        await pilot.press("escape")
        form = await open_form(pilot, chronic, "f")
        note = " ".join(rendered(form.query_one("#form-note")).split())
        assert "not a bigger one" in note and "Above it" not in note and "upgrade" not in note


# -- the checklist ------------------------------------------------------------------------------------


async def test_the_case_view_shows_the_sequence_as_a_checklist_with_the_next_steps_guidance(
    shift: Shiftdesk,
) -> None:
    case_id = shift.ids["apologized"]  # Bruno Keller, VIP, apologized at 14:35 London by Omar Farouk
    app = app_for(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started_quietly(pilot)
        await highlight(pilot, case_id)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, CaseScreen)
        lines = [
            " ".join(line.split()) for line in rendered(app.screen.query_one("#case-checklist")).splitlines()
        ]
        assert any(line.startswith("✓ done apologize") and "14:35 by Omar Farouk" in line for line in lines)
        # VIP: ten minutes from the apology (the last contact) to fix or update.
        assert "→ due review the complaint by 14:45, Hana Sato" in lines
        assert (
            "· not yet follow up fix the problem first" in lines
        )  # what it waits on, in the workflow's words
        assert "· not yet close file the deposition first" in lines
        text = " ".join(lines)
        assert "Next: review the complaint" in text and "VIP: agree on the solution" in text
        # A step done changes it: the review is done once recorded, the fix due.
        await pilot.press("v", *"Late again", "enter", *"a firm date", "enter", "enter")
        await pilot.pause(0.5)
        lines = [
            " ".join(line.split()) for line in rendered(app.screen.query_one("#case-checklist")).splitlines()
        ]
        assert any(line.startswith("✓ done review the complaint") for line in lines), lines
        assert any(line.startswith("→ due fix, or update in time by 15:10, Hana Sato") for line in lines), (
            lines
        )


def test_every_kind_of_checklist_line_draws_with_its_note_as_typed() -> None:
    """Done, due and not-yet lines, each with a note holding markup (a spokesperson's name is user text)."""
    from rich.console import Console

    from core.playbook import ChecklistItem, Status
    from tui.widgets.checklist import checklist_table

    items = [
        ChecklistItem(Action.SPOKESPERSON, "spokesperson", Status.DONE, NOW, "Omar", "[b]Grace[/b]"),
        ChecklistItem(Action.FIX, "fix", Status.DUE, NOW, "Billy", "again: not satisfied"),
        ChecklistItem(Action.PUBLIC_APOLOGY, "public apology", Status.DUE, None, "Hana", "before closing"),
        ChecklistItem(Action.CLOSE, "close", Status.NOT_YET, why="file the deposition first"),
    ]
    console = Console(width=120, color_system=None, record=True)
    console.print(checklist_table(items, ZONE))
    lines = [" ".join(line.split()) for line in console.export_text().splitlines()]
    assert lines == [
        "✓ done spokesperson Wed 25 Nov 15:00 by Omar — [b]Grace[/b]",
        "→ due fix by 15:00, Billy — again: not satisfied",
        "→ due public apology now, Hana — before closing",
        "· not yet close file the deposition first",
    ]


# -- coaching ----------------------------------------------------------------------------------------


async def test_the_summarys_per_agent_hint_counts_match_the_hints_given_in_the_forms(
    shift: Shiftdesk,
) -> None:
    app = app_for(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started_quietly(pilot)
        # Billy (Done by, prefilled) apologizes with one hollow phrase; Hana reviews with two (one per field).
        form = await open_form(pilot, shift.ids["markup"], "a")
        await pilot.press(*"Sorry for any inconvenience.", "ctrl+s")
        await pilot.pause(0.3)
        form = await open_form(pilot, shift.ids["apologized"], "v")
        await pilot.press(*"It's against our policy", "enter", *"nothing I can do", "ctrl+s")
        await pilot.pause(0.3)
        form = await open_form(pilot, shift.ids["reviewed"], "u")  # a plain update: no hint
        await pilot.press(*"The courier is booked for 5pm.", "ctrl+s")
        await pilot.pause(0.3)
        assert app.screen is app.main_screen, form
    histories = histories_for_period(
        shift.service.database, NOW - timedelta(hours=1), NOW + timedelta(hours=1)
    )
    summary = summarize(
        histories, NOW - timedelta(hours=1), NOW + timedelta(hours=1), NOW, shift.service.settings.deadlines
    )
    counts = {name: figures.phrase_hints for name, figures in summary.per_agent.items()}
    assert counts["Billy Okafor"] == 1 and counts["Hana Sato"] == 2
    assert sum(counts.values()) == 3
    assert shift.service.get(shift.ids["apologized"]).stage is Stage.REVIEWED
