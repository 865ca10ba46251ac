"""Rendering a ShiftSummary as Markdown, CSV or JSON (pure; user text is always treated as data).

Times: JSON in ISO 8601 UTC; Markdown and CSV in the given local zone (CSV as ISO 8601 with offset).

Redaction (`redact=True`): every customer name becomes `customer #<id>` and every contact is dropped
(empty CSV cell, JSON null, not shown in Markdown); free text that may mention customers (last notes,
gesture kinds) is scrubbed of every customer of the document — names and their words, phone numbers
however written, e-mail addresses — by core/redaction.py, in one pass. Agent names are kept: they are not
customer data. Notes may still mention a customer in ways that cannot be recognised (a nickname, a
misspelling); redacted exports are for sharing, not for anonymisation proofs.

Stored text is not trusted to be printable (another tool may write the database): Markdown drops control,
format and bidi characters, CSV shows them as escapes (core/visible.py), JSON as `\\u` escapes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from core.case_fields import EXPORT_CSV_FIELDS, CaseField, Kind, stored_value
from core.redaction import Customer, Redactor, customer_placeholder
from core.visible import json_visible, strip_controls, visible

if TYPE_CHECKING:
    # Annotations only: the CLI reads FORMATS for its `--format` choices on every start, dashboard included,
    # and core.summary (with the workflow behind it) is not needed for that.
    from core.cases import Case
    from core.deadlines import Deadline
    from core.summary import CaseLine, Owed, ShiftSummary

# The case's own columns come from the case-field table; these follow them, one row per case of the summary.
SUMMARY_CSV_COLUMNS = (
    "fix_or_update_met",
    "worst_breach_seconds",
    "follow_up_done",
    "deposition_filed",
    "gesture_kind",
    "gesture_value",
    "gesture_approved_by",
    "last_note",
    "recovered",  # after the older columns, so that readers of them by position still read them
    "paused_minutes",  # how long its fix-or-update clock stood still in the period (waiting on the customer)
    "gesture_unapproved",  # why the gesture is beyond its giver's authority without a valid approver
    "phrase_hints",  # phrase-check hints on the case's notes in the period (a count, never the texts)
)
CSV_COLUMNS = (*(field.name for field in EXPORT_CSV_FIELDS), *SUMMARY_CSV_COLUMNS)


# -- redaction ------------------------------------------------------------------------------------------


def customer_name(case_id: int, name: str, redact: bool) -> str:
    return customer_placeholder(case_id) if redact else name


def customer_contact(contact: str | None, redact: bool) -> str | None:
    return None if redact else contact


def redactor(summary: ShiftSummary, redact: bool) -> Redactor | None:
    """The scrubber of every customer of the document (None: not redacting), built once per document."""
    if not redact:
        return None
    customers = [Customer(line.case.id or 0, line.case.customer, line.case.contact) for line in summary.cases]
    customers += [Customer(item.case_id, item.customer, item.contact) for item in summary.handover]
    return Redactor(customers)


def scrub_note(text: str, case_id: int, scrubber: Redactor | None) -> str:
    """Free text of a case (a note, a gesture kind) without any customer's name or contact when redacting."""
    return text if scrubber is None else scrubber.scrub(text, case_id)


# -- small formatting helpers ------------------------------------------------------------------------------


def iso_utc(at: datetime | None) -> str | None:
    return at.astimezone(UTC).isoformat() if at is not None else None


def local_iso(at: datetime | None, zone: tzinfo) -> str:
    return at.astimezone(zone).isoformat(timespec="seconds") if at is not None else ""


def local_short(at: datetime | None, zone: tzinfo) -> str:
    """2026-11-24 15:05"""
    return at.astimezone(zone).isoformat(" ", "minutes")[:16] if at is not None else ""


def seconds(delta: timedelta) -> int:
    return int(delta.total_seconds())


def duration(delta: timedelta) -> str:
    """4 min 10 s, 1 h 05 min."""
    total = max(0, seconds(delta))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def minutes_of(delta: timedelta) -> int:
    """Whole minutes (paused time: a clock that stood still under a minute shows as 0)."""
    return max(0, seconds(delta)) // 60


def number(value: float) -> str:
    return f"{value:g}"


# -- Markdown ----------------------------------------------------------------------------------------------

# Characters that could start markup in CommonMark/GFM (emphasis, links, images, code, HTML, headings,
# table cells, strike-through, entities, `scheme:` autolinks) and Rich/Textual console markup ([bold],
# [@click=…]): backslash-escaped, which CommonMark shows as the plain character. Line-start markers
# (- + = . digits) need no escaping: escaped user text never starts a line.
_MD_SPECIAL = "\\`*_[]{}<>|#~&!:"
_MD_ESCAPES = str.maketrans({char: "\\" + char for char in _MD_SPECIAL})


def md(text: object) -> str:
    """User text as one inert line of Markdown (also safe inside a table cell), without control, format or
    bidi characters (a reader of Markdown shows no escapes; a terminal showing the file would obey them)."""
    flat = " ".join(str(text).split())
    if not flat.isprintable():  # rare: skip the second pass for ordinary text
        flat = " ".join(strip_controls(flat).split())
    return flat.translate(_MD_ESCAPES)


def md_who(name: str, os_account: str | None) -> str:
    """A person's name in a Markdown cell, with the OS account that wrote the step where it is not theirs."""
    return md(name) + (f" (OS user {md(os_account)})" if os_account else "")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _ids(ids: list[int]) -> str:
    return ", ".join(f"#{case_id}" for case_id in ids) if ids else "none"


def _owed_rows(lines: list[Owed], zone: tzinfo) -> list[list[str]]:
    return [
        [
            f"#{line.case_id}",
            local_short(line.due_at, zone),
            md(line.owed_by),
            f"overdue {duration(line.overdue)}" if line.overdue else "pending",
        ]
        for line in lines
    ]


def _deadline_cells(deadline: Deadline | None, cutoff: datetime, zone: tzinfo) -> list[str]:
    if deadline is None:
        return ["none", "", ""]
    overdue = deadline.overdue_by(cutoff)
    due = local_short(deadline.due_at, zone) + (f" (overdue {duration(overdue)})" if overdue else "")
    return [md(deadline.kind), due, md(deadline.owed_by)]


def to_markdown(summary: ShiftSummary, zone: tzinfo, redact: bool = False) -> str:
    """A human-readable report: figures, the fix-or-update rule, hand-over, follow-ups, gestures, depositions,
    per-agent load and hotspots. Every piece of user text is escaped (see `md`)."""
    cutoff = summary.cutoff
    scrubber = redactor(summary, redact)
    out: list[str] = [
        f"# Shift summary {md(summary.label)}",
        "",
        f"Period {local_short(summary.period_start, zone)} to {local_short(summary.period_end, zone)} "
        f"({md(str(zone))}), as of {local_short(cutoff, zone)}" + (" · redacted" if redact else "") + ".",
        "",
        "## Figures",
        "",
    ]
    breached = summary.fix_or_update_breached
    out += _table(
        ["", "cases"],
        [
            ["opened", str(len(summary.opened))],
            ["fixed", str(len(summary.fixed))],
            ["closed", str(len(summary.closed))],
            ["still open at the end", str(len(summary.still_open))],
            ["met the fix-or-update rule", str(len(summary.fix_or_update_met))],
            ["missed the fix-or-update rule", str(len(breached))],
            ["follow-ups done", str(len(summary.follow_ups_done))],
            ["recovered (satisfied at the latest follow-up)", str(len(summary.recovered))],
            ["not recovered (not satisfied at the latest follow-up)", str(len(summary.not_recovered))],
            ["follow-ups owed", str(len(summary.follow_ups_owed))],
            ["gestures given", str(len(summary.gestures))],
            [
                "gestures above the giver's limit without a valid approver",
                str(len(summary.gestures_unapproved)),
            ],
            ["depositions written", str(len(summary.depositions_written))],
            ["depositions missing", str(len(summary.depositions_missing))],
        ],
    )
    if summary.unreadable:
        out += [
            "Stored with values that cannot be used as they are (figured with stand-ins; `shiftdesk show ID` "
            f"says what): {_ids(summary.unreadable)}.",
            "",
        ]
    out += ["## Fix or update within the deadline", "", f"Met: {_ids(summary.fix_or_update_met)}.", ""]
    if summary.not_recovered:
        out += [
            "## Not recovered",
            "",
            "Not satisfied at the latest follow-up, another fix or update owed: "
            f"{_ids(summary.not_recovered)}.",
            "",
        ]
    if breached:
        out += ["Missed:", ""]
        out += _table(
            ["case", "missed by", "owed by"],
            [[f"#{b.case_id}", duration(b.breached_by), md(b.owed_by)] for b in breached],
        )
    else:
        out += ["Missed: none.", ""]

    out += ["## Hand-over", ""]
    if summary.orphaned:
        out += [
            # Said as the next supervisor's task: at a shift's end every assignee is usually off, and
            # "nobody to take these over" read as an alarm on every case of the demo's hand-over.
            "A new assignee needed on the next shift (the assignee is absent or not on it): "
            + ", ".join(f"#{item.case_id} {md(item.assignee)} ({item.orphaned})" for item in summary.orphaned)
            + ".",
            "",
        ]
    if summary.handover:
        rows = []
        for item in summary.handover:
            note = scrub_note(item.last_note, item.case_id, scrubber)
            rows.append(
                [
                    f"#{item.case_id}",
                    md(customer_name(item.case_id, item.customer, redact)),
                    md(item.stage.value),
                    md(item.assignee),
                    md(item.owner),
                    *_deadline_cells(item.next_deadline, cutoff, zone),
                    md(note),
                ]
            )
        header = ["case", "customer", "stage", "assignee", "owner", "next deadline", "due", "owed by"]
        out += _table([*header, "last note"], rows)
    else:
        out += ["No case open at the end of the period.", ""]

    if summary.escalations:
        out += ["## Escalations", ""]
        out += _table(
            ["case", "at", "step", "acknowledged by"],
            [
                [f"#{e.case_id}", local_short(e.at, zone), md(e.sentence), md(e.acknowledged_by or "")]
                for e in summary.escalations
            ],
        )

    out += ["## Follow-ups", ""]
    if summary.follow_ups_done:
        out += _table(
            ["case", "at", "by", "satisfied"],
            [
                [
                    f"#{f.case_id}",
                    local_short(f.at, zone),
                    md_who(f.actor, f.os_account),
                    {True: "yes", False: "no", None: ""}[f.satisfied],
                ]
                for f in summary.follow_ups_done
            ],
        )
    else:
        out += ["Done: none.", ""]
    if summary.follow_ups_owed:
        out += ["Owed:", ""]
        out += _table(["case", "due", "owed by", "state"], _owed_rows(summary.follow_ups_owed, zone))
    else:
        out += ["Owed: none.", ""]

    out += ["## Gestures", ""]
    if summary.gestures:
        out += _table(
            ["case", "at", "kind", "value", "given by", "approved by", "authority"],
            [
                [
                    f"#{g.case_id}",
                    local_short(g.at, zone),
                    md(scrub_note(g.kind, g.case_id, scrubber)),
                    number(g.value),
                    md_who(g.actor, g.os_account),
                    md(g.approved_by or ""),
                    f"NOT APPROVED — {md(g.unapproved)}" if g.unapproved else "ok",
                ]
                for g in summary.gestures
            ],
        )
    else:
        out += ["None given.", ""]
    if summary.gestures_unapproved:
        out += [
            f"Above the giver's limit without a valid approver: {_ids(summary.gestures_unapproved)}.",
            "",
        ]

    out += ["## Depositions", ""]
    if summary.depositions_written:
        out += _table(
            ["case", "filed", "author"],
            [
                [f"#{d.case_id}", local_short(d.at, zone), md_who(d.author, d.os_account)]
                for d in summary.depositions_written
            ],
        )
    else:
        out += ["Written: none.", ""]
    if summary.depositions_missing:
        out += ["Missing:", ""]
        out += _table(["case", "due", "owed by", "state"], _owed_rows(summary.depositions_missing, zone))
    else:
        out += ["Missing: none.", ""]

    # Parking a case to stop its clock is visible: every paused case, with how long it waited.
    paused = [line for line in summary.cases if line.paused > timedelta(0)]
    out += ["## Waiting on the customer (fix-or-update clock paused)", ""]
    if paused:
        out += _table(
            ["case", "paused", "assignee"],
            [[f"#{line.case.id}", duration(line.paused), md(line.case.assignee)] for line in paused],
        )
    else:
        out += ["No clock was paused.", ""]

    out += ["## Per agent", ""]
    if summary.per_agent:
        out += _table(
            [
                "agent",
                "open",
                "actions",
                "opened as staff",
                "fix-or-update misses",
                "paused min",
                "phrase hints",
            ],
            [
                [
                    md(name),
                    str(f.open),
                    str(f.actions),
                    str(f.opened_as_staff),
                    str(f.breaches),
                    str(minutes_of(f.paused)),
                    str(f.phrase_hints),
                ]
                for name, f in summary.per_agent.items()
            ],
        )
    else:
        out += ["Nobody acted in the period.", ""]

    if summary.hotspots:
        out += ["## Hotspots", ""]
        for spot in summary.hotspots:
            out += [f"- {md(spot.get('sentence', ''))}"]
            # Its depositions' root causes (and factors) under its sentence; free text of many cases at once,
            # so a redacted export leaves them out.
            of = spot.get("documented", 0)
            for kind, key in (
                (("root cause", "root_causes"), ("factor", "factors")) if scrubber is None else ()
            ):
                out += [
                    f"  - {kind}: {md(str(cause.get('text', '')))}: {cause.get('count', 0)} of {of}"
                    for cause in spot.get(key, [])
                ]
        out += [""]
    return "\n".join(out).rstrip("\n") + "\n"


# -- CSV ---------------------------------------------------------------------------------------------------

_FORMULA_START = frozenset("=+-@\t\r")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ (or tab/CR) gets a leading '. Control
    and bidi characters other than newline and tab are shown as escapes (core/visible.py)."""
    text = "" if value is None else visible(str(value), keep_newlines=True, keep_tabs=True)
    return "'" + text if text[:1] in _FORMULA_START else text


def _yes_no(flag: bool | None) -> str:
    return "" if flag is None else ("yes" if flag else "no")


def _case_cell(field: CaseField, zone: tzinfo, redact: bool) -> Callable[[Case], object]:
    """How one case field becomes its export cell (picked once per document, not per row)."""
    name = field.name
    if name == "customer":
        return lambda case: customer_name(case.id or 0, case.customer, redact)
    if name == "contact":
        return lambda case: customer_contact(case.contact, redact) or ""
    if field.kind is Kind.ID:
        return lambda case: case.id or 0
    if field.kind is Kind.TIME:
        return lambda case: local_iso(getattr(case, name), zone)
    if field.kind is Kind.FLAG:
        return lambda case: _yes_no(getattr(case, name))
    return lambda case: stored_value(getattr(case, name))


def _csv_row(
    line: CaseLine, case_cells: list[Callable[[Case], object]], scrubber: Redactor | None
) -> list[object]:
    case: Case = line.case
    case_id = case.id or 0
    gesture = line.gesture
    return [
        *(cell(case) for cell in case_cells),
        _yes_no(line.fix_or_update_met),
        seconds(line.worst_breach) if line.worst_breach is not None else "",
        _yes_no(line.follow_up_done),
        _yes_no(line.deposition_filed),
        scrub_note(gesture.kind, case_id, scrubber) if gesture else "",
        number(gesture.value) if gesture else "",
        (gesture.approved_by or "") if gesture else "",
        scrub_note(line.last_note, case_id, scrubber),
        _yes_no(line.recovered),
        minutes_of(line.paused),
        line.gesture_unapproved or "",
        line.phrase_hints,
    ]


def to_csv(summary: ShiftSummary, zone: tzinfo, redact: bool = False) -> str:
    """One row per case of the summary (by id), columns `CSV_COLUMNS`, state as of the cutoff."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    scrubber = redactor(summary, redact)
    case_cells = [_case_cell(field, zone, redact) for field in EXPORT_CSV_FIELDS]
    for line in summary.cases:
        writer.writerow([csv_cell(value) for value in _csv_row(line, case_cells, scrubber)])
    return buffer.getvalue()


# -- JSON --------------------------------------------------------------------------------------------------


def _owed_json(line: Owed) -> dict[str, Any]:
    return {
        "case_id": line.case_id,
        "due_at": iso_utc(line.due_at),
        "owed_by": line.owed_by,
        "overdue_seconds": seconds(line.overdue),
    }


def summary_json(summary: ShiftSummary, redact: bool = False) -> dict[str, Any]:
    cutoff = summary.cutoff
    scrubber = redactor(summary, redact)
    handover = []
    for item in summary.handover:
        deadline = item.next_deadline
        handover.append(
            {
                "case_id": item.case_id,
                "customer": customer_name(item.case_id, item.customer, redact),
                "contact": customer_contact(item.contact, redact),
                "stage": item.stage.value,
                "assignee": item.assignee,
                "owner": item.owner,
                "next_deadline": None
                if deadline is None
                else {
                    "kind": deadline.kind,
                    "due_at": iso_utc(deadline.due_at),
                    "owed_by": deadline.owed_by,
                    "overdue_seconds": seconds(deadline.overdue_by(cutoff)),
                },
                "last_note": scrub_note(item.last_note, item.case_id, scrubber),
                "orphaned": item.orphaned,
            }
        )
    return {
        "period": {
            "from": iso_utc(summary.period_start),
            "to": iso_utc(summary.period_end),
            "label": summary.label,
            "as_of": iso_utc(cutoff),
        },
        "redacted": redact,
        "opened": summary.opened,
        "fixed": summary.fixed,
        "closed": summary.closed,
        "still_open": summary.still_open,
        "recovered": summary.recovered,
        "not_recovered": summary.not_recovered,
        "fix_or_update_met": summary.fix_or_update_met,
        "fix_or_update_breached": [
            {"case_id": b.case_id, "breached_by_seconds": seconds(b.breached_by), "owed_by": b.owed_by}
            for b in summary.fix_or_update_breached
        ],
        "follow_ups_done": [
            {
                "case_id": f.case_id,
                "at": iso_utc(f.at),
                "actor": f.actor,
                "satisfied": f.satisfied,
                "os_account": f.os_account,
            }
            for f in summary.follow_ups_done
        ],
        "follow_ups_owed": [_owed_json(line) for line in summary.follow_ups_owed],
        "handover": handover,
        "not_on_next_shift": [item.case_id for item in summary.orphaned],
        "escalations": [
            {
                "case_id": e.case_id,
                "at": iso_utc(e.at),
                "kind": e.kind,
                "due_at": iso_utc(e.due_at),
                "step": e.step,
                "role": e.role,
                "target": e.target,
                "after_seconds": seconds(e.at - e.due_at),
                "acknowledged_by": e.acknowledged_by,
            }
            for e in summary.escalations
        ],
        "gestures": [
            {
                "case_id": g.case_id,
                "at": iso_utc(g.at),
                "kind": scrub_note(g.kind, g.case_id, scrubber),
                "value": g.value,
                "actor": g.actor,
                "approved_by": g.approved_by,
                "unapproved": g.unapproved,
                "os_account": g.os_account,
            }
            for g in summary.gestures
        ],
        "gestures_unapproved": summary.gestures_unapproved,
        "unreadable": summary.unreadable,
        "depositions_written": [
            {"case_id": d.case_id, "at": iso_utc(d.at), "author": d.author, "os_account": d.os_account}
            for d in summary.depositions_written
        ],
        "depositions_missing": [_owed_json(line) for line in summary.depositions_missing],
        "per_agent": {
            name: {
                "open": f.open,
                "actions": f.actions,
                "opened_as_staff": f.opened_as_staff,
                "fix_or_update_breaches": f.breaches,
                "paused_seconds": seconds(f.paused),
                "phrase_hints": f.phrase_hints,
            }
            for name, f in summary.per_agent.items()
        },
        # The cases whose fix-or-update clock was paused in the period, and for how long.
        "paused": [
            {"case_id": line.case.id, "paused_seconds": seconds(line.paused), "assignee": line.case.assignee}
            for line in summary.cases
            if line.paused > timedelta(0)
        ],
        # Root causes and factors are free text of many cases at once: a redacted export leaves them out.
        "hotspots": [
            {key: value for key, value in spot.items() if key not in ("root_causes", "factors")}
            for spot in summary.hotspots
        ]
        if redact
        else summary.hotspots,
    }


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)  # one encoder: json.dumps makes one per call


def _compact(value: Any) -> str:
    # A plain int (a case id: most list items) is what the encoder would write, str(), without the
    # encoder's per-call set-up; bool (a subclass) and everything else go through the encoder.
    return str(value) if type(value) is int else _ENCODER.encode(value)


def to_json(summary: ShiftSummary, redact: bool = False) -> str:
    """The `summary_json` object, one top-level key per line and one list item (or agent) per line:
    readable and diff-able, and written by the fast C encoder (indent=2 is several times slower)."""
    parts = []
    for key, value in summary_json(summary, redact).items():
        if isinstance(value, list) and value:
            body = ",\n    ".join(_compact(item) for item in value)
            parts.append(f"  {_compact(key)}: [\n    {body}\n  ]")
        elif isinstance(value, dict) and value:
            body = ",\n    ".join(f"{_compact(k)}: {_compact(v)}" for k, v in value.items())
            parts.append(f"  {_compact(key)}: {{\n    {body}\n  }}")
        else:
            parts.append(f"  {_compact(key)}: {_compact(value)}")
    # The encoder escapes C0 (ESC) itself but writes C1, DEL and bidi characters raw: escape those too.
    return json_visible("{\n" + ",\n".join(parts) + "\n}\n")


# -- the registry ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One document format: the extension of its files and how a summary is rendered in it."""

    extension: str
    render: Callable[[ShiftSummary, tzinfo, bool], str]
    # Written into the export folder at every shift's end (and by the dashboard for a shift missed).
    automatic: bool = False


def _json_in_zone(summary: ShiftSummary, zone: tzinfo, redact: bool) -> str:
    return to_json(summary, redact)  # JSON times are UTC whatever the zone


# Every format by the name `--format` takes; the CLI's choices, file names and `render` all read this.
FORMATS: dict[str, ExportFormat] = {
    "md": ExportFormat("md", to_markdown, automatic=True),
    "csv": ExportFormat("csv", to_csv),
    "json": ExportFormat("json", _json_in_zone, automatic=True),
}
# The format a person reads: the CLI's default and the dashboard's `e` key.
DEFAULT_FORMAT = "md"
AUTOMATIC_FORMATS = tuple(name for name, known in FORMATS.items() if known.automatic)


def render(summary: ShiftSummary, fmt: str, zone: tzinfo, redact: bool = False) -> str:
    """The document in `fmt` (a name in FORMATS)."""
    known = FORMATS.get(fmt)
    if known is None:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    return known.render(summary, zone, redact)
