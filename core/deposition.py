"""The deposition: the detailed record of one breakdown, written while memory is fresh, then immutable."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Factor(StrEnum):
    """Contributing factors a deposition can name (several may apply)."""

    TRAINING = "training"
    PROCESS = "process"
    SYSTEM = "system"
    STAFFING = "staffing"
    PRODUCT = "product"
    FACILITY = "facility"
    EXTERNAL = "external"


MAX_FIELD_CHARS = 4000


@dataclass(frozen=True, slots=True)
class Deposition:
    """What the person closest to the breakdown records about it."""

    customer_view: str
    customer_needed: str
    actions_taken: str
    root_cause: str
    factors: tuple[Factor, ...] = ()
    gesture: str = ""
    notes: str = ""

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["factors"] = [factor.value for factor in self.factors]
        return data


REQUIRED_FIELDS = ("customer_view", "customer_needed", "actions_taken", "root_cause")


def validate(deposition: Deposition) -> list[str]:
    """Problems with a deposition, one `field: what is wrong` each; empty when it can be filed."""
    problems = []
    for name in REQUIRED_FIELDS:
        if not getattr(deposition, name).strip():
            problems.append(f"{name}: must not be empty")
    for name in (*REQUIRED_FIELDS, "gesture", "notes"):
        if len(getattr(deposition, name)) > MAX_FIELD_CHARS:
            problems.append(f"{name}: longer than {MAX_FIELD_CHARS} characters")
    return problems


def parse_factors(text: str) -> tuple[Factor, ...]:
    """ "training, system" → (Factor.TRAINING, Factor.SYSTEM); unknown names raise ValueError naming them."""
    factors: list[Factor] = []
    for part in (piece.strip().lower() for piece in text.replace(";", ",").split(",")):
        if not part:
            continue
        try:
            factor = Factor(part)
        except ValueError:
            allowed = ", ".join(factor.value for factor in Factor)
            raise ValueError(f"factors: {part!r} is not one of {allowed}") from None
        if factor not in factors:
            factors.append(factor)
    return tuple(factors)


@dataclass(frozen=True, slots=True)
class Amendment:
    """A correction appended under a filed deposition."""

    at: datetime
    author: str
    text: str


@dataclass(frozen=True, slots=True)
class FiledDeposition:
    """A deposition as stored: its content, who filed it and when, and the amendments under it."""

    case_id: int
    filed_at: datetime
    author: str
    content: Deposition
    amendments: tuple[Amendment, ...] = field(default=())
