"""A small fixed shift for the dashboard tests: cases at every stage, a frozen clock, markup in text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.cases import Action, Case, Tier
from core.clock import FrozenClock
from core.config import Settings
from core.deposition import Deposition, Factor
from core.policy import AuthorityPolicy
from core.shifts import Shift
from storage.database import Database
from storage.service import WorkflowService
from tests.domain_helpers import make_case

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday, 15:00 in London
ZONE = ZoneInfo("Europe/London")
MARKUP_NAME = "[bold]Ada[/bold] Brennan"
MARKUP_TEXT = "Sofa [link=http://x]late[/link] [@click=app.quit]again[/] [red]"
ROSTER = ("Billy Okafor", "Hana Sato", "Marta Kowalski", "Dev Patel")
SHIFTS = (
    Shift("Early", time(6), time(14), "Grace Liu", ("Priya Nair",)),
    Shift("Late", time(14), time(22), "Omar Farouk", ROSTER),
    Shift("Night", time(22), time(6), "Ines Costa", ("Kenji Mori",)),
)


def settings() -> Settings:
    return Settings(
        zone=ZONE,
        shifts=SHIFTS,
        authority=AuthorityPolicy(default_limit=25, limits={"Omar Farouk": 250}),
    )


@dataclass
class Shiftdesk:
    service: WorkflowService
    clock: FrozenClock
    ids: dict[str, int]


def new_case(customer: str, minutes_ago: float, assignee: str, **extra: object) -> Case:
    fields: dict[str, object] = {
        "id": None,
        "opened_at": NOW - timedelta(minutes=minutes_ago),
        "customer": customer,
        "staff": assignee,
        "owner": assignee,
        "assignee": assignee,
    }
    fields.update(extra)
    return make_case(**fields)


def build_shift(url: str) -> Shiftdesk:
    """Five open cases (new, apologized, reviewed, fixed, documented) and one closed, at 15:00 London."""
    clock = FrozenClock(NOW - timedelta(minutes=40))
    # A fixed OS account and host: the timeline shows them where they are not the actor (a snapshot
    # must not depend on the machine it is taken on).
    service = WorkflowService(Database(url), settings(), clock, identity=lambda: ("omar", "desk-3"))
    ids: dict[str, int] = {}

    def open_(key: str, case: Case) -> int:
        clock.set(case.opened_at)
        stored = service.open_case(case, case.staff)
        assert stored.id is not None
        ids[key] = stored.id
        return stored.id

    markup = open_("markup", new_case(MARKUP_NAME, 12, "Billy Okafor", description=MARKUP_TEXT))
    apologized = open_("apologized", new_case("Bruno Keller", 30, "Hana Sato", tier=Tier.VIP))
    reviewed = open_("reviewed", new_case("Chloé Martin", 35, "Billy Okafor", category="wrong item"))
    fixed = open_("fixed", new_case("Dmitri Volkov", 38, "Marta Kowalski", tier=Tier.CHRONIC))
    documented = open_("documented", new_case("Esi Mensah", 39, "Billy Okafor", category="billing error"))
    clock.set(NOW - timedelta(minutes=25))
    for case_id in (apologized, reviewed, fixed, documented):
        service.act(case_id, Action.APOLOGIZE, "Omar Farouk", "Sorry, we let you down.")
    clock.set(NOW - timedelta(minutes=18))
    for case_id in (reviewed, fixed, documented):
        service.act(case_id, Action.REVIEW, "Omar Farouk", "It came late", {"needs": "a new date"})
    clock.set(NOW - timedelta(minutes=10))
    for case_id in (fixed, documented):
        service.fix(case_id, "Omar Farouk", "Delivered by courier", gesture_kind="voucher", gesture_value=20)
    clock.set(NOW - timedelta(minutes=6))
    service.follow_up(documented, "Billy Okafor", "Happy now", satisfied=True)
    clock.set(NOW - timedelta(minutes=4))
    service.file_deposition(
        documented,
        "Billy Okafor",
        Deposition(
            customer_view="Late twice",
            customer_needed="A firm date",
            actions_taken="Courier delivery",
            root_cause="Order released late [bold]by[/bold] the warehouse",
            factors=(Factor.PROCESS,),
        ),
    )
    clock.set(NOW)
    assert markup
    return Shiftdesk(service, clock, ids)


def quiet_app(shift: Shiftdesk) -> object:
    """The dashboard on `shift` with nothing that runs on its own: no poll to speak of, no scan, no export."""
    from tui.app import ShiftdeskApp

    return ShiftdeskApp(
        shift.service, actor="Omar Farouk", poll_seconds=60, hotspots=False, auto_export=False
    )


async def started_quietly(pilot) -> object:  # type: ignore[no-untyped-def]
    """Until the dashboard is loaded, its panes mounted and its start-up work done; no toast left."""
    app = pilot.app
    await app.loaded.wait()
    await app.main_screen.complete.wait()
    await app.workers.wait_for_complete()
    await pilot.pause()
    app.clear_notifications()
    await pilot.pause()
    return app
