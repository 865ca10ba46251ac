"""Reading a CSV file of cases into whole case histories, every problem named by its line and column."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Generator, Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from core import intake, workflow
from core.case_fields import CASE_FIELDS, IMPORT_OPTIONAL, IMPORT_REQUIRED, Kind, Need, import_default
from core.cases import Action, Case, CaseHistory, Event, Gesture, parse_enum
from core.collector import collector_paused
from core.config import Settings
from core.deposition import MAX_FIELD_CHARS, Deposition
from core.deposition import validate as deposition_problems
from core.payloads import DocumentPayload, FixPayload, ImportSource, OpenPayload, Payload, empty
from core.times import skipped_problem, time_problem

# Decisions, so that `shiftdesk import` behaves the same for every file:
#
# * Line numbers are physical lines of the file (the header is line 1). A row whose quoted field spans
#   several lines is named by the line it starts on.
# * Times are ISO 8601. A naive time is local time in `settings.zone`. A local time that does not exist
#   (skipped when the clocks go forward) is refused; an ambiguous one (repeated when the clocks go back)
#   is read as the first of the two (fold=0), the same as the rest of shiftdesk reads naive times.
#   Everything is stored in UTC.
# * `id` is checked (a positive whole number, unique within the file) but storage always assigns its own
#   ids, so an import can never overwrite a stored case: the file's id is kept as `external_id` in the
#   OPEN event's data, next to the file name and line it came from.
# * `region` may be empty, as it may be for `shiftdesk add` (intake does not require it). An empty region
#   is taken from another row of the same file that names the same site with a region.
# * `owner` defaults to `staff` and `assignee` to `owner`; a case opened with an assignee other than its
#   owner records no hand-off (as when opened through the service), so no owner's check-back is owed.
# * The stage columns become the workflow's own events, applied in time order through
#   `core.workflow.apply` with no authority policy (limits that held at the time are not re-checked).
#   A step missing, or timed before the step it needs, is refused with the workflow's own message.
#   The file has no columns for a public apology or a spokesperson, so a public case cannot be imported
#   as closed: the workflow's refusal says so.
# * A documented case needs `root_cause`; its deposition takes the customer's view from `description`,
#   the actions taken from `deposition` (else a summary of the recorded steps) and the gesture from
#   `gesture`. A deposition or a gesture without the stage it belongs to is refused, not dropped.
# * Line breaks inside quoted multi-line fields (description, root_cause, deposition) are stored as
#   "\n" whatever the file's line endings; any other control character is refused, as by intake.
# * Rows that are wholly empty are skipped; unnamed columns at the right edge of the header, and empty
#   fields beyond the header's columns, are ignored.
# * Every problem in the file is collected (the list is capped), then nothing is returned: the caller
#   stores all rows or none.

# The stage columns in the order the workflow reaches them, each with the action it records and the
# text of that event (the workflow refuses most steps without a text; the file has none to give).
STAGES: tuple[tuple[str, Action, str], ...] = (
    ("apologized_at", Action.APOLOGIZE, "Apologised to the customer (imported)."),
    ("reviewed_at", Action.REVIEW, "Reviewed the complaint with the customer (imported)."),
    ("fixed_at", Action.FIX, "Fixed (imported)."),
    ("followed_up_at", Action.FOLLOW_UP, "Followed up with the customer after the fix (imported)."),
    ("documented_at", Action.DOCUMENT, ""),
    ("closed_at", Action.CLOSE, "Closed (imported)."),
)
STAGE_COLUMNS = tuple(column for column, _action, _text in STAGES)
# What a documented case's deposition and a fix's gesture take from the file.
DEPOSITION_AND_GESTURE_COLUMNS = ("root_cause", "gesture", "gesture_value", "deposition")
# The case's own columns come from the case-field table; the steps and the deposition follow them.
REQUIRED_COLUMNS = IMPORT_REQUIRED
OPTIONAL_COLUMNS = (*IMPORT_OPTIONAL, *STAGE_COLUMNS, *DEPOSITION_AND_GESTURE_COLUMNS)
COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
MAX_PROBLEMS = 200
EMPTY_FILE = "the file is empty; the first line must name the columns"
PROGRESS_EVERY = 1_000
BATCH_ROWS = 5_000  # histories handed to storage at a time: memory stays that of one batch
SCAN_CHUNK = 1 << 20
TIME_CACHE = (
    200_000  # distinct time texts remembered (a file's times mostly repeat within a few thousand rows)
)

# Where each column sits in a row picked into COLUMNS order, and the case's imported fields by kind (each
# kind is read its own way), in the table's order so that a default's source is read before it.
_POSITION = {name: position for position, name in enumerate(COLUMNS)}
_IMPORTED_FIELDS = tuple(field for field in CASE_FIELDS if field.csv_import is not Need.NO)
_ID_POSITION = next(_POSITION[field.name] for field in _IMPORTED_FIELDS if field.kind is Kind.ID)
_TIME_CELLS = tuple(
    (field.name, _POSITION[field.name], field.csv_import is Need.REQUIRED)
    for field in _IMPORTED_FIELDS
    if field.kind is Kind.TIME
)
_TEXT_NAMES = tuple(field.name for field in _IMPORTED_FIELDS if field.kind is Kind.TEXT)
_text_cells = itemgetter(*(_POSITION[name] for name in _TEXT_NAMES))
_DEFAULTS_FROM = tuple(
    (field.name, field.import_default_from)
    for field in _IMPORTED_FIELDS
    if field.import_default_from is not None
)
_LONG_TEXT_CELLS = tuple(
    (field.name, _POSITION[field.name]) for field in _IMPORTED_FIELDS if field.kind is Kind.LONG_TEXT
)
_CHOICE_CELLS = tuple(
    (field.name, _POSITION[field.name], field.choices, import_default(field.name))
    for field in _IMPORTED_FIELDS
    if field.kind is Kind.CHOICE and field.choices is not None
)
_FLAG_CELLS = tuple(
    (field.name, _POSITION[field.name]) for field in _IMPORTED_FIELDS if field.kind is Kind.FLAG
)
_stage_cells = itemgetter(*(_POSITION[column] for column in STAGE_COLUMNS))
_deposition_and_gesture_cells = itemgetter(*(_POSITION[column] for column in DEPOSITION_AND_GESTURE_COLUMNS))

STAGE_RANK = {column: rank for rank, (column, _action, _text) in enumerate(STAGES)}
STAGE_STEP = {column: (action, text) for column, action, text in STAGES}
# An enum member read from its class costs a look-up through the metaclass each time (~80 ns, as much
# as the rest of a step's bookkeeping): the per-event code reads these instead.
_OPEN, _FIX, _DOCUMENT = Action.OPEN, Action.FIX, Action.DOCUMENT
# Each stage step's details when the file gives none (made once: they are immutable).
_NOTHING_RECORDED: dict[Action, Payload] = {
    action: empty(action) for _column, action, _text in STAGES if action is not Action.DOCUMENT
}

NOT_RECORDED = "not recorded (imported)"
ACTIONS_SUMMARY = "apologised, reviewed, fixed, followed up (imported; no deposition text given)"
# Where a deposition field comes from in the file, so its problems name the column to correct.
DEPOSITION_COLUMN = {
    "customer_view": "description",
    "customer_needed": "deposition",
    "actions_taken": "deposition",
    "root_cause": "root_cause",
    "gesture": "gesture",
    "notes": "deposition",
}
TRUE_WORDS = frozenset({"true", "yes", "1"})
FALSE_WORDS = frozenset({"false", "no", "0", ""})

# Bytes that are not UTF-8 survive decoding as lone surrogates (surrogateescape), so the problem can
# name the row and column they sit in instead of only a byte offset.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")

E = TypeVar("E", bound=StrEnum)

# The case's text fields as intake checks them: one-line names, multi-line texts, and those required.
_ONE_LINE_VALUES = attrgetter(*(name for name in intake.NAME_FIELDS if name not in intake.MULTILINE_FIELDS))
_MULTILINE_FIELDS = tuple(name for name in intake.TEXT_FIELDS if name in intake.MULTILINE_FIELDS)
_REQUIRED_VALUES = attrgetter(*intake.REQUIRED)

# Naive local times are converted with plain arithmetic for these zone types, whose utcoffset() reads
# only a datetime's wall time and fold (the same offset `replace(tzinfo=zone)` would give).
_ARITHMETIC_ZONES = (ZoneInfo, timezone)
_UTC_MIN = datetime.min.replace(tzinfo=UTC)


def _steady_offset(zone: tzinfo, at: datetime) -> timedelta | None:
    """The zone's offset through the whole local hour of `at` when it holds no change of offset, else None.

    Its first and last instants, each read both ways an ambiguous time can be (fold 0 and 1), give one
    offset only when no change falls inside the hour: a change leaves a gap or a fold, where the two
    readings differ, or a different offset at one end. (Two changes that cancel within one hour would
    pass; no zone has them.)
    """
    start = at.replace(minute=0, second=0, microsecond=0)
    end = start.replace(minute=59, second=59, microsecond=999_999)
    offsets = {zone.utcoffset(moment.replace(fold=fold)) for moment in (start, end) for fold in (0, 1)}
    return offsets.pop() if len(offsets) == 1 else None


def _plain(value: str, limit: int, multiline: bool = False) -> bool:
    """True only if `intake.text_problem` would find nothing wrong with a non-required `value`.

    A fast pre-check (str methods run in C; text_problem looks at every character in Python): printable
    text holds no control character of any kind, so only text that fails here needs the full check.
    Multi-line text may also hold the line breaks and tabs text_problem allows there.
    """
    if len(value) > limit:
        return False
    if value.isprintable():
        return True
    return multiline and value.replace("\n", "").replace("\t", "").isprintable()


def _case_is_plain(case: Case) -> bool:
    """True only if `intake.case_text_problems(case)` would return no problem (see `_plain`).

    Whole tuples at a time: one join is checked for control characters instead of each field in turn
    (a string is printable exactly when every part of it is).
    """
    names = list(filter(None, _ONE_LINE_VALUES(case)))  # contact may be None
    if names and (max(map(len, names)) > intake.NAME_LIMIT or not "".join(names).isprintable()):
        return False
    for name in _MULTILINE_FIELDS:
        if not _plain(getattr(case, name) or "", intake.TEXT_LIMIT, multiline=True):
            return False
    required = _REQUIRED_VALUES(case)
    return None not in required and all(map(str.strip, required))


class CsvImportError(Exception):
    """A file that cannot be imported; `problems` holds one `line N: column: what is wrong` each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        first = problems[0] if problems else "no details"
        super().__init__(f"{len(problems)} problem(s), the first: {first}")


def parse_cases_csv(
    path: Path,
    settings: Settings,
    *,
    now: datetime,
    actor: str,
    progress: Callable[[int], None] | None = None,
) -> list[CaseHistory]:
    """Every row of `path` as a case history ready for bulk storage, or CsvImportError naming each problem.

    `now` bounds every time in the file; `actor` (who runs the import) is recorded as the opener.
    `progress`, if given, is called with the number of rows read so far every thousand rows and at the end.
    The whole file's histories at once: `CasesCsv` reads it in batches instead, in bounded memory.
    """
    file = CasesCsv(path, settings, now=now, actor=actor, progress=progress)
    return [history for batch in file.batches() for history in batch]


class CasesCsv:
    """A CSV file of cases read in batches of histories, so that a million rows never sit in memory at once.

    The header is read (and its problems raised as CsvImportError) when this is made. `batches()` then
    yields the rows' histories `batch_rows` at a time while every row so far was good; from the first bad
    row on it yields nothing more but reads on to the end, collecting every problem, and then raises
    CsvImportError. A caller that stores each batch in one transaction and rolls it back on that error
    stores all rows or none, as before.

    An empty region is taken from another row of the file naming the same site (see the decisions above):
    when an earlier row named it, the case has it when yielded; when only a later row does, the case
    (already yielded) gets it then, and is listed in `late_regions` for the caller to store again.
    """

    def __init__(
        self,
        path: Path,
        settings: Settings,
        *,
        now: datetime,
        actor: str,
        progress: Callable[[int], None] | None = None,
        batch_rows: int | None = None,
    ) -> None:
        actor = actor.strip()
        actor_problem = intake.text_problem(actor, limit=intake.NAME_LIMIT, multiline=False, required=True)
        if actor_problem:
            raise CsvImportError([f"actor: {actor_problem}"])
        self.path = path
        self.progress = progress
        self.batch_rows = batch_rows or BATCH_ROWS
        self.late_regions: list[Case] = []
        self.lines, has_escaped_bytes = _scan(path)
        self._handle = path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
        try:
            self._reader = csv.reader(self._handle)
            problems: list[str] = []
            try:
                header = next(self._reader, None)
            except csv.Error as error:
                raise CsvImportError([f"line {self._reader.line_num}: header: {_csv_error(error)}"]) from None
            if header is None:
                raise CsvImportError(
                    ["line 1: header: the file is empty; the first line must name the columns"]
                )
            # Spreadsheets often save a few unnamed empty columns at the right edge: those are not columns.
            while header and not header[-1].strip():
                header.pop()
            columns = _header(header, problems)
            if problems:
                raise CsvImportError(_capped(problems))
        except BaseException:
            self._handle.close()
            raise
        self._rows = _RowReader(columns, settings.zone, now, actor, path.name, has_escaped_bytes)

    def batches(self) -> Iterator[list[CaseHistory]]:
        """The good rows' histories, `batch_rows` at a time; CsvImportError at the end if any row was bad."""
        # Nothing the parse makes forms a reference cycle: the cyclic collector would only walk the
        # batch in hand again and again (a third of the run time when the whole file was kept).
        with collector_paused(), self._handle:
            problems, unshown = yield from self._read_rows()
        if problems:
            raise CsvImportError(_capped(problems, unshown))

    def _read_rows(self) -> Generator[list[CaseHistory], None, tuple[list[str], int]]:
        """Yields the batches; returns the first problems found (a few more than shown at most) and how
        many more there were (a file of a million bad rows must not hold millions of messages)."""
        reader, rows, progress = self._reader, self._rows, self.progress
        problems: list[str] = []
        batch: list[CaseHistory] = []
        previous_end = reader.line_num
        count = unshown = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                # The reader cannot resynchronise inside a broken field: what follows would be misread.
                problems.append(
                    f"line {previous_end + 1}: row: {_csv_error(error)}; the rows after it were not checked"
                )
                break
            # line_num is the last physical line of the record: a record starts right after the previous one.
            line = previous_end + 1
            previous_end = reader.line_num
            if not "".join(cells).strip():  # wholly empty (one C call, not a generator over the cells)
                continue
            history = rows.read(line, cells, problems)
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
            if problems:
                batch.clear()  # nothing will be stored: the rest is only checked
                if len(problems) > MAX_PROBLEMS:  # only the first ones are shown: the rest only counted
                    unshown += len(problems) - MAX_PROBLEMS
                    del problems[MAX_PROBLEMS:]
                continue
            assert history is not None
            batch.append(history)
            if len(batch) >= self.batch_rows:
                yield batch
                batch = []
        if batch and not problems:
            yield batch
        self.late_regions = rows.fill_regions()
        if progress is not None:
            progress(count)
        return problems, unshown


def _scan(path: Path) -> tuple[int, bool]:
    """The file's physical lines after the header (for a progress bar) and whether it holds bytes that are
    not UTF-8 (each cell is then checked for them), read in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    clean = True
    with path.open("rb") as handle:
        while chunk := handle.read(SCAN_CHUNK):
            lines += chunk.count(b"\n")
            if clean:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    clean = False
        if clean:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                clean = False
    return max(0, lines - 1), not clean


def _newlines(text: str) -> str:
    """Line breaks inside a quoted field as `\n`: a CR there is the file's line ending, not typed text."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _csv_error(error: csv.Error) -> str:
    message = str(error)
    if "field larger than field limit" in message:
        return f"a field is longer than {csv.field_size_limit()} characters"
    return message


def _capped(problems: list[str], unshown: int = 0) -> list[str]:
    """The first MAX_PROBLEMS problems and how many more there were (`unshown` of them already dropped)."""
    total = len(problems) + unshown
    if total <= MAX_PROBLEMS:
        return problems
    return [*problems[:MAX_PROBLEMS], f"… and {total - MAX_PROBLEMS} more problem(s)"]


def _show(value: str, limit: int = 40) -> str:
    """A cell quoted for a message: escaped (no control characters reach the terminal) and kept short."""
    if len(value) > limit:
        return repr(value[:limit]) + f"… ({len(value)} characters)"
    return repr(value)


def _quiet(value: str) -> str:
    """A cell as typed when that is safe to print and short, else quoted by `_show`."""
    return value if value.isprintable() and len(value) <= 40 else _show(value)


def _unescape_problem(value: str) -> tuple[str, str | None]:
    """The cell with undecodable bytes replaced (so later checks do not report them again), and why."""
    found = _ESCAPED_BYTE.search(value)
    if found is None:
        return value, None
    byte = ord(found.group()) - 0xDC00
    problem = f"not UTF-8 text (byte 0x{byte:02X} at position {found.start() + 1}); save the file as UTF-8"
    return _ESCAPED_BYTE.sub("\ufffd", value), problem


def _header(header: list[str], problems: list[str]) -> dict[str, int]:
    """Column name → position; problems for unknown, duplicate, unnamed and missing columns."""
    columns: dict[str, int] = {}
    allowed = set(COLUMNS)
    for position, raw in enumerate(header):
        cell, escaped = _unescape_problem(raw)
        name = cell.strip().lower()
        if escaped:
            problems.append(f"line 1: column {position + 1}: {escaped}")
        elif not name:
            problems.append(f"line 1: column {position + 1}: has no name")
        elif name not in allowed:
            problems.append(f"line 1: {_quiet(name)}: unknown column (allowed: {', '.join(COLUMNS)})")
        elif name in columns:
            problems.append(f"line 1: {name}: appears twice (columns {columns[name] + 1} and {position + 1})")
        else:
            columns[name] = position
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            problems.append(f"line 1: {name}: missing required column")
    return columns


class _RowReader:
    """Turns one row into a case history, adding `line N: column: …` problems for whatever is wrong."""

    def __init__(
        self,
        columns: dict[str, int],
        zone: tzinfo,
        now: datetime,
        actor: str,
        source: str,
        has_escaped_bytes: bool,
    ) -> None:
        self.columns = columns
        self.width = max(columns.values()) + 1
        # A row's cells in COLUMNS order in one C call; a column the file lacks reads the empty cell
        # `read` appends to every row (at position `width`).
        self.pick = itemgetter(*(columns.get(name, self.width) for name in COLUMNS))
        self.zone = zone
        self.zone_name = str(getattr(zone, "key", None) or zone)
        self.arithmetic_zone = isinstance(zone, _ARITHMETIC_ZONES)
        self.now = now.astimezone(UTC)
        self.actor = actor
        self.source = source
        self.has_escaped_bytes = has_escaped_bytes
        self.ids: dict[int, int] = {}
        self.site_regions: dict[str, str] = {}
        # Cases of a site no row has given a region yet, by site: they get the first one given.
        self.without_region: dict[str, list[Case]] = {}
        self.enum_cache: dict[tuple[str, str], StrEnum] = {}
        # Each distinct time text read once: a file repeats its times (a case's steps share minutes with
        # other cases'), and the zone conversion costs ten times a dictionary look-up. The value is the
        # UTC time and the problem with it (without the column, which the caller adds), either may be None.
        self.times: dict[str, tuple[datetime | None, str | None]] = {}
        # The zone's offset in each local hour that holds no change of offset (the rest are not kept): most
        # distinct times fall in an hour seen before, and this spares their round trip through the zone.
        self.steady_hours: dict[tuple[int, int, int, int], timedelta] = {}

    def read(self, line: int, cells: list[str], problems: list[str]) -> CaseHistory | None:
        width = self.width
        if len(cells) != width:
            if len(cells) < width or any(cell.strip() for cell in cells[width:]):
                problems.append(f"line {line}: row: has {len(cells)} fields, the header has {width}")
                return None
            del cells[width:]  # empty fields beyond the header's columns
        found: list[str] = []  # this row's problems as `column: what is wrong`
        if self.has_escaped_bytes:
            for name, position in self.columns.items():
                cells[position], escaped = _unescape_problem(cells[position])
                if escaped:
                    found.append(f"{name}: {escaped}")
        cells.append("")  # what `pick` reads for the columns the file does not have
        history = self._history(line, self.pick(cells), found)
        if found:
            problems.extend(f"line {line}: {problem}" for problem in found)
            return None
        return history

    def fill_regions(self) -> list[Case]:
        """Give the cases still without a region the one a later row of the file names for their site;
        returns those cases (already handed on without it)."""
        late: list[Case] = []
        for waiting in self.without_region.values():
            for case in waiting:
                region = self.site_regions.get(case.site, "")
                if region:
                    case.region = region
                    late.append(case)
        self.without_region.clear()
        return late

    # -- one row --------------------------------------------------------------------------------------

    def _history(self, line: int, row: tuple[str, ...], found: list[str]) -> CaseHistory | None:
        """One row's history; `row` holds its cells in COLUMNS order (a missing column as "")."""
        external_id = self._external_id(line, row[_ID_POSITION], found)
        values: dict[str, Any] = {}
        for name, position, required in _TIME_CELLS:
            values[name] = self._time(name, row[position], found, required=required)
        opened_at: datetime | None = values["opened_at"]  # every step must come after it
        stage_times: dict[str, datetime] = {}
        for column, raw in zip(STAGE_COLUMNS, _stage_cells(row), strict=True):
            if not raw:
                continue
            at = self._time(column, raw, found, required=False)
            if at is not None:
                stage_times[column] = at
                if opened_at is not None and at < opened_at:
                    found.append(f"{column}: earlier than opened_at")

        # Names trimmed here as `intake.clean` trims them (a test holds the two together): a
        # default (owner from staff, assignee from owner) is then the trimmed name too.
        values.update(zip(_TEXT_NAMES, map(str.strip, _text_cells(row)), strict=True))
        for name, source in _DEFAULTS_FROM:
            values[name] = values[name] or values[source]
        for name, position in _LONG_TEXT_CELLS:
            values[name] = _newlines(row[position])
        for name, position, choices, default in _CHOICE_CELLS:
            values[name] = self._enum(choices, name, row[position], default, found)
        for name, position in _FLAG_CELLS:
            values[name] = self._flag(name, row[position], found)
        if opened_at is None:
            values["opened_at"] = self.now  # the row is refused for it: `now` only stands in meanwhile
        case = Case(**values)
        if not _case_is_plain(case):
            found.extend(intake.case_text_problems(case))

        root_cause_raw, gesture_raw, gesture_value_raw, narrative_raw = _deposition_and_gesture_cells(row)
        gesture = gesture_raw.strip()
        gesture_value = self._amount("gesture_value", gesture_value_raw, found)
        self._text("gesture", gesture, intake.NAME_LIMIT, multiline=False, found=found)
        if (gesture or gesture_value) and "fixed_at" not in stage_times:
            found.append(f"{'gesture' if gesture else 'gesture_value'}: given, but fixed_at is empty")
        elif gesture_value and not gesture:
            found.append("gesture: required when gesture_value is given (discount, upgrade, voucher …)")
        root_cause = _newlines(root_cause_raw)
        narrative = _newlines(narrative_raw)
        self._text("root_cause", root_cause, MAX_FIELD_CHARS, multiline=True, found=found)
        self._text("deposition", narrative, MAX_FIELD_CHARS, multiline=True, found=found)
        if "documented_at" not in stage_times:
            for column, value in (("root_cause", root_cause), ("deposition", narrative)):
                if value.strip():
                    found.append(f"{column}: given, but documented_at is empty")
        if found:
            return None

        deposition: Deposition | None = None
        if "documented_at" in stage_times:
            deposition = Deposition(
                customer_view=case.description,
                customer_needed=NOT_RECORDED,
                actions_taken=narrative if narrative.strip() else ACTIONS_SUMMARY,
                root_cause=root_cause,
                gesture=gesture,
            )
            for problem in deposition_problems(deposition):
                field, what = problem.split(": ", 1)
                column = DEPOSITION_COLUMN.get(field, field)
                why = "documented_at is given" if column == field else f"the deposition's {field}"
                found.append(f"{column}: {what} ({why})")
            if found:
                return None

        if not case.region:
            known = self.site_regions.get(case.site)
            if known:
                case.region = known  # an earlier row named the site's region: the first one named wins
            else:
                self.without_region.setdefault(case.site, []).append(case)
        else:
            self.site_regions.setdefault(case.site, case.region)
        events = self._replay(line, case, stage_times, external_id, gesture, gesture_value, deposition, found)
        if events is None:
            return None
        return CaseHistory(case, events, deposition)

    def _replay(
        self,
        line: int,
        case: Case,
        stage_times: dict[str, datetime],
        external_id: int | None,
        gesture: str,
        gesture_value: float,
        deposition: Deposition | None,
        found: list[str],
    ) -> list[Event] | None:
        """The row's events, checked by the workflow in time order as if they had happened live."""
        imported = OpenPayload(ImportSource(self.source, line, external_id))
        events = [Event(case.opened_at, self.actor, _OPEN, case.description, imported)]
        # Time order decides, with the stage order only breaking ties: a step timed before the step it
        # needs is then refused by the workflow itself, with the step that must come first. stage_times
        # is in stage order and the sort is stable, so sorting by time alone breaks ties by stage.
        for column in sorted(stage_times, key=stage_times.__getitem__):
            action, text = STAGE_STEP[column]
            payload: Payload
            if action is _FIX and (gesture or gesture_value):
                payload = FixPayload(Gesture(gesture, gesture_value))
            elif action is _DOCUMENT and deposition is not None:
                payload = DocumentPayload(deposition)
                text = deposition.root_cause.strip().splitlines()[0]
            else:
                # The file records nothing else of a step (no needs, no satisfied): the empty details.
                payload = _NOTHING_RECORDED[action]
            event = Event(stage_times[column], case.assignee, action, text, payload)
            try:
                workflow.apply(case, event)  # no authority policy: history is not re-judged by today's limits
            except workflow.WorkflowError as error:
                found.append(f"{column}: {self._refusal(str(error), column, stage_times)}")
                return None
            events.append(event)
        return events

    def _refusal(self, message: str, column: str, stage_times: dict[str, datetime]) -> str:
        # The case has no id yet, so the workflow calls it "the new case"; in a file, "the case" reads right.
        message = message.replace("case the new case", "the case")
        later = [
            earlier
            for earlier in stage_times
            if STAGE_RANK[earlier] < STAGE_RANK[column] and stage_times[earlier] > stage_times[column]
        ]
        if later:
            verb = "is" if len(later) == 1 else "are"
            message += f" ({', '.join(later)} {verb} later than {column})"
        return message

    # -- cells ----------------------------------------------------------------------------------------

    def _external_id(self, line: int, raw: str, found: list[str]) -> int | None:
        raw = raw.strip()
        if not raw:
            return None
        # isascii: int() would also take Arabic-Indic digits, "+5" and "1_000".
        if not (raw.isascii() and raw.isdigit()) or int(raw) == 0:
            found.append(f"id: must be a positive whole number, got {_show(raw)}")
            return None
        value = int(raw)
        first = self.ids.setdefault(value, line)
        if first != line:
            found.append(f"id: {value} is already used on line {first}")
            return None
        return value

    def _time(self, column: str, raw: str, found: list[str], *, required: bool) -> datetime | None:
        known = self.times.get(raw)  # keyed by the cell as it is: no strip for the times seen before
        if known is None:
            stripped = raw.strip()
            if not stripped:
                if required:
                    found.append(f"{column}: must not be empty")
                return None
            if len(self.times) >= TIME_CACHE:
                self.times.clear()  # bounded: a million rows hold millions of distinct minutes
            known = self.times[raw] = self._utc(stripped)
        utc, problem = known
        if problem is not None:
            found.append(f"{column}: {problem}")
        return utc

    def _utc(self, raw: str) -> tuple[datetime | None, str | None]:
        """`raw` (stripped, not empty) as a UTC time, and what is wrong with it (None if nothing)."""
        try:
            at = datetime.fromisoformat(raw)
        except ValueError:
            return None, f"{_show(raw)} is not an ISO 8601 date-time"
        zone = self.zone
        try:
            if at.tzinfo is not None:
                utc, skipped = at.astimezone(UTC), False
            elif self.arithmetic_zone:
                # What at.replace(tzinfo=zone).astimezone(UTC) below gives, at a third of the cost: fold=0
                # (the default) reads an ambiguous local time as its first occurrence. A time in the
                # spring-forward gap does not survive the round trip: the zone's offset at the instant
                # found is not the one it was found with (the wall time would differ by exactly that).
                hour = (at.year, at.month, at.day, at.hour)
                steady = self.steady_hours.get(hour)
                if steady is not None:
                    utc, skipped = _UTC_MIN + (at - datetime.min - steady), False
                else:
                    offset = zone.utcoffset(at)
                    assert offset is not None  # ZoneInfo and timezone always have one
                    utc = _UTC_MIN + (at - datetime.min - offset)
                    skipped = utc.astimezone(zone).utcoffset() != offset
                    if _steady_offset(zone, at) == offset:
                        if len(self.steady_hours) >= TIME_CACHE:
                            self.steady_hours.clear()
                        self.steady_hours[hour] = offset
            else:
                utc = at.replace(tzinfo=zone).astimezone(UTC)
                skipped = utc.astimezone(zone).replace(tzinfo=None) != at
        except (OverflowError, ValueError):
            return None, f"{_show(raw)} is out of range"
        if skipped:
            wall = datetime.fromisoformat(raw)
            return None, f"{_quiet(raw)}: {skipped_problem(wall, zone)}"
        problem = time_problem(utc, self.now)
        return utc, None if problem is None else f"{_quiet(raw)} {problem}"

    def _enum(self, kind: type[E], column: str, raw: str, default: E, found: list[str]) -> E:
        if not raw.strip():
            return default
        # A file repeats a handful of spellings: parse each once (parse_enum walks the members).
        known = self.enum_cache.get((column, raw))
        if known is not None:
            return known  # type: ignore[return-value]
        try:
            member = parse_enum(kind, raw, column)
            self.enum_cache[(column, raw)] = member
            return member
        except ValueError as error:
            found.append(str(error).replace(repr(raw), _show(raw), 1))
            return default

    def _flag(self, column: str, raw: str, found: list[str]) -> bool:
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word not in FALSE_WORDS:
            found.append(f"{column}: {_show(raw)} is not one of true, false, yes, no, 1, 0 (or empty)")
        return False

    def _amount(self, column: str, raw: str, found: list[str]) -> float:
        raw = raw.strip()
        if not raw:
            return 0.0
        try:
            value = float(raw)
        except ValueError:
            found.append(f"{column}: {_show(raw)} is not a number")
            return 0.0
        if not 0 <= value < float("inf"):  # also refuses NaN, which compares false
            found.append(f"{column}: must be a number ≥ 0, got {_show(raw)}")
            return 0.0
        return value

    def _text(self, column: str, value: str, limit: int, *, multiline: bool, found: list[str]) -> None:
        if _plain(value, limit, multiline):
            return
        problem = intake.text_problem(value, limit=limit, multiline=multiline, required=False)
        if problem:
            found.append(f"{column}: {problem}")
