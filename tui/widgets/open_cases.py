"""The open-breakdowns pane: one keyed row per open case, in urgency order, updated row by row."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual._context import active_app
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, RowDoesNotExist

from core.cases import Case, Tier
from tui.board import Board
from tui.clockface import age, local_time, mark_style
from tui.text import one_line

COLUMNS = (
    ("id", "#", 5),
    ("age", "Age", 5),
    ("customer", "Customer", 24),
    ("category", "Category", 16),
    ("stage", "Stage", 11),
    ("assignee", "Assignee", 16),
    ("next", "Next deadline", 22),  # "owner-check-back 21:35", the longest
)
# When the pane is narrower than the columns' widths, these give way, in this order, down to these widths:
# category and assignee first (a word or two of each still reads), then the customer's name (whole up to
# 24 characters at 160 columns; its words stay in the case view), then all three further, then the age. The
# urgent columns — the case's number, its stage and its next deadline — never: the Next column is as wide as
# the widest next deadline on the board ("owner-check-back 21:35" at most).
GIVE_WAY = (
    ("category", 8),
    ("assignee", 12),
    ("customer", 14),
    ("category", 6),
    ("assignee", 6),
    ("customer", 8),
    ("age", 4),
)
# Room beyond the widths goes to the customer, up to this.
CUSTOMER_MAX = 40


def fit_widths(available: int, next_width: int = 22) -> dict[str, int]:
    """Column widths (without the cells' padding) that fit `available` cells, the urgent columns intact."""
    widths = {key: width for key, _label, width in COLUMNS}
    widths["next"] = next_width
    excess = sum(widths.values()) - available
    if excess < 0:
        widths["customer"] = min(CUSTOMER_MAX, widths["customer"] - excess)
    for key, floor in GIVE_WAY:
        if excess <= 0:
            break
        cut = min(excess, max(0, widths[key] - floor))
        widths[key] -= cut
        excess -= cut
    return widths


TIER_BADGES = {Tier.VIP: ("VIP", "bold magenta"), Tier.CHRONIC: ("CHR", "bold yellow")}


def matches(case: Case, needle: str) -> bool:
    """Does the filter text appear in what the row shows (case-insensitive)?"""
    if not needle:
        return True
    haystack = " ".join(
        (
            f"#{case.id}",
            case.customer,
            case.category,
            case.stage.value,
            case.assignee,
            case.owner,
            case.site,
            case.product,
            case.tier.value,
        )
    ).casefold()
    return all(word in haystack for word in needle.casefold().split())


class OpenCasesTable(DataTable[object]):
    """Rows are keyed by case id, so the cursor stays on its case when rows move, appear or go."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        # The first and the last case (DataTable's own Home/End scroll sideways, which the fitted columns
        # never need).
        Binding("home", "scroll_top", "First", show=False),
        Binding("end", "scroll_bottom", "Last", show=False),
    ]

    def __init__(self, board: Board, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.board = board
        self.needle = ""
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
        return max([len("Next deadline"), *(len(kind) + 6 for kind in kinds)])

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
        customer.append(one_line(case.customer))
        deadline = self.board.next_deadline(case.id or 0)
        zone = self.board.settings.zone
        next_due = Text(f"{deadline.kind} {local_time(deadline.due_at, zone)}") if deadline else Text("—")
        return [
            Text(str(case.id), justify="right"),
            Text(age(now - case.opened_at)),
            customer,
            one_line(case.category),
            Text(case.stage.value),
            one_line(case.assignee),
            next_due,
        ]

    def rebuild(self, now: datetime, *, first_rows: int | None = None) -> None:
        """All rows again (start, filter change): O(open cases), never O(history).

        With `first_rows`, only that many (a screenful) are added now and the rest one frame later: adding
        and measuring 500 rows is a fifth of the dashboard's start, and the first screen shows a few dozen.
        """
        keep = self.highlighted_case_id
        self.clear()
        ordered = [
            case_id
            for case_id in sorted(self.board.cases, key=self.board.urgency_key)
            if matches(self.board.cases[case_id], self.needle)
        ]
        head = ordered if first_rows is None else ordered[:first_rows]
        for case_id in head:
            self.add_row(*self._cells(self.board.cases[case_id], now), key=str(case_id))
        if len(head) < len(ordered):
            self.call_after_refresh(self._add_later, ordered[len(head) :], now)
        self._restore(keep)
        self.fit_columns()

    def _add_later(self, case_ids: list[int], now: datetime) -> None:
        keep = self.highlighted_case_id
        for case_id in case_ids:
            case = self.board.cases.get(case_id)
            # The board may have moved on (a poll, a filter, another rebuild in between): skip what left
            # it, what the filter hides now, and what is already shown.
            if case is not None and str(case_id) not in self.rows and matches(case, self.needle):
                self.add_row(*self._cells(case, now), key=str(case_id))
        self.sort("id", key=lambda cell: self.board.urgency_key(int(str(cell))))
        self._restore(keep)

    def apply(self, shown: set[int], gone: set[int], now: datetime) -> None:
        """Only the rows that changed: update in place, add, remove; then re-sort and keep the cursor."""
        keep = self.highlighted_case_id
        for case_id in gone:
            with contextlib.suppress(RowDoesNotExist):
                self.remove_row(str(case_id))
        for case_id in shown:
            case = self.board.cases[case_id]
            key = str(case_id)
            visible = matches(case, self.needle)
            if key in self.rows:
                if not visible:
                    self.remove_row(key)
                    continue
                for (column_key, _label, _width), value in zip(COLUMNS, self._cells(case, now), strict=True):
                    self.update_cell(key, column_key, value)
            elif visible:
                self.add_row(*self._cells(case, now), key=key)
        if shown or gone:
            self.sort("id", key=lambda cell: self.board.urgency_key(int(str(cell))))
            self.fit_columns()  # a new kind of next deadline may need a wider Next column
        self._restore(keep)

    def refresh_ages(self, now: datetime) -> None:
        """Once a minute: the age column of the rows shown."""
        for key in list(self.rows):
            case = self.board.cases.get(int(str(key.value)))
            if case is not None:
                self.update_cell(key, "age", Text(age(now - case.opened_at)))

    def _restore(self, case_id: int | None) -> None:
        if case_id is None or not self.row_count:
            return
        try:
            index = self.get_row_index(str(case_id))
        except RowDoesNotExist:
            return  # its case left the board: the cursor stays at the same height
        self.move_cursor(row=index, animate=False)
