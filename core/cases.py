"""A case (one service breakdown), the events that make up its history, and their vocabularies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from core.pauses import Pause

if TYPE_CHECKING:
    from core.deposition import Deposition
    from core.payloads import Payload


class Tier(StrEnum):
    STANDARD = "standard"
    VIP = "vip"
    CHRONIC = "chronic"


class Channel(StrEnum):
    PHONE = "phone"
    IN_PERSON = "in-person"
    EMAIL = "email"
    CHAT = "chat"
    SOCIAL = "social"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Stage(StrEnum):
    """Where a case stands in the recovery sequence."""

    NEW = "new"
    APOLOGIZED = "apologized"
    REVIEWED = "reviewed"
    FIXED = "fixed"
    FOLLOWED_UP = "followed-up"
    DOCUMENTED = "documented"
    CLOSED = "closed"


class Action(StrEnum):
    """Every kind of event a case can record."""

    OPEN = "open"
    APOLOGIZE = "apologize"
    REVIEW = "review"
    UPDATE = "update"
    FIX = "fix"
    FOLLOW_UP = "follow-up"
    DOCUMENT = "document"
    CLOSE = "close"
    REASSIGN = "reassign"
    CHECK_BACK = "check-back"
    PUBLIC_APOLOGY = "public-apology"
    SPOKESPERSON = "spokesperson"
    AMEND = "amend"
    ESCALATE = "escalate"
    ACKNOWLEDGE = "acknowledge"
    PAUSE = "pause"
    RESUME = "resume"


# The order stages are reached in; used for sorting and for "how far along" questions.
STAGE_ORDER: dict[Stage, int] = {stage: index for index, stage in enumerate(Stage)}


E = TypeVar("E", bound=StrEnum)


def parse_enum(kind: type[E], value: str, field_name: str) -> E:
    """Turn user text into an enum member, or raise ValueError naming the field and the allowed values."""
    text = value.strip().lower()
    for member in kind:
        if member.value == text:
            return member
    allowed = ", ".join(member.value for member in kind)
    raise ValueError(f"{field_name}: {value!r} is not one of {allowed}")


@lru_cache(maxsize=1024)  # asked for every event an export lists, of a handful of (login, name) pairs
def login_fits(login: str, person: str) -> bool:
    """Whether an OS login is plausibly `person`'s own: their name, a word of it, or the usual login shapes
    (`omar`, `farouk`, `omarfarouk`, `omar.farouk`, `ofarouk`, `omarf`), ignoring case and punctuation.
    Showing every step's login beside a full name would bury the few that matter in noise."""
    squashed = "".join(ch for ch in login.casefold() if ch.isalnum())
    words = ["".join(ch for ch in word if ch.isalnum()) for word in person.casefold().split()]
    words = [word for word in words if word]
    if not squashed or not words:
        return False
    shapes = {*words, "".join(words)}
    if len(words) > 1:
        first, last = words[0], words[-1]
        shapes |= {first[0] + last, first + last[0]}
    return squashed in shapes


@dataclass(frozen=True, slots=True)
class Event:
    """One recorded step of a case: who did what, when, with its text and its details (`core.payloads`:
    the type registered for its action, or a stand-in for details that could not or need not be read),
    and who recorded it from where."""

    at: datetime
    actor: str
    action: Action
    text: str
    payload: Payload
    id: int | None = None
    # Who recorded the step when not the actor themself (the supervisor at the dashboard, the OS user at
    # the CLI), and the OS account and host that wrote it: None where unknown (older rows, pure domain).
    recorded_by: str | None = None
    os_user: str | None = None
    host: str | None = None

    @property
    def os_account(self) -> str | None:
        """The OS user (and host) that wrote this step, where it fits neither the actor nor who recorded it:
        `--as` is only a claim, so wherever a step is shown with its actor, this is shown too. None where
        unknown (rows before schema 0004) or where the login is that person's (`omar` for Omar Farouk)."""
        if not self.os_user or any(
            login_fits(self.os_user, person) for person in (self.actor, self.recorded_by) if person
        ):
            return None
        return f"{self.os_user}@{self.host}" if self.host else self.os_user

    @property
    def recorder_note(self) -> str:
        """Who recorded the step and from which OS account, where not its actor ("recorded by Omar Farouk;
        OS user omar@desk-3"), or ""."""
        notes = []
        if self.recorded_by and self.recorded_by != self.actor:
            notes.append(f"recorded by {self.recorded_by}")
        if self.os_account is not None:
            notes.append(f"OS user {self.os_account}")
        return "; ".join(notes)

    def __post_init__(self) -> None:
        # The one check that keeps a fix's details off a document event (the case view once crashed on
        # that); the stand-ins (Unreadable, NotLoaded) have no action of their own.
        owner = self.payload.ACTION
        if owner is not None and owner != self.action:
            kind = type(self.payload).__name__
            raise TypeError(f"a {self.action.value} event cannot carry {kind} ({owner.value} details)")


@dataclass(frozen=True, slots=True)
class Gesture:
    """The "something extra" given with a fix: a discount, an upgrade, a voucher …"""

    kind: str
    value: float
    approved_by: str | None = None


@dataclass(slots=True)
class Case:
    """One service breakdown as the domain sees it. Mutated only by `core.workflow.apply`."""

    opened_at: datetime
    customer: str
    category: str
    site: str
    product: str
    staff: str
    owner: str
    assignee: str
    description: str
    contact: str | None = None
    tier: Tier = Tier.STANDARD
    channel: Channel = Channel.PHONE
    severity: Severity = Severity.MEDIUM
    public: bool = False
    region: str = ""
    id: int | None = None
    stage: Stage = Stage.NEW
    version: int = 1
    # Facts the workflow derives from the events; kept on the case so deadlines need no event replay.
    last_contact_at: datetime | None = None
    fixed_at: datetime | None = None
    followed_up_at: datetime | None = None
    documented_at: datetime | None = None
    closed_at: datetime | None = None
    check_back_owed_since: datetime | None = None
    public_apology_at: datetime | None = None
    spokesperson: str | None = None
    # The recorded pauses of the running fix-or-update clock (since the last customer contact), oldest
    # first: derived by the workflow like the facts above, but kept as events, not in the case's row.
    pauses: tuple[Pause, ...] = ()

    def __post_init__(self) -> None:
        if self.last_contact_at is None:
            self.last_contact_at = self.opened_at

    @property
    def label(self) -> str:
        return f"#{self.id}" if self.id is not None else "the new case"

    @property
    def is_open(self) -> bool:
        return self.stage is not Stage.CLOSED


@dataclass(slots=True)
class UnreadableCase(Case):
    """A stored case holding values intake would refuse (a row written by another tool or an older
    version: a time out of range or unreadable, an unknown tier, control characters in a name). It is
    read with stand-ins where a value could not be used as it is (the nearest time in range, the field's
    default choice) and shown marked with `problems`, as `core.payloads.Unreadable` is for an event's
    details: one bad row never takes down the board."""

    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseHistory:
    """A case in its final state, the events that led there (OPEN first) and its deposition if filed.

    The unit of bulk writing: CSV import and demo data build these, storage inserts them.
    """

    case: Case
    events: Sequence[Event]
    deposition: Deposition | None = None
