"""Deadline and authority policies: how long each obligation may take, and who may give how much."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from core.cases import Case, Severity, Tier
from core.pauses import DEFAULT_PAUSE_CAP

# The kinds of deadline a case can owe. Kept as plain strings: they appear in JSON and exports.
FIX_OR_UPDATE = "fix-or-update"
FOLLOW_UP = "follow-up"
DEPOSITION = "deposition"
OWNER_CHECK_BACK = "owner-check-back"


@dataclass(frozen=True, slots=True)
class DeadlineMinutes:
    """Minutes allowed for each kind of deadline; None in an override means "no change"."""

    fix_or_update: int | None = None
    follow_up: int | None = None
    deposition: int | None = None
    owner_check_back: int | None = None

    def get(self, kind: str) -> int | None:
        value: int | None = getattr(self, kind.replace("-", "_"))
        return value


# The core rule of service recovery: fix it or update the customer in time (by default twenty minutes,
# ten for a VIP or a critical case). Labels name the rule, never these numbers: settings may change them.
DEFAULT_MINUTES = DeadlineMinutes(fix_or_update=20, follow_up=30, deposition=60, owner_check_back=60)
DEFAULT_TIER_OVERRIDES = {Tier.VIP: DeadlineMinutes(fix_or_update=10, follow_up=15)}
DEFAULT_SEVERITY_OVERRIDES = {Severity.CRITICAL: DeadlineMinutes(fix_or_update=10)}


@dataclass(frozen=True, slots=True)
class DeadlinePolicy:
    """Base minutes per deadline kind, tightened by tier and severity overrides (the strictest wins)."""

    base: DeadlineMinutes = DEFAULT_MINUTES
    by_tier: dict[Tier, DeadlineMinutes] = field(default_factory=lambda: dict(DEFAULT_TIER_OVERRIDES))
    by_severity: dict[Severity, DeadlineMinutes] = field(
        default_factory=lambda: dict(DEFAULT_SEVERITY_OVERRIDES)
    )
    # The most one wait on the customer may stop the fix-or-update clock ([deadlines] pause_cap_minutes).
    pause_cap: timedelta = DEFAULT_PAUSE_CAP
    # Answers by (kind, tier, severity), all they depend on: an export asks ~25,000 times for a few dozen.
    _known: dict[tuple[str, Tier, Severity], timedelta] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def allowed(self, kind: str, case: Case) -> timedelta:
        """How long `case` has for a deadline of `kind`: the strictest of base, tier and severity."""
        key = (kind, case.tier, case.severity)
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = self._work_out(kind, case.tier, case.severity)
        return known

    def _work_out(self, kind: str, tier: Tier, severity: Severity) -> timedelta:
        candidates = [
            minutes
            for minutes in (
                self.base.get(kind),
                self.by_tier.get(tier, DeadlineMinutes()).get(kind),
                self.by_severity.get(severity, DeadlineMinutes()).get(kind),
            )
            if minutes is not None
        ]
        if not candidates:
            raise KeyError(f"no minutes configured for deadline kind {kind!r}")
        return timedelta(minutes=min(candidates))


# What anyone may give without an approver, unless the configuration says otherwise.
DEFAULT_AUTHORITY_LIMIT = 25.0


class AuthorityError(ValueError):
    """A gesture above what the actor (or the named approver) may give."""


@dataclass(frozen=True, slots=True)
class AuthorityPolicy:
    """How much "something extra" each person may give on their own authority."""

    default_limit: float = DEFAULT_AUTHORITY_LIMIT
    limits: dict[str, float] = field(default_factory=dict)

    def limit_of(self, person: str) -> float:
        """`person`'s limit; a name matches whatever its case and spacing ("omar farouk" is Omar Farouk)."""
        configured = self.configured_limit(person)
        return self.default_limit if configured is None else configured

    def configured_limit(self, person: str) -> float | None:
        """`person`'s limit in [authority.limits], or None for someone not named there."""
        key = " ".join(person.split()).casefold()
        for name, limit in self.limits.items():
            if " ".join(name.split()).casefold() == key:
                return limit
        return None

    def unapproved(self, actor: str, value: float, approver: str | None) -> str | None:
        """Why `actor` giving `value` with `approver`'s sign-off is beyond their authority, or None.

        The one rule behind `check` (which refuses with who could approve) and the shift summary (which
        flags what got stored anyway: imported, or written by another tool). An approver must be someone
        configured with a limit that covers the value: a made-up name approves nothing.
        """
        # NaN compares false with everything, so without this it would pass `value <= limit` below.
        if not math.isfinite(value):
            return f"gesture value must be a finite number (got {value:g})"
        if value < 0:
            return f"gesture value must not be negative (got {value:g})"
        own = self.limit_of(actor)
        if value <= own:
            return None
        if not approver:
            return f"a gesture of {value:g} is above {actor}'s limit of {own:g} and has no approver"
        if approver.casefold() == actor.casefold():
            return f"{actor} cannot approve their own gesture above their limit of {own:g}"
        theirs = self.configured_limit(approver)
        if theirs is None:
            return f"the approver {approver} has no limit in [authority] to approve a gesture of {value:g}"
        if value > theirs:
            return f"a gesture of {value:g} is above the approver {approver}'s limit of {theirs:g} too"
        return None

    def approvers_for(self, value: float, on_shift: Iterable[str] = ()) -> tuple[str, ...]:
        """Who may approve a gesture of `value`: the people of the running shift whose limit covers it first
        (in the order given: supervisor, then roster), then everyone else configured with such a limit,
        the highest limit first."""
        present = [person for person in dict.fromkeys(on_shift) if person and self.limit_of(person) >= value]
        others = sorted(
            (person for person, limit in self.limits.items() if limit >= value and person not in present),
            key=lambda person: (-self.limits[person], person.casefold()),
        )
        return (*present, *others)

    def _who_could(self, value: float, on_shift: tuple[str, ...], *, besides: str) -> str:
        """The refusal's last words: who to ask, on shift first, or that nobody's limit covers it yet."""
        shift = set(on_shift)
        approvers = [person for person in self.approvers_for(value, on_shift) if person != besides]
        if not approvers:
            nobody = f"though nobody's configured limit covers {value:g} yet"
            return nobody + ": give less, or raise one in [authority]"
        named = [
            f"{person} ({'on shift, ' if person in shift else ''}limit {self.limit_of(person):g})"
            for person in approvers[:4]
        ]
        more = f" and {len(approvers) - 4} more" if len(approvers) > 4 else ""
        return "who can approve it: " + ", ".join(named) + more

    def check(self, actor: str, value: float, approver: str | None, on_shift: Iterable[str] = ()) -> None:
        """Raise AuthorityError unless `actor` may give `value`, alone or with `approver`'s sign-off.

        The refusal (`unapproved`'s reason) names who could approve it, those in `on_shift` (the running
        shift's people) first.
        """
        problem = self.unapproved(actor, value, approver)
        if problem is None:
            return
        if not math.isfinite(value) or value < 0:
            raise AuthorityError(problem)
        if not approver:
            problem = (
                f"{problem.removesuffix(' and has no approver')}: name an approver whose limit covers it"
            )
        raise AuthorityError(f"{problem} — " + self._who_could(value, tuple(on_shift), besides=actor))
