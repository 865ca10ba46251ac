"""Event details in the shapes of core/payloads.py: stray shapes of stored `events.data` rewritten in place.

What earlier code wrote is read as it is (a fix without a gesture `{}`, a CSV import's review and
follow-up `{}`, gestures `{"kind", "value": float, "approved_by": null}` …). Rewritten here are the shapes
that the typed reader would otherwise show as unreadable, each into the shape it meant:

* no details at all (SQL NULL or JSON `null`) → `{}`; a document event's from its filed deposition;
* a fix's gesture left empty (`null`, `{}`, `""`, or a kind that is blank with no value) → no gesture;
  a gesture given as text → that kind with value 0; a value given as text ("15") or a whole number → a
  float, a missing value → 0 (what the summary always read it as); an empty approver → `null`;
* a deposition's gesture given as a fix's mapping → its kind; `null` texts → ""; factors as one
  comma-separated text → a list;
* a follow-up's `satisfied` as text or 0/1 → true/false; `null` optional fields (`needs`, `satisfied`,
  `from`, `imported`) → left out.

Anything else is left exactly as stored (the reader shows it marked as unreadable data). The events table
is append-only (0001's triggers): they are lifted for this rewrite alone, inside the migration's
transaction, so no other writer ever sees them missing. Self-contained on purpose: a migration must keep
meaning what it meant when written, whatever core/ becomes later.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("case_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("data", sa.JSON),
)
DEPOSITIONS = sa.table(
    "depositions",
    sa.column("case_id", sa.Integer),
    sa.column("customer_view", sa.Text),
    sa.column("customer_needed", sa.Text),
    sa.column("actions_taken", sa.Text),
    sa.column("root_cause", sa.Text),
    sa.column("factors", sa.String),
    sa.column("gesture", sa.Text),
    sa.column("notes", sa.Text),
)
PAGE = 5_000
# Actions whose details may not be empty: even a stored `{}` of theirs is looked at.
NOT_EMPTY = ("document", "reassign", "spokesperson")
TRUE_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
DEPOSITION_TEXTS = ("customer_view", "customer_needed", "actions_taken", "root_cause", "gesture", "notes")


def upgrade() -> None:
    bind = op.get_bind()
    changes: list[dict[str, Any]] = []
    last = 0
    # Only rows that may need it: `{}` is already right for every action but those in NOT_EMPTY.
    candidates = sa.or_(
        EVENTS.c.data.is_(None),
        sa.cast(EVENTS.c.data, sa.Text) != "{}",
        EVENTS.c.action.in_(NOT_EMPTY),
    )
    while True:
        rows = bind.execute(
            sa.select(EVENTS.c.id, EVENTS.c.case_id, EVENTS.c.action, EVENTS.c.data)
            .where(EVENTS.c.id > last, candidates)
            .order_by(EVENTS.c.id)
            .limit(PAGE)
        ).all()
        if not rows:
            break
        last = rows[-1].id
        for event_id, case_id, action, data in rows:
            details = data
            if action == "document" and not data:
                details = _filed_deposition(bind, case_id) or data
            fixed = normalised(action, details)
            if _text(fixed) != _text(data):
                changes.append({"event_id": event_id, "new_data": fixed})
    if not changes:
        return
    with _append_only_lifted(bind):
        bind.execute(
            sa.update(EVENTS)
            .where(EVENTS.c.id == sa.bindparam("event_id"))
            .values(data=sa.bindparam("new_data")),
            changes,
        )


def downgrade() -> None:
    # The old readers read the new shapes as well (they are a subset of what they accepted).
    pass


def normalised(action: str, data: Any) -> Any:
    """`data` in the 0003 shape of `action`'s details, or unchanged when there is no safe reading of it."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        return data
    data = dict(data)
    for key in ("needs", "satisfied", "from", "imported", "gesture") if action != "document" else ():
        if key in data and data[key] is None:
            del data[key]
    if action == "fix" and "gesture" in data:
        gesture = _gesture(data["gesture"])
        if gesture is None:
            del data["gesture"]
        else:
            data["gesture"] = gesture
    elif action == "follow-up" and type(data.get("satisfied")) in (str, int):  # not bool: already right
        word = str(data["satisfied"]).strip().lower()
        if word in TRUE_WORDS:
            data["satisfied"] = TRUE_WORDS[word]
    elif action == "document":
        for name in DEPOSITION_TEXTS:
            if name in data and data[name] is None:
                data[name] = ""
        if isinstance(data.get("gesture"), dict):
            data["gesture"] = str(data["gesture"].get("kind") or "")
        if isinstance(data.get("factors"), str):
            data["factors"] = _factor_list(data["factors"])
        elif data.get("factors", []) is None:
            data["factors"] = []
    return data


def _gesture(raw: Any) -> Any:
    """A fix's gesture as `{"kind", "value": float, "approved_by"}`; None for no gesture."""
    if not raw:
        return None
    if isinstance(raw, str):
        return {"kind": raw, "value": 0.0, "approved_by": None}
    if not isinstance(raw, dict):
        return raw
    gesture = dict(raw)
    value = gesture.get("value")
    if value is None:
        gesture["value"] = 0.0
    elif isinstance(value, str):
        try:
            gesture["value"] = float(value.strip())
        except ValueError:
            return raw  # not a number: left for the reader to show as such
    elif isinstance(value, int) and not isinstance(value, bool):
        gesture["value"] = float(value)
    if "approved_by" not in gesture or gesture["approved_by"] == "":
        gesture["approved_by"] = None
    kind = gesture.get("kind")
    if (kind is None or (isinstance(kind, str) and not kind.strip())) and gesture["value"] == 0:
        return None
    return gesture


def _factor_list(text: str) -> list[str]:
    return [part.strip().lower() for part in text.replace(";", ",").split(",") if part.strip()]


def _filed_deposition(bind: sa.Connection, case_id: int) -> dict[str, Any] | None:
    row = bind.execute(sa.select(DEPOSITIONS).where(DEPOSITIONS.c.case_id == case_id)).mappings().first()
    if row is None:
        return None
    data = {name: row[name] or "" for name in DEPOSITION_TEXTS}
    data["factors"] = _factor_list(row["factors"] or "")
    return data


def _text(value: Any) -> str:
    # Compared as text: NaN (which SQLite may hold) is not equal to itself, but prints the same.
    return json.dumps(value, sort_keys=True)


@contextmanager
def _append_only_lifted(bind: sa.Connection) -> Iterator[None]:
    """The trigger of 0001 that refuses UPDATE on events, off for the block and back after it (on an
    error the transaction's rollback puts it back: both backends roll back DDL)."""
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        bind.exec_driver_sql("DROP TRIGGER events_no_update")
    else:
        bind.exec_driver_sql("ALTER TABLE events DISABLE TRIGGER events_no_change")
    yield
    if sqlite:
        # As 0001 created it.
        bind.exec_driver_sql(
            "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
            "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
        )
    else:
        bind.exec_driver_sql("ALTER TABLE events ENABLE TRIGGER events_no_change")
