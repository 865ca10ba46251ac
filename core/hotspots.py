"""Hotspot detection: combinations of up to three dimensions whose breakdowns stand out against the roster.

The maths works on compact integer facts (one int64 per documented case, see `pack_fact`) and counts with
numpy, so a scan over a million cases is a hundred bincounts, not a hundred queries.

Two baselines, because a real roster is structured:

* who/where x when (staff, site or region against weekday, hour, window): the *roster* baseline. Units (a
  person at a site) are fitted as person rate x slot busyness over the slots each unit works
  (quasi-independence). A cell must stand out twice: against everyone else in that slot (weighted by their
  rates), and against the group's own other slots. A person working twice the hours expects twice the count;
  a site staffed only in the morning expects nothing at night; the cell never enters its own baseline.
* anything with a "what" (product, category, channel): the share of the "what" inside the cell's context
  against its share everywhere else (hypergeometric given the margins, i.e. Fisher's exact test, so a small
  "elsewhere" counts as the estimate it is), and against the ordinary spread of such shares. A subset of
  values ("two regions of four") is picked after looking, so its chance comparison is Bonferroni-corrected
  over all subsets of its size.

Pure who/where or when-only combinations (staff x site, weekday x hour) are the roster itself and not tested.
P-values are corrected with Benjamini-Hochberg across every cell whose margins let it reach the minimum
support (not only the cells that did: the data must not choose how many tests were made); findings that
differ in one value are merged into a subset (two regions, 08:30-09:30), and variants covering the same cases
collapse into the most significant one, said in the fewest values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from itertools import combinations
from math import comb
from typing import Any

import numpy as np
import numpy.typing as npt

from core.cases import Channel

Int64Array = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_PLURALS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


def window_label(first: int, last: int | None = None) -> str:
    """'HH:MM-HH:MM' covering 30-minute windows first..last (inclusive)."""
    last = first if last is None else last
    start = first * 30
    end = (last + 1) * 30
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60 % 24:02d}:{end % 60:02d}"


class Role(Enum):
    """What a dimension says about a breakdown: it decides the baseline a cell is tested against."""

    WHEN = "when"  # against the roster: who/where x when cells
    WHO_WHERE = "who/where"
    WHAT = "what"  # against its share elsewhere: any combination with a what


class Coding(Enum):
    """Where a dimension's code comes from when a documented case's fact is written."""

    LOCAL_TIME = "local time"  # the opening's local weekday or 30-minute window (storage/trend_facts.py)
    LABEL = "label"  # the case field's text, numbered in the order first seen (the dimension_codes table)
    CHOICE = "choice"  # the case field's enum member, numbered in the enum's order
    DERIVED = "derived"  # not packed: computed from another dimension when the facts are unpacked


Words = tuple[Any, str]  # (the JSON value, the words of the sentence)


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _weekday_words(values: tuple[int, ...], labels: Mapping[int, str]) -> Words:
    names = [WEEKDAYS[code] for code in values]
    return names[0] if len(names) == 1 else names, _joined([WEEKDAY_PLURALS[code] for code in values])


def _window_words(values: tuple[int, ...], labels: Mapping[int, str]) -> Words:
    label = window_label(values[0], values[-1])
    return label, label.replace("-", "–")


def _hour_words(values: tuple[int, ...], labels: Mapping[int, str]) -> Words:
    value = values[0] if len(values) == 1 else list(values)
    return value, f"{values[0]:02d}:00–{(values[-1] + 1) % 24:02d}:00"


def _label_words(values: tuple[int, ...], labels: Mapping[int, str]) -> Words:
    words = [str(labels.get(code, f"#{code}")) for code in values]
    return words[0] if len(words) == 1 else words, _joined(words)


def _hour_of_window(window: Int64Array) -> Int64Array:
    return window // 2


@dataclass(frozen=True, slots=True)
class Dimension:
    """One dimension a hotspot can be found in, with everything the scan, the packing and the wording need."""

    name: str
    role: Role
    # Width in the packed fact (0 for a derived dimension). Generous for a call centre: 4096 staff, 256 sites.
    bits: int
    coding: Coding
    # Its values in the sentence: `phrase` formats the words `words` gives (its labels, or the time it means).
    phrase: str
    words: Callable[[tuple[int, ...], Mapping[int, str]], Words] = _label_words
    # The enum whose order numbers a CHOICE dimension.
    choices: type[StrEnum] | None = None
    # The packed dimension a DERIVED one is computed from, and how.
    derived_from: str | None = None
    derive: Callable[[Int64Array], Int64Array] | None = None
    # Values in order: findings in adjacent values merge into a run (08:30-09:30), never across a gap.
    ordered: bool = False
    # No order: a finding may hold for a few values together (two regions of four), tested as one subset.
    subsets: bool = False
    # Dimensions one value of this one pins down (a window lies in one hour, a site in one region): pairing
    # them would say one thing twice.
    pins_down: tuple[str, ...] = ()
    # Charted in the trends screen's "top" lists.
    trend_top: bool = False


# Every dimension, in the order findings name them (each role's words in this order in the sentence). The
# packed ones are packed in this order too, lowest bits first.
DIMENSION_TABLE: tuple[Dimension, ...] = (
    Dimension("weekday", Role.WHEN, 3, Coding.LOCAL_TIME, "{}", _weekday_words, subsets=True),
    Dimension(
        "hour",
        Role.WHEN,
        0,
        Coding.DERIVED,
        "{}",
        _hour_words,
        derived_from="window",
        derive=_hour_of_window,
        ordered=True,
    ),
    Dimension(
        "window", Role.WHEN, 6, Coding.LOCAL_TIME, "{}", _window_words, ordered=True, pins_down=("hour",)
    ),
    Dimension(
        "staff", Role.WHO_WHERE, 12, Coding.LABEL, "with {}", pins_down=("site", "region"), trend_top=True
    ),
    Dimension(
        "site", Role.WHO_WHERE, 8, Coding.LABEL, "at {}", subsets=True, pins_down=("region",), trend_top=True
    ),
    Dimension("region", Role.WHO_WHERE, 6, Coding.LABEL, "in {}", subsets=True),
    Dimension("product", Role.WHAT, 10, Coding.LABEL, "{}", trend_top=True),
    Dimension("category", Role.WHAT, 8, Coding.LABEL, "'{}'", subsets=True, trend_top=True),
    Dimension("channel", Role.WHAT, 3, Coding.CHOICE, "by {}", choices=Channel, subsets=True),
)
BY_DIMENSION = {dimension.name: dimension for dimension in DIMENSION_TABLE}

# The table's projections the scan reads (each in table order).
DIMENSIONS = tuple(dimension.name for dimension in DIMENSION_TABLE)
# The packed dimensions, lowest bits first, and each one's width (the trend fact's layout).
PACKED = tuple(dimension for dimension in DIMENSION_TABLE if dimension.coding is not Coding.DERIVED)
FIELDS: tuple[tuple[str, int], ...] = tuple((dimension.name, dimension.bits) for dimension in PACKED)
WHO_WHERE = tuple(dimension.name for dimension in DIMENSION_TABLE if dimension.role is Role.WHO_WHERE)
WHEN = tuple(dimension.name for dimension in DIMENSION_TABLE if dimension.role is Role.WHEN)
WHAT = tuple(dimension.name for dimension in DIMENSION_TABLE if dimension.role is Role.WHAT)
ORDERED_DIMENSIONS = tuple(dimension.name for dimension in DIMENSION_TABLE if dimension.ordered)
SUBSET_DIMENSIONS = tuple(dimension.name for dimension in DIMENSION_TABLE if dimension.subsets)
REDUNDANT_PAIRS = frozenset(
    frozenset((dimension.name, other)) for dimension in DIMENSION_TABLE for other in dimension.pins_down
)
# The sentence says what, then when, then who or where: "Sofa 'late delivery' Wednesdays … with Billy".
SENTENCE_ORDER = (Role.WHAT, Role.WHEN, Role.WHO_WHERE)

_OFFSETS: dict[str, int] = {}
_offset = 0
for _name, _bits in FIELDS:
    _OFFSETS[_name] = _offset
    _offset += _bits


def pack_fact(*codes: int) -> int:
    """One documented case as one integer: its codes in FIELDS order (each must fit its field's width)."""
    if len(codes) != len(FIELDS):
        raise TypeError(f"pack_fact takes {len(FIELDS)} codes ({', '.join(name for name, _ in FIELDS)})")
    packed = 0
    for (name, bits), value in zip(FIELDS, codes, strict=True):
        if not 0 <= value < (1 << bits):
            raise ValueError(f"{name} code {value} does not fit in {bits} bits")
        packed |= value << _OFFSETS[name]
    return packed


def unpack_facts(packed: Int64Array) -> dict[str, Int64Array]:
    """Column arrays of every dimension (the derived ones, like the hour, from the packed ones)."""
    columns = {
        name: ((packed >> _OFFSETS[name]) & ((1 << bits) - 1)).astype(np.int64) for name, bits in FIELDS
    }
    for dimension in DIMENSION_TABLE:
        if dimension.derive is not None and dimension.derived_from is not None:
            columns[dimension.name] = dimension.derive(columns[dimension.derived_from])
    return columns


def pack_columns(columns: Mapping[str, Int64Array]) -> Int64Array:
    """The vector form of `pack_fact` (used by generators and bulk writers)."""
    packed = np.zeros(len(columns[FIELDS[0][0]]), dtype=np.int64)
    for name, _bits in FIELDS:
        packed |= np.asarray(columns[name], dtype=np.int64) << _OFFSETS[name]
    return packed


@dataclass(frozen=True)
class Hotspot:
    """One finding: a cell (or a merged subset of cells) with more breakdowns than the rest predicts."""

    dimensions: dict[str, Any]
    count: int
    expected: float
    p_value: float
    sentence: str
    case_ids: list[int] = field(default_factory=list)

    @property
    def lift(self) -> float:
        return self.count / self.expected if self.expected > 0 else float("inf")

    def to_json(self) -> dict[str, Any]:
        return {
            "dimensions": dict(self.dimensions),
            "count": self.count,
            "expected": round(self.expected, 3),
            "lift": round(self.lift, 3),
            "p_value": float(f"{self.p_value:.4g}"),
            "sentence": self.sentence,
            "case_ids": list(self.case_ids),
        }


@dataclass
class _Cell:
    """A candidate before merging: per dimension the set of codes it covers."""

    dims: tuple[str, ...]
    codes: dict[str, tuple[int, ...]]
    count: int
    expected: float
    p_value: float
    rows: Int64Array | None = None

    @property
    def lift(self) -> float:
        return self.count / self.expected if self.expected > 0 else float("inf")


def _stats() -> Any:
    """scipy.stats, imported when a scan runs: importing it costs more than scanning a small history."""
    from scipy import stats

    return stats


def _combinations() -> tuple[list[tuple[str, str]], list[tuple[str, ...]]]:
    """(who/where x when pairs, combinations with a 'what'), without redundant pairs."""
    roster: list[tuple[str, str]] = []
    for who in WHO_WHERE:
        for when_size in (1, 2):
            for when in combinations(WHEN, when_size):
                if frozenset(when) in REDUNDANT_PAIRS:
                    continue
                roster.append((who, ",".join(when)))
    what: list[tuple[str, ...]] = []
    for size in (2, 3):
        for combo in combinations(DIMENSIONS, size):
            if not any(name in WHAT for name in combo):
                continue
            if any(frozenset(pair) in REDUNDANT_PAIRS for pair in combinations(combo, 2)):
                continue
            what.append(combo)
    return roster, what


ROSTER_COMBINATIONS, WHAT_COMBINATIONS = _combinations()


def _sizes(columns: Mapping[str, Int64Array]) -> dict[str, int]:
    return {name: int(column.max()) + 1 if len(column) else 1 for name, column in columns.items()}


class _Codes:
    """Combined codes of dimension tuples, computed once per scan (many combinations share a context)."""

    def __init__(self, columns: Mapping[str, Int64Array], sizes: Mapping[str, int]) -> None:
        self.columns = columns
        self.sizes = sizes
        self.cache: dict[tuple[str, ...], Int64Array] = {}

    def __call__(self, names: Sequence[str]) -> Int64Array:
        key = tuple(names)
        if key not in self.cache:
            if len(key) == 1:
                self.cache[key] = self.columns[key[0]]
            else:
                self.cache[key] = self(key[:-1]) * self.sizes[key[-1]] + self.columns[key[-1]]
        return self.cache[key]


def _median_of_positive(table: npt.NDArray[Any]) -> FloatArray:
    """Each row's median over its positive entries (1 for a row without any), as a column."""
    ordered = np.sort(table, axis=1)  # zeros first, the positive entries at the end
    width = table.shape[1]
    positive = np.count_nonzero(table > 0, axis=1)
    rows = np.arange(table.shape[0])
    low = ordered[rows, np.clip(width - positive + (positive - 1) // 2, 0, width - 1)]
    high = ordered[rows, np.clip(width - positive + positive // 2, 0, width - 1)]
    return np.where(positive > 0, (low + high) / 2, 1.0)[:, None]


def _grouping(group_of_unit: Int64Array) -> tuple[Int64Array, Any]:
    """The distinct groups, and a function summing a units x slots table into groups x slots."""
    groups, group_index = np.unique(group_of_unit, return_inverse=True)
    order = np.argsort(group_index, kind="stable")
    starts = np.searchsorted(group_index[order], np.arange(len(groups)))

    def group_sum(table: FloatArray) -> FloatArray:
        return np.add.reduceat(table[order], starts, axis=0)

    return groups, group_sum


def _roster_cells(codes_of: _Codes, min_support: int, min_lift: float, fdr: float) -> tuple[list[_Cell], int]:
    """Cells of who/where x when, against each unit's own other slots and everyone else's slot rate."""
    sizes = codes_of.sizes
    units, unit_of_row = np.unique(codes_of(WHO_WHERE), return_inverse=True)
    unit_count = len(units)
    # Each unit's own code in every who/where dimension, taken back out of the combined code (last one first).
    group_of_unit: dict[str, Int64Array] = {}
    unit_rest = units
    for name in reversed(WHO_WHERE):
        group_of_unit[name] = unit_rest % sizes[name]
        unit_rest = unit_rest // sizes[name]
    grouping = {who: _grouping(group_of_unit[who]) for who in WHO_WHERE}
    cells: list[_Cell] = []
    tested = 0
    for who, when_key in ROSTER_COMBINATIONS:
        when = tuple(when_key.split(","))
        slot = codes_of(when)
        slot_count = int(np.prod([sizes[name] for name in when]))
        table = np.bincount(unit_of_row * slot_count + slot, minlength=unit_count * slot_count)
        table = table.reshape(unit_count, slot_count).astype(np.float64)
        # On duty where a unit has a real share of its usual work; a stray case or two (a late finish, a
        # colleague's case logged under one's name) must not make a slot look staffed.
        usual = _median_of_positive(table)
        on_duty = table >= np.maximum(1.0, 0.25 * usual)
        table = np.where(on_duty, table, 0.0)
        duty = on_duty.astype(np.float64)
        # Fit rate(unit, slot) = person x busyness over the slots each unit works (quasi-independence, IPF).
        busyness = np.ones(slot_count)
        unit_total = table.sum(axis=1)
        slot_total = table.sum(axis=0)
        for _ in range(12):
            person = unit_total / np.maximum(duty @ busyness, 1e-12)
            busyness = slot_total / np.maximum(person @ duty, 1e-12)
        with np.errstate(divide="ignore", invalid="ignore"):
            # Each unit's rate from its *other* slots, so a spike does not raise its own baseline.
            mass_other = (duty @ busyness)[:, None] - busyness[None, :]
            person_other = np.where(on_duty, (unit_total[:, None] - table) / mass_other, 0.0)
        person_other = np.where(np.isfinite(person_other) & (mass_other > 0), person_other, np.nan)
        groups, group_sum = grouping[who]
        observed = group_sum(table)  # groups x slots
        unjudgeable = on_duty & np.isnan(person_other)
        exposure_unit = np.where(on_duty & ~unjudgeable, person_other, 0.0)
        group_exposure = group_sum(exposure_unit)
        others_exposure = exposure_unit.sum(axis=0)[None, :] - group_exposure
        others_count = slot_total[None, :] - observed
        blocked = group_sum(unjudgeable.astype(np.float64)) > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = others_count * group_exposure / others_exposure
            share = group_exposure / (group_exposure + others_exposure)
            # Against the group's own slots: how busy each slot is comes from the others only, so a spike
            # does not make its own slot look busy.
            others_busyness = np.where(others_exposure > 0, others_count / others_exposure, np.nan)
            own_weight = group_sum(duty * person[:, None]) * others_busyness
            judged = np.isfinite(own_weight)
            own_weight = np.where(judged, own_weight, 0.0)
            own_share = own_weight / own_weight.sum(axis=1, keepdims=True)
            own_total = np.where(judged, observed, 0.0).sum(axis=1, keepdims=True)
        testable = (observed >= min_support) & (others_exposure > 0) & (expected > 0) & ~blocked
        possible = (
            (observed.sum(axis=1, keepdims=True) >= min_support)
            & (slot_total[None, :] >= min_support)
            & (group_exposure > 0)
            & (others_exposure > 0)
        )
        tested += int(np.count_nonzero(possible))
        group_positions, slot_codes = np.nonzero(testable & (observed >= min_lift * expected))
        count = observed[group_positions, slot_codes]
        # Both comparisons must hold: against the others in this slot (conditional on the slot's total), and
        # against the group's own other slots (conditional on the group's total).
        p_values = np.maximum(
            _stats().binom.sf(count - 1, slot_total[slot_codes], share[group_positions, slot_codes]),
            _stats().binom.sf(
                count - 1, own_total[group_positions, 0], own_share[group_positions, slot_codes]
            ),
        )
        predicted = expected[group_positions, slot_codes]
        promising = p_values <= fdr
        for group_position, slot_code, observed_count, expected_count, p_value in zip(
            group_positions[promising],
            slot_codes[promising],
            count[promising],
            predicted[promising],
            p_values[promising],
            strict=True,
        ):
            codes: dict[str, tuple[int, ...]] = {who: (int(groups[group_position]),)}
            remainder = int(slot_code)
            for name in reversed(when):
                codes[name] = (remainder % sizes[name],)
                remainder //= sizes[name]
            cells.append(
                _Cell(
                    dims=tuple(name for name in DIMENSIONS if name in codes),
                    codes=codes,
                    count=int(observed_count),
                    expected=float(expected_count),
                    p_value=float(p_value),
                )
            )
    return cells, tested


def _what_cells(codes_of: _Codes, min_support: int, min_lift: float, fdr: float) -> tuple[list[_Cell], int]:
    """Cells with a product/category/channel: its share inside the cell's context against its share elsewhere.

    The count inside a context is hypergeometric given the margins (the context's size, the what's total): the
    cell against everywhere else, both shares estimated. Shares legitimately differ somewhat (products sell
    differently by region), so the spread of all cells of the combination beyond chance is measured (a
    random-effects variance on the log scale) and a finding must stand out against that spread too.
    """
    cells: list[_Cell] = []
    tested = 0
    sizes = codes_of.sizes
    total = len(codes_of.columns[DIMENSIONS[0]])
    for combo in WHAT_COMBINATIONS:
        what = tuple(name for name in combo if name in WHAT)
        context = tuple(name for name in combo if name not in WHAT)
        if not context:
            what, context = what[:1], what[1:]
        what_size = int(np.prod([sizes[name] for name in what]))
        context_size = int(np.prod([sizes[name] for name in context]))
        what_code = codes_of(what)
        context_code = codes_of(context)
        what_total = np.bincount(what_code, minlength=what_size)
        context_total = np.bincount(context_code, minlength=context_size)
        if what_size * context_size <= 8_000_000:
            flat = np.bincount(what_code * context_size + context_code, minlength=what_size * context_size)
            keys = np.nonzero(flat)[0]
            count = flat[keys]
        else:  # sparse: only the cells that occur
            keys, count = np.unique(what_code * context_size + context_code, return_counts=True)
        what_value, context_value = keys // context_size, keys % context_size
        in_context = context_total[context_value]
        with np.errstate(divide="ignore", invalid="ignore"):
            share_elsewhere = (what_total[what_value] - count) / (total - in_context)
            expected = in_context * share_elsewhere
            log_ratio = np.log(count / expected)
        usable = np.isfinite(log_ratio) & (expected >= 5)
        spread = 0.0
        if usable.sum() >= 8:
            deviation = log_ratio[usable]
            mad = 1.4826 * float(np.median(np.abs(deviation - np.median(deviation))))
            spread = max(0.0, mad * mad - float(np.median(1.0 / expected[usable])))
        candidate = (count >= min_support) & (expected > 0) & (share_elsewhere < 1) & np.isfinite(expected)
        # Every cell whose margins let it reach the minimum support is a hypothesis, whatever its own count:
        # counting only the cells that did reach it would let the data choose how many tests were made.
        tested += int(np.count_nonzero(what_total >= min_support)) * int(
            np.count_nonzero(context_total >= min_support)
        )
        index = np.nonzero(candidate & (count >= min_lift * expected))[0]
        # Conditional on the margins (the what's total, the context's size) the count is hypergeometric: the
        # share elsewhere is itself estimated, which matters when "elsewhere" is small (a big context).
        p_values = _stats().hypergeom.sf(
            count[index] - 1, total, what_total[what_value[index]], in_context[index]
        )
        if spread > 0:
            z = log_ratio[index] / np.sqrt(1.0 / expected[index] + spread)
            p_values = np.maximum(p_values, _stats().norm.sf(z))
        if len(what) == 1 and len(context) == 1 and context[0] in SUBSET_DIMENSIONS:
            subset_cells = _subset_cells(
                what[0], context[0], what_value, context_value, count, context_total, what_total, spread
            )
            cells.extend(cell for cell in subset_cells if cell.count >= min_support)
            tested += len(subset_cells)
        promising = p_values <= fdr
        for position, p_value in zip(index[promising], p_values[promising], strict=True):
            codes: dict[str, tuple[int, ...]] = {}
            for names, value in ((what, int(what_value[position])), (context, int(context_value[position]))):
                for name in reversed(names):
                    codes[name] = (value % sizes[name],)
                    value //= sizes[name]
            cells.append(
                _Cell(
                    dims=tuple(name for name in DIMENSIONS if name in codes),
                    codes=codes,
                    count=int(count[position]),
                    expected=float(expected[position]),
                    p_value=float(p_value),
                )
            )
    return cells, tested


def _subset_cells(
    what: str,
    context: str,
    what_value: Int64Array,
    context_value: Int64Array,
    count: Int64Array,
    context_total: Int64Array,
    what_total: Int64Array,
    spread: float,
) -> list[_Cell]:
    """A 'what' concentrated in a few values of one dimension (two regions of four), the rest left out.

    Testing each region alone would put the other affected regions into the baseline; here the best few values
    are tested together against everything outside them.
    """
    cells: list[_Cell] = []
    total = int(context_total.sum())
    present = int(np.count_nonzero(context_total))
    for value in np.unique(what_value):
        in_row = what_value == value
        contexts = context_value[in_row]
        if len(contexts) < 3:
            continue
        row_count = count[in_row]
        sizes = context_total[contexts]
        share_all = what_total[value] / total
        order = np.argsort(-(row_count + 0.5) / (sizes * share_all + 0.5))
        for size in range(2, min(4, len(contexts) - 1) + 1):
            chosen = order[:size]
            subset_count = int(row_count[chosen].sum())
            subset_size = int(sizes[chosen].sum())
            if total == subset_size:
                continue
            share_elsewhere = (int(what_total[value]) - subset_count) / (total - subset_size)
            expected = subset_size * share_elsewhere
            if not 0 < share_elsewhere < 1 or subset_count == 0:
                continue
            # The complement can be small (one channel of five), so its share is an estimate too: given the
            # margins the subset's count is hypergeometric (Fisher's exact test, the subset against the rest).
            # The subset was picked after looking (the best `size` of the values present): Bonferroni over
            # every subset of that size keeps the chance comparison valid.
            p_value = float(
                _stats().hypergeom.sf(subset_count - 1, total, int(what_total[value]), subset_size)
            )
            p_value = min(1.0, p_value * comb(present, size))
            if spread > 0:
                z = np.log(subset_count / expected) / np.sqrt(1.0 / expected + spread)
                p_value = max(p_value, float(_stats().norm.sf(z)))
            codes = {what: (int(value),), context: tuple(sorted(int(code) for code in contexts[chosen]))}
            cells.append(
                _Cell(
                    dims=tuple(name for name in DIMENSIONS if name in codes),
                    codes=codes,
                    count=subset_count,
                    expected=float(expected),
                    p_value=p_value,
                )
            )
    return cells


def _p_values(count: Sequence[int] | Int64Array, expected: Sequence[float] | FloatArray) -> FloatArray:
    """P(X >= count) for X ~ Poisson(expected)."""
    return np.asarray(_stats().poisson.sf(np.asarray(count) - 1, np.asarray(expected)), dtype=np.float64)


def _benjamini_hochberg(p_values: FloatArray, tests: int, fdr: float) -> npt.NDArray[np.bool_]:
    """Which of these p-values are discoveries when `tests` hypotheses were tried in all."""
    order = np.argsort(p_values)
    ranked = p_values[order]
    thresholds = fdr * np.arange(1, len(ranked) + 1) / max(tests, 1)
    passing = np.nonzero(ranked <= thresholds)[0]
    accepted = np.zeros(len(p_values), dtype=bool)
    if len(passing):
        accepted[order[: passing[-1] + 1]] = True
    return accepted


def _rows_of(cell: _Cell, columns: Mapping[str, Int64Array]) -> Int64Array:
    if cell.rows is None:
        mask = np.ones(len(columns[DIMENSIONS[0]]), dtype=bool)
        for name, codes in cell.codes.items():
            if len(codes) == 1:
                mask &= columns[name] == codes[0]
            else:
                wanted = np.zeros(int(columns[name].max()) + 1, dtype=bool)
                wanted[list(codes)] = True
                mask &= wanted[columns[name]]
        cell.rows = np.nonzero(mask)[0].astype(np.int64)
    return cell.rows


def _shared(rows: Int64Array, other_mask: npt.NDArray[np.bool_]) -> int:
    return int(np.count_nonzero(other_mask[rows]))


def _plainness(cell: _Cell) -> int:
    """How many values it takes to say where the finding is (fewer reads better)."""
    return sum(len(codes) for codes in cell.codes.values())


def _merge_subsets(cells: list[_Cell]) -> list[_Cell]:
    """Join findings that differ only in one value (adjacent windows or hours, several regions)."""
    merged: list[_Cell] = []
    used: set[int] = set()
    for dimension in DIMENSIONS:
        groups: dict[tuple[Any, ...], list[int]] = {}
        for index, cell in enumerate(cells):
            if index in used or dimension not in cell.codes:
                continue
            if any(len(codes) > 1 for codes in cell.codes.values()):
                continue  # already a subset of its own
            rest = tuple((name, cell.codes[name]) for name in cell.dims if name != dimension)
            groups.setdefault((cell.dims, rest), []).append(index)
        for members in groups.values():
            if len(members) < 2:
                continue
            members.sort(key=lambda index: cells[index].codes[dimension][0])
            runs: list[list[int]] = [[members[0]]]
            for index in members[1:]:
                previous = cells[runs[-1][-1]].codes[dimension][0]
                adjacent = cells[index].codes[dimension][0] == previous + 1
                if dimension in ORDERED_DIMENSIONS and not adjacent:
                    runs.append([index])
                else:
                    runs[-1].append(index)
            for run in runs:
                if len(run) < 2:
                    continue
                first = cells[run[0]]
                codes = dict(first.codes)
                codes[dimension] = tuple(cells[index].codes[dimension][0] for index in run)
                count = sum(cells[index].count for index in run)
                expected = sum(cells[index].expected for index in run)
                merged.append(
                    _Cell(first.dims, codes, count, expected, float(_p_values([count], [expected])[0]))
                )
                used.update(run)
    return merged + [cell for index, cell in enumerate(cells) if index not in used]


def _describe(
    codes: Mapping[str, tuple[int, ...]], labels: Mapping[str, Mapping[int, str]]
) -> tuple[dict[str, Any], str]:
    """The JSON dimensions and the phrase a supervisor reads, e.g. 'Wednesdays 15:00-16:00 with Billy'."""
    dimensions: dict[str, Any] = {}
    parts: dict[Role, list[str]] = {role: [] for role in SENTENCE_ORDER}
    for dimension in DIMENSION_TABLE:
        if dimension.name not in codes:
            continue
        value, words = dimension.words(codes[dimension.name], labels.get(dimension.name, {}))
        dimensions[dimension.name] = value
        parts[dimension.role].append(dimension.phrase.format(words))
    phrase = " ".join(part for role in SENTENCE_ORDER for part in parts[role])
    return dimensions, phrase[:1].upper() + phrase[1:]


def find_hotspots(
    case_ids: Int64Array,
    packed: Int64Array,
    labels: Mapping[str, Mapping[int, str]],
    *,
    min_support: int = 8,
    min_lift: float = 1.5,
    fdr: float = 0.05,
    limit: int = 20,
) -> list[Hotspot]:
    """The hotspots among these documented cases, best first (see the module docstring for the method)."""
    if len(packed) < min_support:
        return []
    columns = unpack_facts(np.asarray(packed, dtype=np.int64))
    sizes = _sizes(columns)
    codes_of = _Codes(columns, sizes)
    roster_cells, roster_tests = _roster_cells(codes_of, min_support, min_lift, fdr)
    what_cells, what_tests = _what_cells(codes_of, min_support, min_lift, fdr)
    cells = [cell for cell in roster_cells + what_cells if cell.lift >= min_lift]
    if not cells:
        return []
    p_values = np.array([cell.p_value for cell in cells], dtype=np.float64)
    accepted = _benjamini_hochberg(p_values, roster_tests + what_tests, fdr)
    found = []
    for cell, p_value, keep in zip(cells, p_values, accepted, strict=True):
        if keep:
            cell.p_value = float(p_value)
            found.append(cell)
    found = _merge_subsets(found)
    found.sort(key=lambda cell: (cell.p_value, -cell.lift, len(cell.dims)))
    kept: list[_Cell] = []
    kept_masks: list[npt.NDArray[np.bool_]] = []
    for cell in found:
        rows = _rows_of(cell, columns)
        variant_of = None
        for position, other in enumerate(kept):
            assert other.rows is not None
            if _shared(rows, kept_masks[position]) * 2 >= min(len(rows), len(other.rows)):
                variant_of = position
                break
        if variant_of is None:
            kept.append(cell)
            mask = np.zeros(len(packed), dtype=bool)
            mask[rows] = True
            kept_masks.append(mask)
            if len(kept) >= limit:
                break
            continue
        other = kept[variant_of]
        assert other.rows is not None
        same_cases = _shared(rows, kept_masks[variant_of]) >= 0.95 * max(len(rows), len(other.rows))
        if same_cases and _plainness(cell) < _plainness(other):
            kept[variant_of] = cell  # the same cases said more simply (two regions rather than three sites)
            kept_masks[variant_of][:] = False
            kept_masks[variant_of][rows] = True
    ids = np.asarray(case_ids, dtype=np.int64)
    hotspots = []
    for cell in kept:
        dimensions, phrase = _describe(cell.codes, labels)
        sentence = f"{phrase}: {cell.count} breakdowns, {cell.lift:.1f}× what the rest predicts"
        rows = cell.rows if cell.rows is not None else _rows_of(cell, columns)
        hotspots.append(
            Hotspot(
                dimensions=dimensions,
                count=cell.count,
                expected=cell.expected,
                p_value=cell.p_value,
                sentence=sentence,
                case_ids=sorted(int(case_id) for case_id in ids[rows]),
            )
        )
    return hotspots
