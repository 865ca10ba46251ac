"""Settings: the one place defaults live, overridable by a TOML file whose mistakes are named precisely."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import time, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.cases import Severity, Tier
from core.policy import (
    DEFAULT_AUTHORITY_LIMIT,
    DEFAULT_MINUTES,
    AuthorityPolicy,
    DeadlineMinutes,
    DeadlinePolicy,
)
from core.shifts import DEFAULT_SHIFTS, Shift, ShiftCalendar


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file and the field."""


def local_zone() -> tzinfo:
    """The machine's time zone as a proper (DST-aware) zone where it can be found."""
    try:
        import tzlocal  # installed with APScheduler

        return tzlocal.get_localzone()
    except Exception:
        from datetime import datetime

        zone = datetime.now().astimezone().tzinfo
        assert zone is not None
        return zone


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable about shiftdesk, with the defaults a new team starts from."""

    zone: tzinfo = field(default_factory=local_zone)
    deadlines: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    authority: AuthorityPolicy = field(default_factory=AuthorityPolicy)
    shifts: tuple[Shift, ...] = DEFAULT_SHIFTS
    reminder_minutes_before: int = 5
    bell: bool = True
    export_folder: Path | None = None
    source: Path | None = None

    @property
    def calendar(self) -> ShiftCalendar:
        return ShiftCalendar(self.zone, self.shifts)


_TOP_KEYS = {"timezone", "deadlines", "authority", "reminders", "export", "shifts"}
_MINUTE_KEYS = {"fix_or_update", "follow_up", "deposition", "owner_check_back"}


def load_settings(path: Path | None) -> Settings:
    """Read `path` (TOML) over the defaults; no path means the defaults."""
    if path is None:
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    return parse_settings(raw, str(path))


def parse_settings(raw: dict[str, Any], where: str = "config") -> Settings:
    _no_unknown(raw, _TOP_KEYS, where, "")
    zone = local_zone()
    if "timezone" in raw:
        try:
            zone = ZoneInfo(str(raw["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{where}: timezone: unknown time zone {raw['timezone']!r}") from None
    deadlines_raw = _table(raw, "deadlines", where, "")
    base_raw = {k: v for k, v in deadlines_raw.items() if k not in {"tier", "severity"}}
    base = _minutes(base_raw, where, "[deadlines]", DEFAULT_MINUTES)
    # Overrides are gathered first: a policy remembers its answers, so it is not changed once built.
    defaults = DeadlinePolicy()
    by_tier, by_severity = dict(defaults.by_tier), dict(defaults.by_severity)
    for tier_name, overrides in _table(deadlines_raw, "tier", where, "[deadlines]").items():
        tier = _enum(Tier, tier_name, where, "[deadlines.tier]")
        by_tier[tier] = _minutes(
            _as_table(overrides, where, f"[deadlines.tier.{tier_name}]"),
            where,
            f"[deadlines.tier.{tier_name}]",
            None,
        )
    for severity_name, overrides in _table(deadlines_raw, "severity", where, "[deadlines]").items():
        severity = _enum(Severity, severity_name, where, "[deadlines.severity]")
        section = f"[deadlines.severity.{severity_name}]"
        by_severity[severity] = _minutes(_as_table(overrides, where, section), where, section, None)
    policy = DeadlinePolicy(base=base, by_tier=by_tier, by_severity=by_severity)

    authority_raw = _table(raw, "authority", where, "")
    _no_unknown(authority_raw, {"default_limit", "limits"}, where, "[authority]")
    limits = {
        str(name): _number(value, where, f"[authority.limits] {name}")
        for name, value in _table(authority_raw, "limits", where, "[authority]").items()
    }
    authority = AuthorityPolicy(
        default_limit=_number(
            authority_raw.get("default_limit", DEFAULT_AUTHORITY_LIMIT),
            where,
            "[authority] default_limit",
        ),
        limits=limits,
    )

    reminders = _table(raw, "reminders", where, "")
    _no_unknown(reminders, {"minutes_before", "bell"}, where, "[reminders]")
    minutes_before = reminders.get("minutes_before", 5)
    if not isinstance(minutes_before, int) or isinstance(minutes_before, bool) or minutes_before < 0:
        raise ConfigError(
            f"{where}: [reminders] minutes_before: must be a whole number ≥ 0, got {minutes_before!r}"
        )
    bell = reminders.get("bell", True)
    if not isinstance(bell, bool):
        raise ConfigError(f"{where}: [reminders] bell: must be true or false, got {bell!r}")

    export = _table(raw, "export", where, "")
    _no_unknown(export, {"folder"}, where, "[export]")
    folder = Path(str(export["folder"])).expanduser() if "folder" in export else None

    shifts: tuple[Shift, ...] = DEFAULT_SHIFTS
    if "shifts" in raw:
        if not isinstance(raw["shifts"], list) or not raw["shifts"]:
            raise ConfigError(f"{where}: shifts: must be a non-empty array of [[shifts]] tables")
        shifts = tuple(_shift(entry, where, index) for index, entry in enumerate(raw["shifts"], 1))
        names = [shift.name.lower() for shift in shifts]
        if len(set(names)) != len(names):
            raise ConfigError(f"{where}: [[shifts]]: shift names must be unique")
    return Settings(
        zone=zone,
        deadlines=policy,
        authority=authority,
        shifts=shifts,
        reminder_minutes_before=minutes_before,
        bell=bell,
        export_folder=folder,
        source=Path(where) if where != "config" else None,
    )


def _no_unknown(table: dict[str, Any], known: set[str], where: str, section: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        prefix = f"{section} " if section else ""
        raise ConfigError(
            f"{where}: {prefix}{unknown[0]}: unknown setting (known: {', '.join(sorted(known))})"
        )


def _as_table(value: Any, where: str, section: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {section}: must be a table")
    return value


def _table(raw: dict[str, Any], key: str, where: str, section: str) -> dict[str, Any]:
    return _as_table(raw.get(key, {}), where, f"{section} {key}".strip())


def _minutes(
    raw: dict[str, Any], where: str, section: str, defaults: DeadlineMinutes | None
) -> DeadlineMinutes:
    _no_unknown(raw, _MINUTE_KEYS, where, section)
    values: dict[str, int | None] = {}
    for key in _MINUTE_KEYS:
        value = raw.get(key, defaults.get(key) if defaults else None)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value <= 0):
            raise ConfigError(
                f"{where}: {section} {key}: must be a whole number of minutes > 0, got {value!r}"
            )
        values[key] = value
    return DeadlineMinutes(**values)


def _number(value: Any, where: str, field_name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{where}: {field_name}: must be a number ≥ 0, got {value!r}")
    return float(value)


def _enum(kind: Any, value: str, where: str, section: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ConfigError(f"{where}: {section} {value}: unknown, expected one of {allowed}") from None


def _clock_time(value: Any, where: str, field_name: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f'{where}: {field_name}: expected a time like "06:00", got {value!r}') from None


def _shift(entry: Any, where: str, index: int) -> Shift:
    section = f"[[shifts]] #{index}"
    table = _as_table(entry, where, section)
    _no_unknown(table, {"name", "start", "end", "supervisor", "agents"}, where, section)
    for required in ("name", "start", "end"):
        if required not in table:
            raise ConfigError(f"{where}: {section} {required}: missing")
    agents = table.get("agents", [])
    if not isinstance(agents, list) or not all(isinstance(agent, str) for agent in agents):
        raise ConfigError(f"{where}: {section} agents: must be a list of names")
    start = _clock_time(table["start"], where, f"{section} start")
    end = _clock_time(table["end"], where, f"{section} end")
    if start == end:
        raise ConfigError(f"{where}: {section}: start and end must differ")
    return Shift(str(table["name"]), start, end, str(table.get("supervisor", "")), tuple(agents))
