"""The "something extra" after a fix: which usual gestures fit the case's tier and the actor's authority."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.cases import Tier
from core.payloads import amount
from core.policy import AuthorityPolicy


@dataclass(frozen=True, slots=True)
class GestureKind:
    """A gesture the team gives, with its usual values (ascending) and the tiers it suits."""

    kind: str
    values: tuple[float, ...]
    tiers: frozenset[Tier] = frozenset(Tier)


# Shipped; `[[gestures]]` in the config replaces them.
DEFAULT_GESTURES: tuple[GestureKind, ...] = (
    GestureKind("voucher", (10.0, 20.0, 50.0)),
    GestureKind("discount", (10.0, 25.0)),
    GestureKind("free delivery", (15.0,)),
    GestureKind("upgrade", (40.0, 100.0), frozenset({Tier.STANDARD, Tier.VIP})),
)


@dataclass(frozen=True, slots=True)
class Suggestion:
    kind: str
    value: float
    # Who could approve it when it is above the actor's limit (on shift first); () when within it.
    approvers: tuple[str, ...] = ()

    @property
    def shown(self) -> str:
        return f"{self.kind} {amount(self.value)}"


@dataclass(frozen=True, slots=True)
class GestureAdvice:
    lead: str
    actor: str
    limit: float
    within: tuple[Suggestion, ...]
    above: tuple[Suggestion, ...]

    def lines(self) -> tuple[str, ...]:
        """The advice as the fix form shows it: three lines at most (the form is small at 80×24)."""
        limit = f"{self.actor}'s limit of {amount(self.limit)}"
        if self.within:
            listed = ", ".join(suggestion.shown for suggestion in self.within)
            out = [self.lead, f"Within {limit}: {listed}."]
        else:
            out = [self.lead, f"None of the usual gestures is within {limit}."]
        if self.above:
            listed = ", ".join(
                f"{suggestion.shown} ({' or '.join(suggestion.approvers[:2]) or 'nobody configured'})"
                for suggestion in self.above
            )
            out.append(f"Above it, name the approver: {listed}.")
        return tuple(out)


LEADS = {
    Tier.VIP: "VIP: an immediate, generous gesture; the most senior person available approves more.",
    Tier.CHRONIC: "Chronic complainer: the usual gesture, consistently — not a bigger one.",
    Tier.STANDARD: "Something extra makes the fix what they remember.",
}


def suggestions(
    tier: Tier,
    actor: str,
    kinds: Iterable[GestureKind],
    authority: AuthorityPolicy,
    on_shift: Iterable[str] = (),
) -> GestureAdvice:
    """The usual gestures fitting `tier`, split by `actor`'s limit; above it, who could approve each.

    A chronic complainer is offered each kind's smallest value and nothing above the limit (consistency,
    not escalation); a VIP every value, the largest first; anyone else every value, the smallest first,
    and of what is above the limit only each kind's smallest.
    """
    limit = float(authority.limit_of(actor))
    on_shift = tuple(on_shift)
    within: list[Suggestion] = []
    above: list[Suggestion] = []
    for kind in kinds:
        if tier not in kind.tiers or not kind.values:
            continue
        values = sorted(kind.values)
        if tier is Tier.CHRONIC:
            values = values[:1]
        for value in values:
            if value <= limit:
                within.append(Suggestion(kind.kind, float(value)))
            elif tier is not Tier.CHRONIC:
                approvers = tuple(p for p in authority.approvers_for(value, on_shift) if p != actor)
                above.append(Suggestion(kind.kind, float(value), approvers))
                if tier is Tier.STANDARD:
                    break
    if tier is Tier.VIP:
        within.sort(key=lambda suggestion: -suggestion.value)
    return GestureAdvice(LEADS[tier], actor, limit, tuple(within), tuple(above))
