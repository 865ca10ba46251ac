"""The open-breakdowns pane: one keyed row per open case, in urgency order, updated row by row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from rich.text import Text
from textual._context import active_app
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, RowDoesNotExist

from core.cases import Case, Tier, UnreadableCase
from core.policy import FIX_OR_UPDATE
from tui.board import Board
from tui.clockface import age, local_time, mark_style
from tui.text import one_line
from tui.widgets.open_case_columns import COLUMNS, fit_widths, matches

# The table holds one page of the open cases at a time (the keys turn the pages): a DataTable's cost, in
# memory, in start-up and on every change, grows with the rows it holds, and a big floor has tens of
# thousands of open cases. A board of up to this many fits one page, and the table is as it always was.
PAGE_ROWS = 500

# A case whose assignee is absent or not on the running shift: readable without colour (NO_COLOR).
ORPHAN_BADGE = "ORPH"
# In the Next column instead of the due time while the deadline's clock stands still (the column is as wide
# as the longer of the two).
PAUSED_MARK = "paused"


def _after_width(kind: str) -> int:
    """The width after a deadline's kind in the Next column: "15:08", or "paused" for the one clock that
    pauses (fix-or-update)."""
    return max(len("00:00"), len(PAUSED_MARK)) if kind == FIX_OR_UPDATE else len("00:00")


TIER_BADGES = {Tier.VIP: ("VIP", "bold magenta"), Tier.CHRONIC: ("CHR", "bold yellow")}


class OpenCasesTable(DataTable[object]):
    """Rows are keyed by case id, so the cursor stays on its case when rows move, appear or go.

    It holds one page (PAGE_ROWS cases) of the open cases in urgency order; the cursor keys go on to the
    next or previous page past its edge, Home and End reach the first and the last case of all."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        # The first and the last case (DataTable's own Home/End scroll sideways, which the fitted columns
        # never need).
        Binding("home", "scroll_top", "First", show=False),
        Binding("end", "scroll_bottom", "Last", show=False),
    ]

    def __init__(self, board: Board, *, page_rows: int | None = None, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.board = board
        self.needle = ""
        self._roster_shown: tuple[str, ...] | None = None  # the roster the ORPH badges were drawn for
        self.page_rows = page_rows or PAGE_ROWS
        self.page = 0
        self.order: list[int] = []  # the cases paged through: all open ones the filter shows, by urgency
        self._position: dict[int, int] | None = None  # case id → index in `order`, made when first asked
        self._generation = 0  # bumped by every fill: a deferred half-page knows when it is stale
        self._now = datetime.now(UTC)  # the rows' ages are as of this (the last rebuild, change or minute)
        self.border_title = "Open breakdowns"
        # Columns exist before mounting: the first load may arrive before the table is on screen. The labels
        # as Text: a str is parsed as markup with emoji codes, whose table (~2 ms to import) no cell needs.
        for key, label, width in COLUMNS:
            self.add_column(Text(label), key=key, width=width)
        self._rendered_at_count = self._update_count

    def render_lines(self, crop: Region) -> list[Strip]:
        # DataTable keys its render caches (cells, rows, lines, row renderables) by a counter that every
        # change bumps, and leaves the entries of older counts to the caches' size bounds — 10,000 cells
        # and 1,000 each of the others. On a board that changes every minute they fill with renders that
        # can never be shown again: ~5 MB of a dashboard's memory over a shift. They go once the count moves.
        if self._update_count != self._rendered_at_count:
            self._rendered_at_count = self._update_count
            self._cell_render_cache.clear()
            self._row_render_cache.clear()
            self._row_renderable_cache.clear()
            self._line_cache.clear()
        return super().render_lines(crop)

    # -- fitting the pane -----------------------------------------------------------------------------

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # Fitted as the layout gives the table its size, before that layout's frame is drawn: the Resize
        # event comes after it, and the dashboard's first frame (drawn as soon as the main screen is laid
        # out) would show the unfitted columns, cut and with a horizontal scrollbar, for a frame.
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        if changed:
            self.fit_columns()
        return changed

    def on_resize(self) -> None:
        self.fit_columns()
        # After a resize the highlighted case stays in sight (the table's height may have shrunk under it).
        self.call_after_refresh(self._scroll_cursor_into_view)

    def fit_columns(self) -> None:
        """Columns as wide as the pane (a vertical scrollbar's room kept), so no horizontal scrollbar."""
        padding = 2 * self.cell_padding * len(COLUMNS)
        available = self.size.width - self.styles.scrollbar_size_vertical - padding
        if available <= 0:
            return
        widths = fit_widths(available, self.next_width())
        changed = False
        for key, width in widths.items():
            column = self.columns[ColumnKey(key)]
            if column.width != width or column.auto_width:
                column.width, column.auto_width = width, False
                changed = True
        if changed:
            self._update_dimensions([])
            self._clear_caches()
            self.scroll_to(x=0, animate=False)
            self.refresh()

    def next_width(self) -> int:
        """The widest next deadline of the board as the Next column shows it (the header's width at least)."""
        kinds = {deadline.kind for deadline in map(self.board.next_deadline, self.board.cases) if deadline}
        return max([len("Next deadline"), *(len(kind) + 1 + _after_width(kind) for kind in kinds)])

    # -- reading -----------------------------------------------------------------------------------

    @property
    def highlighted_case_id(self) -> int | None:
        if not self.row_count:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except CellDoesNotExist:
            return None
        return int(row_key.value) if row_key.value is not None else None

    # -- writing -----------------------------------------------------------------------------------

    def _cells(self, case: Case, now: datetime) -> list[object]:
        badge = TIER_BADGES.get(case.tier)
        customer = Text(end="")
        no_color = active_app.get().no_color if active_app.get(None) is not None else False
        if badge:
            customer.append(badge[0], style=mark_style(badge[1], no_color))
            customer.append(" ")
        if case.public:
            customer.append("PUB", style=mark_style("bold red", no_color))
            customer.append(" ")
        if isinstance(case, UnreadableCase):  # stored by another tool with values intake refuses
            customer.append("UNREADABLE", style=mark_style("bold red", no_color))
            customer.append(" ")
        customer.append(one_line(case.customer))
        return [
            Text(str(case.id), justify="right"),
            Text(age(now - case.opened_at)),
            customer,
            one_line(case.category),
            Text(case.stage.value),
            self._assignee(case, now, no_color),
            self._next_due(case, now),
        ]

    def _next_due(self, case: Case, now: datetime) -> Text:
        """'fix-or-update 15:08'; while its clock is paused 'fix-or-update paused' (the countdowns pane says
        why and until when), so a parked case does not read as one that is simply due later."""
        deadline = self.board.next_deadline(case.id or 0)
        if deadline is None:
            return Text("—")
        if deadline.paused(now) is not None:
            return Text(f"{deadline.kind} {PAUSED_MARK}")
        return Text(f"{deadline.kind} {local_time(deadline.due_at, self.board.settings.zone)}")

    def _assignee(self, case: Case, now: datetime, no_color: bool) -> Text:
        """The assignee, after an ORPH badge (a word, not only a colour) when nobody works the case now."""
        reason = self.board.orphaned(case, now)
        if reason is None:
            return one_line(case.assignee)
        cell = Text(end="", no_wrap=True, overflow="ellipsis")  # a long name ends in "…", as elsewhere
        cell.append(ORPHAN_BADGE, style=mark_style("bold red", no_color))
        cell.append(" ")
        cell.append(one_line(case.assignee))
        return cell

    # -- pages ---------------------------------------------------------------------------------------

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self.order) // self.page_rows))

    def _page_of(self, case_id: int | None) -> int | None:
        """The page holding `case_id` in the current order, or None when it is not there."""
        if case_id is None:
            return None
        position = self._positions().get(case_id)
        return None if position is None else position // self.page_rows

    def _positions(self) -> dict[int, int]:
        if self._position is None:
            self._position = {case_id: index for index, case_id in enumerate(self.order)}
        return self._position

    def _page_ids(self, page: int) -> list[int]:
        return self.order[page * self.page_rows : (page + 1) * self.page_rows]

    def _set_order(self) -> None:
        """The cases the table pages through: the board's urgency order, less what the filter hides."""
        ordered = self.board.ordered()
        cases = self.board.cases
        needle = self.needle
        self.order = ordered if not needle else [i for i in ordered if matches(cases[i], needle)]
        self._position = None

    def _show_subtitle(self) -> None:
        total = len(self.order)
        if self.page_count > 1:
            first = self.page * self.page_rows + 1
            subtitle = f"{first:,}–{first + self.row_count - 1:,} of {total:,}"
        else:
            subtitle = ""
        if subtitle != self.border_subtitle:
            self.border_subtitle = subtitle

    def show_case(self, case_id: int) -> bool:
        """Turn to the page holding `case_id`, the cursor on it; False when the table does not hold it."""
        page = self._page_of(case_id)
        if page is None:
            return False
        if page != self.page:
            self._fill(page, self._now)
        self._restore(case_id)
        return True

    def _turn(self, page: int, row: int) -> None:
        """Another page, the cursor on its row `row` (the last row if the page is shorter)."""
        self._fill(page, self._now)
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1), animate=False)

    def _fill(self, page: int, now: datetime, first_rows: int | None = None) -> None:
        """Page `page`'s rows in urgency order (with `first_rows`, that many now, the rest a frame later)."""
        self._now = now
        self.page = max(0, min(page, self.page_count - 1))
        self._generation += 1
        self.clear()
        ids = self._page_ids(self.page)
        head = ids if first_rows is None else ids[:first_rows]
        for case_id in head:
            self.add_row(*self._cells(self.board.cases[case_id], now), key=str(case_id))
        if len(head) < len(ids):
            self.call_after_refresh(self._add_later, self._generation, now)
        self._show_subtitle()

    # -- moving through the pages ------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        if self.cursor_row >= self.row_count - 1 and self.page < self.page_count - 1:
            self._turn(self.page + 1, 0)
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0 and self.page > 0:
            self._turn(self.page - 1, self.page_rows - 1)
        else:
            super().action_cursor_up()

    def action_page_down(self) -> None:
        if self.cursor_row >= self.row_count - 1 and self.page < self.page_count - 1:
            self._turn(self.page + 1, 0)
        else:
            super().action_page_down()

    def action_page_up(self) -> None:
        if self.cursor_row <= 0 and self.page > 0:
            self._turn(self.page - 1, self.page_rows - 1)
        else:
            super().action_page_up()

    def action_scroll_top(self) -> None:
        """The first case of all (Home)."""
        if self.page != 0:
            self._turn(0, 0)
        super().action_scroll_top()

    def action_scroll_bottom(self) -> None:
        """The last case of all (End)."""
        last = self.page_count - 1
        if self.page != last:
            self._turn(last, self.page_rows - 1)
        super().action_scroll_bottom()

    # -- (re)building --------------------------------------------------------------------------------

    def rebuild(self, now: datetime, *, first_rows: int | None = None) -> None:
        """The page again (start, filter change): O(open cases) to order them, O(page) rows.

        With `first_rows`, only that many (a screenful) are added now and the rest of the page one frame
        later: adding and measuring 500 rows is a fifth of the dashboard's start, and the first screen
        shows a few dozen.
        """
        keep = self.highlighted_case_id
        self._set_order()
        page = self._page_of(keep)
        # The highlighted case's page; the first page when it is not among them (a filter hides it).
        self._fill(0 if page is None else page, now, first_rows)
        self._restore(keep)
        self.fit_columns()

    def _add_later(self, generation: int, now: datetime) -> None:
        if generation != self._generation:
            return  # another page or rebuild came first: it has its own rows
        keep = self.highlighted_case_id
        for case_id in self._page_ids(self.page):
            case = self.board.cases.get(case_id)
            if case is not None and str(case_id) not in self.rows:
                self.add_row(*self._cells(case, now), key=str(case_id))
        self.sort("id", key=lambda cell: self.board.urgency_key(int(str(cell))))
        self._restore(keep)
        self._show_subtitle()

    def apply(self, shown: set[int], gone: set[int], now: datetime) -> None:
        """Only the rows that changed: update in place, add, remove; then re-sort and keep the cursor.

        The page follows the highlighted case (a case that moves takes the cursor to its new page); rows
        that change pages leave or join this one row by row, so a change costs the rows it touches.
        """
        if not shown and not gone:
            return
        keep = self.highlighted_case_id
        self._set_order()
        page = self._page_of(keep)
        page = min(self.page if page is None else page, self.page_count - 1)
        if page != self.page:
            self._fill(page, now)
            self._restore(keep)
            self.fit_columns()
            return
        wanted = self._page_ids(page)
        wanted_keys = {str(case_id) for case_id in wanted}
        for row_key in [key for key in self.rows if key.value not in wanted_keys]:
            self.remove_row(row_key)
        for case_id in wanted:
            key = str(case_id)
            if key not in self.rows:
                self.add_row(*self._cells(self.board.cases[case_id], now), key=key)
            elif case_id in shown:
                for (column_key, _label, _width), value in zip(
                    COLUMNS, self._cells(self.board.cases[case_id], now), strict=True
                ):
                    self.update_cell(key, column_key, value)
        self.sort("id", key=lambda cell: self.board.urgency_key(int(str(cell))))
        self.fit_columns()  # a new kind of next deadline may need a wider Next column
        self._restore(keep)
        self._show_subtitle()

    def refresh_ages(self, now: datetime) -> None:
        """Once a minute: the age and next-deadline columns of the rows shown (one page at most: a pause
        ends at its resume time or cap, with no event); at a shift change the ORPH badges too (who is on
        the roster changed)."""
        self._now = now
        roster = self.board.roster(now)
        roster_changed, self._roster_shown = roster != self._roster_shown, roster
        for key in list(self.rows):
            case = self.board.cases.get(int(str(key.value)))
            if case is not None:
                self.update_cell(key, "age", Text(age(now - case.opened_at)))
                self.update_cell(key, "next", self._next_due(case, now))
                if roster_changed:
                    self.update_cell(key, "assignee", self._assignee(case, now, self.app.no_color))

    def _restore(self, case_id: int | None) -> None:
        if case_id is None or not self.row_count:
            return
        try:
            index = self.get_row_index(str(case_id))
        except RowDoesNotExist:
            return  # its case left the board: the cursor stays at the same height
        self.move_cursor(row=index, animate=False)
