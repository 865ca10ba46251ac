"""The open-breakdowns table on a long board: a screenful first, every row one frame later, nothing twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from textual.app import App, ComposeResult

from core.cases import Stage
from core.config import Settings
from tests.domain_helpers import T0, make_case
from tui.board import Board
from tui.widgets.open_cases import OpenCasesTable

SETTINGS = Settings(zone=ZoneInfo("Europe/London"))
NOW = T0 + timedelta(hours=3)


class TableApp(App[None]):
    def __init__(self, board: Board) -> None:
        super().__init__()
        self.board = board

    def compose(self) -> ComposeResult:
        yield OpenCasesTable(self.board)


def long_board(count: int = 120) -> Board:
    board = Board(SETTINGS)
    # Opened a minute apart: the oldest owes the soonest fix-or-update, so urgency order is id order.
    board.load(
        [make_case(id=number, opened_at=T0 + timedelta(minutes=number)) for number in range(1, count + 1)]
    )
    return board


def row_ids(table: OpenCasesTable) -> list[int]:
    return [int(str(table.coordinate_to_cell_key((index, 0))[0].value)) for index in range(table.row_count)]


async def test_a_screenful_first_then_every_row_in_urgency_order() -> None:
    app = TableApp(long_board())
    async with app.run_test(size=(100, 24)) as pilot:
        table = app.query_one(OpenCasesTable)
        table.rebuild(NOW, first_rows=24)
        assert row_ids(table) == list(range(1, 25))
        await pilot.pause()
        assert row_ids(table) == list(range(1, 121))


async def test_rows_changed_before_the_rest_arrives_are_neither_lost_nor_doubled() -> None:
    board = long_board()
    app = TableApp(board)
    async with app.run_test(size=(100, 24)) as pilot:
        table = app.query_one(OpenCasesTable)
        table.rebuild(NOW, first_rows=24)
        # Before the deferred rows are added: one of them is closed elsewhere, another one changes.
        closed = replace(board.cases[100], stage=Stage.CLOSED, closed_at=NOW)
        changed = replace(board.cases[90], assignee="Marta Kowalski", version=2)
        shown, gone = board.apply([closed, changed])
        table.apply(shown, gone, NOW)
        await pilot.pause()
        ids = row_ids(table)
        assert len(ids) == len(set(ids)) == 119 and 100 not in ids
        assert ids == sorted(ids)
        assert table.get_row("90")[5].plain == "Marta Kowalski"


async def test_a_second_rebuild_supersedes_the_first_ones_deferred_rows() -> None:
    app = TableApp(long_board())
    async with app.run_test(size=(100, 24)) as pilot:
        table = app.query_one(OpenCasesTable)
        table.rebuild(NOW, first_rows=24)
        table.needle = "#11"  # a filter typed at once: #11 and #110–#119
        table.rebuild(NOW)
        await pilot.pause()
        assert row_ids(table) == [11, *range(110, 120)]


async def test_changes_all_shift_leave_no_stale_renders_behind() -> None:
    """DataTable keys its render caches by a counter every change bumps: what was rendered before a change
    can never be shown again, so it must not pile up (up to 10,000 cells) as the board changes all shift."""
    board = long_board()
    app = TableApp(board)
    async with app.run_test(size=(100, 24)) as pilot:
        table = app.query_one(OpenCasesTable)
        table.rebuild(NOW)
        await pilot.pause()
        for minute in range(1, 41):  # a change a minute, each painted
            case = board.cases[minute % 20 + 1]
            shown, gone = board.apply([replace(case, assignee=f"Agent {minute}", version=case.version + 1)])
            table.apply(shown, gone, NOW + timedelta(minutes=minute))
            if minute % 10 == 0:
                table.refresh_ages(NOW + timedelta(minutes=minute))
            await pilot.pause()
        assert table.get_row("20")[5].plain == "Agent 39"  # the last change is the one shown
        one_screen = table.size.height * len(table.columns)  # every cell on screen, the header's included
        assert 0 < len(table._cell_render_cache) <= one_screen
        assert len(table._row_render_cache) <= table.size.height
        assert len(table._line_cache) <= table.size.height
