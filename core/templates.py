"""Text templates per case category and step: a starting point a form inserts with one key, then edited."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.cases import Action, Case

# The steps whose form has a text to start from (the field named "text").
TEMPLATE_STEPS: tuple[Action, ...] = (
    Action.APOLOGIZE,
    Action.REVIEW,
    Action.UPDATE,
    Action.FIX,
    Action.FOLLOW_UP,
    Action.CHECK_BACK,
    Action.PUBLIC_APOLOGY,
)
# The category whose templates serve every category without its own.
ANY_CATEGORY = "any"

# What a template may name, filled from the case when it is inserted.
PLACEHOLDERS: dict[str, str] = {
    "customer": "customer",
    "product": "product",
    "category": "category",
    "site": "site",
    "spokesperson": "spokesperson",
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def category_key(category: str) -> str:
    """How a category is looked up: "Late  Delivery" is "late delivery"."""
    return " ".join(category.split()).casefold()


@dataclass(frozen=True, slots=True)
class Template:
    category: str  # as configured (a category, or ANY_CATEGORY)
    step: Action
    text: str


# Shipped for the common categories; `[templates]` in the config adds to or replaces them.
DEFAULT_TEMPLATES: tuple[Template, ...] = (
    Template(ANY_CATEGORY, Action.APOLOGIZE, "{customer}, I'm sorry — we let you down with your {product}. "),
    Template(ANY_CATEGORY, Action.REVIEW, "From the customer's side: "),
    Template(ANY_CATEGORY, Action.UPDATE, "Done so far: … Next: … You'll hear from me by …"),
    Template(ANY_CATEGORY, Action.FIX, "Put right: … Something extra: …"),
    Template(ANY_CATEGORY, Action.FOLLOW_UP, "Asked whether the fix worked for them: …"),
    Template(ANY_CATEGORY, Action.CHECK_BACK, "Checked with {customer} that the hand-over worked: …"),
    Template(
        ANY_CATEGORY, Action.PUBLIC_APOLOGY, "Posted on … : an apology, and that we contacted them directly."
    ),
    Template(
        "late delivery",
        Action.APOLOGIZE,
        "{customer}, I'm sorry your {product} did not arrive when we promised. I'm on it now.",
    ),
    Template("late delivery", Action.UPDATE, "Tracked the delivery: … New time: … I'll call you by …"),
    Template("late delivery", Action.FIX, "Delivered by … on …; something extra: …"),
    Template(
        "damaged item",
        Action.APOLOGIZE,
        "{customer}, I'm sorry your {product} reached you damaged. Let's get you a sound one.",
    ),
    Template("damaged item", Action.FIX, "Replacement sent / collected on …; something extra: …"),
    Template(
        "billing error",
        Action.APOLOGIZE,
        "{customer}, I'm sorry we charged you wrongly for your {product}. I'll correct it myself.",
    ),
    Template("billing error", Action.FIX, "Refunded … to the card ending …; confirmed by e-mail."),
    Template(
        "wrong item",
        Action.APOLOGIZE,
        "{customer}, I'm sorry you received the wrong item instead of your {product}.",
    ),
    Template("wrong item", Action.FIX, "The right {product} sent on …; the wrong one collected on …"),
    Template("long wait", Action.APOLOGIZE, "{customer}, I'm sorry you were kept waiting at {site}."),
    Template(
        "rude service",
        Action.APOLOGIZE,
        "{customer}, I'm sorry for how you were spoken to at {site}. That is not how we treat anyone.",
    ),
)


def placeholder_problem(text: str) -> str | None:
    """Why a template's text cannot be filled (the config names the field), or None."""
    for name in _PLACEHOLDER.findall(text):
        if name not in PLACEHOLDERS:
            known = ", ".join("{" + key + "}" for key in PLACEHOLDERS)
            return f"unknown placeholder {{{name}}} (known: {known})"
    return None


class TemplateBook:
    """The templates by (category, step); a category without its own takes the "any" ones."""

    def __init__(self, templates: Iterable[Template] = DEFAULT_TEMPLATES) -> None:
        self.templates = tuple(templates)
        self._by: dict[tuple[str, Action], str] = {
            (category_key(template.category), template.step): template.text for template in self.templates
        }

    def text_for(self, case: Case, step: Action) -> str | None:
        """The template for `case`'s category and `step`, filled from the case; None when there is none."""
        text = self._by.get((category_key(case.category), step))
        if text is None:
            text = self._by.get((ANY_CATEGORY, step))
        return None if text is None else fill(text, case)


def fill(text: str, case: Case) -> str:
    """`text` with each known {placeholder} replaced by the case's value (an empty one left as "…")."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)
        return str(getattr(case, PLACEHOLDERS[name]) or "…")

    return _PLACEHOLDER.sub(value, text)


def merged(shipped: Iterable[Template], configured: Mapping[tuple[str, Action], str]) -> tuple[Template, ...]:
    """The shipped templates with the configured ones in their place (or added), configured last."""
    keys = {(category_key(category), step) for category, step in configured}
    kept = [t for t in shipped if (category_key(t.category), t.step) not in keys]
    return (*kept, *(Template(category, step, text) for (category, step), text in configured.items()))
