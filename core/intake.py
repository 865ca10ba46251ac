"""Checks on what people type into a case, shared by the CLI, the dashboard's forms and the CSV import."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.case_fields import CASE_FIELDS, Kind, Need
from core.cases import Case
from core.times import time_problem

NAME_LIMIT = 200
TEXT_LIMIT = 10_000
# The case's text a person types when opening it (case-field table order): names on one line, and free text,
# which may span lines.
_TYPED_TEXT = tuple(
    field
    for field in CASE_FIELDS
    if field.intake is not Need.NO and field.kind in (Kind.TEXT, Kind.LONG_TEXT)
)
TEXT_FIELDS = tuple(field.name for field in _TYPED_TEXT)
NAME_FIELDS = tuple(field.name for field in _TYPED_TEXT if field.kind is Kind.TEXT)
MULTILINE_FIELDS = frozenset(field.name for field in _TYPED_TEXT if field.kind is Kind.LONG_TEXT)
REQUIRED = tuple(field.name for field in CASE_FIELDS if field.intake is Need.REQUIRED)


def text_problem(value: str, *, limit: int, multiline: bool, required: bool) -> str | None:
    """What is wrong with one piece of user text, or None. Control characters are refused, not stripped."""
    if required and not value.strip():
        return "must not be empty"
    if len(value) > limit:
        return f"longer than {limit} characters ({len(value)})"
    allowed = {"\n", "\t"} if multiline else set()
    for index, char in enumerate(value):
        if unicodedata.category(char) in {"Cc", "Cs"} and char not in allowed:
            return f"contains a control character (U+{ord(char):04X}) at position {index + 1}"
    return None


def case_problems(case: Case, now: datetime | None = None) -> list[str]:
    """Every problem with a new case's fields, each as `field: what is wrong`.

    `now` is the caller's clock reading: with it, an `opened_at` in the future is refused too; without
    it, only the fixed range of `core.times` is checked (which still keeps out year 9999 and year 1).
    """
    problems = []
    when = time_problem(case.opened_at, now)
    if when:
        problems.append(f"opened_at: {case.opened_at.isoformat()} {when}")
    return problems + case_text_problems(case)


def case_text_problems(case: Case) -> list[str]:
    """The problems with a new case's text fields alone (the CSV import checks its times as it reads them)."""
    problems = []
    for name in TEXT_FIELDS:
        value = getattr(case, name) or ""
        problem = text_problem(
            value,
            limit=TEXT_LIMIT if name in MULTILINE_FIELDS else NAME_LIMIT,
            multiline=name in MULTILINE_FIELDS,
            required=name in REQUIRED,
        )
        if problem:
            problems.append(f"{name}: {problem}")
    return problems


def clean(case: Case) -> Case:
    """Trim surrounding white space from names (inner text is kept exactly as typed)."""
    for name in NAME_FIELDS:
        value = getattr(case, name)
        if isinstance(value, str):
            setattr(case, name, value.strip())
    return case


def name_problem(name: str) -> str | None:
    """What is wrong with a person's name (one line, no longer than a name column holds), or None."""
    return text_problem(name, limit=NAME_LIMIT, multiline=False, required=False)


def event_problems(
    actor: str, text: str, data: dict[str, Any], people: Mapping[str, str] | None = None
) -> list[str]:
    """Problems with the free text of one workflow action: its actor, its text and any text in its details.

    `people`: the persons its details name, by where they sit (`reassign.to`), checked as names are.
    """
    problems = []
    for where, name in {"actor": actor, **(people or {})}.items():
        problem = name_problem(name)
        if problem:
            problems.append(f"{where}: {problem}")
    text_issue = text_problem(text, limit=TEXT_LIMIT, multiline=True, required=False)
    if text_issue:
        problems.append(f"text: {text_issue}")

    # A name in the details is checked above as a name ("reassign.to" is the details' "to"), not again here.
    named = {where.split(".", 1)[-1] for where in people or {}}

    def visit(prefix: str, value: Any) -> None:
        if prefix in named:
            return
        if isinstance(value, str):
            issue = text_problem(value, limit=TEXT_LIMIT, multiline=True, required=False)
            if issue:
                problems.append(f"{prefix}: {issue}")
        elif isinstance(value, dict):
            for key, inner in value.items():
                visit(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list | tuple):
            for inner in value:
                visit(prefix, inner)

    visit("", data)
    return problems
