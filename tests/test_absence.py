"""No forgotten case: the plan that hands an absent agent's cases to the least loaded, the orphan rule,
the CLI (`absent`, `present`, `ack`), and the export that lists what nobody on the next shift will take."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.absence import ABSENT, OFF_SHIFT, orphan_reason, plan_absence, plan_lines
from core.cases import Action
from core.clock import FrozenClock
from core.config import Settings
from core.deadlines import pending_deadlines
from core.escalation import Ladder
from core.summary import NOT_ON_NEXT_SHIFT, Period
from storage import views
from storage.database import Database
from storage.service import WorkflowService
from storage.summary_views import export_shift
from tests.domain_helpers import make_case
from tests.test_demo_payloads import shiftdesk
from tests.tui_fixtures import NOW, build_shift, settings


def test_orphaned_means_absent_or_off_a_configured_roster() -> None:
    assert orphan_reason("Billy", ("Ana", "Billy"), set()) is None
    assert orphan_reason("Billy", ("Ana", "Billy"), {"Billy"}) == ABSENT
    assert orphan_reason("Billy", ("Ana",), set()) == OFF_SHIFT
    assert orphan_reason("Billy", (), set()) is None  # no roster configured: only an absence orphans


def test_the_plan_hands_out_to_the_least_loaded_and_moves_owned_check_backs() -> None:
    due = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    cases = [
        make_case(id=1, assignee="Billy", owner="Billy"),
        make_case(id=2, assignee="Billy", owner="Ana"),
        make_case(id=3, assignee="Billy", owner="Billy"),
        # Billy owns it and owes the check-back; Cy works it: only the check-back moves, to Cy.
        make_case(id=4, assignee="Cy", owner="Billy", check_back_owed_since=due),
        make_case(id=5, assignee="Ana", owner="Ana"),
    ]
    urgency = {1: due + timedelta(minutes=9), 2: due, 3: due + timedelta(minutes=1)}
    moves = plan_absence("Billy", cases, {"Ana": 1, "Cy": 0, "Billy": 3}, ["Ana", "Cy", "Billy"], urgency)
    # The most urgent first, each to whoever has the fewest cases counting those already handed out.
    assert [(m.case_id, m.to, m.owner_to) for m in moves] == [
        (2, "Cy", None),
        (3, "Ana", "Ana"),
        (1, "Cy", "Cy"),
        (4, "Cy", "Cy"),
    ]
    assert plan_lines(moves) == ["#2 → Cy", "#3 → Ana", "#1 → Cy", "#4 check-back → Cy"]
    assert all("Billy is absent" in move.note for move in moves)
    assert "check-back" in moves[1].note and "check-back" not in moves[0].note


def service_at(url: str, clock: FrozenClock) -> WorkflowService:
    return WorkflowService(Database(url), settings(), clock)


def test_a_moved_check_back_is_owed_by_the_new_owner_on_the_record(sqlite_url: str) -> None:
    shift = build_shift(sqlite_url)
    service = shift.service
    case_id = shift.ids["reviewed"]  # Billy Okafor's own case
    moves = plan_absence("Billy Okafor", [service.get(case_id)], {}, ["Hana Sato"])
    done, problems = service.hand_over_absent(moves, "Omar Farouk")
    assert problems == [] and done[0].assignee == done[0].owner == "Hana Sato"
    assert done[0].check_back_owed_since == shift.clock.now()  # moved, not dropped
    owed = pending_deadlines(done[0], service.settings.deadlines, service.settings.calendar)
    assert [(d.kind, d.owed_by) for d in owed if d.kind == "owner-check-back"] == [
        ("owner-check-back", "Hana Sato")
    ]
    event = views.case_detail(service.database, case_id).events[-1]
    assert event.action is Action.REASSIGN
    assert "the check-back Billy Okafor would owe moves to Hana Sato" in event.text
    assert event.payload.owner_from == "Billy Okafor"  # type: ignore[attr-defined]


def test_cli_absent_reassign_present_and_ack(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/desk.db"
    shift = build_shift(url)
    service = shift.service
    # An escalation to acknowledge: the dashboard's round at the breach of the markup case.
    service.settings = replace(service.settings, escalation=Ladder())
    shift.clock.set(NOW + timedelta(minutes=9))
    case_id = shift.ids["markup"]
    deadlines = pending_deadlines(service.get(case_id), service.settings.deadlines)
    assert [alert.step for alert in service.escalate_breached(deadlines, None)] == [0]
    service.database.dispose()
    home = tmp_path / "home"

    listed = shiftdesk(home, "--db", url, "absent", "Billy Okafor", "--as", "Omar Farouk")
    assert "Billy Okafor is absent since" in listed and "--reassign" in listed
    assert {absence.agent for absence in views.absences(Database(url))} == {"Billy Okafor"}
    handed = shiftdesk(home, "--db", url, "absent", "Billy Okafor", "--reassign", "--as", "Omar Farouk")
    database = Database(url)
    open_ = views.open_cases(database)
    assert handed.count("handed over: #") == 3
    assert not [case for case in open_ if case.assignee == "Billy Okafor"]
    assert "is present again" in shiftdesk(home, "--db", url, "present", "Billy Okafor")
    assert views.absences(database) == []

    acked = shiftdesk(home, "--db", url, "ack", str(case_id), "--as", "Omar Farouk")
    assert acked.startswith(f"case {case_id}:")
    last = views.case_detail(database, case_id).events[-1]
    assert last.action is Action.ACKNOWLEDGE and last.actor == "Omar Farouk"
    database.dispose()


def test_the_export_lists_orphans_first_and_the_ladder_in_words(sqlite_url: str) -> None:
    shift = build_shift(sqlite_url)
    service = shift.service
    service.settings = replace(settings(), escalation=Ladder(manager="Dana Reyes"))
    case_id = shift.ids["markup"]  # due 15:08, owed by Billy Okafor
    for minute in (8, 38):
        shift.clock.set(NOW + timedelta(minutes=minute))
        service.escalate_breached(pending_deadlines(service.get(case_id), service.settings.deadlines), None)
    service.acknowledge(case_id, "Omar Farouk")
    service.mark_absent("Hana Sato", "Omar Farouk")
    late = service.settings.calendar.named(NOW.date(), "Late")  # its next shift is Night: Kenji Mori
    document = json.loads(
        export_shift(service, service.settings, Period.of(late), "json", False, NOW + timedelta(hours=1), [])
    )
    handover = document["handover"]
    hana = shift.ids["apologized"]
    assert handover[0]["case_id"] == hana and handover[0]["orphaned"] == ABSENT
    assert {item["orphaned"] for item in handover[1:]} == {NOT_ON_NEXT_SHIFT}
    assert sorted(document["not_on_next_shift"]) == sorted(item["case_id"] for item in handover)
    (manager,) = [e for e in document["escalations"] if e["role"] == "manager"]
    assert manager["after_seconds"] == 30 * 60 and manager["acknowledged_by"] == "Omar Farouk"
    markdown = export_shift(
        service, service.settings, Period.of(late), "md", False, NOW + timedelta(hours=1), []
    )
    assert "escalated to the manager Dana Reyes after 30 min (fix-or-update)" in markdown
    assert "A new assignee needed on the next shift (the assignee is absent or not on it): #" in markdown
    # The dashboard's steps are nobody's actions in the per-agent figures.
    assert "shiftdesk" not in document["per_agent"]
    assert Settings  # the defaults stay importable alongside (config keys are tested in test_config)
