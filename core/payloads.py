"""Typed event payloads: one frozen dataclass per action's details, its JSON shape and the checks on it."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from typing import Any, ClassVar, Self

from core.cases import Action, Gesture
from core.deposition import Deposition, Factor
from core.pauses import ResumeWhy

# The JSON rule for every type: a field with no value (None) is left out, every other field is written;
# `from_json` takes a left-out optional field as None, refuses a missing required field and any key it
# does not know, each with a ValueError naming the field (`fix.gesture.value: 'abc' is not a number`).


class Payload:
    """The details of one event; subclasses are frozen, slotted dataclasses, one per action."""

    __slots__ = ()
    # The action whose details this type holds; None for the stand-ins that may sit on any event.
    ACTION: ClassVar[Action | None] = None

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        raise NotImplementedError

    def people(self) -> dict[str, str]:
        """The persons these details name, by where they sit (`reassign.to`): checked as names are."""
        return {}

    def with_people(self, spelled: Callable[[str], str]) -> Self:
        """These details with every person's name as `spelled` writes it (the roster's spelling)."""
        return self


# -- checks shared by the types ----------------------------------------------------------------------


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: {_shown(value)} is not a mapping")
    return value


def _keys(data: Mapping[str, Any], where: str, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    for key in data:
        if key not in required and key not in optional:
            raise ValueError(f"{where}.{key}: not a field of {where}")
    for key in required:
        if key not in data:
            raise ValueError(f"{where}.{key}: missing")


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where}: {_shown(value)} is not text")
    return value


def _optional_text(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    return None if value is None else _text(value, f"{where}.{key}")


def _number(value: object, where: str) -> float:
    # bool is an int to Python, but `true` is not an amount.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: {_shown(value)} is not a number")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{where}: {_shown(value)} is not a finite number ≥ 0")
    return number


def _whole(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where}: {_shown(value)} is not a whole number")
    return value


def _when(value: object, where: str) -> datetime:
    """An ISO 8601 instant with its offset (stored details are UTC; a naive time would be ambiguous)."""
    text = _text(value, where)
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{where}: {_shown(value)} is not an ISO 8601 time") from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{where}: {_shown(value)} has no time zone")
    return at


def _optional_time(data: Mapping[str, Any], key: str, where: str) -> datetime | None:
    value = data.get(key)
    return None if value is None else _when(value, f"{where}.{key}").astimezone(UTC)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


# -- the payloads -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportSource:
    """Where an imported case came from: the file, its line, and the id the file gave it."""

    file: str
    line: int
    external_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"file": self.file, "line": self.line}
        if self.external_id is not None:
            data["external_id"] = self.external_id
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any], where: str = "open.imported") -> ImportSource:
        _keys(data, where, ("file", "line"), ("external_id",))
        external = data.get("external_id")
        return cls(
            _text(data["file"], f"{where}.file"),
            _whole(data["line"], f"{where}.line"),
            None if external is None else _whole(external, f"{where}.external_id"),
        )


@dataclass(frozen=True, slots=True)
class OpenPayload(Payload):
    """open: `{}`, or `{"imported": {"file", "line", "external_id"?}}` for a case read from a CSV file."""

    ACTION: ClassVar[Action | None] = Action.OPEN
    imported: ImportSource | None = None

    def to_json(self) -> dict[str, Any]:
        return {} if self.imported is None else {"imported": self.imported.to_json()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        _keys(data, "open", (), ("imported",))
        imported = data.get("imported")
        if imported is None:
            return cls()
        return cls(ImportSource.from_json(_mapping(imported, "open.imported")))


@dataclass(frozen=True, slots=True)
class _Empty(Payload):
    """The actions whose substance is the event's text alone: `{}`."""

    def to_json(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        _keys(data, str(cls.ACTION), (), ())
        return cls()


def _hints(data: Mapping[str, Any], where: str) -> int:
    """The phrase-check hints a note drew when it was saved (`core.phrase_check`); absent (older rows): 0."""
    value = data.get("hints")
    if value is None:
        return 0
    number = _whole(value, f"{where}.hints")
    if number < 0:
        raise ValueError(f"{where}.hints: {number} is not a whole number ≥ 0")
    return number


def _with_hints(data: dict[str, Any], hints: int) -> dict[str, Any]:
    if hints:
        data["hints"] = hints
    return data


@dataclass(frozen=True, slots=True)
class _Noted(Payload):
    """The steps whose substance is the text the customer heard: `{}`, or `{"hints": n}` when the phrase
    check found n phrases to avoid in it (counted for coaching; the text is the event's own)."""

    hints: int = 0

    def to_json(self) -> dict[str, Any]:
        return _with_hints({}, self.hints)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        where = str(cls.ACTION)
        _keys(data, where, (), ("hints",))
        return cls(_hints(data, where))


@dataclass(frozen=True, slots=True)
class ApologizePayload(_Noted):
    ACTION: ClassVar[Action | None] = Action.APOLOGIZE


@dataclass(frozen=True, slots=True)
class UpdatePayload(_Noted):
    ACTION: ClassVar[Action | None] = Action.UPDATE


@dataclass(frozen=True, slots=True)
class ClosePayload(_Empty):
    ACTION: ClassVar[Action | None] = Action.CLOSE


@dataclass(frozen=True, slots=True)
class CheckBackPayload(_Empty):
    ACTION: ClassVar[Action | None] = Action.CHECK_BACK


@dataclass(frozen=True, slots=True)
class PublicApologyPayload(_Empty):
    ACTION: ClassVar[Action | None] = Action.PUBLIC_APOLOGY


@dataclass(frozen=True, slots=True)
class AmendPayload(_Empty):
    """amend: `{}` — the correction is the event's text (and so it shows under the deposition)."""

    ACTION: ClassVar[Action | None] = Action.AMEND


@dataclass(frozen=True, slots=True)
class ReviewPayload(Payload):
    """review: `{"needs": text}` — what the customer needs; `{}` when not recorded (CSV imports); with
    `"hints": n` when the phrase check found n phrases to avoid in its texts."""

    ACTION: ClassVar[Action | None] = Action.REVIEW
    needs: str | None = None
    hints: int = 0

    def to_json(self) -> dict[str, Any]:
        return _with_hints({} if self.needs is None else {"needs": self.needs}, self.hints)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        _keys(data, "review", (), ("needs", "hints"))
        return cls(_optional_text(data, "needs", "review"), _hints(data, "review"))


@dataclass(frozen=True, slots=True)
class FixPayload(Payload):
    """fix: `{}`, or `{"gesture": {"kind": text, "value": number, "approved_by": text | null}}`."""

    ACTION: ClassVar[Action | None] = Action.FIX
    gesture: Gesture | None = None

    def to_json(self) -> dict[str, Any]:
        if self.gesture is None:
            return {}
        gesture = self.gesture
        # approved_by is written even when null: the shape every fix with a gesture has had from the start.
        return {"gesture": {"kind": gesture.kind, "value": gesture.value, "approved_by": gesture.approved_by}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        _keys(data, "fix", (), ("gesture",))
        raw = data.get("gesture")
        if raw is None:
            return cls()
        gesture = _mapping(raw, "fix.gesture")
        _keys(gesture, "fix.gesture", ("kind", "value"), ("approved_by",))
        return cls(
            Gesture(
                _text(gesture["kind"], "fix.gesture.kind"),
                _number(gesture["value"], "fix.gesture.value"),
                _optional_text(gesture, "approved_by", "fix.gesture"),
            )
        )

    def people(self) -> dict[str, str]:
        approver = self.gesture.approved_by if self.gesture is not None else None
        return {} if approver is None else {"fix.gesture.approved_by": approver}

    def with_people(self, spelled: Callable[[str], str]) -> Self:
        if self.gesture is None or self.gesture.approved_by is None:
            return self
        return replace(self, gesture=replace(self.gesture, approved_by=spelled(self.gesture.approved_by)))


@dataclass(frozen=True, slots=True)
class FollowUpPayload(Payload):
    """follow-up: `{"satisfied": true | false}`; `{}` when not recorded (CSV imports); with `"hints": n`
    when the phrase check found n phrases to avoid in its text."""

    ACTION: ClassVar[Action | None] = Action.FOLLOW_UP
    satisfied: bool | None = None
    hints: int = 0

    def to_json(self) -> dict[str, Any]:
        return _with_hints({} if self.satisfied is None else {"satisfied": self.satisfied}, self.hints)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        _keys(data, "follow-up", (), ("satisfied", "hints"))
        value = data.get("satisfied")
        if value is not None and not isinstance(value, bool):
            raise ValueError(f"follow-up.satisfied: {_shown(value)} is not true or false")
        return cls(value, _hints(data, "follow-up"))


_DEPOSITION_TEXTS = ("customer_view", "customer_needed", "actions_taken", "root_cause", "gesture", "notes")
_FACTORS = {factor.value: factor for factor in Factor}


@dataclass(frozen=True, slots=True)
class DocumentPayload(Payload):
    """document: the deposition's fields, `{"customer_view", "customer_needed", "actions_taken",
    "root_cause", "factors": [names], "gesture": text, "notes"}` (the gesture is text, not a fix's)."""

    ACTION: ClassVar[Action | None] = Action.DOCUMENT
    deposition: Deposition

    def to_json(self) -> dict[str, Any]:
        deposition = self.deposition
        # Field by field rather than dataclasses.asdict, whose deep copy was a third of a CSV import's parse.
        return {
            "customer_view": deposition.customer_view,
            "customer_needed": deposition.customer_needed,
            "actions_taken": deposition.actions_taken,
            "root_cause": deposition.root_cause,
            "factors": [factor.value for factor in deposition.factors],
            "gesture": deposition.gesture,
            "notes": deposition.notes,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        _keys(
            data,
            "document",
            ("customer_view", "customer_needed", "actions_taken", "root_cause"),
            (
                "factors",
                "gesture",
                "notes",
            ),
        )
        texts = {name: _text(data.get(name, ""), f"document.{name}") for name in _DEPOSITION_TEXTS}
        raw_factors = data.get("factors", [])
        if not isinstance(raw_factors, list | tuple):
            raise ValueError(f"document.factors: {_shown(raw_factors)} is not a list")
        factors: list[Factor] = []
        for value in raw_factors:
            factor = _FACTORS.get(value) if isinstance(value, str) else None
            if factor is None:
                allowed = ", ".join(_FACTORS)
                raise ValueError(f"document.factors: {_shown(value)} is not one of {allowed}")
            factors.append(factor)
        return cls(Deposition(factors=tuple(factors), **texts))


@dataclass(frozen=True, slots=True)
class ReassignPayload(Payload):
    """reassign: `{"to": agent, "from": agent}` ("from", the assignee before, is recorded by the service);
    with `"owner_to"` (and the service's `"owner_from"`) the customer's ally changes too: the owner is
    absent, so their check-back obligation moves to `owner_to` (the event's text says so)."""

    ACTION: ClassVar[Action | None] = Action.REASSIGN
    to_agent: str
    from_agent: str | None = None
    owner_to: str | None = None
    owner_from: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = {"to": self.to_agent}
        if self.from_agent is not None:
            data["from"] = self.from_agent
        if self.owner_to is not None:
            data["owner_to"] = self.owner_to
        if self.owner_from is not None:
            data["owner_from"] = self.owner_from
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        _keys(data, "reassign", ("to",), ("from", "owner_to", "owner_from"))
        return cls(
            _text(data["to"], "reassign.to"),
            _optional_text(data, "from", "reassign"),
            _optional_text(data, "owner_to", "reassign"),
            _optional_text(data, "owner_from", "reassign"),
        )

    def people(self) -> dict[str, str]:
        named = {"reassign.to": self.to_agent}
        if self.owner_to is not None:
            named["reassign.owner_to"] = self.owner_to
        return named

    def with_people(self, spelled: Callable[[str], str]) -> Self:
        owner_to = spelled(self.owner_to) if self.owner_to is not None else None
        return replace(self, to_agent=spelled(self.to_agent), owner_to=owner_to)


@dataclass(frozen=True, slots=True)
class SpokespersonPayload(Payload):
    """spokesperson: `{"name": person}`."""

    ACTION: ClassVar[Action | None] = Action.SPOKESPERSON
    name: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        _keys(data, "spokesperson", ("name",), ())
        return cls(_text(data["name"], "spokesperson.name"))

    def people(self) -> dict[str, str]:
        return {"spokesperson.name": self.name}

    def with_people(self, spelled: Callable[[str], str]) -> Self:
        return replace(self, name=spelled(self.name))


@dataclass(frozen=True, slots=True)
class EscalatePayload(Payload):
    """escalate: `{"kind": deadline kind, "due_at": ISO time, "step": n, "role": owner | supervisor |
    manager, "target": person}` — step n of a breached deadline's ladder (core/escalation.py)."""

    ACTION: ClassVar[Action | None] = Action.ESCALATE
    kind: str
    due_at: datetime
    step: int
    role: str
    target: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "due_at": self.due_at.isoformat(),
            "step": self.step,
            "role": self.role,
            "target": self.target,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        _keys(data, "escalate", ("kind", "due_at", "step", "role", "target"), ())
        return cls(
            _text(data["kind"], "escalate.kind"),
            _when(data["due_at"], "escalate.due_at"),
            _whole(data["step"], "escalate.step"),
            _text(data["role"], "escalate.role"),
            _text(data["target"], "escalate.target"),
        )


@dataclass(frozen=True, slots=True)
class AcknowledgePayload(Payload):
    """acknowledge: `{"kind", "due_at", "step"}` — the escalation step whose repeats this stops."""

    ACTION: ClassVar[Action | None] = Action.ACKNOWLEDGE
    kind: str
    due_at: datetime
    step: int

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "due_at": self.due_at.isoformat(), "step": self.step}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        _keys(data, "acknowledge", ("kind", "due_at", "step"), ())
        return cls(
            _text(data["kind"], "acknowledge.kind"),
            _when(data["due_at"], "acknowledge.due_at"),
            _whole(data["step"], "acknowledge.step"),
        )


@dataclass(frozen=True, slots=True)
class PausePayload(Payload):
    """pause: `{"reason": text, "until": ISO time (UTC)?}` — what the case waits on, and when to resume."""

    ACTION: ClassVar[Action | None] = Action.PAUSE
    reason: str
    until: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"reason": self.reason}
        if self.until is not None:
            data["until"] = self.until.astimezone(UTC).isoformat()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        _keys(data, "pause", ("reason",), ("until",))
        return cls(_text(data["reason"], "pause.reason"), _optional_time(data, "until", "pause"))


_RESUME_WHYS = {why.value: why for why in ResumeWhy}


@dataclass(frozen=True, slots=True)
class ResumePayload(Payload):
    """resume: `{"why": "by hand" | "customer contacted" | …}` — why the paused clock runs again."""

    ACTION: ClassVar[Action | None] = Action.RESUME
    why: ResumeWhy = ResumeWhy.BY_HAND

    def to_json(self) -> dict[str, Any]:
        return {"why": self.why.value}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        _keys(data, "resume", (), ("why",))
        raw = data.get("why", ResumeWhy.BY_HAND.value)
        why = _RESUME_WHYS.get(raw) if isinstance(raw, str) else None
        if why is None:
            raise ValueError(f"resume.why: {_shown(raw)} is not one of {', '.join(_RESUME_WHYS)}")
        return cls(why)


# -- stand-ins for details that are not (or could not be) read -------------------------------------------


@dataclass(frozen=True, slots=True)
class Unreadable(Payload):
    """Stored details that do not fit their action's type (a row written by another tool): kept as the
    JSON text they were stored as, with the reason, so that one bad row never stops a case from opening."""

    stored: str
    problem: str

    def to_json(self) -> dict[str, Any]:
        # Never written back: what another tool stored stays as it was (the events table is append-only).
        raise TypeError(f"unreadable details are not stored again ({self.problem})")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        return cls(json.dumps(dict(data), ensure_ascii=False), "read as unreadable")


@dataclass(frozen=True, slots=True)
class NotLoaded(Payload):
    """Details a loader chose not to read (the export's loader reads only what the summary needs)."""

    def to_json(self) -> dict[str, Any]:
        raise TypeError("the details of this event were not loaded, so they cannot be written")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        return cls()


NOT_LOADED = NotLoaded()

PAYLOAD_TYPES: dict[Action, type[Payload]] = {
    Action.OPEN: OpenPayload,
    Action.APOLOGIZE: ApologizePayload,
    Action.REVIEW: ReviewPayload,
    Action.UPDATE: UpdatePayload,
    Action.FIX: FixPayload,
    Action.FOLLOW_UP: FollowUpPayload,
    Action.DOCUMENT: DocumentPayload,
    Action.CLOSE: ClosePayload,
    Action.REASSIGN: ReassignPayload,
    Action.CHECK_BACK: CheckBackPayload,
    Action.PUBLIC_APOLOGY: PublicApologyPayload,
    Action.SPOKESPERSON: SpokespersonPayload,
    Action.AMEND: AmendPayload,
    Action.ESCALATE: EscalatePayload,
    Action.ACKNOWLEDGE: AcknowledgePayload,
    Action.PAUSE: PausePayload,
    Action.RESUME: ResumePayload,
}


def parse(action: Action, data: object) -> Payload:
    """The details of an `action` event from their JSON form (a ValueError names what does not fit)."""
    return PAYLOAD_TYPES[action].from_json(_mapping(data, action.value))


def read(action: Action, data: object) -> Payload:
    """As `parse`, for stored details: what does not fit comes back as `Unreadable` instead of raising."""
    try:
        return parse(action, data)
    except (ValueError, TypeError) as error:
        try:
            stored = json.dumps(data, ensure_ascii=False)
        except (TypeError, ValueError):
            stored = json.dumps(repr(data))
        return Unreadable(stored, str(error))


def empty(action: Action) -> Payload:
    """The details of an `action` event that records nothing beyond its text (ValueError when it must)."""
    return parse(action, {})


# -- showing them ------------------------------------------------------------------------------------------


def amount(value: float) -> str:
    """200.0 → "200", 12.5 → "12.5": whole amounts without a decimal point."""
    return str(int(value)) if value.is_integer() else repr(value)


def hints_of(payload: Payload) -> int:
    """How many phrase-check hints the note of this event drew (0 for every other kind of event)."""
    return payload.hints if isinstance(payload, _Noted | ReviewPayload | FollowUpPayload) else 0


def with_hints(payload: Payload, hints: int) -> Payload:
    """`payload` counting `hints` phrase-check hints (unchanged for events whose text is not checked)."""
    if isinstance(payload, _Noted | ReviewPayload | FollowUpPayload):
        return replace(payload, hints=hints)
    return payload


def noted_texts(text: str, payload: Payload) -> tuple[str, ...]:
    """What was typed for the customer at this step: its text, and a review's "needs"."""
    if isinstance(payload, ReviewPayload) and payload.needs:
        return (text, payload.needs)
    return (text,)


def describe(payload: Payload, zone: tzinfo = UTC) -> str:
    """One line for a timeline (plain text, user text in it as typed: render it literally); "" if none.
    Times in it are shown in `zone`."""
    if isinstance(payload, PausePayload):
        until = payload.until
        line = f"waiting: {payload.reason}"
        return line + (f", resume at {until.astimezone(zone):%Y-%m-%d %H:%M}" if until is not None else "")
    if isinstance(payload, ResumePayload):
        return payload.why.value
    if isinstance(payload, FixPayload) and payload.gesture is not None:
        gesture = payload.gesture
        line = f"gesture {gesture.kind} {amount(gesture.value)}"
        return line + (f", approved by {gesture.approved_by}" if gesture.approved_by else "")
    if isinstance(payload, ReassignPayload):
        line = f"from {payload.from_agent or '?'} to {payload.to_agent}"
        if payload.owner_to is not None:
            line += f"; check-back owed by {payload.owner_from or '?'} moves to {payload.owner_to}"
        return line
    if isinstance(payload, EscalatePayload):
        return f"{payload.kind} step {payload.step + 1}: {payload.role} {payload.target}"
    if isinstance(payload, AcknowledgePayload):
        return f"{payload.kind} step {payload.step + 1} acknowledged"
    if isinstance(payload, FollowUpPayload) and payload.satisfied is not None:
        return "satisfied" if payload.satisfied else "NOT satisfied"
    if isinstance(payload, ReviewPayload) and payload.needs:
        return f"needs: {payload.needs}"
    if isinstance(payload, SpokespersonPayload):
        return f"spokesperson {payload.name}"
    if isinstance(payload, OpenPayload) and payload.imported is not None:
        source = payload.imported
        line = f"imported from {source.file} line {source.line}"
        return line + (f" (id {source.external_id})" if source.external_id is not None else "")
    if isinstance(payload, Unreadable):
        return f"unreadable data: {payload.problem}"
    return ""
