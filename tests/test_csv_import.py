"""CSV import: good files stored whole through the CLI, bad ones refused line by line with nothing stored."""

from __future__ import annotations

import csv
import gc
import io
import json
import re
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import intake, workflow
from core.cases import Action, Case, Gesture, Stage
from core.config import Settings
from core.csv_import import (
    COLUMNS,
    MAX_PROBLEMS,
    CsvImportError,
    _case_is_plain,
    _plain,
    _RowReader,
    parse_cases_csv,
)
from core.intake import case_problems, text_problem
from core.payloads import FixPayload, OpenPayload
from core.times import EARLIEST
from tui.cli import main

LONDON = ZoneInfo("Europe/London")
SETTINGS = Settings(zone=LONDON)
NOW = datetime(2027, 1, 1, tzinfo=UTC)
PROBLEM = re.compile(r"^line [1-9]\d*: [^:\n]+: .+$")

HEADER = (
    "id,opened_at,customer,category,site,region,product,staff,owner,assignee,description,channel,severity,"
    "tier,public,apologized_at,reviewed_at,fixed_at,followed_up_at,documented_at,closed_at,root_cause,"
    "gesture,gesture_value,deposition"
)
GOOD_ROWS = [
    # 1: closed, documented, with a gesture; times naive London summer time (BST, UTC+1)
    "101,2025-07-01T10:00,Ada Brennan,late delivery,Harbour Road,North,Sofa,Billy,Billy,Hana,"
    '"Sofa did not arrive,\nand nobody called",social,high,vip,no,2025-07-01T10:05,2025-07-01T10:10,'
    "2025-07-01T10:30,2025-07-01T11:00,2025-07-01T11:20,2025-07-01T11:30,carrier missed the slot,"
    'voucher,20,"Apologised, rebooked the carrier, called back."',
    # 2: reviewed, still open; its region comes from row 1's site
    "102,2025-07-02T09:00+00:00,Bruno Keller,damaged item,Harbour Road,,Lamp,Dev,,,Lamp arrived broken,"
    ",,,,2025-07-02T09:05+00:00,2025-07-02T09:15+00:00,,,,,,,,",
    # 3: new, winter time (GMT); the minimum columns filled in
    ",2025-01-15T14:00,Chloé Martin,billing error,Gulf Point,South,Card,Hana,,,Charged twice,,,,,,,,,,,,,,",
]


def write(path: Path, text: str, *, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def parse(path: Path, now: datetime = NOW) -> list:  # type: ignore[type-arg]
    return parse_cases_csv(path, SETTINGS, now=now, actor="Importer")


def problems_of(path: Path, now: datetime = NOW) -> list[str]:
    with pytest.raises(CsvImportError) as caught:
        parse(path, now)
    return caught.value.problems


@pytest.fixture
def cli(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    config = write(tmp_path / "config.toml", 'timezone = "Europe/London"\n')
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(
            main, ["--db", database_url, "--config", str(config), *args], catch_exceptions=False
        )
        return result.exit_code, result.stdout, result.stderr

    return invoke


# -- through the command line, on both backends ---------------------------------------------------------


def test_good_file_round_trip_through_cli(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = write(tmp_path / "cases.csv", "\r\n".join([HEADER, *GOOD_ROWS]) + "\r\n", bom=True)
    code, out, err = cli("import", str(source), "--as", "Importer")
    assert code == 0, err
    assert out.strip() == "imported 3 cases (#1–#3), 2 of them still open (no closed_at)"

    code, out, _ = cli("list", "--json")
    listed = json.loads(out)
    assert [(c["id"], c["customer"], c["stage"]) for c in listed] == [
        (1, "Ada Brennan", "closed"),
        (2, "Bruno Keller", "reviewed"),
        (3, "Chloé Martin", "new"),
    ]
    first, second, third = listed
    assert first["opened_at"] == "2025-07-01T09:00:00+00:00"  # 10:00 BST
    assert third["opened_at"] == "2025-01-15T14:00:00+00:00"  # 14:00 GMT
    assert (first["owner"], first["assignee"], first["region"]) == ("Billy", "Hana", "North")
    assert (first["channel"], first["severity"], first["tier"]) == ("social", "high", "vip")
    assert first["description"] == "Sofa did not arrive,\nand nobody called"
    assert (second["owner"], second["assignee"], second["region"]) == ("Dev", "Dev", "North")
    assert (third["channel"], third["severity"], third["tier"], third["public"]) == (
        "phone",
        "medium",
        "standard",
        False,
    )

    code, out, _ = cli("show", "1", "--json")
    shown = json.loads(out)
    assert [(e["action"], e["at"], e["actor"]) for e in shown["events"]] == [
        ("open", "2025-07-01T09:00:00+00:00", "Importer"),
        ("apologize", "2025-07-01T09:05:00+00:00", "Hana"),
        ("review", "2025-07-01T09:10:00+00:00", "Hana"),
        ("fix", "2025-07-01T09:30:00+00:00", "Hana"),
        ("follow-up", "2025-07-01T10:00:00+00:00", "Hana"),
        ("document", "2025-07-01T10:20:00+00:00", "Hana"),
        ("close", "2025-07-01T10:30:00+00:00", "Hana"),
    ]
    assert shown["events"][0]["data"] == {"imported": {"file": "cases.csv", "line": 2, "external_id": 101}}
    assert shown["events"][3]["data"] == {"gesture": {"kind": "voucher", "value": 20.0, "approved_by": None}}
    assert shown["fixed_at"] == "2025-07-01T09:30:00+00:00"
    assert shown["closed_at"] == "2025-07-01T10:30:00+00:00"
    assert shown["deadlines"] == []
    deposition = shown["deposition"]
    assert deposition["root_cause"] == "carrier missed the slot"
    assert deposition["actions_taken"] == "Apologised, rebooked the carrier, called back."
    assert deposition["customer_view"] == "Sofa did not arrive,\nand nobody called"
    assert deposition["gesture"] == "voucher"
    assert (deposition["author"], deposition["filed_at"]) == ("Hana", "2025-07-01T10:20:00+00:00")

    code, out, _ = cli("show", "2", "--json")
    shown = json.loads(out)
    assert [e["action"] for e in shown["events"]] == ["open", "apologize", "review"]
    assert shown["events"][0]["data"]["imported"]["line"] == 4  # row 1 spans lines 2 and 3
    assert [d["kind"] for d in shown["deadlines"]] == ["fix-or-update"]


BAD_ROWS = [
    (
        "1,2025-05-01T10:00,Ada,late delivery,Harbour Road,North,Sofa,Billy,Sofa late,phone,no,,,",
        None,
    ),
    (
        "2,2025-05-01T10:00,Ada,late delivery,Harbour Road,North,Sofa,Billy,Sofa late,fax,no,,,",
        "line 3: channel: 'fax' is not one of phone, in-person, email, chat, social",
    ),
    (
        "3,yesterday,Ada,late delivery,Harbour Road,North,Sofa,Billy,Sofa late,phone,no,,,",
        "line 4: opened_at: 'yesterday' is not an ISO 8601 date-time",
    ),
    (
        "4,2025-05-01T10:00,Ada,late delivery,Harbour Road,North,Sofa,Billy,Sofa late,phone,no,"
        "2025-05-01T10:05,,2025-05-01T10:30",
        "line 5: fixed_at: cannot fix the case yet: review the complaint with the customer first",
    ),
    (
        "5,2025-05-01T10:00,Ada,late delivery,Harbour Road,North,Sofa,Billy,Sofa late,phone,no,"
        "2025-05-01T10:20,2025-05-01T10:10,",
        "line 6: reviewed_at: cannot review the case yet: apologize to the customer first "
        "(apologized_at is later than reviewed_at)",
    ),
    (
        "6,2025-05-01T10:00,,late delivery,Harbour Road,North,Sofa,Billy,Sofa late,phone,no,,,",
        "line 7: customer: must not be empty",
    ),
    (
        "7,2025-05-01T10:00,Ada,late delivery,Harbour Road,North,Sofa,Billy,Sofa late,phone,maybe,,,",
        "line 8: public: 'maybe' is not one of true, false, yes, no, 1, 0 (or empty)",
    ),
    (
        "1,2025-05-01T10:00,Ada,late delivery,Harbour Road,North,Sofa,Billy,Sofa late,phone,no,,,",
        "line 9: id: 1 is already used on line 2",
    ),
    ("8,2025-05-01T10:00,Ada", "line 10: row: has 3 fields, the header has 14"),
    (
        "9,2025-05-01T10:00,Ada,late delivery,Harbour Road,North,Sofa,Billy,Sofa late,phone,no,"
        "2025-04-01T10:00,,",
        "line 11: apologized_at: earlier than opened_at",
    ),
]
BAD_HEADER = (
    "id,opened_at,customer,category,site,region,product,staff,description,channel,public,"
    "apologized_at,reviewed_at,fixed_at"
)


def test_bad_file_is_refused_line_by_line_and_nothing_is_stored(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli(
        "add", "--customer", "Zoe", "--category", "long wait", "--site", "Millbrook", "--product", "Phone",
        "--staff", "Tom", "--description", "Waited an hour", "--opened-at", "2025-05-01T09:00:00+00:00",
    )  # fmt: skip
    assert code == 0, err
    source = write(tmp_path / "bad.csv", "\n".join([BAD_HEADER, *(row for row, _ in BAD_ROWS)]) + "\n")

    code, out, err = cli("import", str(source), "--as", "Importer")

    expected = [problem for _, problem in BAD_ROWS if problem]
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"shiftdesk: error: {source}: {len(expected)} problem(s), nothing imported:",
        *(f"  {problem}" for problem in expected),
    ]
    code, out, _ = cli("list", "--json")
    assert [case["customer"] for case in json.loads(out)] == ["Zoe"]


# -- line numbers, encodings, the header --------------------------------------------------------------


def test_line_numbers_count_physical_lines_of_multiline_fields(tmp_path: Path) -> None:
    rows = [
        HEADER,
        GOOD_ROWS[0],  # lines 2–3
        ',2025-01-15T14:00,Ada,billing error,Gulf Point,South,Card,Hana,,,"one\ntwo\r\nthree",,,,,,,,,,,,,,',
        ",2025-01-15T14:00,,billing error,Gulf Point,South,Card,Hana,,,Charged twice,,,,,,,,,,,,,,",
        "",  # a blank line is skipped, but still counted
        ",2025-01-15T14:00,Ada,billing error,Gulf Point,South,Card,Hana,,,Charged twice,,extreme,,,,,,,,,,,,",
    ]
    path = write(tmp_path / "lines.csv", "\n".join(rows) + "\n")
    problems = problems_of(path)
    assert problems == [
        "line 7: customer: must not be empty",
        "line 9: severity: 'extreme' is not one of low, medium, high, critical",
    ]
    # A CR LF inside a quoted field is the file's line ending: stored as a plain line break.
    histories = parse(write(tmp_path / "fixed.csv", "\n".join(rows[:3]) + "\n"))
    assert histories[1].case.description == "one\ntwo\nthree"
    opened = histories[1].events[0].payload
    assert isinstance(opened, OpenPayload) and opened.imported is not None and opened.imported.line == 4


def test_a_bom_is_accepted(tmp_path: Path) -> None:
    histories = parse(write(tmp_path / "bom.csv", "\n".join([HEADER, GOOD_ROWS[2]]), bom=True))
    assert [h.case.customer for h in histories] == ["Chloé Martin"]


def test_undecodable_bytes_name_their_line_and_column(tmp_path: Path) -> None:
    text = "\n".join([HEADER, *GOOD_ROWS]).encode("utf-8")
    latin1 = ",2025-01-15T14:00,Ren\xe9e,billing error,Gulf Point,South,Card,Hana,,,Caf\xe9,,,,,,,,,,,,,,"
    path = tmp_path / "latin1.csv"
    path.write_bytes(text + b"\n" + latin1.encode("latin-1") + b"\n")
    assert problems_of(path) == [
        "line 6: customer: not UTF-8 text (byte 0xE9 at position 4); save the file as UTF-8",
        "line 6: description: not UTF-8 text (byte 0xE9 at position 4); save the file as UTF-8",
    ]


def test_undecodable_bytes_in_the_header(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_bytes(b"opened_at,custom\xffer\n")
    problems = problems_of(path)
    assert problems[0] == "line 1: column 2: not UTF-8 text (byte 0xFF at position 7); save the file as UTF-8"


def test_header_problems_are_all_named(tmp_path: Path) -> None:
    path = write(tmp_path / "header.csv", "opened_at,customer,Customer,colour,,site\n")
    allowed = ", ".join(COLUMNS)
    assert problems_of(path) == [
        "line 1: customer: appears twice (columns 2 and 3)",
        f"line 1: colour: unknown column (allowed: {allowed})",
        "line 1: column 5: has no name",
        "line 1: category: missing required column",
        "line 1: description: missing required column",
        "line 1: product: missing required column",
        "line 1: staff: missing required column",
    ]


def test_unnamed_empty_columns_at_the_right_edge_are_ignored(tmp_path: Path) -> None:
    path = write(tmp_path / "edge.csv", f"{HEADER},,\n{GOOD_ROWS[2]},,\n{GOOD_ROWS[2]}\n")
    assert len(parse(path)) == 2
    path = write(tmp_path / "edge.csv", f"{HEADER},,\n{GOOD_ROWS[2]},,surprise\n")
    assert problems_of(path) == ["line 2: row: has 27 fields, the header has 25"]


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    assert problems_of(write(tmp_path / "empty.csv", "")) == [
        "line 1: header: the file is empty; the first line must name the columns"
    ]


def test_a_file_with_only_a_header_imports_nothing(tmp_path: Path) -> None:
    assert parse(write(tmp_path / "header.csv", HEADER + "\n")) == []


def test_a_field_beyond_the_csv_limit_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    huge = "x" * (csv.field_size_limit() + 10)
    row = f',2025-01-15T14:00,Ada,billing error,Gulf Point,South,Card,Hana,,,"{huge}",,,,,,,,,,,,,,'
    problems = problems_of(write(tmp_path / "huge.csv", "\n".join([HEADER, GOOD_ROWS[2], row]) + "\n"))
    assert problems == [
        f"line 3: row: a field is longer than {csv.field_size_limit()} characters; "
        "the rows after it were not checked"
    ]


# -- time zones --------------------------------------------------------------------------------------


def one_row(tmp_path: Path, opened_at: str) -> Path:
    row = f",{opened_at},Ada,billing error,Gulf Point,South,Card,Hana,,,Charged twice,,,,,,,,,,,,,,"
    return write(tmp_path / "one.csv", f"{HEADER}\n{row}\n")


def test_a_time_in_the_spring_forward_gap_is_refused(tmp_path: Path) -> None:
    assert problems_of(one_row(tmp_path, "2026-03-29T01:30")) == [
        "line 2: opened_at: 2026-03-29T01:30: 01:30 on 2026-03-29 does not exist in Europe/London "
        "(the clocks went forward)"
    ]


def test_an_ambiguous_fall_back_time_is_read_as_its_first_occurrence(tmp_path: Path) -> None:
    [history] = parse(one_row(tmp_path, "2026-10-25T01:30"))
    assert history.case.opened_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST, not GMT


def test_a_time_with_an_offset_is_taken_as_given(tmp_path: Path) -> None:
    [history] = parse(one_row(tmp_path, "2026-03-29T01:30:00-05:00"))
    assert history.case.opened_at == datetime(2026, 3, 29, 6, 30, tzinfo=UTC)


def test_times_after_now_are_refused(tmp_path: Path) -> None:
    path = one_row(tmp_path, "2027-01-01T00:00:01+00:00")
    assert problems_of(path) == [
        "line 2: opened_at: 2027-01-01T00:00:01+00:00 is later than now (2027-01-01T00:00:00+00:00)"
    ]


def test_times_out_of_range_are_problems(tmp_path: Path) -> None:
    assert problems_of(one_row(tmp_path, "0001-01-01T00:00+05:00")) == [
        "line 2: opened_at: '0001-01-01T00:00+05:00' is out of range"
    ]


def reference_utc(raw: str, zone: tzinfo, now: datetime) -> tuple[datetime | None, str | None]:
    """The plain reading of a time cell (the import takes short cuts that must give the same)."""
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        return None, "not ISO"
    try:
        if at.tzinfo is None:
            utc = at.replace(tzinfo=zone).astimezone(UTC)
            if utc.astimezone(zone).replace(tzinfo=None) != at:
                return None, "skipped"
        else:
            utc = at.astimezone(UTC)
    except (OverflowError, ValueError):
        return None, "out of range"
    if utc < EARLIEST:
        return utc, "too old"
    return utc, "later" if utc > now else None


def transitions(zone: ZoneInfo, year: int) -> list[datetime]:
    """The local wall times (naive) at which `zone` changes its offset during `year`."""
    found = []
    instant = datetime(year, 1, 1, tzinfo=UTC)
    while instant.year == year:
        step = instant + timedelta(hours=6)
        if step.astimezone(zone).utcoffset() != instant.astimezone(zone).utcoffset():
            while step - instant > timedelta(minutes=1):  # narrow down to the minute
                middle = instant + (step - instant) / 2
                same = middle.astimezone(zone).utcoffset() == instant.astimezone(zone).utcoffset()
                instant, step = (middle, step) if same else (instant, middle)
            found.append(step.astimezone(zone).replace(tzinfo=None))
        instant = step
    return found


ZONES: dict[str, tzinfo] = {
    **{
        name: ZoneInfo(name)
        for name in ("Europe/London", "America/New_York", "Australia/Lord_Howe", "America/St_Johns")
    },
    "+05:30": timezone(timedelta(hours=5, minutes=30)),
    "-03:00": timezone(-timedelta(hours=3)),
}


@pytest.mark.parametrize("name", ZONES)
def test_naive_times_are_read_as_the_zone_reads_them(name: str) -> None:
    """Every quarter hour around each change of offset (gaps, folds, half-hour shifts), and the ends."""
    zone = ZONES[name]
    now = datetime(2026, 6, 1, tzinfo=UTC)
    reader = _RowReader({"opened_at": 0}, zone, now, "Importer", "x.csv", False)
    times = [datetime(2026, 1, 15, 12), datetime(1, 1, 1), datetime(1, 1, 1, 12), datetime(9999, 12, 31, 23)]
    for year in (1995, 2025, 2026):
        for change in transitions(zone, year) if isinstance(zone, ZoneInfo) else []:
            times += [change + timedelta(minutes=15 * step) for step in range(-12, 13)]
    for at in times:
        for raw in (at.isoformat(), at.isoformat(timespec="microseconds"), at.isoformat(sep=" ")):
            expected, why = reference_utc(raw, zone, now)
            found: list[str] = []
            utc = reader._time("opened_at", raw, found, required=True)
            assert utc == expected and (utc is None or (utc.tzinfo is UTC and utc.fold == 0)), raw
            assert len(found) == (why is not None), (raw, found)
            if found:
                assert {
                    "skipped": "went forward",
                    "later": "later",
                    "out of range": "range",
                    "too old": "earlier than",
                }[why or ""] in found[0]
            again: list[str] = []
            assert reader._time("closed_at", raw, again, required=False) == utc  # from the memo
            assert [problem.split(": ", 1)[1] for problem in again] == [p.split(": ", 1)[1] for p in found]
            assert all(problem.startswith("closed_at: ") for problem in again)


def test_a_repeated_time_is_a_problem_wherever_it_appears(tmp_path: Path) -> None:
    gap = "2026-03-29T01:30"
    rows = [f",{gap},Ada,billing error,Gulf Point,South,Card,Hana,,,Charged,,,,,{gap},,,,,,,,,"] * 2
    assert problems_of(write(tmp_path / "gap.csv", "\n".join([HEADER, *rows]) + "\n")) == [
        f"line {line}: {column}: {gap}: 01:30 on 2026-03-29 does not exist in Europe/London "
        "(the clocks went forward)"
        for line in (2, 3)
        for column in ("opened_at", "apologized_at")
    ]


def test_imported_names_are_trimmed_as_intake_cleans_them(tmp_path: Path) -> None:
    names = " Ada , billing error ,\tGulf Point , South , Card , Hana "
    row = f",2025-01-15T14:00,{names},,,Charged twice ,,,,,,,,,,,,,,"
    [history] = parse(write(tmp_path / "padded.csv", f"{HEADER}\n{row}\n"))
    case = history.case
    assert (case.customer, case.site, case.region, case.staff, case.owner, case.assignee) == (
        "Ada",
        "Gulf Point",
        "South",
        "Hana",
        "Hana",
        "Hana",
    )
    assert case.description == "Charged twice "  # free text is kept as typed
    assert intake.clean(replace(case)) == case


def test_the_parse_leaves_nothing_for_the_young_collector_and_others_frozen_alone(tmp_path: Path) -> None:
    path = write(tmp_path / "many.csv", "\n".join([HEADER, *[GOOD_ROWS[2]] * 3_000]) + "\n")
    assert len(parse(path)) == 3_000
    assert gc.get_count()[0] < 1_000  # not the ~60,000 objects the parse made
    assert gc.get_freeze_count() == 0
    gc.freeze()  # as the dashboard does: its frozen objects stay frozen through an import
    try:
        parse(path)
        assert gc.get_freeze_count() > 0  # an unfreeze would have emptied the permanent generation
    finally:
        gc.unfreeze()


# -- the workflow's rules and the deposition -----------------------------------------------------------


def stages_row(*, public: str = "no", root_cause: str = "carrier", gesture: str = "", value: str = "") -> str:
    times = ",".join(f"2025-07-01T10:{minute:02d}" for minute in (5, 10, 15, 20, 25, 30))
    return (
        f",2025-07-01T10:00,Ada,late delivery,Harbour Road,North,Sofa,Billy,,,Late,,,,{public},{times},"
        f"{root_cause},{gesture},{value},"
    )


def test_a_public_case_cannot_be_imported_closed(tmp_path: Path) -> None:
    path = write(tmp_path / "public.csv", f"{HEADER}\n{stages_row(public='yes')}\n")
    assert problems_of(path) == [
        "line 2: closed_at: cannot close the case: post the public apology first (this case is public); "
        "name a spokesperson first (this case is public)"
    ]


def test_a_documented_case_needs_a_root_cause(tmp_path: Path) -> None:
    path = write(tmp_path / "doc.csv", f"{HEADER}\n{stages_row(root_cause='')}\n")
    assert problems_of(path) == ["line 2: root_cause: must not be empty (documented_at is given)"]


def test_a_deposition_or_gesture_without_its_stage_is_refused(tmp_path: Path) -> None:
    row = (
        ",2025-07-01T10:00,Ada,late delivery,Harbour Road,North,Sofa,Billy,,,Late,,,,,,,,,,,"
        + "why,voucher,5,text"
    )
    assert problems_of(write(tmp_path / "orphans.csv", f"{HEADER}\n{row}\n")) == [
        "line 2: gesture: given, but fixed_at is empty",
        "line 2: root_cause: given, but documented_at is empty",
        "line 2: deposition: given, but documented_at is empty",
    ]


def test_a_gesture_value_needs_a_kind_and_must_be_a_number(tmp_path: Path) -> None:
    rows = [stages_row(value="5"), stages_row(gesture="voucher", value="lots")]
    assert problems_of(write(tmp_path / "gesture.csv", "\n".join([HEADER, *rows]) + "\n")) == [
        "line 2: gesture: required when gesture_value is given (discount, upgrade, voucher …)",
        "line 3: gesture_value: 'lots' is not a number",
    ]


def test_authority_limits_are_not_applied_to_history(tmp_path: Path) -> None:
    path = write(tmp_path / "big.csv", f"{HEADER}\n{stages_row(gesture='refund', value='5000')}\n")
    [history] = parse(path)
    fix = next(event for event in history.events if event.action is Action.FIX)
    assert fix.payload == FixPayload(Gesture("refund", 5000.0, None))


def test_ids_must_be_positive_whole_numbers(tmp_path: Path) -> None:
    rows = [f"{value}{GOOD_ROWS[2]}" for value in ("0", "-3", "1.5", "٣", "7")]
    problems = problems_of(write(tmp_path / "ids.csv", "\n".join([HEADER, *rows]) + "\n"))
    assert problems == [
        "line 2: id: must be a positive whole number, got '0'",
        "line 3: id: must be a positive whole number, got '-3'",
        "line 4: id: must be a positive whole number, got '1.5'",
        "line 5: id: must be a positive whole number, got '٣'",
    ]


def test_histories_replay_to_the_same_case(tmp_path: Path) -> None:
    histories = parse(write(tmp_path / "good.csv", "\n".join([HEADER, *GOOD_ROWS]) + "\n"))
    for history in histories:
        assert history.events[0].action is Action.OPEN
        assert [e.at for e in history.events] == sorted(e.at for e in history.events)
        fresh = replace(
            history.case,
            stage=Stage.NEW,
            last_contact_at=history.case.opened_at,
            fixed_at=None,
            followed_up_at=None,
            documented_at=None,
            closed_at=None,
        )
        assert workflow.replay(fresh, list(history.events)) == history.case
        assert (history.deposition is not None) == (history.case.documented_at is not None)


def test_progress_reports_rows_read(tmp_path: Path) -> None:
    rows = [GOOD_ROWS[2]] * 2_500
    seen: list[int] = []
    parse_cases_csv(
        write(tmp_path / "many.csv", "\n".join([HEADER, *rows])),
        SETTINGS,
        now=NOW,
        actor="Importer",
        progress=seen.append,
    )
    assert seen == [1_000, 2_000, 2_500]


def test_problems_are_capped(tmp_path: Path) -> None:
    bad = ",2025-01-15T14:00,,billing error,Gulf Point,South,Card,Hana,,,Charged twice,,,,,,,,,,,,,,"
    problems = problems_of(write(tmp_path / "bad.csv", "\n".join([HEADER, *[bad] * 250])))
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0] == "line 2: customer: must not be empty"
    assert problems[-1] == "… and 50 more problem(s)"


def test_an_unnamed_importer_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CsvImportError) as caught:
        parse_cases_csv(one_row(tmp_path, "2025-01-01T10:00"), SETTINGS, now=NOW, actor="  ")
    assert caught.value.problems == ["actor: must not be empty"]


# -- fuzzing --------------------------------------------------------------------------------------------

awkward_text = st.one_of(
    st.text(max_size=30),
    st.text(
        alphabet=st.sampled_from("a \t\n\r\x00\x07\x1b\x7f\u202e\u200f\u05d0\u0627😀\ufeff,\"'"), max_size=30
    ),
    st.sampled_from(["", " ", "x" * 201, "y" * 10_001, "phone", "VIP", "yes", "0", "2025-07-01T10:00"]),
)
awkward_time = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(lambda d: d.isoformat()),
    st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
    ).map(lambda d: d.isoformat()),
    st.sampled_from(["2026-03-29T01:30", "2026-10-25T01:30", "2025-07-01", "25:00", "2025-02-30T10:00"]),
    # fromisoformat takes any one character between date and time, control characters included
    st.characters().map(lambda sep: f"2030-01-01{sep}10:00"),
    st.characters().map(lambda sep: f"2026-03-29{sep}01:30"),
    awkward_text,
)


GOOD_CELLS = next(csv.DictReader(io.StringIO(f"{HEADER}\n{GOOD_ROWS[0]}\n")))


@st.composite
def rows(draw: st.DrawFn) -> list[dict[str, str]]:
    """A few rows, each a good row with some of its cells (often just one) replaced by awkward values."""
    result = []
    for _ in range(draw(st.integers(1, 4))):
        row = {**GOOD_CELLS, "id": ""}
        for column in draw(st.sets(st.sampled_from(COLUMNS), max_size=3)):
            row[column] = draw(awkward_time if column.endswith("_at") else awkward_text)
        result.append(row)
    return result


def check_outcome(path: Path) -> None:
    try:
        histories = parse(path)
    except CsvImportError as error:
        assert error.problems
        for problem in error.problems:
            assert PROBLEM.match(problem) or problem.startswith("… and "), problem
            assert problem.isprintable(), problem  # nothing can reach a terminal as a control sequence
    else:
        for history in histories:
            assert history.events[0].action is Action.OPEN
            assert case_problems(history.case) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows())
def test_fuzzed_cells_parse_cleanly_or_fail_with_well_formed_problems(table: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, restval="")
    writer.writeheader()
    writer.writerows(table)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8", errors="surrogatepass")
        check_outcome(path)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_fuzzed_bytes_never_crash(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(HEADER.encode() + b"\n" + data)
        check_outcome(path)


@settings(max_examples=300, deadline=None)
@given(awkward_text, st.booleans(), st.sampled_from([5, 30, 10_000]))
def test_the_fast_text_check_never_hides_a_problem(value: str, multiline: bool, limit: int) -> None:
    if _plain(value, limit, multiline):
        assert text_problem(value, limit=limit, multiline=multiline, required=False) is None


@settings(max_examples=300, deadline=None)
@given(st.lists(awkward_text, min_size=10, max_size=10))
def test_the_fast_check_never_hides_an_intake_problem(values: list[str]) -> None:
    names = intake.TEXT_FIELDS  # every text a person types, names and the (multi-line) description
    case = Case(opened_at=NOW, **dict(zip(names, values, strict=True)))  # type: ignore[arg-type]
    if _case_is_plain(case):
        assert case_problems(case) == []


def test_one_case_is_imported_in_the_singular(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = write(tmp_path / "one.csv", "\r\n".join([HEADER, GOOD_ROWS[0]]) + "\r\n", bom=True)
    code, out, err = cli("import", str(source))
    assert code == 0, err
    assert out.startswith("imported 1 case (#1–#1)")
