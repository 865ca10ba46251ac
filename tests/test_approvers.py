"""Who may approve a gesture above the giver's limit: the running shift's people first, in the refusal."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.policy import AuthorityError, AuthorityPolicy
from core.shifts import Shift, ShiftCalendar

POLICY = AuthorityPolicy(
    default_limit=25, limits={"Omar": 250, "Grace": 500, "Hana": 100, "Billy": 10, "Zoe": 500}
)


def test_approvers_on_shift_first_in_roster_order_then_the_rest_highest_limit_first():
    assert POLICY.approvers_for(80, on_shift=("Omar", "Hana", "Dev")) == ("Omar", "Hana", "Grace", "Zoe")
    assert POLICY.approvers_for(300, on_shift=("Omar", "Hana")) == ("Grace", "Zoe")
    assert POLICY.approvers_for(20, on_shift=("Dev",))[0] == "Dev"  # the default limit covers it
    assert POLICY.approvers_for(1000) == ()


@given(
    value=st.floats(min_value=0, max_value=1000),
    on_shift=st.lists(st.sampled_from(["Omar", "Grace", "Hana", "Billy", "Zoe", "Dev", "Ines"]), max_size=5),
)
def test_every_approver_covers_the_value_and_nobody_who_does_is_left_out(value, on_shift):
    approvers = POLICY.approvers_for(value, on_shift)
    assert all(POLICY.limit_of(person) >= value for person in approvers)
    assert len(set(approvers)) == len(approvers)
    expected = {person for person in (*POLICY.limits, *on_shift) if POLICY.limit_of(person) >= value}
    assert set(approvers) == expected
    present = [person for person in approvers if person in on_shift]
    assert list(approvers[: len(present)]) == present  # the shift's people come first


def test_the_refusal_names_who_could_approve_on_shift_first():
    with pytest.raises(AuthorityError) as refused:
        POLICY.check("Billy", 80, None, on_shift=("Omar", "Billy", "Hana"))
    message = str(refused.value)
    assert "Omar (on shift, limit 250), Hana (on shift, limit 100), Grace (limit 500)" in message
    assert "Billy (" not in message  # never the giver


def test_a_too_small_approver_and_a_self_approval_are_told_who_could():
    with pytest.raises(AuthorityError, match=r"approver Hana's limit of 100 too — who can approve it: Omar"):
        POLICY.check("Billy", 200, "Hana", on_shift=("Omar",))
    with pytest.raises(AuthorityError, match=r"cannot approve their own .* Grace"):
        POLICY.check("Billy", 200, "Billy")


def test_when_nobody_can_approve_it_says_so():
    with pytest.raises(
        AuthorityError, match="nobody's configured limit covers 5000 yet: give less, or raise"
    ):
        POLICY.check("Billy", 5000, None, on_shift=("Omar",))


def test_people_at_are_the_running_shifts_supervisor_then_roster():
    calendar = ShiftCalendar(
        ZoneInfo("UTC"), (Shift("Day", time(8), time(16), "Omar", ("Hana", "Omar", "Dev")),)
    )
    assert calendar.people_at(datetime(2026, 11, 25, 9, tzinfo=UTC)) == ("Omar", "Hana", "Dev")
    assert calendar.people_at(datetime(2026, 11, 25, 20, tzinfo=UTC)) == ()


def test_the_cli_refusal_names_who_could_approve_it(database_url: str, tmp_path) -> None:
    from click.testing import CliRunner

    from tui.cli import main

    config = tmp_path / "shiftdesk.toml"
    config.write_text(
        '[authority]\ndefault_limit = 25\nlimits = { "Omar Farouk" = 250, "Grace Liu" = 500 }\n'
        '[[shifts]]\nname = "Day"\nstart = "00:00"\nend = "12:00"\nsupervisor = "Grace Liu"\n'
        '[[shifts]]\nname = "Night"\nstart = "12:00"\nend = "00:00"\nsupervisor = "Grace Liu"\n'
    )
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(main, ["--db", database_url, "--config", str(config), *args])
        return result.exit_code, result.stdout + result.stderr

    steps = [
        ("add", "--customer", "Ada", "--category", "late", "--site", "Harbour", "--product", "Sofa",
         "--staff", "Billy", "--description", "late"),
        ("apologize", "1", "Sorry", "--as", "Billy"),
        ("review", "1", "Late", "--needs", "a date", "--as", "Billy"),
    ]  # fmt: skip
    for step in steps:
        code, out = run(*step)
        assert code == 0, out
    code, out = run("fix", "1", "Delivered", "--gesture", "voucher", "--value", "80", "--as", "Billy")
    assert code != 0
    assert "Grace Liu (on shift, limit 500), Omar Farouk (limit 250)" in out, out


def test_the_cli_follow_up_needs_an_explicit_answer(database_url: str) -> None:
    from click.testing import CliRunner

    from tui.cli import main

    runner = CliRunner()
    code = runner.invoke(main, ["--db", database_url, "follow-up", "1", "Chair arrived"]).exit_code
    assert code == 2  # a usage error: --satisfied or --not-satisfied must be given


def test_names_match_the_configured_limits_whatever_their_case():
    assert POLICY.limit_of("omar") == 250 and POLICY.limit_of("  GRACE ") == 500
    POLICY.check("billy", 80, "omar")  # Omar's 250 covers it, however the name was typed
    with pytest.raises(AuthorityError, match="cannot approve their own"):
        POLICY.check("Hana", 200, "hana")


def test_the_service_names_the_running_shifts_approvers_first(sqlite_url: str) -> None:
    from core.cases import Action
    from core.clock import FrozenClock
    from core.config import Settings
    from storage.database import Database
    from storage.service import WorkflowService
    from tests.domain_helpers import make_case

    london = ZoneInfo("Europe/London")
    now = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    settings = Settings(
        zone=london,
        shifts=(Shift("Late", time(14), time(22), "Hana", ("Billy",)),),
        authority=POLICY,
    )
    database = Database(sqlite_url)
    try:
        service = WorkflowService(database, settings, FrozenClock(now))
        case = service.open_case(
            make_case(id=None, opened_at=now, staff="Billy", owner="Billy", assignee="Billy"), "Billy"
        )
        assert case.id is not None
        service.act(case.id, Action.APOLOGIZE, "Billy", "Sorry")
        service.act(case.id, Action.REVIEW, "Billy", "Late", {"needs": "a date"})
        with pytest.raises(AuthorityError) as refused:
            service.fix(case.id, "Billy", "Delivered", gesture_kind="voucher", gesture_value=80)
        assert "who can approve it: Hana (on shift, limit 100), Grace (limit 500)" in str(refused.value)
    finally:
        database.dispose()
