"""What the playbook adds to a case form: the step's guidance, the live phrase check, the template."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.cases import Case
from core.config import Settings
from core.phrase_check import CHECKED_ACTIONS
from core.playbook import guidance, most_senior
from core.templates import TEMPLATE_STEPS
from tui.forms import CaseForm
from tui.screens.form import PhraseCheck


@dataclass(frozen=True)
class PlaybookParts:
    """What the playbook adds to a case form: the step's guidance, the phrase check, the template."""

    guidance: tuple[str, ...]
    check: PhraseCheck | None
    template: str | None


def playbook_parts(settings: Settings, form: CaseForm, case: Case, now: datetime) -> PlaybookParts:
    book = settings.phrase_book
    senior = most_senior(settings.authority, settings.calendar.people_at(now))

    def check(texts: Sequence[str]) -> list[str]:
        return [hint.message for hint in book.check(*texts)]

    checked = any(field.checked for field in form.fields) and form.action in CHECKED_ACTIONS
    template = settings.template_book.text_for(case, form.action) if form.action in TEMPLATE_STEPS else None
    return PlaybookParts(
        tuple(advice.text for advice in guidance(case, form.action, senior)),
        check if checked else None,
        template,
    )


def hints_on(settings: Settings, form: CaseForm, values: dict[str, Any]) -> int:
    """How many phrase-check hints the saved values drew (as the service counts them for the summary)."""
    if form.action not in CHECKED_ACTIONS:
        return 0
    return len(settings.phrase_book.check(*(str(values.get(f.name) or "") for f in form.fields if f.checked)))
