"""The recovery playbook: what to keep in mind at each step of a case, and the case's steps as a checklist."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.cases import STAGE_ORDER, Action, Case, Channel, Event, Stage, Tier
from core.deadlines import pending_deadlines
from core.policy import (
    DEPOSITION,
    FIX_OR_UPDATE,
    FOLLOW_UP,
    OWNER_CHECK_BACK,
    AuthorityPolicy,
    DeadlinePolicy,
)
from core.shifts import ShiftCalendar
from core.workflow import NEXT_STEP, TRANSITIONS, close_blockers, refusal


@dataclass(frozen=True, slots=True)
class Advice:
    """One line of guidance and what it is about: the step itself, the tier, the channel, or publicity."""

    about: str
    text: str


# What each step is for, in a sentence a person can act on while the customer waits.
STEP_ADVICE: dict[Action, str] = {
    Action.APOLOGIZE: "Apologise in your own words and take the customer's side: no script, no excuses.",
    Action.REVIEW: "Let the customer say what went wrong and what would make it right; don't jump to a fix.",
    Action.UPDATE: "Say what has been done since you last spoke and when they will hear from you next.",
    Action.FIX: "Put it right, then add something extra so the fix is what they remember.",
    Action.FOLLOW_UP: "Ask whether the fix worked (don't assume it) and thank them for their patience.",
    Action.DOCUMENT: "Write it down now, while it is fresh: the deposition is how the cause gets found.",
    Action.CLOSE: "Close only when nothing more is owed to the customer.",
    Action.CHECK_BACK: "You were their first ally: check yourself that the hand-over worked for them.",
    Action.PUBLIC_APOLOGY: "Apologise where the complaint was posted, briefly; details stay private.",
    Action.SPOKESPERSON: "Name one person who speaks for the company about this case in public.",
    Action.AMEND: "Correct what the deposition got wrong; the original stays as it was filed.",
}

# By tier: a VIP needs speed and seniority, a chronic complainer patience and consistency. A step not
# listed takes the tier's line under None.
TIER_ADVICE: dict[Tier, dict[Action | None, str]] = {
    Tier.VIP: {
        None: "VIP: aim for an immediate solution, with the most senior person available involved.",
        Action.APOLOGIZE: "VIP: apologise now, and have the most senior person available call them too.",
        Action.REVIEW: "VIP: agree on the solution in this conversation if you can; don't leave it open.",
        Action.UPDATE: "VIP: give a firm time for the solution, not a vague one; their clock is shorter.",
        Action.FIX: "VIP: solve it now; the most senior person available approves what is above your limit.",
        Action.FOLLOW_UP: "VIP: the most senior person involved follows up, personally.",
    },
    Tier.CHRONIC: {
        None: "Chronic complainer: patience and consistency, the same care as anyone, not a bigger gesture.",
        Action.APOLOGIZE: "Chronic complainer: hear them out fully, even if it sounds familiar; stay even.",
        Action.REVIEW: "Chronic complainer: write down exactly what they need, so the next contact matches.",
        Action.FIX: "Chronic complainer: the usual gesture, given consistently, not a bigger one to end it.",
        Action.FOLLOW_UP: "Chronic complainer: follow up when you said you would; reliability earns trust.",
    },
}

# By channel, for the steps spent talking to the customer; other steps take the channel's line under None.
CHANNEL_ADVICE: dict[Channel, dict[Action | None, str]] = {
    Channel.PHONE: {
        None: "Phone: let them finish before you answer; sum up what was agreed before hanging up.",
        Action.APOLOGIZE: "Phone: let them finish first; your tone carries the apology.",
        Action.UPDATE: "Phone: call at the time you promised, even when there is little news.",
    },
    Channel.IN_PERSON: {
        None: "In person: give your name, face them, and stay until the next step is agreed.",
        Action.APOLOGIZE: "In person: give your name, face them, and apologise before anything else.",
    },
    Channel.EMAIL: {
        None: "E-mail: reply the same day, by name, with a time for the next reply (not a ticket number).",
        Action.APOLOGIZE: "E-mail: reply the same day, by name; offer a call if they would rather talk.",
    },
    Channel.CHAT: {
        None: "Chat: answer promptly in short messages; confirm the next step before the chat ends.",
    },
    Channel.SOCIAL: {
        None: "Social media: take the details to a private message or a call; never argue in the thread.",
    },
}

STEPS_WITH_CHANNEL = frozenset(
    {Action.APOLOGIZE, Action.REVIEW, Action.UPDATE, Action.FIX, Action.FOLLOW_UP, Action.CHECK_BACK}
)


def _spokesperson(case: Case) -> str:
    if case.spokesperson:
        return f"Public replies go through the spokesperson, {case.spokesperson}."
    return "No spokesperson is named yet: name one (S) before anything is said in public."


def _public_advice(case: Case, step: Action) -> tuple[str, ...]:
    if step is Action.APOLOGIZE:
        return (
            "Public: contact the customer directly first (call or private message), then apologise in "
            "public where it was posted.",
            _spokesperson(case),
        )
    if step is Action.PUBLIC_APOLOGY:
        done = case.stage is not Stage.NEW
        first = (
            "Public: the customer was contacted directly; now post the apology where the complaint appeared."
            if done
            else "Public: apologise to the customer directly first (a), then post where it appeared."
        )
        return (first, _spokesperson(case))
    if step is Action.SPOKESPERSON:
        return ("Public: the spokesperson answers the press and the thread; everyone else refers to them.",)
    if step is Action.CLOSE:
        return ("Public: the public apology and a named spokesperson come before closing.",)
    return (_spokesperson(case),)


def most_senior(authority: AuthorityPolicy, on_shift: Sequence[str]) -> str:
    """Who of the running shift may give the most (the supervisor first among equals), or "" off shift."""
    return max(on_shift, key=authority.limit_of, default="")


def guidance(case: Case, step: Action, senior: str = "") -> tuple[Advice, ...]:
    """What to keep in mind doing `step` on `case`: the step, then its tier, channel and publicity.

    `senior`: the most senior person available now (`most_senior`), named in a VIP's line.
    """
    lines: list[Advice] = []
    if step in STEP_ADVICE:
        lines.append(Advice("step", STEP_ADVICE[step]))
    by_tier = TIER_ADVICE.get(case.tier)
    if by_tier is not None and step is not Action.AMEND:
        text = by_tier.get(step, by_tier[None])
        if case.tier is Tier.VIP and senior and "most senior person available" in text:
            text = text.replace("most senior person available", f"most senior person available ({senior})")
        lines.append(Advice(case.tier.value, text))
    if step in STEPS_WITH_CHANNEL:
        by_channel = CHANNEL_ADVICE[case.channel]
        lines.append(Advice(case.channel.value, by_channel.get(step, by_channel[None])))
    if case.public and step is not Action.AMEND:
        lines += [Advice("public", text) for text in _public_advice(case, step)]
    return tuple(lines)


# -- the checklist ------------------------------------------------------------------------------------


class Status(StrEnum):
    DONE = "done"
    DUE = "due"
    NOT_YET = "not yet"


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One step of the sequence: done (when, by whom), due (by when, by whom) or not yet possible (why)."""

    step: Action
    label: str
    status: Status
    at: datetime | None = None  # done: when; due: the deadline, if the step has one
    by: str = ""  # done: who did it; due: who owes it
    why: str = ""  # not yet: the reason; done or due: a note ("again: the customer was not satisfied")


# The deadline kind that times each step, when it has one; apologise and review are contacts that restart
# the fix-or-update clock, so that clock times them too.
STEP_DEADLINE = {
    Action.APOLOGIZE: FIX_OR_UPDATE,
    Action.REVIEW: FIX_OR_UPDATE,
    Action.FIX: FIX_OR_UPDATE,
    Action.FOLLOW_UP: FOLLOW_UP,
    Action.DOCUMENT: DEPOSITION,
    Action.CHECK_BACK: OWNER_CHECK_BACK,
}

LABELS = {
    Action.APOLOGIZE: "apologize",
    Action.PUBLIC_APOLOGY: "public apology",
    Action.SPOKESPERSON: "spokesperson",
    Action.REVIEW: "review the complaint",
    Action.FIX: "fix, or update in time",
    Action.FOLLOW_UP: "follow up",
    Action.CHECK_BACK: "owner's check-back",
    Action.DOCUMENT: "deposition",
    Action.CLOSE: "close",
}


def checklist(
    case: Case, events: Sequence[Event], policy: DeadlinePolicy, calendar: ShiftCalendar | None = None
) -> tuple[ChecklistItem, ...]:
    """The recovery sequence of `case` as it stands, each step done, due or not yet possible.

    The reasons come from the workflow (`core.workflow.refusal`), the due times from the case's pending
    deadlines (`core.deadlines.pending_deadlines`): nothing here decides what the workflow allows.
    """
    last: dict[Action, Event] = {}
    for event in events:
        last[event.action] = event
    deadlines = {deadline.kind: deadline for deadline in pending_deadlines(case, policy, calendar)}

    def due(step: Action, note: str = "") -> ChecklistItem:
        deadline = deadlines.get(STEP_DEADLINE.get(step, ""))
        owes = case.owner if step is Action.CHECK_BACK else case.assignee
        at, by = (deadline.due_at, deadline.owed_by) if deadline else (None, owes)
        return ChecklistItem(step, LABELS[step], Status.DUE, at, by, note)

    def done(step: Action, note: str = "") -> ChecklistItem:
        event = last.get(step)
        at, by = (event.at, event.actor) if event else (None, "")
        return ChecklistItem(step, LABELS[step], Status.DONE, at, by, note)

    def not_yet(step: Action, why: str) -> ChecklistItem:
        return ChecklistItem(step, LABELS[step], Status.NOT_YET, why=why)

    def sequence_step(step: Action) -> ChecklistItem:
        (source,) = TRANSITIONS[step].source  # each step of the sequence moves on from one stage
        if STAGE_ORDER[case.stage] > STAGE_ORDER[source]:
            return done(step)
        reason = refusal(case, step)
        if reason is None:
            again = step is Action.FIX and Action.FIX in last
            return due(step, "again: the customer was not satisfied with the last fix" if again else "")
        if case.stage is source:  # the stage is right, something else stands in the way (closing)
            return not_yet(step, "; ".join(close_blockers(case)) or reason)
        if case.is_open:
            # What it waits on directly, in the workflow's words: the step that reaches its stage.
            return not_yet(step, NEXT_STEP[list(Stage)[STAGE_ORDER[source] - 1]])
        return not_yet(step, reason)

    items = [sequence_step(Action.APOLOGIZE)]
    if case.public:
        if case.public_apology_at is not None:
            items.append(done(Action.PUBLIC_APOLOGY))
        elif not case.is_open:
            items.append(not_yet(Action.PUBLIC_APOLOGY, "the case is closed"))
        elif case.stage is Stage.NEW:
            items.append(not_yet(Action.PUBLIC_APOLOGY, "contact the customer directly first: apologize"))
        else:
            items.append(due(Action.PUBLIC_APOLOGY, "before the case can close"))
        if case.spokesperson:
            items.append(done(Action.SPOKESPERSON, case.spokesperson))
        elif case.is_open:
            items.append(due(Action.SPOKESPERSON, "before anything is said in public"))
        else:
            items.append(not_yet(Action.SPOKESPERSON, "the case is closed"))
    items += [sequence_step(Action.REVIEW), sequence_step(Action.FIX), sequence_step(Action.FOLLOW_UP)]
    if case.check_back_owed_since is not None:
        items.append(due(Action.CHECK_BACK, "the case was handed over"))
    elif Action.CHECK_BACK in last:
        items.append(done(Action.CHECK_BACK))
    items += [sequence_step(Action.DOCUMENT), sequence_step(Action.CLOSE)]
    return tuple(items)


def next_due(items: Sequence[ChecklistItem]) -> ChecklistItem | None:
    """The first step due: the one whose guidance the case view shows under its checklist."""
    return next((item for item in items if item.status is Status.DUE), None)
