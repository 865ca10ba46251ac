"""The dashboard's in-memory board: the header's counts agree with a case-by-case count at every instant."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from core.cases import Stage
from core.config import Settings
from tests.domain_helpers import T0, make_case
from tui.board import Board

SETTINGS = Settings(zone=ZoneInfo("Europe/London"))


def counted_case_by_case(board: Board, now, soon=timedelta(minutes=5)) -> tuple[int, int, int]:
    due_soon = overdue = 0
    for case_id in board.cases:
        deadline = board.next_deadline(case_id)
        if deadline is None:
            continue
        if deadline.due_at <= now:
            overdue += 1
        elif deadline.due_at - now <= soon:
            due_soon += 1
    return len(board.cases), due_soon, overdue


@given(
    opened=st.lists(st.integers(min_value=0, max_value=240), min_size=0, max_size=40),
    closed=st.sets(st.integers(min_value=0, max_value=39)),
    probes=st.lists(st.integers(min_value=-60, max_value=400), min_size=1, max_size=8),
)
def test_counts_match_a_case_by_case_count(opened, closed, probes) -> None:
    board = Board(SETTINGS)
    cases = [make_case(id=n, opened_at=T0 + timedelta(minutes=at)) for n, at in enumerate(opened, 1)]
    board.load(cases)
    for probe in probes:
        now = T0.astimezone(UTC) + timedelta(minutes=probe)
        assert board.counts(now) == counted_case_by_case(board, now)
    # Cases leave the board (closed elsewhere): the counts follow.
    gone = [case for index, case in enumerate(cases) if index in closed]
    board.apply([replace(case, stage=Stage.CLOSED, closed_at=T0) for case in gone])
    assert len(board.cases) == len(cases) - len(gone)
    for probe in probes:
        now = T0 + timedelta(minutes=probe)
        assert board.counts(now) == counted_case_by_case(board, now)
