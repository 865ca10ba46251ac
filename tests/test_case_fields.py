"""The case-field table is the one list of a case's fields: every reader and writer is a projection of it."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from core import case_fields, csv_import, export_formats
from core.case_fields import CASE_FIELDS, Kind, Need, Shown
from core.case_json import case_json
from core.cases import Case, Channel, Stage, Tier
from storage import bulk, quick_read
from tests.test_cli import ADD
from tui.cli import main
from tui.screens.case_view import fields_table

ZONE = ZoneInfo("Europe/London")


def names(shown: Shown) -> list[str]:
    return [field.name for field in CASE_FIELDS if shown in field.shown]


def a_case() -> Case:
    return Case(
        opened_at=datetime(2026, 11, 24, 14, 5, tzinfo=UTC),
        customer="Ada Brennan",
        category="late delivery",
        site="Harbour Road",
        product="Sofa",
        staff="Billy",
        owner="Billy",
        assignee="Hana",
        description="Sofa did not arrive",
        contact="+44 20 7946 0000",
        tier=Tier.VIP,
        channel=Channel.SOCIAL,
        public=True,
        region="North",
        id=7,
        stage=Stage.FIXED,
        fixed_at=datetime(2026, 11, 24, 14, 20, tzinfo=UTC),
    )


def test_the_table_is_exactly_the_case_dataclass() -> None:
    """A field added to Case and not to the table (or the other way) fails here; each kind fits its type."""
    assert {field.name for field in CASE_FIELDS} == {field.name for field in fields(Case)}
    assert len(CASE_FIELDS) == len(fields(Case))
    annotations = {field.name: str(field.type) for field in fields(Case)}
    expected_type = {
        Kind.ID: "int",
        Kind.NUMBER: "int",
        Kind.TEXT: "str",
        Kind.LONG_TEXT: "str",
        Kind.FLAG: "bool",
        Kind.TIME: "datetime",
        Kind.PAUSES: "tuple[Pause, ...]",
    }
    for field in CASE_FIELDS:
        wanted = (
            field.choices.__name__
            if field.kind is Kind.CHOICE and field.choices
            else expected_type[field.kind]
        )
        assert annotations[field.name].split(" | ")[0] == wanted, field.name
        assert (field.choices is not None) == (field.kind is Kind.CHOICE), field.name
        if field.import_default_from is not None:
            assert field.import_default_from in case_fields.BY_NAME


def test_csv_import_columns_are_the_tables_imported_fields_then_the_steps() -> None:
    required = [field.name for field in CASE_FIELDS if field.csv_import is Need.REQUIRED]
    optional = [field.name for field in CASE_FIELDS if field.csv_import is Need.OPTIONAL]
    assert list(csv_import.REQUIRED_COLUMNS) == required
    extra = [*csv_import.STAGE_COLUMNS, *csv_import.DEPOSITION_AND_GESTURE_COLUMNS]
    assert list(csv_import.OPTIONAL_COLUMNS) == [*optional, *extra]
    assert list(csv_import.COLUMNS) == [*required, *optional, *extra]


def test_export_csv_starts_with_the_tables_export_columns() -> None:
    case_columns = names(Shown.EXPORT_CSV)
    assert list(export_formats.CSV_COLUMNS) == [*case_columns, *export_formats.SUMMARY_CSV_COLUMNS]
    line = SimpleNamespace(
        case=a_case(),
        gesture=None,
        fix_or_update_met=True,
        worst_breach=None,
        follow_up_done=None,
        deposition_filed=False,
        last_note="",
        recovered=None,
        paused=timedelta(0),
        gesture_unapproved=None,
        phrase_hints=0,
    )
    summary = SimpleNamespace(cases=[line])
    header, row = list(csv.reader(io.StringIO(export_formats.to_csv(summary, ZONE))))  # type: ignore[arg-type]
    assert header == list(export_formats.CSV_COLUMNS)
    cells = dict(zip(header, row, strict=True))
    assert cells["id"] == "7" and cells["tier"] == "vip" and cells["public"] == "yes"
    assert cells["opened_at"] == "2026-11-24T14:05:00+00:00" and cells["closed_at"] == ""


def test_case_json_keys_are_the_tables_json_fields() -> None:
    shown = case_json(a_case())
    assert list(shown) == names(Shown.JSON)
    assert shown["tier"] == "vip" and shown["fixed_at"] == "2026-11-24T14:20:00+00:00"
    assert json.loads(json.dumps(shown)) == shown


def test_case_view_rows_are_the_tables_case_view_fields_long_text_last() -> None:
    table = fields_table(SimpleNamespace(case=a_case()), ZONE)  # type: ignore[arg-type]
    labels = [str(cell) for cell in table.columns[0]._cells]
    in_view = [field for field in CASE_FIELDS if Shown.CASE_VIEW in field.shown]
    short = [field.label or field.name for field in in_view if field.kind is not Kind.LONG_TEXT]
    long = [field.label or field.name for field in in_view if field.kind is Kind.LONG_TEXT]
    assert labels == [*short, *long]


def test_quick_read_and_bulk_write_select_the_tables_columns_by_name() -> None:
    every = {field.name for field in CASE_FIELDS if field.column}
    selected = quick_read.COLUMNS.split(", ")
    assert set(selected) == every and len(selected) == len(every)
    assert set(bulk.CASE_COLUMNS) == every | {"last_event_id"}
    assert len(bulk.CASE_COLUMNS) == len(every) + 1


def test_case_reader_reads_every_field_back_from_stored_values() -> None:
    case = a_case()
    stored = [case_fields.stored_value(getattr(case, name)) for name in case_fields.READ_ORDER]
    assert case_fields.case_reader(None)(stored) == case
    as_text = [value.isoformat() if isinstance(value, datetime) else value for value in stored]
    assert (
        case_fields.case_reader(lambda text: None if text is None else datetime.fromisoformat(text))(as_text)
        == case
    )


def test_show_text_lists_the_case_view_fields(sqlite_url: str) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["--db", sqlite_url, *ADD], catch_exceptions=False).exit_code == 0
    out = runner.invoke(main, ["--db", sqlite_url, "show", "1"], catch_exceptions=False).stdout
    listed = [
        line.split()[0] for line in out.splitlines()[1:] if line.startswith("  ") and line != "timeline:"
    ]
    view = [field.label or field.name for field in case_fields.CASE_VIEW_FIELDS]
    assert listed[: len(view)] == view


def test_intake_checks_the_tables_typed_text_fields() -> None:
    from core import intake

    typed = [field for field in CASE_FIELDS if field.intake is not Need.NO]
    text = [field.name for field in typed if field.kind in (Kind.TEXT, Kind.LONG_TEXT)]
    assert list(intake.TEXT_FIELDS) == text
    assert list(intake.REQUIRED) == [field.name for field in CASE_FIELDS if field.intake is Need.REQUIRED]
    assert set(intake.NAME_FIELDS) | intake.MULTILINE_FIELDS == set(text)
    blank = Case(**{**{name: "" for name in text}, "opened_at": datetime(2026, 11, 24, tzinfo=UTC)})
    assert [problem.split(":")[0] for problem in intake.case_problems(blank)] == list(intake.REQUIRED)


def test_the_stored_case_row_has_exactly_the_tables_columns() -> None:
    from storage.models import CaseRow

    columns = {field.name for field in CASE_FIELDS if field.column}
    assert {column.name for column in CaseRow.__table__.columns} == columns | {"last_event_id"}
    # What storage rebuilds instead (the pauses) comes last in Case, so the stored values pass positionally.
    order = [field.name for field in fields(Case)]
    assert order[: len(case_fields.READ_ORDER)] == list(case_fields.READ_ORDER)
    assert {field.name for field in CASE_FIELDS if not field.column} == {"pauses"}


def test_the_new_case_form_and_add_ask_exactly_the_tables_asked_fields() -> None:
    from core.case_fields import ASKED_FIELDS, asked_is_required
    from tui.cli_cases import add
    from tui.forms import NEW_CASE

    asked = [field.name for field in ASKED_FIELDS]
    assert [field.name for field in NEW_CASE.fields] == asked
    assert [field.label for field in NEW_CASE.fields] == [field.prompt for field in ASKED_FIELDS]
    options = [param.name for param in add.params if param.name not in ("opened_at", "actor")]
    assert options == asked
    required = {param.name for param in add.params if param.required}
    assert required == {field.name for field in ASKED_FIELDS if asked_is_required(field)}
    assert {"customer", "description", "staff"} <= required and "owner" not in required
