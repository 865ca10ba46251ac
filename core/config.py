"""Settings: the one place defaults live, overridable by a TOML file whose mistakes are named precisely."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from datetime import time, timedelta, tzinfo
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.cases import Action, Severity, Tier
from core.escalation import Ladder
from core.gestures import DEFAULT_GESTURES, GestureKind
from core.intake import NAME_LIMIT, text_problem
from core.pauses import DEFAULT_PAUSE_CAP
from core.phrase_check import DEFAULT_PHRASES, Phrase, PhraseBook, book_of, phrase_problem
from core.policy import (
    DEFAULT_AUTHORITY_LIMIT,
    DEFAULT_MINUTES,
    AuthorityPolicy,
    DeadlineMinutes,
    DeadlinePolicy,
)
from core.shifts import DEFAULT_SHIFTS, Shift, ShiftCalendar
from core.templates import (
    DEFAULT_TEMPLATES,
    TEMPLATE_STEPS,
    Template,
    TemplateBook,
    merged,
    placeholder_problem,
)


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
    # [sites]: the region of each known site, (site, region) pairs in file order (a tuple: Settings is
    # frozen and hashable).
    sites: tuple[tuple[str, str], ...] = ()
    escalation: Ladder = field(default_factory=Ladder)
    # The playbook: phrases the check hints at, text templates per category and step, usual gestures.
    phrases: tuple[Phrase, ...] = DEFAULT_PHRASES
    templates: tuple[Template, ...] = DEFAULT_TEMPLATES
    gestures: tuple[GestureKind, ...] = DEFAULT_GESTURES

    @property
    def calendar(self) -> ShiftCalendar:
        return ShiftCalendar(self.zone, self.shifts)

    @property
    def roster(self) -> tuple[str, ...]:
        """Everyone the configuration names: each shift's supervisor and agents, then [authority.limits]."""
        named = (person for shift in self.shifts for person in (shift.supervisor, *shift.agents))
        return tuple(dict.fromkeys(person for person in (*named, *self.authority.limits) if person.strip()))

    def spelled(self, name: str) -> str:
        """`name` as the roster spells it when it names someone there (whatever its case and spacing:
        "billy" is Billy), else as typed without its outer spaces: one person is never two."""
        key = " ".join(name.split()).casefold()
        return next(
            (person for person in self.roster if " ".join(person.split()).casefold() == key), name.strip()
        )

    @property
    def phrase_book(self) -> PhraseBook:
        return book_of(self.phrases)

    @property
    def template_book(self) -> TemplateBook:
        return TemplateBook(self.templates)

    def region_of(self, site: str) -> str:
        """The configured region of `site` (matched ignoring case and outer spaces), or ""."""
        wanted = site.strip().casefold()
        return next((region for name, region in self.sites if name.strip().casefold() == wanted), "")


_TOP_KEYS = {
    "timezone",
    "deadlines",
    "authority",
    "reminders",
    "export",
    "shifts",
    "sites",
    "phrases",
    "templates",
    "gestures",
    "escalation",
}
_ESCALATION_KEYS = {"repeat_minutes", "supervisor_after", "manager_after", "manager"}
_MINUTE_KEYS = {"fix_or_update", "follow_up", "deposition", "owner_check_back"}
# A week: no service-recovery deadline is longer, and every deadline is added to a case's time in every
# list, so a value like 99999999999999 would overflow there rather than here, where it can be named.
MAX_MINUTES = 7 * 24 * 60
# Waiting on the customer may stop the fix-or-update clock for a day at most: longer is parking the case.
MAX_PAUSE_CAP_MINUTES = 24 * 60
# Paths and zone names are handed to the OS, which refuses (or cuts at) NUL and long names in its own words.
PATH_LIMIT = 1024


def load_settings(path: Path | None) -> Settings:
    """Read `path` (TOML) over the defaults; no path means the defaults."""
    if path is None:
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a configuration file (name the .toml in it)") from None
    except PermissionError:
        raise ConfigError(f"{path}: cannot be read (permission denied)") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror or type(error).__name__})") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    return parse_settings(raw, str(path))


def parse_settings(raw: dict[str, Any], where: str = "config") -> Settings:
    _no_unknown(raw, _TOP_KEYS, where, "")
    if "timezone" in raw:
        name = _string(raw["timezone"], where, "timezone", limit=PATH_LIMIT)
        try:
            zone: tzinfo = ZoneInfo(name)
        # OSError: ZoneInfo looks the key up as a file name, so a very long one fails as "name too long".
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ConfigError(f"{where}: timezone: unknown time zone {name!r}") from None
    else:
        # Only without a configured zone: finding the machine's (tzlocal) costs ~10 ms of every start.
        zone = local_zone()
    deadlines_raw = _table(raw, "deadlines", where, "")
    base_raw = {k: v for k, v in deadlines_raw.items() if k not in {"tier", "severity", "pause_cap_minutes"}}
    pause_cap = deadlines_raw.get("pause_cap_minutes", int(DEFAULT_PAUSE_CAP.total_seconds() // 60))
    if (
        not isinstance(pause_cap, int)
        or isinstance(pause_cap, bool)
        or not 0 < pause_cap <= MAX_PAUSE_CAP_MINUTES
    ):
        raise ConfigError(
            f"{where}: [deadlines] pause_cap_minutes: must be a whole number of minutes > 0 and at most "
            f"{MAX_PAUSE_CAP_MINUTES} (one day), got {_shown(pause_cap)}"
        )
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
    policy = DeadlinePolicy(
        base=base, by_tier=by_tier, by_severity=by_severity, pause_cap=timedelta(minutes=pause_cap)
    )

    authority_raw = _table(raw, "authority", where, "")
    _no_unknown(authority_raw, {"default_limit", "limits"}, where, "[authority]")
    limits = {
        _string(name, where, f"[authority.limits] {_key(name)}", limit=NAME_LIMIT): _number(
            value, where, f"[authority.limits] {name}"
        )
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
    if (
        not isinstance(minutes_before, int)
        or isinstance(minutes_before, bool)
        or not 0 <= minutes_before <= MAX_MINUTES
    ):
        raise ConfigError(
            f"{where}: [reminders] minutes_before: must be a whole number ≥ 0 and at most {MAX_MINUTES} "
            f"(7 days), got {minutes_before!r}"
        )
    bell = reminders.get("bell", True)
    if not isinstance(bell, bool):
        raise ConfigError(f"{where}: [reminders] bell: must be true or false, got {bell!r}")

    export = _table(raw, "export", where, "")
    _no_unknown(export, {"folder"}, where, "[export]")
    folder = None
    if "folder" in export:
        folder_text = _string(export["folder"], where, "[export] folder", limit=PATH_LIMIT)
        try:
            folder = Path(folder_text).expanduser()
        except RuntimeError:  # "~name/…" for a user this machine does not know
            raise ConfigError(f"{where}: [export] folder: no home folder for {folder_text!r}") from None

    sites_table = _table(raw, "sites", where, "")
    sites = tuple(
        (
            _string(name, where, f"[sites] {_key(name)}", limit=NAME_LIMIT),
            _string(region, where, f"[sites] {_key(name)}", limit=NAME_LIMIT),
        )
        for name, region in sites_table.items()
    )

    escalation = _escalation(_table(raw, "escalation", where, ""), where)

    shifts: tuple[Shift, ...] = DEFAULT_SHIFTS
    if "shifts" in raw:
        if not isinstance(raw["shifts"], list) or not raw["shifts"]:
            raise ConfigError(f"{where}: shifts: must be a non-empty array of [[shifts]] tables")
        shifts = tuple(_shift(entry, where, index) for index, entry in enumerate(raw["shifts"], 1))
        names = [shift.name.lower() for shift in shifts]
        if len(set(names)) != len(names):
            raise ConfigError(f"{where}: [[shifts]]: shift names must be unique")
        _no_overlap(shifts, where)
    phrases = _phrases(_table(raw, "phrases", where, ""), where)
    templates = _templates(_table(raw, "templates", where, ""), where)
    gestures = _gestures(raw.get("gestures"), where) if "gestures" in raw else DEFAULT_GESTURES
    return Settings(
        zone=zone,
        deadlines=policy,
        authority=authority,
        shifts=shifts,
        reminder_minutes_before=minutes_before,
        bell=bell,
        export_folder=folder,
        source=Path(where) if where != "config" else None,
        sites=sites,
        escalation=escalation,
        phrases=phrases,
        templates=templates,
        gestures=gestures,
    )


def _escalation(table: dict[str, Any], where: str) -> Ladder:
    """[escalation]: repeat_minutes, supervisor_after, manager_after (minutes past the breach), manager."""
    _no_unknown(table, _ESCALATION_KEYS, where, "[escalation]")
    defaults = Ladder()

    def minutes(key: str, default: timedelta, low: int) -> timedelta:
        value = table.get(key, int(default.total_seconds() // 60))
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= MAX_MINUTES:
            raise ConfigError(
                f"{where}: [escalation] {key}: must be a whole number of minutes ≥ {low} and at most "
                f"{MAX_MINUTES} (7 days), got {_shown(value)}"
            )
        return timedelta(minutes=value)

    repeat = minutes("repeat_minutes", defaults.repeat, 1)
    supervisor_after = minutes("supervisor_after", defaults.supervisor_after, 1)
    manager_after = minutes("manager_after", defaults.manager_after, 1)
    manager = ""
    if "manager" in table:
        manager = _string(table["manager"], where, "[escalation] manager", limit=NAME_LIMIT).strip()
    if manager and manager_after <= supervisor_after:
        raise ConfigError(
            f"{where}: [escalation] manager_after: must be later than supervisor_after "
            f"({int(supervisor_after.total_seconds() // 60)} min), got {table.get('manager_after')!r}"
        )
    return Ladder(repeat, supervisor_after, manager_after, manager)


# A phrase's "instead" and a template are shown in a one-line form field or hint: one line, not a book.
PLAYBOOK_TEXT_LIMIT = 500


def _use_defaults(table: dict[str, Any], where: str, section: str) -> bool:
    value = table.get("use_defaults", True)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {section} use_defaults: must be true or false, got {_shown(value)}")
    return value


def _phrases(table: dict[str, Any], where: str) -> tuple[Phrase, ...]:
    """[phrases]: `use_defaults` (false: only the phrases below) and [[phrases.avoid]] {phrase, instead}."""
    _no_unknown(table, {"use_defaults", "avoid"}, where, "[phrases]")
    entries = table.get("avoid", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{where}: [phrases] avoid: must be an array of [[phrases.avoid]] tables")
    configured: list[Phrase] = []
    for index, entry in enumerate(entries, 1):
        section = f"[[phrases.avoid]] #{index}"
        item = _entry(entry, where, section, {"phrase", "instead"}, ("phrase", "instead"))
        words = _string(item["phrase"], where, f"{section} phrase", limit=NAME_LIMIT)
        problem = phrase_problem(words)
        if problem:
            raise ConfigError(f"{where}: {section} phrase: {problem}, got {_shown(words)}")
        instead = _string(item["instead"], where, f"{section} instead", limit=PLAYBOOK_TEXT_LIMIT)
        configured.append(Phrase(words, instead))
    shipped = DEFAULT_PHRASES if _use_defaults(table, where, "[phrases]") else ()
    # A configured phrase with the words of a shipped one replaces it (its own "instead").
    own = {phrase.words.casefold() for phrase in configured}
    return (*(phrase for phrase in shipped if phrase.words.casefold() not in own), *configured)


_STEP_NAMES = {step.value: step for step in TEMPLATE_STEPS}


def _templates(table: dict[str, Any], where: str) -> tuple[Template, ...]:
    """[templates]: `use_defaults`, and one [templates."<category>"] table of step = "text" per category."""
    configured: dict[tuple[str, Action], str] = {}
    for category, steps in table.items():
        if category == "use_defaults":
            continue
        section = f"[templates.{_key(category)}]"
        _string(category, where, section, limit=NAME_LIMIT)
        for step_name, text in _as_table(steps, where, section).items():
            step = _STEP_NAMES.get(step_name)
            if step is None:
                raise ConfigError(
                    f"{where}: {section} {_key(step_name)}: not a step with a text template "
                    f"(known: {', '.join(_STEP_NAMES)})"
                )
            template = _string(text, where, f"{section} {step_name}", limit=PLAYBOOK_TEXT_LIMIT)
            problem = placeholder_problem(template)
            if problem:
                raise ConfigError(f"{where}: {section} {step_name}: {problem}")
            configured[(category, step)] = template
    shipped = DEFAULT_TEMPLATES if _use_defaults(table, where, "[templates]") else ()
    return merged(shipped, configured)


def _gestures(raw: Any, where: str) -> tuple[GestureKind, ...]:
    """[[gestures]] {kind, values, tiers?}: the gestures the team gives and their usual values."""
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: gestures: must be an array of [[gestures]] tables")
    kinds: list[GestureKind] = []
    for index, entry in enumerate(raw, 1):
        section = f"[[gestures]] #{index}"
        item = _entry(entry, where, section, {"kind", "values", "tiers"}, ("kind", "values"))
        kind = _string(item["kind"], where, f"{section} kind", limit=NAME_LIMIT)
        values = item["values"]
        if not isinstance(values, list) or not values:
            raise ConfigError(f"{where}: {section} values: must be a non-empty list of amounts")
        amounts = tuple(
            sorted(_number(value, where, f"{section} values #{n}") for n, value in enumerate(values, 1))
        )
        tiers_raw = item.get("tiers", [tier.value for tier in Tier])
        if not isinstance(tiers_raw, list) or not tiers_raw:
            raise ConfigError(f"{where}: {section} tiers: must be a non-empty list of tiers")
        tiers = frozenset(
            _enum(Tier, _string(name, where, f"{section} tiers", limit=NAME_LIMIT), where, f"{section} tiers")
            for name in tiers_raw
        )
        if kind.casefold() in {known.kind.casefold() for known in kinds}:
            raise ConfigError(f"{where}: {section} kind: {kind!r} is listed twice")
        kinds.append(GestureKind(kind, amounts, tiers))
    return tuple(kinds)


def _no_unknown(table: dict[str, Any], known: set[str], where: str, section: str) -> None:
    unknown = sorted(map(str, set(table) - known))
    if unknown:
        prefix = f"{section} " if section else ""
        raise ConfigError(
            f"{where}: {prefix}{_key(unknown[0])}: unknown setting (known: {', '.join(sorted(known))})"
        )


def _key(name: str) -> str:
    """A key as a message may show it: quoted when it holds anything a terminal would act on."""
    return name if name.isprintable() and len(name) <= NAME_LIMIT else repr(name[:NAME_LIMIT])


def _string(value: Any, where: str, field_name: str, *, limit: int) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {field_name}: must be a string, got {_shown(value)}")
    problem = text_problem(value, limit=limit, multiline=False, required=True)
    if problem:
        raise ConfigError(f"{where}: {field_name}: {problem}")
    return value


def _shown(value: Any) -> str:
    """A hostile value as a message may show it: its repr, cut short (a TOML array may be very long)."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


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
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_MINUTES
        ):
            raise ConfigError(
                f"{where}: {section} {key}: must be a whole number of minutes > 0 and at most "
                f"{MAX_MINUTES} (7 days), got {_shown(value)}"
            )
        values[key] = value
    return DeadlineMinutes(**values)


def _number(value: Any, where: str, field_name: str) -> float:
    # NaN passes `value < 0` (every comparison with it is false) and would then pass every limit check.
    try:
        number = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    except OverflowError:  # an int too large for a float
        number = None
    if number is None or not math.isfinite(number) or number < 0:
        raise ConfigError(f"{where}: {field_name}: must be a number ≥ 0 (finite), got {_shown(value)}")
    return number


def _enum(kind: Any, value: str, where: str, section: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ConfigError(f"{where}: {section} {_key(value)}: unknown, expected one of {allowed}") from None


def _clock_time(value: Any, where: str, field_name: str) -> time:
    # TOML's own local time (start = 06:00:00, unquoted) arrives as a time; a quoted one as a string.
    if not isinstance(value, str | time) or (isinstance(value, str) and len(value) > 40):
        raise ConfigError(f'{where}: {field_name}: expected a time like "06:00", got {_shown(value)}')
    try:
        parsed = value if isinstance(value, time) else time.fromisoformat(value)
    except ValueError:
        raise ConfigError(f'{where}: {field_name}: expected a time like "06:00", got {value!r}') from None
    if parsed.tzinfo is not None:
        # Shifts are wall-clock times in [timezone]; an offset here would make the shift's times aware
        # while the calendar's are naive, and comparing the two fails later (in the export, say).
        raise ConfigError(
            f"{where}: {field_name}: a shift's time has no offset (it is read in the configured "
            f'timezone), write "{parsed.replace(tzinfo=None).isoformat("minutes")}", got {value!r}'
        )
    return parsed


def _entry(
    entry: Any, where: str, section: str, allowed: set[str], required: tuple[str, ...]
) -> dict[str, Any]:
    """One table of an array of tables ([[shifts]], [[gestures]] …): a table, no key it does not know,
    every required key present."""
    table = _as_table(entry, where, section)
    _no_unknown(table, allowed, where, section)
    for key in required:
        if key not in table:
            raise ConfigError(f"{where}: {section} {key}: missing")
    return table


def _shift(entry: Any, where: str, index: int) -> Shift:
    section = f"[[shifts]] #{index}"
    table = _entry(
        entry, where, section, {"name", "start", "end", "supervisor", "agents"}, ("name", "start", "end")
    )
    # Names from the file reach the same screens and exports as names typed in, so they pass the same check.
    name = _string(table["name"], where, f"{section} name", limit=NAME_LIMIT)
    supervisor = table.get("supervisor", "")
    if supervisor != "":
        supervisor = _string(supervisor, where, f"{section} supervisor", limit=NAME_LIMIT)
    agents = table.get("agents", [])
    if not isinstance(agents, list):
        raise ConfigError(f"{where}: {section} agents: must be a list of names")
    for number, agent in enumerate(agents, 1):
        _string(agent, where, f"{section} agents #{number}", limit=NAME_LIMIT)
    start = _clock_time(table["start"], where, f"{section} start")
    end = _clock_time(table["end"], where, f"{section} end")
    if start == end:
        raise ConfigError(f"{where}: {section}: start and end must differ")
    return Shift(name, start, end, supervisor, tuple(agents))


_DAY = 24 * 60 * 60 * 1_000_000  # microseconds: shift times may carry seconds and fractions


def _span(moment: time) -> int:
    return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 + moment.microsecond


def _no_overlap(shifts: tuple[Shift, ...], where: str) -> None:
    """Refuse two shifts sharing any moment of the day: `calendar.at` would silently pick the first.

    Each shift covers [start, end) of the wall clock, a night shift wrapping past midnight; one may end when
    the next starts, and hours no shift covers are allowed.
    """
    pieces: list[tuple[int, int, Shift]] = []
    for shift in shifts:
        start, end = _span(shift.start), _span(shift.end)
        if end > start:
            pieces.append((start, end, shift))
        else:
            pieces += [(start, _DAY, shift), (0, end, shift)]
    pieces.sort(key=lambda piece: (piece[0], piece[1]))
    for (_, first_end, first), (second_start, _, second) in pairwise(pieces):
        if second_start < first_end:
            first, second = sorted((first, second), key=shifts.index)  # named in the file's order
            raise ConfigError(
                f"{where}: [[shifts]]: {first.name} ({first.hours_label}) and {second.name} "
                f"({second.hours_label}) overlap: a moment of the day must belong to one shift at most"
            )
