"""One rule for times at intake: the CLI, the service and the CSV import refuse the same impossible times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.clock import FrozenClock
from core.config import Settings
from core.csv_import import CsvImportError, parse_cases_csv
from core.intake import case_problems
from core.times import EARLIEST, LATEST, time_problem
from storage.database import Database
from storage.errors import ValidationError
from storage.service import WorkflowService
from tests.domain_helpers import T0, make_case
from tui.cli import main

NOW = datetime(2026, 11, 25, 15, tzinfo=UTC)
ADD = [
    "add", "--customer", "Ada", "--category", "late delivery", "--site", "Harbour Road", "--product", "Sofa",
    "--staff", "Billy", "--description", "Sofa did not arrive", "--as", "Billy",
]  # fmt: skip


def test_the_rule_takes_ordinary_times_and_refuses_impossible_ones() -> None:
    assert time_problem(NOW - timedelta(hours=1), NOW) is None
    assert time_problem(NOW, NOW) is None
    assert time_problem(NOW + timedelta(seconds=1), NOW) == "is later than now (2026-11-25T15:00:00+00:00)"
    assert "earlier than 2000-01-01" in (time_problem(EARLIEST - timedelta(seconds=1), NOW) or "")
    assert time_problem(datetime(2026, 11, 25, 14), NOW) == "has no time zone"


@pytest.mark.parametrize(
    "at",
    [
        datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(-timedelta(hours=5))),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))),
        LATEST,
    ],
)
def test_without_a_clock_the_fixed_range_still_refuses_what_would_overflow_later(at: datetime) -> None:
    [problem] = case_problems(make_case(opened_at=at))
    assert problem.startswith(f"opened_at: {at.isoformat()} is ") and "cannot be right" in problem


def test_with_a_clock_a_case_opened_in_the_future_is_refused() -> None:
    assert case_problems(make_case(opened_at=T0), now=T0) == []
    [problem] = case_problems(make_case(opened_at=T0 + timedelta(minutes=1)), now=T0)
    assert problem.startswith("opened_at: ") and "is later than now" in problem


def test_the_csv_import_refuses_what_intake_refuses(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_text(
        "opened_at,customer,category,site,product,staff,description\n"
        "1999-12-31T23:00+00:00,Ada,billing error,Gulf Point,Card,Hana,Charged twice\n",
        encoding="utf-8",
    )
    with pytest.raises(CsvImportError) as caught:
        parse_cases_csv(path, Settings(zone=UTC), now=NOW, actor="Importer")
    assert caught.value.problems == [
        "line 2: opened_at: 1999-12-31T23:00+00:00 is earlier than 2000-01-01, which cannot be right"
    ]


def test_the_service_refuses_year_9999(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path}/shiftdesk.db")
    try:
        service = WorkflowService(database, Settings(zone=UTC))
        with pytest.raises(ValidationError, match="opened_at: 9999-12-31T23:59:00"):
            service.open_case(make_case(opened_at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC)), "Billy")
    finally:
        database.dispose()


def test_the_service_refuses_a_case_opened_after_its_clock_reads_now(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path}/shiftdesk.db")
    try:
        service = WorkflowService(database, Settings(zone=UTC), FrozenClock(T0))
        with pytest.raises(ValidationError, match="is later than now"):
            service.open_case(make_case(opened_at=T0 + timedelta(minutes=5)), "Billy")
        assert service.open_case(make_case(opened_at=T0), "Billy").id == 1
    finally:
        database.dispose()


def test_cli_add_refuses_year_9999_in_one_line_and_list_still_works(tmp_path: Path) -> None:
    runner = CliRunner()
    db = ["--db", f"sqlite:///{tmp_path}/shiftdesk.db"]
    refused = runner.invoke(main, [*db, *ADD, "--opened-at", "9999-12-31T23:59"])
    assert refused.exit_code == 1, refused.output
    assert refused.stderr.count("\n") == 1 and "opened_at: 9999-12-31T23:59" in refused.stderr
    listed = runner.invoke(main, [*db, "list"])
    assert listed.exit_code == 0, listed.output
    accepted = runner.invoke(main, [*db, *ADD, "--opened-at", "2026-11-24T14:05:00+00:00"])
    assert accepted.exit_code == 0 and accepted.stdout.strip() == "1"
