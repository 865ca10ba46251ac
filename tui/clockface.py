"""How times read on the dashboard: countdowns, ages and local clock times."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

WARNING = timedelta(minutes=5)
URGENT = timedelta(minutes=2)


def countdown(remaining: timedelta) -> str:
    """'04:31' counting down; '+02:10' once overdue (the sign reads without colour); from an hour on
    '1h05m' / '+7h52m'. Seconds only within the hour: past it they are noise to a reader, and a line that
    changes once a minute is not redrawn every second (a floor with many long-overdue cases stays idle)."""
    seconds = int(remaining.total_seconds())
    sign = "+" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    return f"{sign}{minutes:02d}:{seconds:02d}"


def urgency(remaining: timedelta) -> str:
    """calm → warning (≤ 5 min) → urgent (≤ 2 min) → overdue."""
    if remaining <= timedelta(0):
        return "overdue"
    if remaining <= URGENT:
        return "urgent"
    if remaining <= WARNING:
        return "warning"
    return "calm"


def age(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}"
    return f"{hours // 24}d"


def local_time(instant: datetime, zone: tzinfo, *, with_date: bool = False) -> str:
    local = instant.astimezone(zone)
    return local.strftime("%a %d %b %H:%M") if with_date else local.strftime("%H:%M")


# How each urgency level is marked. Under NO_COLOR Textual turns colours into greys by their luminance, and a
# red mark on a dark background becomes the faintest text on screen: there the marks keep the text's own
# colours (the theme's foreground on its background) and stand out by weight and reversal instead.
# A paused clock is neither calm nor urgent: dim, its word ("paused") says it without colour.
LEVEL_STYLES = {
    "calm": "",
    "warning": "bold yellow",
    "urgent": "bold red",
    "overdue": "bold reverse red",
    "paused": "italic cyan",
}
NO_COLOR_LEVEL_STYLES = {
    "calm": "",
    "warning": "bold",
    "urgent": "bold reverse",
    "overdue": "bold reverse",
    "paused": "italic",
}


def level_style(level: str, no_color: bool) -> str:
    return (NO_COLOR_LEVEL_STYLES if no_color else LEVEL_STYLES)[level]


def mark_style(style: str, no_color: bool) -> str:
    """A coloured mark's style (a badge, a count); under NO_COLOR bold and reversed, in the text's colours."""
    return "bold reverse" if no_color else style
