"""Settings from TOML: overrides apply, and every mistake names the file and the field."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from core.cases import Tier
from core.config import ConfigError, Settings, load_settings
from core.policy import FIX_OR_UPDATE, FOLLOW_UP
from tests.domain_helpers import make_case

GOOD = """
timezone = "Europe/Berlin"
[deadlines]
fix_or_update = 15
[deadlines.tier.vip]
fix_or_update = 5
[authority]
default_limit = 10
[authority.limits]
"Omar Farouk" = 300
[reminders]
minutes_before = 3
bell = false
[[shifts]]
name = "Day"
start = "08:00"
end = "20:00"
supervisor = "Omar Farouk"
agents = ["Billy", "Hana"]
[[shifts]]
name = "Night"
start = "20:00"
end = "08:00"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file() -> None:
    settings = load_settings(None)
    assert settings.deadlines.allowed(FIX_OR_UPDATE, make_case()).total_seconds() == 20 * 60
    assert settings.deadlines.pause_cap.total_seconds() == 2 * 60 * 60


def test_the_pause_cap_is_configured_in_minutes(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "[deadlines]\npause_cap_minutes = 45\nfix_or_update = 15\n"))
    assert settings.deadlines.pause_cap.total_seconds() == 45 * 60
    assert settings.deadlines.allowed(FIX_OR_UPDATE, make_case()).total_seconds() == 15 * 60
    assert [shift.name for shift in settings.shifts] == ["Early", "Late", "Night"]


def test_a_file_overrides_the_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD))
    assert str(settings.zone) == "Europe/Berlin"
    assert settings.deadlines.allowed(FIX_OR_UPDATE, make_case()).total_seconds() == 15 * 60
    assert settings.deadlines.allowed(FIX_OR_UPDATE, make_case(tier=Tier.VIP)).total_seconds() == 5 * 60
    assert settings.deadlines.allowed(FOLLOW_UP, make_case()).total_seconds() == 30 * 60
    assert settings.authority.limit_of("Omar Farouk") == 300 and settings.authority.limit_of("Billy") == 10
    assert (settings.reminder_minutes_before, settings.bell) == (3, False)
    occurrence = settings.calendar.at(datetime(2026, 11, 24, 21, 0, tzinfo=UTC))  # 22:00 in Berlin
    assert occurrence is not None and occurrence.shift.name == "Night"
    assert settings.shifts[0].agents == ("Billy", "Hana") and settings.shifts[0].start == time(8)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[deadlines]\nfix_or_update = 0\n",
            r"\[deadlines\] fix_or_update: must be a whole number of minutes > 0",
        ),
        ("[deadlines]\nfix_or_updat = 5\n", r"\[deadlines\] fix_or_updat: unknown setting"),
        ("[deadlines]\npause_cap_minutes = 0\n", r"\[deadlines\] pause_cap_minutes: must be a whole number"),
        ("[deadlines]\npause_cap_minutes = 1441\n", r"pause_cap_minutes: .* at most 1440 \(one day\)"),
        ("[deadlines]\npause_cap_minutes = nan\n", r"pause_cap_minutes: .* got nan"),
        ("[deadlines]\npause_cap_minutes = 90.5\n", r"pause_cap_minutes: .* got 90.5"),
        ("[deadlines]\npause_cap_minutes = true\n", r"pause_cap_minutes: .* got True"),
        ("[deadlines.tier.gold]\nfix_or_update = 5\n", r"\[deadlines.tier\] gold: unknown"),
        ('timezone = "Mars/Olympus"\n', "timezone: unknown time zone"),
        (
            '[[shifts]]\nname = "A"\nstart = "8am"\nend = "17:00"\n',
            r"\[\[shifts\]\] #1 start: expected a time",
        ),
        ('[[shifts]]\nname = "A"\nstart = "08:00"\n', r"\[\[shifts\]\] #1 end: missing"),
        ("[authority]\ndefault_limit = -1\n", r"\[authority\] default_limit: must be a number"),
        ("[reminders]\nbell = 'yes'\n", r"\[reminders\] bell: must be true or false"),
        ("colour = 'blue'\n", "colour: unknown setting"),
        ('[sites]\n"Harbour Road" = 3\n', r"\[sites\] Harbour Road: must be a string, got 3"),
        ('[sites]\n"Harbour Road" = " "\n', r"\[sites\] Harbour Road: must not be empty"),
        ('sites = "North"\n', r"sites: must be a table"),
        ("[deadlines\n", "line 1"),
    ],
)
def test_mistakes_name_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as raised:
        load_settings(path)
    assert str(path) in str(raised.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_settings(tmp_path / "nope.toml")


def test_settings_default_zone_is_usable() -> None:
    assert Settings().calendar.at(datetime(2026, 1, 1, 12, tzinfo=UTC)) is not None


def test_sites_give_their_region(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[sites]\n"Harbour Road" = "North"\nDocklands = "East"\n'))
    assert settings.sites == (("Harbour Road", "North"), ("Docklands", "East"))
    assert (settings.region_of("harbour road "), settings.region_of("Elsewhere")) == ("North", "")
