"""What a hotspot's depositions say (root causes and factors over-represented in its cases), and its JSON."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from core.hotspots import Hotspot

# A cause is reported when it is at least this much more common in the hotspot's cases than in the rest, at
# least MIN_COUNT of them name it, and chance would put that many there less than once in a hundred hotspots
# — after the correction for testing every cause and factor the hotspot's depositions name (Benjamini–
# Hochberg): with a dozen tested, one of them would otherwise pass by chance in one hotspot of ten.
MIN_LIFT = 1.5
MIN_COUNT = 3
MAX_P = 0.01

_SPACES = re.compile(r"\s+")
_EDGES = " \t.,;:!?-–—'\"()[]"


@dataclass(frozen=True, slots=True)
class CauseCount:
    """One root cause (or factor) of a hotspot: how many of its documented cases name it."""

    text: str
    count: int
    of: int
    kind: str = "root cause"  # or "factor"

    @property
    def words(self) -> str:
        return f"{self.text}: {self.count} of {self.of}"


def cause_key(text: str) -> str:
    """A root cause as free text grouped: its first non-empty line, case and spacing normalised, without the
    punctuation around it ("Freight  elevator." and "freight elevator" are one cause)."""
    for line in text.splitlines():
        key = _SPACES.sub(" ", line).strip(_EDGES).casefold()
        if key:
            return key
    return ""


def _display(spellings: Counter[str], key: str) -> str:
    """The spelling most depositions used (ties: the first in sort order, so the output is stable)."""
    if not spellings:
        return key
    best = max(spellings.values())
    return min(text for text, count in spellings.items() if count == best)


def over_represented(
    cell: Sequence[tuple[str, Sequence[str]]],
    totals: Iterable[tuple[str, Sequence[str], int]],
    *,
    top: int = 3,
) -> list[CauseCount]:
    """The root causes, then the factors, that the hotspot's depositions name more often than the rest's.

    `cell` is (root cause, factors) of each of the hotspot's documented cases; `totals` the same for every
    documented case of the window, grouped: (root cause, factors, how many). Fisher's exact test (one-sided)
    of each cause's count in the hotspot against its count in the window, given the hotspot's size.
    """
    from scipy.stats import hypergeom

    size = len(cell)
    if size == 0:
        return []
    window_causes: Counter[str] = Counter()
    window_factors: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    total = 0
    for text, factors, count in totals:
        key = cause_key(text)
        total += count
        if key:
            window_causes[key] += count
        for factor in set(factors):
            window_factors[factor] += count
    cell_causes: Counter[str] = Counter()
    cell_factors: Counter[str] = Counter()
    for text, factors in cell:
        key = cause_key(text)
        if key:
            cell_causes[key] += 1
            first_line = next((line for line in text.splitlines() if line.strip()), text)
            spellings.setdefault(key, Counter())[_SPACES.sub(" ", first_line).strip(_EDGES)] += 1
        for factor in set(factors):
            cell_factors[factor] += 1
    total = max(total, size)
    # Every cause and factor named often enough to be tested at all: what the correction counts.
    tested: list[tuple[str, str, int, int]] = []  # (kind, key, count in the hotspot, count in the window)
    for kind, in_cell, in_window in (
        ("root cause", cell_causes, window_causes),
        ("factor", cell_factors, window_factors),
    ):
        tested.extend(
            (kind, key, count, max(in_window.get(key, 0), count))
            for key, count in in_cell.items()
            if count >= MIN_COUNT
        )
    adjusted = _fdr_adjusted(
        [float(hypergeom.sf(count - 1, total, everywhere, size)) for _, _, count, everywhere in tested]
    )
    chosen: dict[str, list[CauseCount]] = {"root cause": [], "factor": []}
    for (kind, key, count, everywhere), p_adjusted in zip(tested, adjusted, strict=True):
        if p_adjusted > MAX_P or count < MIN_LIFT * everywhere * size / total:
            continue
        text = _display(spellings.get(key, Counter()), key) if kind == "root cause" else key
        chosen[kind].append(CauseCount(text, count, size, kind))
    found: list[CauseCount] = []
    for causes in chosen.values():  # the root causes, then the factors
        causes.sort(key=lambda cause: (-cause.count, cause.text))
        found.extend(causes[:top])
    return found


def _fdr_adjusted(p_values: list[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (scipy's), in the same order."""
    if not p_values:
        return []
    from scipy.stats import false_discovery_control

    return [float(p) for p in false_discovery_control(p_values, method="bh")]


def causes_words(causes: Sequence[CauseCount]) -> str:
    """'freight elevator: 31 of 40; factor facility: 35 of 40' (empty when nothing stands out)."""
    return "; ".join(
        cause.words if cause.kind == "root cause" else f"factor {cause.words}" for cause in causes
    )


def hotspot_json(hotspot: Hotspot, causes: Sequence[CauseCount] = ()) -> dict[str, Any]:
    """`trends --json`'s object for one hotspot: its finding, what changed, and its depositions' causes."""
    document = hotspot.to_json()
    document["recent"] = hotspot.recent
    document["recent_expected"] = round(hotspot.recent_expected, 3)
    document["new_this_week"] = hotspot.new_this_week
    document["root_causes"] = [
        {"text": cause.text, "count": cause.count} for cause in causes if cause.kind == "root cause"
    ]
    document["factors"] = [
        {"text": cause.text, "count": cause.count} for cause in causes if cause.kind == "factor"
    ]
    # Trend facts are written with the deposition, so every case of a hotspot is documented.
    document["documented"] = causes[0].of if causes else hotspot.count
    return document


def hotspot_lines(hotspot: Hotspot, causes: Sequence[CauseCount] = ()) -> list[str]:
    """What `trends` prints and the trends screen shows for one hotspot: its sentence, "new this week" when it
    is, and an indented line of its depositions' causes when any stand out."""
    first = f"{hotspot.sentence} (new this week)" if hotspot.new_this_week else hotspot.sentence
    said = causes_words(causes)
    return [first, f"    depositions: {said}"] if said else [first]
