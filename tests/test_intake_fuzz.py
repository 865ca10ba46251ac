"""Fuzzing intake fields through the service: stored exactly, or refused by field with nothing kept."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.cases import Action, Case
from core.clock import FrozenClock
from core.config import Settings
from core.workflow import WorkflowError
from storage import views
from storage.database import Database
from storage.errors import ValidationError
from storage.service import WorkflowService

NASTY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "x" * 201,
            "y" * 10_001,
            "\u202eevil rtl\u202c",
            "مرحبا بالعالم",
            "🙂🔥 emoji",
            "tab\there",
            "line\nbreak",
            "nul\x00byte",
            "esc\x1b[31m",
            "[bold]x[/bold]",
            "[/]",
            "[@click=app.quit]q[/]",
        ]
    ),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(customer=NASTY, site=NASTY, description=NASTY, text=NASTY)
def test_any_text_is_stored_exactly_or_refused_cleanly(
    tmp_path: Path, customer: str, site: str, description: str, text: str
) -> None:
    database = Database(f"sqlite:///{tmp_path}/fuzz.db")
    clock = FrozenClock(datetime(2026, 11, 24, 15, tzinfo=UTC))
    service = WorkflowService(database, Settings(zone=UTC), clock)
    before = len(views.list_cases(database))
    draft = Case(
        opened_at=datetime(2026, 11, 24, 14, tzinfo=UTC),
        customer=customer,
        category="late delivery",
        site=site,
        product="Sofa",
        staff="Billy",
        owner="Billy",
        assignee="Billy",
        description=description,
    )
    try:
        stored = service.open_case(draft, "Omar")
    except ValidationError as error:
        assert error.problems and all(": " in problem for problem in error.problems)
        assert {p.split(":")[0] for p in error.problems} <= {"customer", "site", "description"}
        assert len(views.list_cases(database)) == before
        return
    assert stored.id is not None
    shown = views.case_detail(database, stored.id).case
    assert (shown.customer, shown.site, shown.description) == (customer.strip(), site.strip(), description)
    events_before = len(views.case_detail(database, stored.id).events)
    try:
        service.act(stored.id, Action.APOLOGIZE, "Billy", text)
    except (WorkflowError, ValidationError) as error:
        assert "must not be empty" in str(error) or str(error).startswith("text: ")
        assert len(views.case_detail(database, stored.id).events) == events_before
    else:
        assert views.case_detail(database, stored.id).events[-1].text == text
    database.dispose()
