"""Hostile settings are refused on reading, naming file and field, not later in a list or an export."""

from __future__ import annotations

import math
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.config import MAX_MINUTES, ConfigError, load_settings, parse_settings
from core.intake import text_problem
from core.policy import (
    DEPOSITION,
    FIX_OR_UPDATE,
    FOLLOW_UP,
    OWNER_CHECK_BACK,
    AuthorityError,
    AuthorityPolicy,
)
from core.times import LATEST
from tests.domain_helpers import make_case
from tui.cli import main


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message


# -- numbers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "+inf", "-inf", "-nan"])
def test_a_limit_that_is_not_a_finite_number_is_refused(tmp_path: Path, value: str) -> None:
    message = refused(tmp_path, f"[authority]\ndefault_limit = {value}\n")
    assert "[authority] default_limit: must be a number ≥ 0 (finite)" in message
    message = refused(tmp_path, f'[authority.limits]\n"Omar Farouk" = {value}\n')
    assert "[authority.limits] Omar Farouk: must be a number ≥ 0 (finite)" in message


def test_a_limit_too_large_for_a_float_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"x.toml: \[authority\] default_limit: must be a number"):
        parse_settings({"authority": {"default_limit": 10**400}}, "x.toml")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[deadlines]\nfix_or_update = 99999999999999\n", "[deadlines] fix_or_update"),
        (f"[deadlines]\nfollow_up = {MAX_MINUTES + 1}\n", "[deadlines] follow_up"),
        ("[deadlines.tier.vip]\nfix_or_update = 99999999999999\n", "[deadlines.tier.vip] fix_or_update"),
        ("[deadlines.severity.critical]\ndeposition = nan\n", "[deadlines.severity.critical] deposition"),
    ],
)
def test_deadline_minutes_beyond_a_week_are_refused(tmp_path: Path, text: str, field: str) -> None:
    assert f"{field}: must be a whole number of minutes > 0 and at most {MAX_MINUTES}" in refused(
        tmp_path, text
    )


def test_a_week_of_minutes_is_still_accepted(tmp_path: Path) -> None:
    loaded = load_settings(write(tmp_path, f"[deadlines]\nfollow_up = {MAX_MINUTES}\n"))
    assert loaded.deadlines.base.follow_up == MAX_MINUTES


def test_reminder_minutes_beyond_a_week_are_refused(tmp_path: Path) -> None:
    assert "[reminders] minutes_before: must be a whole number ≥ 0 and at most" in refused(
        tmp_path, "[reminders]\nminutes_before = 99999999999999\n"
    )


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_the_authority_check_refuses_a_value_that_is_not_finite(value: float) -> None:
    with pytest.raises(AuthorityError, match="finite"):
        AuthorityPolicy(default_limit=25).check("Billy", value, None)
    with pytest.raises(AuthorityError, match="finite"):
        AuthorityPolicy(default_limit=25, limits={"Omar": math.inf}).check("Billy", value, "Omar")


# -- shapes ----------------------------------------------------------------------------------------------


def test_a_shift_time_with_an_offset_is_refused(tmp_path: Path) -> None:
    message = refused(tmp_path, '[[shifts]]\nname = "Late"\nstart = "14:00+05:00"\nend = "22:00"\n')
    assert "[[shifts]] #1 start: a shift's time has no offset" in message and '"14:00"' in message


def test_a_toml_local_time_is_read_as_a_clock_time(tmp_path: Path) -> None:
    loaded = load_settings(write(tmp_path, '[[shifts]]\nname = "Day"\nstart = 06:00:00\nend = 18:00:00\n'))
    assert (loaded.shifts[0].start, loaded.shifts[0].end) == (time(6), time(18))


@pytest.mark.parametrize(
    "hours",
    [
        [("Early", "06:00", "14:00"), ("Late", "13:00", "22:00")],
        [("Night", "22:00", "06:00"), ("Early", "05:30", "14:00")],
        [("Late", "14:00", "23:00"), ("Night", "22:00", "06:00")],
        [("Day", "08:00", "20:00"), ("Lunch", "12:00", "13:00")],
        [("Night", "20:00", "08:00"), ("Owl", "23:00", "01:00")],
    ],
)
def test_overlapping_shifts_are_refused_naming_both(
    tmp_path: Path, hours: list[tuple[str, str, str]]
) -> None:
    text = "".join(f'[[shifts]]\nname = "{n}"\nstart = "{s}"\nend = "{e}"\n' for n, s, e in hours)
    message = refused(tmp_path, text)
    (first, first_start, first_end), (second, second_start, second_end) = hours
    both = f"{first} ({first_start}–{first_end}) and {second} ({second_start}–{second_end}) overlap"
    assert f"[[shifts]]: {both}" in message


def test_shifts_that_only_touch_or_leave_gaps_are_accepted(tmp_path: Path) -> None:
    hours = [("Early", "06:00", "14:00"), ("Late", "14:00", "22:00"), ("Night", "22:00", "05:00")]
    text = "".join(f'[[shifts]]\nname = "{n}"\nstart = "{s}"\nend = "{e}"\n' for n, s, e in hours)
    assert [shift.name for shift in load_settings(write(tmp_path, text)).shifts] == ["Early", "Late", "Night"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('name = "Late\\u001b[2J"', "[[shifts]] #1 name: contains a control character (U+001B)"),
        (f'name = "{"L" * 201}"', "[[shifts]] #1 name: longer than 200 characters"),
        ('name = "  "', "[[shifts]] #1 name: must not be empty"),
        ("name = 7", "[[shifts]] #1 name: must be a string, got 7"),
        ('name = "Late"\nsupervisor = "Omar\\u0007"', "[[shifts]] #1 supervisor: contains a control"),
        ('name = "Late"\nagents = ["Billy", "Ha\\nna"]', "[[shifts]] #1 agents #2: contains a control"),
    ],
)  # fmt: skip
def test_names_in_shifts_are_checked_like_typed_names(tmp_path: Path, entry: str, message: str) -> None:
    assert message in refused(tmp_path, f'[[shifts]]\n{entry}\nstart = "14:00"\nend = "22:00"\n')


def test_a_folder_given_as_the_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a folder, not a configuration file") as raised:
        load_settings(tmp_path)
    assert str(raised.value).startswith(f"{tmp_path}: ")


def test_shiftdesk_config_naming_a_folder_is_one_clear_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["--db", f"sqlite:///{tmp_path}/shiftdesk.db", "list"], env={"SHIFTDESK_CONFIG": str(tmp_path)}
    )
    assert result.exit_code == 1
    assert result.stderr == f"shiftdesk: error: {tmp_path}: is a folder, not a configuration file" + (
        " (name the .toml in it)\n"
    )


# -- hostile values (hypothesis) ------------------------------------------------------------------------

# Text with control characters, lone surrogates and terminal escapes as well as ordinary letters.
hostile_text = st.text(st.characters(codec=None, categories=None), max_size=12) | st.sampled_from(
    ["", " ", "\x1b[2J", "UTC", "Europe/London", "../../etc/passwd", "~nobody-here/x", "a" * 5000]
)
hostile_number = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.sampled_from([0, -1, 2**63 - 1, -(2**63), 10**400, MAX_MINUTES, MAX_MINUTES + 1, 99999999999999]),
)
leaf = st.one_of(
    hostile_number,
    hostile_text,
    st.booleans(),
    st.none(),
    st.times(),
    st.times(timezones=st.just(UTC)),
    st.datetimes(),
    st.dates(),
)
hostile = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=6,
)
clock = st.sampled_from(["06:00", "14:00", "22:00", "00:00", "13:30:15"]) | hostile


def table(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A table of the expected shape whose values may each be hostile, or a hostile value in its place."""
    return st.fixed_dictionaries(required, optional=optional) | hostile


minutes = table({}, {key: hostile_number | hostile for key in ("fix_or_update", "follow_up", "deposition")})
hostile_config = st.fixed_dictionaries(
    {},
    optional={
        "timezone": hostile_text | hostile,
        "deadlines": table(
            {},
            {
                "fix_or_update": hostile_number,
                "owner_check_back": hostile_number,
                "tier": st.dictionaries(
                    st.sampled_from(["vip", "chronic", "gold", "\x00"]), minutes, max_size=2
                ),
                "severity": st.dictionaries(
                    st.sampled_from(["critical", "low", "nope"]), minutes, max_size=2
                ),
            },
        ),
        "authority": table(
            {},
            {
                "default_limit": hostile_number | hostile,
                "limits": st.dictionaries(hostile_text, hostile_number),
            },
        ),
        "reminders": table({}, {"minutes_before": hostile_number | hostile, "bell": st.booleans() | hostile}),
        "export": table({}, {"folder": hostile_text | hostile}),
        "shifts": st.lists(
            table(
                {"name": hostile_text, "start": clock, "end": clock},
                {
                    "supervisor": hostile_text | hostile,
                    "agents": st.lists(hostile_text, max_size=3) | hostile,
                },
            ),
            max_size=4,
        )
        | hostile,
        "colour": hostile,
    },
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_config)
def test_hostile_settings_give_config_error_or_usable_settings(raw: dict[str, Any]) -> None:
    try:
        loaded = parse_settings(raw, "hostile.toml")
    except ConfigError as error:
        message = str(error)
        assert message.startswith("hostile.toml: "), message
        # Nothing a terminal would act on: the rule names typed into shiftdesk follow (intake.text_problem).
        assert text_problem(message, limit=len(message), multiline=False, required=True) is None, message
        return
    # Whatever was accepted can be used: every deadline added to any intake time, every shift looked up.
    case = make_case(opened_at=LATEST - timedelta(microseconds=1))
    for kind in (FIX_OR_UPDATE, FOLLOW_UP, DEPOSITION, OWNER_CHECK_BACK):
        allowed = loaded.deadlines.allowed(kind, case)
        assert timedelta(0) < allowed <= timedelta(minutes=MAX_MINUTES)
        assert case.opened_at + allowed > case.opened_at
    limits = [loaded.authority.default_limit, *loaded.authority.limits.values()]
    assert all(math.isfinite(limit) and limit >= 0 for limit in limits)
    assert 0 <= loaded.reminder_minutes_before <= MAX_MINUTES
    for shift in loaded.shifts:
        assert shift.start.tzinfo is None and shift.end.tzinfo is None
    calendar = loaded.calendar
    for hour in range(0, 48, 5):
        calendar.at(datetime(2026, 3, 29, tzinfo=UTC) + timedelta(hours=hour))
