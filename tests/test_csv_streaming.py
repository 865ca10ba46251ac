"""CSV import in batches: storage gets one batch at a time, and a bad row anywhere still stores nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import select

from core import csv_import
from core.cases import CaseHistory
from core.clock import FrozenClock
from core.csv_import import CasesCsv, CsvImportError, parse_cases_csv
from storage import views
from storage.database import Database
from storage.models import TrendFactRow
from storage.service import WorkflowService
from storage.trend_facts import trend_fact_rows
from tests.test_csv_import import HEADER, NOW, SETTINGS, cli, write  # noqa: F401 (cli: a fixture)

BATCH = 4


def row(number: int, *, site: str = "Harbour Road", region: str = "North", closed: bool = False) -> str:
    """A good row: case `number`, opened on its own minute; documented and closed when `closed`."""
    opened = f"2025-05-01T{8 + number // 60:02d}:{number % 60:02d}"
    steps = [""] * 6
    deposition = ["", "", "", ""]
    if closed:
        steps = [f"2025-05-01T20:{minute:02d}" for minute in (1, 2, 3, 4, 5, 6)]
        deposition = ["carrier missed the slot", "", "", "Rebooked."]
    return ",".join(
        [
            str(number),
            opened,
            f"Customer {number}",
            "late delivery",
            site,
            region,
            "Sofa",
            "Billy",
            "",
            "",
            "Sofa late",
            "",
            "",
            "",
            "no",
            *steps,
            *deposition,
        ]
    )


def bad_file(tmp_path: Path) -> tuple[Path, list[str]]:
    """Thirty rows, two of them bad near the end (lines 26 and 31): many batches come before the first."""
    rows = [row(number) for number in range(1, 31)]
    rows[24] = rows[24].replace("2025-05-01T", "2025-13-01T", 1)  # line 26: opened_at is no date
    rows[29] = rows[29].replace(",no,", ",maybe,", 1)  # line 31: public
    source = write(tmp_path / "cases.csv", "\n".join([HEADER, *rows]) + "\n")
    return source, [
        "line 26: opened_at: '2025-13-01T08:25' is not an ISO 8601 date-time",
        "line 31: public: 'maybe' is not one of true, false, yes, no, 1, 0 (or empty)",
    ]


def counted(batches: Iterator[list[CaseHistory]], sizes: list[int]) -> Iterator[Sequence[CaseHistory]]:
    for batch in batches:
        sizes.append(len(batch))
        yield batch


def test_batches_stored_before_a_bad_row_are_rolled_back(database_url: str, tmp_path: Path) -> None:
    service = WorkflowService(Database(database_url), SETTINGS, FrozenClock(NOW))
    stored = parse_cases_csv(
        write(tmp_path / "one.csv", f"{HEADER}\n{row(1)}\n"), SETTINGS, now=NOW, actor="A"
    )
    assert len(service.import_histories(stored)) == 1
    source, expected = bad_file(tmp_path)
    file = CasesCsv(source, SETTINGS, now=NOW, actor="Importer", batch_rows=BATCH)
    sizes: list[int] = []

    with pytest.raises(CsvImportError) as caught:
        service.import_batches(counted(file.batches(), sizes), lambda: file.late_regions)

    assert caught.value.problems == expected
    assert sizes == [BATCH] * 6  # rows 1–24 went to storage, a batch at a time, before line 26 was read
    assert [case.customer for case in views.list_cases(service.database)] == ["Customer 1"]


def test_the_command_stores_all_rows_or_none_and_names_every_bad_one(
    cli,  # type: ignore[no-untyped-def]  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(csv_import, "BATCH_ROWS", BATCH)
    good = write(tmp_path / "good.csv", "\n".join([HEADER, *(row(n) for n in range(1, 11))]) + "\n")
    code, out, err = cli("import", str(good), "--as", "Importer")
    assert code == 0, err
    assert out.strip() == "imported 10 cases (#1–#10), 10 of them still open (no closed_at)"
    source, expected = bad_file(tmp_path)

    code, out, err = cli("import", str(source), "--as", "Importer")

    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"shiftdesk: error: {source}: {len(expected)} problem(s), nothing imported:",
        *(f"  {problem}" for problem in expected),
    ]
    code, out, _ = cli("list", "--json")
    assert [case["customer"] for case in json.loads(out)] == [f"Customer {n}" for n in range(1, 11)]


def test_batches_are_bounded_and_come_before_the_file_is_read(tmp_path: Path) -> None:
    rows = [row(number) for number in range(1, 31)]
    source = write(tmp_path / "cases.csv", "\n".join([HEADER, *rows]) + "\n")
    file = CasesCsv(source, SETTINGS, now=NOW, actor="Importer", batch_rows=BATCH)
    batches = file.batches()
    first = next(batches)
    assert [history.case.customer for history in first] == [f"Customer {n}" for n in range(1, BATCH + 1)]
    assert file._reader.line_num < len(rows)  # the rest of the file is not read yet
    sizes = [len(first), *(len(batch) for batch in batches)]
    assert sizes == [BATCH] * 7 + [2]


def test_a_region_named_by_a_later_batch_reaches_the_cases_stored_before(
    database_url: str, tmp_path: Path
) -> None:
    rows = [
        row(1, site="Millbrook", region="", closed=True),  # documented: its trend fact holds the region
        row(2, site="Millbrook", region=""),
        *(row(number) for number in range(3, 12)),
        row(12, site="Millbrook", region="East"),  # the third batch names Millbrook's region
        row(13, site="Millbrook", region="West"),  # later ones do not change it: the first named wins
        row(14, site="Millbrook", region=""),
    ]
    source = write(tmp_path / "cases.csv", "\n".join([HEADER, *rows]) + "\n")
    service = WorkflowService(Database(database_url), SETTINGS, FrozenClock(NOW))
    file = CasesCsv(source, SETTINGS, now=NOW, actor="Importer", batch_rows=BATCH)

    imported = service.import_batches(file.batches(), lambda: file.late_regions)

    assert imported.count == 14 and imported.still_open == 13
    regions = {case.customer: case.region for case in views.list_cases(service.database)}
    assert [regions[f"Customer {n}"] for n in (1, 2, 12, 13, 14)] == ["East", "East", "East", "West", "East"]
    first = next(case for case in views.list_cases(service.database) if case.customer == "Customer 1")
    with service.database.read() as session:
        stored = session.execute(select(TrendFactRow.packed).where(TrendFactRow.case_id == first.id)).scalar()
        assert [stored] == [
            packed for _id, _epoch, packed in trend_fact_rows(session, [first], SETTINGS.zone)
        ]
