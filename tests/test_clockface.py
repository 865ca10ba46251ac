"""How a countdown reads: seconds within the hour, hours and minutes past it, a sign once overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tui.clockface import countdown


@pytest.mark.parametrize(
    ("remaining", "shown"),
    [
        (timedelta(minutes=4, seconds=31), "04:31"),
        (timedelta(minutes=59, seconds=59, microseconds=900_000), "59:59"),
        (timedelta(hours=1), "1h00m"),
        (timedelta(hours=1, minutes=5, seconds=59), "1h05m"),
        (timedelta(0), "00:00"),
        (-timedelta(minutes=2, seconds=10), "+02:10"),
        (-timedelta(hours=7, minutes=52, seconds=1), "+7h52m"),
        (-timedelta(days=1, hours=2, minutes=3), "+26h03m"),
    ],
)
def test_a_countdown_shows_seconds_only_within_the_hour(remaining: timedelta, shown: str) -> None:
    assert countdown(remaining) == shown


def test_past_the_hour_a_countdown_changes_once_a_minute() -> None:
    """What keeps a long-overdue line from being redrawn every second: 59 seconds read alike."""
    start = -timedelta(hours=3, minutes=10)
    assert len({countdown(start - timedelta(seconds=s)) for s in range(60)}) == 1
    assert len({countdown(timedelta(minutes=30) - timedelta(seconds=s)) for s in range(60)}) == 60
