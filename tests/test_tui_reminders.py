"""Reminders and alerts fire at the right instants of the injected clock, once, survive a restart and follow
a reassignment; the end-of-shift export is written at the end, and at the next start when it was missed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.tui_fixtures import NOW, Shiftdesk, build_shift, new_case
from tui.alerts import WARNING_GATHER
from tui.app import ShiftdeskApp
from tui.export import export_folder
from tui.scheduling import SHIFT_END_JOB, WARNINGS_JOB

SIZE = (120, 40)


@pytest.fixture
def shift(sqlite_url: str) -> Shiftdesk:
    return build_shift(sqlite_url)


def make_app(shift: Shiftdesk, **kwargs) -> ShiftdeskApp:
    options = {"actor": "Omar Farouk", "poll_seconds": 0.05, "hotspots": False, "auto_export": False}
    options.update(kwargs)
    return ShiftdeskApp(shift.service, **options)


def messages(app: ShiftdeskApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


def about(app: ShiftdeskApp, case_id: int) -> list[str]:
    return [message for message in messages(app) if f"#{case_id} " in message]


async def started(pilot) -> ShiftdeskApp:
    await pilot.app.loaded.wait()
    await pilot.pause()
    return pilot.app


async def warnings_at(pilot, shift: Shiftdesk, at) -> None:
    """Move the frozen clock to `at` and fire what is due there, as the scheduler would."""
    shift.clock.set(at)
    await pilot.app.alerts.fire_warnings()
    await pilot.pause()


async def test_reminder_five_minutes_before_then_alert_at_the_breach_each_once(shift):
    case_id = shift.ids["markup"]  # opened 14:48, fix-or-update due 15:08 (London = UTC in November)
    app = make_app(shift)
    bells = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert about(app, case_id) == []
        # The scheduler is planned for the next warning instant: the reminder at 15:03.
        planned = app.scheduler.planned_at(WARNINGS_JOB)
        assert planned is not None
        await warnings_at(pilot, shift, NOW + timedelta(minutes=2, seconds=59))
        assert about(app, case_id) == []
        bells.clear()
        await warnings_at(pilot, shift, NOW + timedelta(minutes=3))
        # A standard case's reminder is the countdown pane's to show (see test_calm_alerts): it is planned
        # and used up, with no toast and no bell.
        assert about(app, case_id) == []
        assert not bells
        await warnings_at(pilot, shift, NOW + timedelta(minutes=8))
        assert about(app, case_id) == [
            f"Overdue: #{case_id} fix-or-update is due now ([bold]Ada[/bold] Brennan), owed by Billy Okafor"
        ]
        assert bells
        await app.alerts.fire_warnings()  # nothing new: fired once
        assert len(about(app, case_id)) == 1


async def test_a_fixed_case_fires_no_stale_alert_and_a_reassigned_one_names_the_new_agent(shift):
    reviewed, handed_over = shift.ids["reviewed"], shift.ids["markup"]  # due 15:02 and 15:08
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        shift.service.fix(reviewed, "Omar Farouk", "Delivered")
        shift.service.reassign(handed_over, "Dev Patel", "Omar Farouk")
        await pilot.pause(0.3)  # the poll takes both changes in and re-plans
        app.clear_notifications()
        await pilot.pause()
        await warnings_at(pilot, shift, NOW + timedelta(minutes=8))
        # The handed-over case breaches at 15:08: its toast names whoever owes it now.
        assert about(app, handed_over) == [
            f"Overdue: #{handed_over} fix-or-update is due now ([bold]Ada[/bold] Brennan), owed by Dev Patel"
        ]
        # Then each deadline left, at its breach: each toast with whoever owes that deadline now.
        for deadline in sorted(app.board.all_deadlines(), key=lambda item: item.due_at):
            await warnings_at(pilot, shift, max(shift.clock.now(), deadline.due_at))
        assert not any(f"#{reviewed} fix-or-update" in message for message in messages(app))
        # The original owner's obligation stays the original owner's.
        assert any(
            f"#{handed_over} owner-check-back" in message and "Billy Okafor" in message
            for message in messages(app)
        )


async def test_warnings_close_together_are_gathered_and_a_batch_is_one_toast(shift):
    # A case whose breach comes 5 s after the markup case's (15:08:05 against 15:08).
    shift.clock.set(NOW - timedelta(minutes=11, seconds=55))
    close_behind = shift.service.open_case(
        new_case("Wen Mori", 11 + 55 / 60, "Hana Sato", opened_at=NOW - timedelta(minutes=11, seconds=55)),
        "Hana Sato",
    ).id
    shift.clock.set(NOW)
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await warnings_at(pilot, shift, NOW + timedelta(minutes=8))
        assert about(app, shift.ids["markup"])  # shown at once: nothing was shown just before
        assert about(app, close_behind) == []
        # Planned not for 15:08:05 but WARNING_GATHER after the last toast: a busy floor gets a toast a
        # minute, not every second.
        planned = app.scheduler.planned_at(WARNINGS_JOB)  # on the wall clock: the frozen one stands still
        assert planned is not None
        assert WARNING_GATHER - timedelta(seconds=2) < planned - datetime.now(UTC) <= WARNING_GATHER
        await warnings_at(pilot, shift, NOW + timedelta(minutes=8) + WARNING_GATHER)
        assert len(about(app, close_behind)) == 1
        # Everything left, due together an hour on: one toast for the batch, not one per deadline.
        app.clear_notifications()
        await warnings_at(pilot, shift, NOW + timedelta(minutes=70))
        assert len(messages(app)) == 1 and messages(app)[0].startswith("Overdue: ")


async def test_a_restart_loses_no_warning_and_does_not_repeat_one(shift):
    case_id = shift.ids["markup"]
    first = make_app(shift)
    async with first.run_test(size=SIZE) as pilot:
        await started(pilot)
        await warnings_at(pilot, shift, NOW + timedelta(minutes=3))
        assert about(first, case_id) == []  # the reminder: a standard case's, quiet (the countdowns show it)
    # Closed over the breach at 15:08; opened again at 15:09: the alert is shown at start.
    shift.clock.set(NOW + timedelta(minutes=9))
    second = make_app(shift)
    async with second.run_test(size=SIZE) as pilot:
        await started(pilot)
        alerts = about(second, case_id)
        # With #reviewed's breach of 15:02 (also missed while closed): one toast for both.
        reviewed = shift.ids["reviewed"]
        assert alerts == [
            f"Overdue: #{reviewed} fix-or-update (Billy Okafor), #{case_id} fix-or-update (Billy Okafor)"
        ]
        await second.alerts.fire_warnings()
        await pilot.pause()
        assert len(about(second, case_id)) == len(alerts)


async def test_two_dashboards_on_one_database_each_fire_once(shift):
    case_id = shift.ids["markup"]
    left, right = make_app(shift), make_app(shift)
    async with left.run_test(size=SIZE) as left_pilot, right.run_test(size=SIZE) as right_pilot:
        await started(left_pilot)
        await started(right_pilot)
        shift.clock.set(NOW + timedelta(minutes=8))
        for app in (left, right, left, right):
            await app.alerts.fire_warnings()
        await left_pilot.pause()
        await right_pilot.pause()
        for app in (left, right):
            assert len([m for m in about(app, case_id) if m.startswith("Overdue")]) == 1


def exports_of(shift, tmp_path):
    """The configured export folder's sub-folder of this shift's database."""
    from storage.location import database_folder_name

    return tmp_path / "exports" / database_folder_name(shift.service.database.url)


async def test_the_shift_end_export_is_planned_and_written(shift, tmp_path):
    shift.service.settings = replace(shift.service.settings, export_folder=tmp_path / "exports")
    app = make_app(shift, auto_export=True)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        planned = app.scheduler.planned_at(SHIFT_END_JOB)
        assert planned is not None
        # The Late shift ends at 22:00 London; mapped onto the wall clock from the frozen 15:00.
        assert (
            timedelta(hours=6, minutes=59)
            < planned - app.scheduler.wall_time(NOW) + timedelta(hours=0)
            < timedelta(hours=7, minutes=1)
        )
        job = app.scheduler.scheduler.get_job(SHIFT_END_JOB)
        shift.clock.set(NOW + timedelta(hours=7))
        await job.func()
        written = sorted(path.name for path in exports_of(shift, tmp_path).iterdir())
        assert "shiftdesk-2026-11-25_Late.md" in written and "shiftdesk-2026-11-25_Late.json" in written
        assert (exports_of(shift, tmp_path) / "shiftdesk-2026-11-25_Late.md").stat().st_mode & 0o777 == 0o600


async def test_a_missed_shift_end_export_is_written_at_the_next_start(shift, tmp_path):
    shift.service.settings = replace(shift.service.settings, export_folder=tmp_path / "exports")
    shift.clock.set(NOW + timedelta(hours=8))  # 23:00: the Late shift ended while nobody had shiftdesk open
    app = make_app(shift, auto_export=True)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        for _ in range(20):
            if exports_of(shift, tmp_path).exists():
                break
            await pilot.pause(0.05)
        late = exports_of(shift, tmp_path) / "shiftdesk-2026-11-25_Late.md"
        assert late.exists()
        assert "Late" in late.read_text()


async def test_e_exports_the_running_shift(shift, tmp_path):
    shift.service.settings = replace(shift.service.settings, export_folder=tmp_path / "exports")
    app = make_app(shift)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("e")
        for _ in range(40):
            await pilot.pause(0.05)
            if exports_of(shift, tmp_path).exists() and any(exports_of(shift, tmp_path).iterdir()):
                break
        path = exports_of(shift, tmp_path) / "shiftdesk-2026-11-25_Late.md"
        assert path.exists()
        text = path.read_text()
        assert "\\[bold\\]Ada\\[/bold\\] Brennan" in text  # markup-like text escaped, shown as typed
        assert any(str(path) in message for message in messages(app))
        assert export_folder(shift.service.settings, shift.service.database.url) == exports_of(
            shift, tmp_path
        )
