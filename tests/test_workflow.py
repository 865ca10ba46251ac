"""The recovery state machine: order, refusals with reasons, public checklist, hand-offs, authority."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.cases import Action, Stage
from core.policy import AuthorityError, AuthorityPolicy
from core.workflow import WorkflowError, allowed_actions, apply
from tests.domain_helpers import event, make_case

FULL_SEQUENCE = [
    (Action.APOLOGIZE, Stage.APOLOGIZED),
    (Action.REVIEW, Stage.REVIEWED),
    (Action.UPDATE, Stage.REVIEWED),
    (Action.FIX, Stage.FIXED),
    (Action.FOLLOW_UP, Stage.FOLLOWED_UP),
    (Action.DOCUMENT, Stage.DOCUMENTED),
    (Action.CLOSE, Stage.CLOSED),
]


def test_full_sequence_reaches_closed_and_records_facts() -> None:
    case = make_case()
    for minute, (action, stage) in enumerate(FULL_SEQUENCE, start=1):
        apply(case, event(action, minute * 5))
        assert case.stage is stage
    assert case.fixed_at is not None and case.followed_up_at is not None
    assert case.documented_at is not None and case.closed_at is not None
    assert not case.is_open


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        (Action.REVIEW, "apologize to the customer first"),
        (Action.UPDATE, "apologize to the customer first"),
        (Action.FIX, "apologize to the customer first"),
        (Action.FOLLOW_UP, "apologize to the customer first"),
        (Action.CLOSE, "apologize to the customer first"),
    ],
)
def test_out_of_order_actions_say_what_comes_first(action: Action, reason: str) -> None:
    case = make_case()
    with pytest.raises(WorkflowError, match=reason):
        apply(case, event(action, 1))
    assert case.stage is Stage.NEW


def test_fix_before_review_names_the_review() -> None:
    case = make_case()
    apply(case, event(Action.APOLOGIZE, 1))
    with pytest.raises(WorkflowError, match="review the complaint with the customer first"):
        apply(case, event(Action.FIX, 2))


def test_repeating_a_done_step_is_refused() -> None:
    case = make_case()
    apply(case, event(Action.APOLOGIZE, 1))
    with pytest.raises(WorkflowError, match="already apologized"):
        apply(case, event(Action.APOLOGIZE, 2))


def test_closed_case_refuses_everything_but_amendments() -> None:
    case = make_case()
    for minute, (action, _) in enumerate(FULL_SEQUENCE, start=1):
        apply(case, event(action, minute))
    with pytest.raises(WorkflowError, match="is closed"):
        apply(case, event(Action.REASSIGN, 20, to="Hana"))
    apply(case, event(Action.AMEND, 21, text="root cause was the lift, not the carrier"))
    assert case.stage is Stage.CLOSED


def test_empty_text_is_refused_for_substantive_steps() -> None:
    with pytest.raises(WorkflowError, match="text must not be empty"):
        apply(make_case(), event(Action.APOLOGIZE, 1, text="   "))


def test_public_case_needs_public_apology_and_spokesperson_before_closing() -> None:
    case = make_case(public=True)
    for minute, (action, _) in enumerate(FULL_SEQUENCE[:-1], start=1):
        apply(case, event(action, minute))
    assert Action.CLOSE not in allowed_actions(case)
    with pytest.raises(WorkflowError, match=r"public apology.*spokesperson"):
        apply(case, event(Action.CLOSE, 10))
    apply(case, event(Action.PUBLIC_APOLOGY, 11, text="Posted on the thread"))
    apply(case, event(Action.SPOKESPERSON, 12, name="Grace Liu"))
    apply(case, event(Action.CLOSE, 13))
    assert case.stage is Stage.CLOSED and case.spokesperson == "Grace Liu"


def test_reassignment_keeps_the_owner_and_owes_a_check_back() -> None:
    case = make_case()
    apply(case, event(Action.APOLOGIZE, 1))
    apply(case, event(Action.REASSIGN, 2, to="Hana"))
    assert (case.owner, case.assignee) == ("Billy", "Hana")
    assert case.check_back_owed_since is not None
    for minute, (action, _) in enumerate(FULL_SEQUENCE[1:-1], start=3):
        apply(case, event(action, minute, actor="Hana"))
    with pytest.raises(WorkflowError, match="original owner Billy must check back"):
        apply(case, event(Action.CLOSE, 20))
    apply(case, event(Action.CHECK_BACK, 21, text="Customer happy with Hana's fix"))
    apply(case, event(Action.CLOSE, 22))
    assert case.stage is Stage.CLOSED


def test_check_back_without_hand_off_is_refused() -> None:
    with pytest.raises(WorkflowError, match="not been handed off"):
        apply(make_case(), event(Action.CHECK_BACK, 1))


def test_reassign_to_current_assignee_is_refused() -> None:
    with pytest.raises(WorkflowError, match="already assigned to Billy"):
        apply(make_case(), event(Action.REASSIGN, 1, to="Billy"))


def _reviewed_case():  # type: ignore[no-untyped-def]
    case = make_case()
    apply(case, event(Action.APOLOGIZE, 1))
    apply(case, event(Action.REVIEW, 2))
    return case


def test_gesture_within_limit_needs_no_approver() -> None:
    case = _reviewed_case()
    apply(
        case,
        event(Action.FIX, 3, gesture={"kind": "voucher", "value": 20}),
        AuthorityPolicy(default_limit=25),
    )
    assert case.stage is Stage.FIXED


def test_gesture_above_limit_without_approver_is_refused_and_nothing_changes() -> None:
    case = _reviewed_case()
    with pytest.raises(AuthorityError, match="above Billy's limit of 25: name an approver"):
        apply(
            case,
            event(Action.FIX, 3, gesture={"kind": "upgrade", "value": 80}),
            AuthorityPolicy(default_limit=25),
        )
    assert case.stage is Stage.REVIEWED and case.fixed_at is None


def test_gesture_above_limit_with_sufficient_approver_is_accepted() -> None:
    policy = AuthorityPolicy(default_limit=25, limits={"Omar": 200})
    case = _reviewed_case()
    apply(case, event(Action.FIX, 3, gesture={"kind": "upgrade", "value": 80, "approved_by": "Omar"}), policy)
    assert case.stage is Stage.FIXED


def test_approver_whose_limit_is_too_low_is_refused() -> None:
    policy = AuthorityPolicy(default_limit=25, limits={"Omar": 50})
    with pytest.raises(AuthorityError, match="approver Omar's limit of 50 too"):
        apply(
            _reviewed_case(),
            event(Action.FIX, 3, gesture={"kind": "upgrade", "value": 80, "approved_by": "Omar"}),
            policy,
        )


def test_nobody_approves_their_own_gesture() -> None:
    with pytest.raises(AuthorityError, match="cannot approve their own"):
        AuthorityPolicy(default_limit=25).check("Billy", 80, "Billy")


def test_not_satisfied_sends_the_case_back_for_another_fix() -> None:
    """Floor-ready: a follow-up where the customer is not satisfied must not lead on to the deposition."""
    case = make_case()
    for minute, action in enumerate((Action.APOLOGIZE, Action.REVIEW, Action.FIX), start=1):
        apply(case, event(action, minute))
    apply(case, event(Action.FOLLOW_UP, 10, satisfied=False))
    assert case.stage is Stage.REVIEWED
    assert case.fixed_at is None and case.followed_up_at is None
    assert case.last_contact_at == event(Action.FOLLOW_UP, 10).at
    with pytest.raises(WorkflowError, match="fix the problem first"):
        apply(case, event(Action.DOCUMENT, 11))
    assert Action.UPDATE in allowed_actions(case) and Action.FIX in allowed_actions(case)
    apply(case, event(Action.FIX, 20))
    apply(case, event(Action.FOLLOW_UP, 30, satisfied=True))
    assert case.stage is Stage.FOLLOWED_UP


def test_only_the_owner_discharges_the_check_back() -> None:
    """Floor-ready: a check-back owed by the owner was cleared by whoever the dashboard ran as."""
    case = make_case()
    apply(case, event(Action.APOLOGIZE, 1))
    apply(case, event(Action.REASSIGN, 2, to="Hana"))
    with pytest.raises(WorkflowError, match="only the original owner Billy can check back"):
        apply(case, event(Action.CHECK_BACK, 3, actor="Random Stranger"))
    assert case.check_back_owed_since is not None
    # Recorded by someone else on the owner's behalf: the owner did it.
    recorded = replace(event(Action.CHECK_BACK, 4, actor="Billy"), recorded_by="Omar")
    apply(case, recorded)
    assert case.check_back_owed_since is None
