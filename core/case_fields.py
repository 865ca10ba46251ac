"""The fields of a case, listed once: storage, the CSV import and export, `show --json` and the case view."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import MISSING, dataclass, fields
from datetime import datetime
from enum import Enum, Flag, StrEnum, auto
from typing import Any

from core.cases import Case, Channel, Severity, Stage, Tier, UnreadableCase
from core.times import EARLIEST, LATEST, UNREADABLE, stored_time_problem
from core.visible import visible


class Kind(Enum):
    """What a field holds, which decides how it is stored, read back, parsed and shown."""

    ID = "id"  # int | None: assigned by storage
    NUMBER = "number"  # int
    TEXT = "text"  # one line of text (str, or str | None where the Case allows it)
    LONG_TEXT = "long text"  # text that may span lines
    CHOICE = "choice"  # a member of `CaseField.choices`, stored and written as its value
    FLAG = "flag"  # bool
    TIME = "time"  # an aware datetime (UTC), or None where the Case allows it
    PAUSES = "pauses"  # tuple[core.pauses.Pause, ...]: rebuilt from the events, never a column


class Need(Enum):
    """Whether a field is asked for: given in its own CSV column, or typed by a person opening a case."""

    NO = "no"
    OPTIONAL = "optional"  # may be left empty (a default or nothing takes its place)
    REQUIRED = "required"


class Shown(Flag):
    """The documents and screens that show a field."""

    NOWHERE = 0
    EXPORT_CSV = auto()  # `shiftdesk export --format csv`, one column per field
    JSON = auto()  # `shiftdesk show --json`
    CASE_VIEW = auto()  # the dashboard's case screen


EVERYWHERE = Shown.EXPORT_CSV | Shown.JSON | Shown.CASE_VIEW


@dataclass(frozen=True, slots=True)
class CaseField:
    """One attribute of `core.cases.Case`, which is also the name of its column in every table and file."""

    name: str
    kind: Kind
    shown: Shown
    csv_import: Need = Need.NO
    # Typed by a person opening a case (the CLI's `add`, the dashboard's form), checked by core/intake.py.
    intake: Need = Need.NO
    choices: type[StrEnum] | None = None
    # Derived by `core.workflow.apply` from the events; copied back to the stored row after every action.
    derived: bool = False
    # Typed at intake, yet an action may change it later (an absent owner's check-back moves to another
    # agent, and the owner with it): copied back after every action like the derived fields.
    moved_by_workflow: bool = False
    # Kept by storage, not by the domain: the id a row gets on insert, the version every UPDATE checks.
    kept_by_storage: bool = False
    # A column of the case's row; False for what storage rebuilds from the events instead (the pauses).
    column: bool = True
    # An imported cell left empty takes this other field's (already read) value: owner ← staff.
    import_default_from: str | None = None
    # How the case view names it (its name when it reads well as it is).
    label: str = ""
    # What the case view says for a FLAG that is set ("no" when it is not).
    when_set: str = "yes"
    # What a person opening a case is asked for it: the new-case form's label and `add --help`.
    prompt: str = ""

    @property
    def shown_as(self) -> str:
        return self.label or self.name


_IN_DOCUMENTS = Shown.EXPORT_CSV | Shown.JSON
_REQUIRED, _OPTIONAL = Need.REQUIRED, Need.OPTIONAL

# Every field of a Case, in the order documents list them (`show --json` keys, export CSV columns). A test
# holds this table to the Case dataclass, so a field added to one and not the other fails at once.
CASE_FIELDS: tuple[CaseField, ...] = (
    CaseField("id", Kind.ID, _IN_DOCUMENTS, _OPTIONAL, kept_by_storage=True),
    CaseField("opened_at", Kind.TIME, EVERYWHERE, _REQUIRED, label="opened"),
    CaseField("customer", Kind.TEXT, EVERYWHERE, _REQUIRED, intake=Need.REQUIRED, prompt="Customer"),
    CaseField("contact", Kind.TEXT, EVERYWHERE, intake=Need.OPTIONAL, prompt="Contact (phone, e-mail)"),
    CaseField("tier", Kind.CHOICE, EVERYWHERE, _OPTIONAL, choices=Tier, intake=Need.OPTIONAL, prompt="Tier"),
    CaseField(
        "channel", Kind.CHOICE, EVERYWHERE, _OPTIONAL, choices=Channel, intake=Need.OPTIONAL, prompt="Channel"
    ),
    CaseField(
        "category",
        Kind.TEXT,
        EVERYWHERE,
        _REQUIRED,
        intake=Need.REQUIRED,
        prompt="Category (late delivery, billing …)",
    ),
    # Asked right after the category: what happened, while the customer is still on the line.
    CaseField(
        "description",
        Kind.LONG_TEXT,
        Shown.JSON | Shown.CASE_VIEW,
        _REQUIRED,
        intake=Need.REQUIRED,
        prompt="What happened",
    ),
    CaseField(
        "severity",
        Kind.CHOICE,
        EVERYWHERE,
        _OPTIONAL,
        choices=Severity,
        intake=Need.OPTIONAL,
        prompt="Severity",
    ),
    CaseField(
        "public",
        Kind.FLAG,
        EVERYWHERE,
        _OPTIONAL,
        when_set="yes — public apology and spokesperson needed",
        intake=Need.OPTIONAL,
        prompt="Seen by the public (social media)?",
    ),
    CaseField("site", Kind.TEXT, EVERYWHERE, _REQUIRED, intake=Need.REQUIRED, prompt="Site"),
    CaseField("region", Kind.TEXT, EVERYWHERE, _OPTIONAL, intake=Need.OPTIONAL, prompt="Region"),
    CaseField("product", Kind.TEXT, EVERYWHERE, _REQUIRED, intake=Need.REQUIRED, prompt="Product"),
    CaseField("staff", Kind.TEXT, EVERYWHERE, _REQUIRED, intake=Need.REQUIRED, prompt="Staff serving"),
    CaseField(
        "owner",
        Kind.TEXT,
        EVERYWHERE,
        _OPTIONAL,
        import_default_from="staff",
        intake=Need.REQUIRED,
        prompt="Owner (default: the staff serving)",
        moved_by_workflow=True,
    ),
    CaseField(
        "assignee",
        Kind.TEXT,
        EVERYWHERE,
        _OPTIONAL,
        derived=True,
        import_default_from="owner",
        intake=Need.REQUIRED,
    ),
    CaseField("stage", Kind.CHOICE, EVERYWHERE, choices=Stage, derived=True),
    CaseField("version", Kind.NUMBER, Shown.JSON | Shown.CASE_VIEW, kept_by_storage=True),
    # The facts the workflow keeps so that deadlines need no event replay.
    CaseField("last_contact_at", Kind.TIME, Shown.NOWHERE, derived=True),
    CaseField("fixed_at", Kind.TIME, _IN_DOCUMENTS, derived=True),
    CaseField("followed_up_at", Kind.TIME, Shown.NOWHERE, derived=True),
    CaseField("documented_at", Kind.TIME, Shown.NOWHERE, derived=True),
    CaseField("closed_at", Kind.TIME, _IN_DOCUMENTS, derived=True),
    CaseField("check_back_owed_since", Kind.TIME, Shown.NOWHERE, derived=True),
    CaseField("public_apology_at", Kind.TIME, Shown.NOWHERE, derived=True),
    CaseField("spokesperson", Kind.TEXT, Shown.NOWHERE, derived=True),
    # The running clock's pauses: storage reads them from the pause and resume events (storage/pauses.py).
    CaseField("pauses", Kind.PAUSES, Shown.NOWHERE, derived=True, column=False),
)

BY_NAME: dict[str, CaseField] = {field.name: field for field in CASE_FIELDS}

# The projections each reader and writer uses, in table order.
STORED_NAMES = tuple(field.name for field in CASE_FIELDS if field.column)
JSON_FIELDS = tuple(field for field in CASE_FIELDS if Shown.JSON in field.shown)
EXPORT_CSV_FIELDS = tuple(field for field in CASE_FIELDS if Shown.EXPORT_CSV in field.shown)
IMPORT_REQUIRED = tuple(field.name for field in CASE_FIELDS if field.csv_import is Need.REQUIRED)
IMPORT_OPTIONAL = tuple(field.name for field in CASE_FIELDS if field.csv_import is Need.OPTIONAL)
DERIVED_NAMES = tuple(field.name for field in CASE_FIELDS if field.derived and field.column)
# What an action may change on a case: copied back to its stored row after each one.
WRITTEN_BACK_NAMES = tuple(
    field.name for field in CASE_FIELDS if (field.derived or field.moved_by_workflow) and field.column
)
# What the domain decides (every field but id and version), as a new row is written.
DOMAIN_FIELDS = tuple(field for field in CASE_FIELDS if not field.kept_by_storage and field.column)
DOMAIN_NAMES = tuple(field.name for field in DOMAIN_FIELDS)
# The case view lists the short fields first and long texts last, so the short ones stay one aligned block.
CASE_VIEW_FIELDS = tuple(
    sorted(
        (field for field in CASE_FIELDS if Shown.CASE_VIEW in field.shown),
        key=lambda field: field.kind is Kind.LONG_TEXT,
    )
)


# What a person opening a case is asked, in the order asked (the dashboard's new-case form, `shiftdesk add`):
# the typed text first, then the choices; the assignee is not asked (a new case goes to its owner).
ASKED_FIELDS = tuple(
    sorted(
        (field for field in CASE_FIELDS if field.intake is not Need.NO and not field.derived),
        key=lambda field: field.kind in (Kind.CHOICE, Kind.FLAG),
    )
)


def asked_is_required(field: CaseField) -> bool:
    """Whether a person must type `field` (the owner may be left empty: the person serving owns it)."""
    return field.intake is Need.REQUIRED and field.import_default_from is None


def import_default(name: str) -> Any:
    """The value `Case` gives `name` when a CSV cell leaves it empty (MISSING for a field without one)."""
    return _CASE_DEFAULTS.get(name, MISSING)


_CASE_DEFAULTS: dict[str, Any] = {
    field.name: field.default for field in fields(Case) if field.default is not MISSING
}


def stored_value(value: Any) -> Any:
    """A field's value as storage and documents hold it: an enum member as its plain value."""
    return value.value if isinstance(value, Enum) else value


# The order `case_reader` takes stored values in: the Case dataclass's own, so that they pass positionally
# (the fields that are no column come last in Case and keep their defaults).
READ_ORDER = tuple(field.name for field in fields(Case) if BY_NAME[field.name].column)


def case_reader(
    read_time: Callable[[Any], datetime | None] | None,
) -> Callable[[Sequence[Any]], Case]:
    """A function making a Case from stored values in READ_ORDER.

    Choices are rebuilt from their values and flags made bool; times go through `read_time` (None when the
    driver already gives datetimes). Only the positions that need it are converted, each by its function
    picked here once: the quick read at start-up runs this for every open case.

    A row holding what intake would refuse (a time out of range or unreadable, an unknown choice, a
    control character in a name: written by another tool or an older version) comes back as an
    `UnreadableCase`, with stand-ins and its problems, never as an exception: one bad row must not take
    the whole board down.
    """
    conversions: list[tuple[int, Callable[[Any], Any]]] = []
    times: list[int] = []
    one_line: list[int] = []
    multiline: list[int] = []
    for position, name in enumerate(READ_ORDER):
        field = BY_NAME[name]
        if field.kind is Kind.CHOICE:
            assert field.choices is not None
            conversions.append((position, field.choices))
        elif field.kind is Kind.FLAG:
            conversions.append((position, bool))
        elif field.kind is Kind.TIME:
            times.append(position)
            if read_time is not None:
                conversions.append((position, read_time))
        elif field.kind is Kind.TEXT:
            one_line.append(position)
        elif field.kind is Kind.LONG_TEXT:
            multiline.append(position)

    def read(row: Sequence[Any]) -> Case:
        values = list(row)
        try:
            for position, convert in conversions:
                values[position] = convert(values[position])
            for position in times:
                at = values[position]
                if at is not None and not EARLIEST <= at < LATEST:  # a naive time raises TypeError
                    return _unreadable(row, read_time)
        except (ValueError, TypeError, OverflowError):
            return _unreadable(row, read_time)
        # str methods run in C: only a row that fails this quick look gets the full check.
        names = [values[position] for position in one_line]
        if not all(isinstance(name, str) and name.isprintable() for name in names if name is not None):
            return _unreadable(row, read_time)
        for position in multiline:
            text = values[position]
            if not isinstance(text, str) or not text.replace("\n", "").replace("\t", "").isprintable():
                return _unreadable(row, read_time)
        return Case(*values)

    return read


def _control(value: str, multiline: bool) -> str | None:
    """The first control character in `value` as intake's rule sees it (`core.intake.text_problem`)."""
    for index, char in enumerate(value):
        if unicodedata.category(char) in {"Cc", "Cs"} and not (multiline and char in "\n\t"):
            return f"contains a control character (U+{ord(char):04X}) at position {index + 1}"
    return None


def _unreadable(row: Sequence[Any], read_time: Callable[[Any], datetime | None] | None) -> Case:
    """The slow path of `case_reader`: every stored value checked on its own, stand-ins where needed."""
    values: list[Any] = []
    problems: list[str] = []
    for name, value in zip(READ_ORDER, row, strict=True):
        field = BY_NAME[name]
        if field.kind is Kind.CHOICE:
            assert field.choices is not None
            try:
                value = field.choices(value)
            except ValueError:
                allowed = ", ".join(member.value for member in field.choices)
                problems.append(f"{name}: {visible(repr(value))} is not one of {allowed}")
                value = import_default(name)
        elif field.kind is Kind.FLAG:
            value = bool(value)
        elif field.kind is Kind.TIME and value is not None:
            try:
                value = read_time(value) if read_time is not None else value
            except (ValueError, TypeError, OverflowError):
                value = UNREADABLE
            if value is not None:
                value, problem = stored_time_problem(value)
                if problem:
                    problems.append(f"{name}: {visible(problem)}")
        elif field.kind in (Kind.TEXT, Kind.LONG_TEXT) and value is not None:
            problem = _control(str(value), field.kind is Kind.LONG_TEXT)
            if problem:
                problems.append(f"{name}: {problem}")
        values.append(value)
    case = UnreadableCase(*values)
    case.problems = tuple(problems)
    return case
