"""Errors the workflow service raises besides the domain's own refusals."""

from __future__ import annotations

from core.cases import Case


class CaseNotFound(LookupError):
    def __init__(self, case_id: int) -> None:
        super().__init__(f"no case #{case_id}")
        self.case_id = case_id


class ConflictError(RuntimeError):
    """The case changed since the caller last saw it; `current` is its fresh state."""

    def __init__(self, current: Case, expected_version: int | None) -> None:
        super().__init__(
            f"case #{current.id} was changed by someone else (now at stage {current.stage.value}, "
            f"assigned to {current.assignee}); nothing was saved: look at the fresh state and try again"
        )
        self.current = current
        self.expected_version = expected_version


class ValidationError(ValueError):
    """Input refused before anything was stored; `problems` lists `field: what is wrong`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class DatabaseError(RuntimeError):
    """The database cannot be reached or used; the message is one line, with no password in it."""
