"""`shiftdesk export` through the command line, on SQLite and PostgreSQL, over the hand-computed shift of
tests/test_summary.py (stored with the service's bulk import, read back by storage/summary_views.py)."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from core.clock import FrozenClock
from core.config import load_settings
from core.export_formats import CSV_COLUMNS
from core.summary import Period
from storage.database import Database
from storage.service import WorkflowService
from storage.summary_views import export_shift, histories_for_period, write_export
from tests.test_summary import (
    AFTER,
    CONTACTS,
    CUSTOMERS,
    END,
    EXPECTED_HANDOVER,
    EXPECTED_JSON,
    FORMULA_NOTE,
    START,
    fixture_histories,
    handover_tuples,
    m,
)
from tui.cli import Runtime, main

CONFIG = """
timezone = "Europe/Berlin"
[authority]
limits = { Omar = 100 }
[[shifts]]
name = "Early"
start = "07:00"
end = "15:00"
[[shifts]]
name = "Late"
start = "15:00"
end = "23:00"
[[shifts]]
name = "Night"
start = "23:00"
end = "07:00"
"""

Run = Callable[..., tuple[int, str, str]]


class FrozenRuntime(Runtime):
    """The CLI's composition root with the clock frozen at a chosen instant."""

    def __init__(self, db_url: str, config_path: str, now: datetime) -> None:
        super().__init__(db_url, config_path)
        self.now = now

    def service_clock(self) -> Any:
        return FrozenClock(self.now)


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def stored(database_url: str, config_path: Path) -> str:
    """The eight cases of the fixture, stored in a fresh database (ids 1–8 as in the fixture)."""
    database = Database(database_url)
    # Imported from a known OS account: the export shows it beside every actor (`--as` is only a claim).
    service = WorkflowService(
        database, load_settings(config_path), FrozenClock(AFTER), identity=lambda: (IMPORTER, "desk-9")
    )
    ids = service.import_histories(fixture_histories())
    database.dispose()
    assert ids == list(range(1, 9))
    return database_url


@pytest.fixture
def run(stored: str, config_path: Path) -> Run:
    def invoke(*args: str, now: datetime = AFTER) -> tuple[int, str, str]:
        runtime = FrozenRuntime(stored, str(config_path), now)
        result = CliRunner().invoke(main, ["export", *args], obj=runtime, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return invoke


IMPORTER = "importer"
# The rows that name who did a step also name the OS account that stored it (here: the import's).
WRITTEN_ROWS = ("follow_ups_done", "gestures", "depositions_written")


def check_figures(payload: dict[str, Any]) -> None:
    for key, expected in EXPECTED_JSON.items():
        if key in WRITTEN_ROWS:
            expected = [{**row, "os_account": f"{IMPORTER}@desk-9"} for row in expected]
        assert payload[key] == expected, key
    assert handover_tuples(payload) == EXPECTED_HANDOVER


def test_json_of_a_named_shift_has_the_hand_computed_figures(run: Run) -> None:
    code, out, err = run("--shift", "2026-11-24:Late", "--format", "json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["period"]["label"] == "2026-11-24:Late"
    assert payload["period"]["from"] == "2026-11-24T14:00:00+00:00"
    check_figures(payload)
    assert err == ""


def test_previous_shift_and_explicit_period_give_the_same_figures(run: Run) -> None:
    # At 22:30 UTC (23:30 in Berlin) the Night shift runs; the previous one is the Late shift.
    code, out, err = run("--shift", "previous", "--format", "json")
    assert code == 0, err
    previous = json.loads(out)
    assert previous["period"]["label"] == "2026-11-24:Late"
    check_figures(previous)
    # Naive times are Berlin time: 15:00–23:00 there is 14:00–22:00 UTC.
    code, out, err = run("--from", "2026-11-24T15:00", "--to", "2026-11-24T23:00", "--format", "json")
    assert code == 0, err
    explicit = json.loads(out)
    assert (explicit["period"]["from"], explicit["period"]["to"]) == (
        "2026-11-24T14:00:00+00:00",
        "2026-11-24T22:00:00+00:00",
    )
    check_figures(explicit)


def test_current_shift_is_the_default_and_stops_at_now(run: Run) -> None:
    code, out, err = run("--format", "json", now=m(250))
    assert code == 0, err
    payload = json.loads(out)
    assert payload["period"]["label"] == "2026-11-24:Late"
    assert payload["period"]["as_of"] == "2026-11-24T18:10:00+00:00"
    assert payload["opened"] == [1, 2, 4] and payload["still_open"] == [2, 3, 4]
    assert [(b["case_id"], b["breached_by_seconds"]) for b in payload["fix_or_update_breached"]] == [
        (2, 7080),
        (3, 13200),  # not satisfied at m10: another fix or update was owed by m30
        (4, 300),
    ]


def test_markdown_on_stdout_is_the_document_only_and_renders_user_text_literally(run: Run) -> None:
    code, out, err = run("--shift", "2026-11-24:Late")
    assert code == 0 and err == ""
    assert out.startswith("# Shift summary 2026-11-24\\:Late\n")
    assert "Period 2026-11-24 15:00 to 2026-11-24 23:00 (Europe/Berlin)" in out
    html = MarkdownIt("commonmark").enable("table").render(out)
    assert "Bruno [bold]Keller[/bold]" in html and "[@click=app.quit]q[/]" in html
    assert "[link=http://x]here[/link]" in html
    assert "<a " not in html and "<em>" not in html and "<code>" not in html and "<b>" not in html


def test_csv_rows_and_formula_neutralisation(run: Run) -> None:
    code, out, err = run("--shift", "2026-11-24:Late", "--format", "csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert tuple(rows[0]) == CSV_COLUMNS
    by_id = {row[0]: dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]}
    assert list(by_id) == ["1", "2", "3", "4", "5", "7", "8"]
    assert by_id["3"]["last_note"] == "'" + FORMULA_NOTE and by_id["4"]["customer"] == "'" + CUSTOMERS[4]
    assert by_id["2"]["contact"] == "'" + CONTACTS[2]
    assert by_id["2"]["opened_at"] == "2026-11-24T16:40:00+01:00"  # m100 in Berlin time
    assert (by_id["2"]["fix_or_update_met"], by_id["2"]["worst_breach_seconds"]) == ("no", "20880")
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_out_file_is_private_when_it_holds_customer_data(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "late.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    code, out, err = run("--shift", "2026-11-24:Late", "--format", "json", "--out", str(target))
    assert code == 0, err
    assert out == ""
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    check_figures(json.loads(target.read_text(encoding="utf-8")))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".late")] == []  # no temporary left


@pytest.mark.parametrize("fmt", ["md", "csv", "json"])
def test_redacted_out_file_has_no_names_or_contacts(run: Run, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"late.{fmt}"
    code, _out, err = run("--shift", "2026-11-24:Late", "--format", fmt, "--redact", "--out", str(target))
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    assert "customer #2" in text.replace("\\#", "#")  # Markdown escapes the #
    for case_id in CUSTOMERS:
        assert CUSTOMERS[case_id] not in text and CONTACTS[case_id] not in text
    assert "Keller" not in text and "Qureshi" not in text and "7946" not in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--shift", "yesterday"), "--shift: 'yesterday' is not current, previous or DATE:NAME"),
        (("--shift", "2026-11-24:Brunch"), "no shift named 'Brunch'"),
        (("--shift", "2026-13-01:Late"), "is not a date"),
        (("--from", "2026-11-24T15:00"), "--from and --to go together"),
        (("--from", "soon", "--to", "2026-11-24T23:00"), "not an ISO 8601 date-time"),
        (("--from", "2026-11-24T23:00", "--to", "2026-11-24T15:00"), "must start before it ends"),
        (("--shift", "current", "--from", "2026-11-24T15:00", "--to", "2026-11-24T23:00"), "not both"),
    ],
)
def test_bad_period_is_one_line_and_non_zero(run: Run, args: tuple[str, ...], expected: str) -> None:
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("shiftdesk: error: ")
    assert expected in err


def test_unwritable_out_is_one_line(run: Run, tmp_path: Path) -> None:
    code, _out, err = run("--out", str(tmp_path / "missing" / "x.md"))
    assert code == 1 and len(err.strip().splitlines()) == 1 and "cannot write" in err


def test_loader_and_dashboard_entry_points(stored: str, config_path: Path, tmp_path: Path) -> None:
    database = Database(stored)
    settings = load_settings(config_path)
    try:
        histories = histories_for_period(database, START, END)
        assert [h.case.id for h in histories] == [1, 2, 3, 4, 5, 7, 8]  # not #6, closed the day before
        four = histories[3]
        assert [e.action.value for e in four.events][:3] == ["open", "apologize", "reassign"]
        assert histories[0].deposition is not None and histories[1].deposition is None
        assert histories_for_period(database, START - timedelta(days=3), START - timedelta(days=2)) == []
        day_before = histories_for_period(database, START - timedelta(hours=26), START - timedelta(hours=24))
        assert [h.case.id for h in day_before] == [6]
        # Still-open cases concern every later period too (they are handed over from shift to shift).
        later = histories_for_period(database, END + timedelta(days=2), END + timedelta(days=3))
        assert [h.case.id for h in later] == [2, 3, 4, 5, 7, 8]
        service = WorkflowService(database, settings, FrozenClock(AFTER))
        period = settings.calendar.named(START.date(), "Late")
        text = export_shift(service, settings, period, "json", True, AFTER)
        assert json.loads(text)["handover"][0]["customer"] == "customer #2"
        same = export_shift(database, settings, Period.of(period), "json", True, AFTER)
        assert same == text
        path = write_export(tmp_path / "exports", period.label, "json", text)
        assert path.name == "shiftdesk-2026-11-24_Late.json" and path.read_text(encoding="utf-8") == text
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    finally:
        database.dispose()


def test_export_format_choices_are_the_registry() -> None:
    """`--format` offers exactly the registry's formats, its default among them; automatic ones are too."""
    from core.export_formats import AUTOMATIC_FORMATS, DEFAULT_FORMAT, FORMATS
    from storage.summary_views import export_filename

    export = main.commands["export"]
    option = next(param for param in export.params if param.name == "fmt")
    assert isinstance(option.type, click.Choice)
    assert list(option.type.choices) == list(FORMATS)
    assert option.default == DEFAULT_FORMAT and DEFAULT_FORMAT in FORMATS
    assert AUTOMATIC_FORMATS and set(AUTOMATIC_FORMATS) <= set(FORMATS)
    for name, known in FORMATS.items():
        assert export_filename("2026-11-24 Late", name).endswith("." + known.extension)
