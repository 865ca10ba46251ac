"""Stored event details: 0003 rewrites old and stray shapes, and a row nobody can read never stops a case."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from core.case_json import event_json
from core.cases import Action, Gesture
from core.clock import FrozenClock
from core.config import Settings
from core.deposition import Deposition, Factor
from core.payloads import (
    PAYLOAD_TYPES,
    DocumentPayload,
    FixPayload,
    FollowUpPayload,
    OpenPayload,
    ReassignPayload,
    ReviewPayload,
    Unreadable,
)
from storage import views
from storage.database import HEAD_REVISION, Database
from storage.errors import ValidationError
from storage.service import WorkflowService
from tests.domain_helpers import make_case
from tui.cli import main

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
FILED = Deposition(
    "late twice", "a firm date", "courier", "carrier missed the slot", (Factor.EXTERNAL,), "voucher"
)
VOUCHER_15 = Gesture("voucher", 15.0)
UNFIT = '{"gesture": {"kind": "voucher", "value": "lots"}}'

# (action, details as an earlier writer or another tool stored them, what 0003 leaves to be read)
OLD_SHAPES: list[tuple[str, str, object]] = [
    ("open", '{"imported": null}', OpenPayload()),
    ("review", "{}", ReviewPayload()),  # a CSV import's review: read as it is
    ("review", '{"needs": null}', ReviewPayload()),
    ("review", '{"needs": "a firm date"}', ReviewPayload("a firm date")),
    ("fix", "{}", FixPayload()),
    ("fix", '{"gesture": null}', FixPayload()),
    ("fix", '{"gesture": {}}', FixPayload()),
    ("fix", '{"gesture": {"kind": " ", "value": 0}}', FixPayload()),
    ("fix", '{"gesture": "voucher"}', FixPayload(Gesture("voucher", 0.0))),
    ("fix", '{"gesture": {"kind": "voucher", "value": "15", "approved_by": ""}}', FixPayload(VOUCHER_15)),
    ("fix", '{"gesture": {"kind": "discount", "value": 20}}', FixPayload(Gesture("discount", 20.0))),
    ("fix", '{"gesture": {"kind": "upgrade"}}', FixPayload(Gesture("upgrade", 0.0))),
    ("fix", '{"gesture": {"kind": "voucher", "value": 15.0, "approved_by": null}}', FixPayload(VOUCHER_15)),
    ("follow-up", "{}", FollowUpPayload()),
    ("follow-up", '{"satisfied": null}', FollowUpPayload()),
    ("follow-up", '{"satisfied": "yes"}', FollowUpPayload(True)),
    ("follow-up", '{"satisfied": 0}', FollowUpPayload(False)),
    ("reassign", '{"to": "Hana", "from": null}', ReassignPayload("Hana")),
    ("reassign", '{"to": "Hana", "from": "Billy"}', ReassignPayload("Hana", "Billy")),
    ("document", "null", DocumentPayload(FILED)),  # no details: the filed deposition's
    (
        "document",
        json.dumps({
            "customer_view": "late twice", "customer_needed": "a firm date", "actions_taken": "courier",
            "root_cause": "carrier missed the slot", "factors": "External", "notes": None,
            "gesture": {"kind": "voucher", "value": 10.0, "approved_by": None},
        }),
        DocumentPayload(FILED),
    ),
    ("close", "null", PAYLOAD_TYPES[Action.CLOSE]()),
    ("apologize", "{}", PAYLOAD_TYPES[Action.APOLOGIZE]()),
    ("fix", UNFIT, Unreadable(UNFIT, "fix.gesture.value: 'lots' is not a number")),
]  # fmt: skip


def insert_event(database: Database, case_id: int, action: str, data: str) -> None:
    """An events row written as another tool would: raw SQL, no service, no checks."""
    value = "CAST(:data AS json)" if not database.is_sqlite else ":data"
    with database.write() as session:
        session.execute(
            text(
                "INSERT INTO events (case_id, at, actor, action, text, data) "
                f"VALUES (:case_id, :at, 'Tool', :action, 'by another tool', {value})"
            ),
            {"case_id": case_id, "at": NOW.replace(tzinfo=None), "action": action, "data": data},
        )


def stored_data(database: Database, case_id: int) -> list[str]:
    with database.read() as session:
        rows = session.execute(
            text("SELECT CAST(data AS TEXT) FROM events WHERE case_id = :id ORDER BY id"), {"id": case_id}
        )
        return [row[0] for row in rows]


def test_0003_turns_every_old_shape_into_its_type(database_url: str) -> None:
    from tests.test_service import open_before_0004

    older = Database(database_url, create=False)
    older.upgrade("0002")
    case_id = open_before_0004(older, make_case(id=None))  # the columns 0002 had
    with older.write() as session:
        session.execute(
            text(
                "INSERT INTO depositions (case_id, filed_at, author, customer_view, customer_needed, "
                "actions_taken, root_cause, factors, gesture, notes) VALUES (:id, :at, 'Billy', "
                "'late twice', 'a firm date', 'courier', 'carrier missed the slot', 'external', "
                "'voucher', '')"
            ),
            {"id": case_id, "at": NOW.replace(tzinfo=None)},
        )
    for action, data, _expected in OLD_SHAPES:
        insert_event(older, case_id, action, data)
    before = stored_data(older, case_id)
    older.dispose()

    database = Database(database_url)  # opening upgrades
    assert database.current_revision() == HEAD_REVISION == "0005"
    events = views.case_detail(database, case_id).events[1:]
    assert [event.payload for event in events] == [expected for _action, _data, expected in OLD_SHAPES]
    after = stored_data(database, case_id)
    # What already fitted, and what cannot be read at all, are left exactly as stored.
    assert after[2] == before[2] and after[-1] == before[-1]
    assert after[1] != before[1]
    with pytest.raises(Exception, match="append-only"), database.write() as session:
        session.execute(text("UPDATE events SET text = 'x' WHERE case_id = :id"), {"id": case_id})
    database.dispose()


def test_a_row_another_tool_wrote_is_shown_marked_and_the_case_still_works(database_url: str) -> None:
    database = Database(database_url)
    service = WorkflowService(database, Settings(), FrozenClock(NOW))
    case_id = service.open_case(make_case(id=None), "Omar").id
    assert case_id is not None
    service.act(case_id, Action.APOLOGIZE, "Billy", "Sorry")
    service.act(case_id, Action.REVIEW, "Billy", "Late", {"needs": "a date"})
    # Steps in a legal order (the tool's rows are odd only in their details).
    insert_event(database, case_id, "fix", UNFIT)
    insert_event(database, case_id, "follow-up", '["not", "a", "mapping"]')

    detail = views.case_detail(database, case_id)
    unreadable = [event.payload for event in detail.events if isinstance(event.payload, Unreadable)]
    assert [payload.problem for payload in unreadable] == [
        "fix.gesture.value: 'lots' is not a number",
        "follow-up: ['not', 'a', 'mapping'] is not a mapping",
    ]
    assert event_json(detail.events[3])["unreadable"] == "fix.gesture.value: 'lots' is not a number"
    assert event_json(detail.events[3])["data"] == json.loads(UNFIT)
    # The case goes on through the service, which never writes such details itself.
    with pytest.raises(ValidationError, match=r"fix\.gesture\.value: 'lots' is not a number"):
        service.act(case_id, Action.FIX, "Billy", "Done", json.loads(UNFIT))
    service.act(case_id, Action.PUBLIC_APOLOGY, "Billy", "Posted on the thread")

    runner = CliRunner()
    shown = runner.invoke(main, ["--db", database_url, "show", str(case_id)], catch_exceptions=False)
    assert shown.exit_code == 0
    assert "[unreadable data: fix.gesture.value: 'lots' is not a number]" in shown.stdout
    as_json = runner.invoke(
        main, ["--db", database_url, "show", "--json", str(case_id)], catch_exceptions=False
    )
    assert json.loads(as_json.stdout)["events"][3]["unreadable"].startswith("fix.gesture.value")
    exported = runner.invoke(
        main, ["--db", database_url, "export", "--from", "2026-11-25T00:00Z", "--to", "2026-11-26T00:00Z"]
    )
    assert exported.exit_code == 0, exported.output
    database.dispose()


def test_the_service_checks_details_and_records_who_had_the_case(database_url: str) -> None:
    database = Database(database_url)
    service = WorkflowService(database, Settings(), FrozenClock(NOW))
    case_id = service.open_case(make_case(id=None), "Omar").id
    assert case_id is not None
    with pytest.raises(ValidationError, match=r"^follow-up\.satisfied: 'yes' is not true or false$"):
        service.act(case_id, Action.FOLLOW_UP, "Billy", "x", {"satisfied": "yes"})
    with pytest.raises(ValidationError, match="apologize: FixPayload holds the details of another action"):
        service.act(case_id, Action.APOLOGIZE, "Billy", "Sorry", FixPayload())
    service.act(case_id, Action.REASSIGN, "Omar", "", ReassignPayload("Hana", from_agent="someone else"))
    reassigned = views.case_detail(database, case_id).events[-1]
    assert reassigned.payload == ReassignPayload("Hana", "Billy")
    assert stored_data(database, case_id)[-1] in (
        '{"to": "Hana", "from": "Billy"}',
        '{"to":"Hana","from":"Billy"}',
    )
    database.dispose()
