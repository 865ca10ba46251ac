"""The open-breakdowns table's columns: their widths as the pane narrows, and what the filter matches."""

from __future__ import annotations

from core.cases import Case

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
