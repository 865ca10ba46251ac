"""Calm: a toast only for what is new and needs a person (a breach, a warning on a VIP or public case), the
bell only for a new breach; the countdown pane shows every deadline all the time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.cases import Tier
from tests.tui_fixtures import NOW, Shiftdesk, build_shift, new_case
from tui.app import ShiftdeskApp

SIZE = (120, 40)


@pytest.fixture
def shift(sqlite_url: str) -> Shiftdesk:
    return build_shift(sqlite_url)


def make_app(shift: Shiftdesk) -> ShiftdeskApp:
    return ShiftdeskApp(
        shift.service, actor="Omar Farouk", poll_seconds=0.05, hotspots=False, auto_export=False
    )


def toasts(app: ShiftdeskApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


async def at(pilot, shift: Shiftdesk, moment) -> None:
    shift.clock.set(moment)
    await pilot.app.alerts.fire_warnings()
    await pilot.pause()


async def test_plain_warning_is_quiet_vip_warning_toasts_without_bell_breach_toasts_and_rings(shift):
    # A VIP case (ten minutes to fix or update) whose reminder comes at 15:04, the markup case's at 15:03.
    shift.clock.set(NOW - timedelta(minutes=1))
    vip = shift.service.open_case(new_case("Vera Importante", 1, "Hana Sato", tier=Tier.VIP), "Hana Sato").id
    shift.clock.set(NOW)
    markup = shift.ids["markup"]
    app = make_app(shift)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await app.loaded.wait()
        await pilot.pause()
        await at(pilot, shift, NOW + timedelta(minutes=2, seconds=30))  # #reviewed breached at 15:02
        app.clear_notifications()
        bells.clear()
        # 15:03: the standard case's five-minute warning — the countdown pane shows it; no toast, no bell.
        await at(pilot, shift, NOW + timedelta(minutes=3))
        assert toasts(app) == []
        assert bells == []
        # 15:04: the VIP case's warning — a toast, but no bell (nothing is breached).
        await at(pilot, shift, NOW + timedelta(minutes=4))
        assert len(toasts(app)) == 1 and f"#{vip} " in toasts(app)[0]
        assert bells == []
        app.clear_notifications()
        # 15:08: the standard case breaches — one toast and the bell.
        await at(pilot, shift, NOW + timedelta(minutes=8))
        assert len(toasts(app)) == 1
        assert toasts(app)[0].startswith(f"Overdue: #{markup} fix-or-update")
        assert bells == [1]


async def test_breaches_already_old_at_start_make_no_toast(shift):
    # Started six hours on: every deadline of the fixture shift is long breached — the header and the
    # countdowns say so; a start-up toast over the panes would only hide them.
    shift.clock.set(NOW + timedelta(hours=6))
    app = make_app(shift)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await app.loaded.wait()
        await pilot.pause()
        assert toasts(app) == []
        assert bells == []
