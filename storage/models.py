"""SQLAlchemy table models; times are stored as UTC and come back as aware UTC datetimes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from core.intake import NAME_LIMIT
from core.times import UNREADABLE

# Names of people, sites, products …: as long as intake lets a name be, so both backends take the same.
NAME = NAME_LIMIT
# The largest id an Integer column holds on every backend (PostgreSQL's int4; SQLite's is wider).
ID_MAX = 2**31 - 1


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, whatever the backend does with zones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} cannot be stored: give it a time zone")
        value = value.astimezone(UTC)
        # SQLite has no zones: store naive UTC text, which also sorts correctly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        try:
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        except OverflowError:  # 9999-12-31 23:59 at +05:00 has no UTC time: case_reader marks it
            return UNREADABLE

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        """As the base's, but text no parser takes (SQLite keeps whatever another tool wrote) comes back as
        `UNREADABLE` for `core.case_fields.case_reader` to mark, instead of failing the whole query."""
        process = super().result_processor(dialect, coltype)
        if process is None:
            return None

        def lenient(value: Any) -> Any:
            try:
                return process(value)
            except (ValueError, TypeError, OverflowError):
                return UNREADABLE

        return lenient


class Base(DeclarativeBase):
    pass


class CaseRow(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    customer: Mapped[str] = mapped_column(String(NAME))
    contact: Mapped[str | None] = mapped_column(String(NAME))
    tier: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(NAME))
    severity: Mapped[str] = mapped_column(String(16))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    site: Mapped[str] = mapped_column(String(NAME))
    region: Mapped[str] = mapped_column(String(NAME), default="")
    product: Mapped[str] = mapped_column(String(NAME))
    staff: Mapped[str] = mapped_column(String(NAME))
    owner: Mapped[str] = mapped_column(String(NAME))
    assignee: Mapped[str] = mapped_column(String(NAME), index=True)
    description: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fixed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    documented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    check_back_owed_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    public_apology_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    spokesperson: Mapped[str | None] = mapped_column(String(NAME))
    # The newest event of this case: "what changed since event N" is one indexed range scan.
    last_event_id: Mapped[int] = mapped_column(Integer, default=0, index=True)

    # The ORM itself adds "AND version = :old" to every UPDATE: a concurrent writer loses cleanly.
    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012

    __table_args__ = (Index("ix_cases_open", "closed_at", "stage"),)


class EventRow(Base):
    """The audit trail: rows are only ever inserted (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(NAME))
    action: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Who recorded the step (the supervisor at the dashboard, the OS user at the CLI; `actor` is who did
    # it) and where it was written from: NULL on rows from before schema 0004.
    recorded_by: Mapped[str | None] = mapped_column(String(NAME), nullable=True)
    os_user: Mapped[str | None] = mapped_column(String(NAME), nullable=True)
    host: Mapped[str | None] = mapped_column(String(NAME), nullable=True)


class DepositionRow(Base):
    """A filed deposition; immutable like the events (amendments are events)."""

    __tablename__ = "depositions"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    author: Mapped[str] = mapped_column(String(NAME))
    customer_view: Mapped[str] = mapped_column(Text)
    customer_needed: Mapped[str] = mapped_column(Text)
    actions_taken: Mapped[str] = mapped_column(Text)
    root_cause: Mapped[str] = mapped_column(Text)
    factors: Mapped[str] = mapped_column(String(NAME), default="")
    gesture: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class TrendFactRow(Base):
    """One documented case as compact integers, so a hotspot scan over a million cases reads two columns."""

    __tablename__ = "trend_facts"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    opened_epoch: Mapped[int] = mapped_column(BigInteger, index=True)
    packed: Mapped[int] = mapped_column(BigInteger)


class DimensionCodeRow(Base):
    """The integer code of each label of a trend dimension (staff, site, product …)."""

    __tablename__ = "dimension_codes"

    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    label: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    code: Mapped[int] = mapped_column(Integer)


class EscalationRow(Base):
    """One step of a breached deadline's escalation ladder. The unique key is what lets one dashboard of
    many take a step: the others' inserts of the same step fail and they take it as already done."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    step: Mapped[int] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(String(NAME))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acked_by: Mapped[str | None] = mapped_column(String(NAME), nullable=True)

    __table_args__ = (UniqueConstraint("case_id", "kind", "due_at", "step", name="uq_escalations_step"),)


class AbsenceRow(Base):
    """An agent marked absent (by whom, since when); `ended_at` set when marked present again."""

    __tablename__ = "absences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agent: Mapped[str] = mapped_column(String(NAME), index=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    marked_by: Mapped[str] = mapped_column(String(NAME))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_by: Mapped[str | None] = mapped_column(String(NAME), nullable=True)
