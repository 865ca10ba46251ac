"""Typed event payloads: every type survives its JSON form, and what does not fit is named, not guessed."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.cases import Action, Event, Gesture
from core.deposition import Deposition, Factor
from core.pauses import ResumeWhy
from core.payloads import (
    NOT_LOADED,
    PAYLOAD_TYPES,
    AcknowledgePayload,
    ApologizePayload,
    DocumentPayload,
    EscalatePayload,
    FixPayload,
    FollowUpPayload,
    ImportSource,
    OpenPayload,
    PausePayload,
    Payload,
    ReassignPayload,
    ResumePayload,
    ReviewPayload,
    SpokespersonPayload,
    Unreadable,
    UpdatePayload,
    amount,
    describe,
    parse,
    read,
)

AT = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)

texts = st.text(max_size=30)
hints = st.integers(0, 50)  # phrase-check hints counted on a note
names = st.none() | texts
amounts = st.floats(min_value=0, allow_nan=False, allow_infinity=False) | st.integers(0, 10**6).map(float)
instants = st.datetimes(timezones=st.just(UTC))
depositions = st.builds(
    Deposition,
    customer_view=texts,
    customer_needed=texts,
    actions_taken=texts,
    root_cause=texts,
    factors=st.lists(st.sampled_from(list(Factor)), max_size=4).map(tuple),
    gesture=texts,
    notes=texts,
)
# One strategy per registered type; the empty ones are their only value.
STRATEGIES: dict[type[Payload], st.SearchStrategy[Payload]] = {
    kind: st.just(kind())
    for kind in set(PAYLOAD_TYPES.values())
    if not fields(kind)  # type: ignore[arg-type]
}
STRATEGIES |= {
    OpenPayload: st.builds(
        OpenPayload, st.none() | st.builds(ImportSource, texts, st.integers(), st.none() | st.integers())
    ),
    ReviewPayload: st.builds(ReviewPayload, names, hints),
    ApologizePayload: st.builds(ApologizePayload, hints),
    UpdatePayload: st.builds(UpdatePayload, hints),
    FixPayload: st.builds(FixPayload, st.none() | st.builds(Gesture, texts, amounts, names)),
    FollowUpPayload: st.builds(FollowUpPayload, st.none() | st.booleans(), hints),
    DocumentPayload: st.builds(DocumentPayload, depositions),
    ReassignPayload: st.builds(ReassignPayload, texts, names, names, names),
    EscalatePayload: st.builds(EscalatePayload, texts, instants, st.integers(0, 5), texts, texts),
    AcknowledgePayload: st.builds(AcknowledgePayload, texts, instants, st.integers(0, 5)),
    SpokespersonPayload: st.builds(SpokespersonPayload, texts),
    PausePayload: st.builds(
        PausePayload,
        texts,
        st.none()
        | st.datetimes(datetime(2000, 1, 1), datetime(2099, 1, 1), timezones=st.just(UTC)).map(
            lambda moment: moment.astimezone(UTC)
        ),
    ),
    ResumePayload: st.builds(ResumePayload, st.sampled_from(list(ResumeWhy))),
}


def test_every_registered_type_has_a_strategy_and_every_action_a_type() -> None:
    assert set(STRATEGIES) == set(PAYLOAD_TYPES.values())
    assert set(PAYLOAD_TYPES) == set(Action)
    assert all(kind.ACTION is action for action, kind in PAYLOAD_TYPES.items())


@given(st.sampled_from(sorted(STRATEGIES, key=lambda kind: kind.__name__)).flatmap(STRATEGIES.__getitem__))
def test_every_payload_survives_its_json_form(payload: Payload) -> None:
    assert payload.ACTION is not None
    stored = json.loads(json.dumps(payload.to_json()))
    assert type(payload).from_json(stored) == payload
    assert parse(payload.ACTION, stored) == payload
    assert read(payload.ACTION, stored) == payload


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        (
            Action.FIX,
            {"gesture": {"kind": "discount", "value": "abc"}},
            "fix.gesture.value: 'abc' is not a number",
        ),
        (
            Action.FIX,
            {"gesture": {"kind": "discount", "value": True}},
            "fix.gesture.value: True is not a number",
        ),
        (
            Action.FIX,
            {"gesture": {"kind": "discount", "value": -5}},
            "fix.gesture.value: -5 is not a finite number",
        ),
        (Action.FIX, {"gesture": "voucher"}, "fix.gesture: 'voucher' is not a mapping"),
        (Action.FIX, {"gesture": {"value": 5}}, "fix.gesture.kind: missing"),
        (Action.FIX, {"gesture": {"kind": 5, "value": 5}}, "fix.gesture.kind: 5 is not text"),
        (Action.FOLLOW_UP, {"satisfied": "yes"}, "follow-up.satisfied: 'yes' is not true or false"),
        (Action.REASSIGN, {"from": "Billy"}, "reassign.to: missing"),
        (Action.REVIEW, {"need": "a date"}, "review.need: not a field of review"),
        (Action.SPOKESPERSON, {"name": None}, "spokesperson.name: None is not text"),
        (Action.CLOSE, {"note": 1}, "close.note: not a field of close"),
        (
            Action.OPEN,
            {"imported": {"file": "a.csv", "line": "4"}},
            "open.imported.line: '4' is not a whole number",
        ),
        (Action.DOCUMENT, {"customer_view": "x"}, "document.customer_needed: missing"),
        (Action.APOLOGIZE, None, "apologize: None is not a mapping"),
        (Action.APOLOGIZE, {"hints": -1}, "apologize.hints: -1 is not a whole number ≥ 0"),
        (Action.UPDATE, {"hints": "2"}, "update.hints: '2' is not a whole number"),
        (Action.REVIEW, {"needs": "a date", "hints": 1.5}, "review.hints: 1.5 is not a whole number"),
        (Action.FOLLOW_UP, {"hints": True}, "follow-up.hints: True is not a whole number"),
        (Action.APOLOGIZE, ["x"], "apologize: ['x'] is not a mapping"),
    ],
)
def test_details_that_do_not_fit_are_refused_naming_the_field(
    action: Action, data: Any, message: str
) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        parse(action, data)
    unreadable = read(action, data)
    assert isinstance(unreadable, Unreadable) and unreadable.problem.startswith(message)
    assert json.loads(unreadable.stored) == data
    assert describe(unreadable) == f"unreadable data: {unreadable.problem}"


def test_a_document_factor_must_be_a_known_one() -> None:
    data = {**Deposition("a", "b", "c", "d").to_data(), "factors": ["training", "vibes"]}
    with pytest.raises(
        ValueError, match=re.escape("document.factors: 'vibes' is not one of training, process")
    ):
        parse(Action.DOCUMENT, data)
    assert parse(Action.DOCUMENT, {**data, "factors": ["training"]}) == DocumentPayload(
        Deposition("a", "b", "c", "d", (Factor.TRAINING,))
    )


def test_an_event_carries_only_its_actions_details_or_a_stand_in() -> None:
    with pytest.raises(TypeError, match="a document event cannot carry FixPayload"):
        Event(AT, "Billy", Action.DOCUMENT, "", FixPayload())
    with pytest.raises(TypeError, match="a fix event cannot carry DocumentPayload"):
        Event(AT, "Billy", Action.FIX, "", DocumentPayload(Deposition("a", "b", "c", "voucher")))
    for stand_in in (NOT_LOADED, Unreadable('"x"', "no")):
        assert Event(AT, "Billy", Action.FIX, "", stand_in).payload is stand_in
    assert Event(AT, "Billy", Action.FIX, "", FixPayload()).payload == FixPayload()


def test_the_stand_ins_are_never_written() -> None:
    for stand_in in (NOT_LOADED, Unreadable('"x"', "no")):
        with pytest.raises(TypeError):
            stand_in.to_json()


@pytest.mark.parametrize(
    ("payload", "line"),
    [
        (FixPayload(Gesture("discount", 200.0)), "gesture discount 200"),
        (FixPayload(Gesture("voucher", 12.5, "Omar")), "gesture voucher 12.5, approved by Omar"),
        (FixPayload(), ""),
        (ReassignPayload("Hana", "Billy"), "from Billy to Hana"),
        (ReassignPayload("Hana"), "from ? to Hana"),
        (FollowUpPayload(True), "satisfied"),
        (FollowUpPayload(False), "NOT satisfied"),
        (FollowUpPayload(), ""),
        (ReviewPayload("a firm date"), "needs: a firm date"),
        (ReviewPayload(), ""),
        (SpokespersonPayload("Grace Liu"), "spokesperson Grace Liu"),
        (OpenPayload(ImportSource("cases.csv", 4, 17)), "imported from cases.csv line 4 (id 17)"),
        (OpenPayload(), ""),
        # A deposition's gesture is text: it is shown under the deposition, not as a fix's gesture.
        (DocumentPayload(Deposition("a", "b", "c", "d", gesture="voucher")), ""),
        (ApologizePayload(), ""),
        (NOT_LOADED, ""),
    ],
)
def test_each_payload_reads_as_one_timeline_line(payload: Payload, line: str) -> None:
    assert describe(payload) == line


@pytest.mark.parametrize(
    ("value", "shown"), [(200.0, "200"), (0.0, "0"), (12.5, "12.5"), (0.1, "0.1"), (1e6, "1000000")]
)
def test_amounts_are_shown_without_a_needless_decimal_point(value: float, shown: str) -> None:
    assert amount(value) == shown
