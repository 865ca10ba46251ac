"""Hotspot detection: combinations of up to three dimensions whose breakdowns stand out against the rest.

The maths works on compact integer facts (one int64 per documented case, see `pack_fact`, and its local date)
and counts with numpy, so a scan over a million cases is a few hundred bincounts, not a hundred queries.

Two baselines, because a real roster is structured:

* who/where x when (staff, site or region against weekday, hour, window): the *roster* model. Each unit (a
  person at a site) has a rate; each weekday x window a busyness; and each unit an exposure measured as it
  was: the dates it worked each piece of the day (cut at the shifts' starts and ends), trimmed to its place's
  opening hours and weighted by each date's volume (`_exposure`). A part-day Sunday, a weekly rotation or a
  growing history is then exposure, not excess. A cell must stand out twice, both exact binomial tests:
  against everyone else on duty in the slot (the unit's rate from its other slots), and against the group's
  own other slots (busyness from the others), so a spike never raises its own baseline.
* anything with a "what" (product, category, channel): the what's share inside the cell's context against
  its share elsewhere, Fisher's exact test given the margins. People and sites, and regions with a time, are
  compared within their own region (products sell differently by region: no finding about a person), and a
  time alone region by region (`_across_strata`: a region's mix at a time follows who is open then).

Every finding must also be material: a lift of at least `min_lift` (for a product, category or channel in
the share form too), and a lower 95 % bound (of the share ratio for a product, category or channel)
reaching `MATERIAL` and the ordinary ratio of its combination's big cells (`_ordinary_lift`), so that
structure measured at a million cases is not reported as a certainty. A product, category or channel in
one region or a few is held instead to the what x place interaction measured without it
(`_InteractionSpread`: products selling differently by region), in the odds form. Such a cell must stand
out beyond the rest of each cell it refines (`_beyond_parents`: no 'by phone' on a product that sells more
in a region by every channel; no product's missing parts in a region where the product alone sells more).
P-values are corrected with Benjamini-Hochberg across every cell whose margins let it reach the minimum
support, each family (combination of dimensions) given an equal share of the false-alarm budget
(`_family_weight`). Findings that differ in one ordered or subset value are
joined (08:30-09:30, two regions) and the join's p-value corrected for the choice. Overlapping findings are
then compared on each other's leftovers (`_explained`): one that no longer stands out without the other is
its echo; a narrower cell that holds most of a wider one's excess, the rest of which falls short (or is too
small to tell), is the one named (the site, not its region); Benjamini-Hochberg is applied again to what
is left, and each finding carries its adjusted p-value. A finding whose excess sits in one site, or in one
value of its subset, is said so (`_refine`). Expected counts are in odds form ("81 breakdowns where about
27 were expected" reads as a rate ratio).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
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


def _region_words(values: tuple[int, ...], labels: Mapping[int, str]) -> Words:
    value, words = _label_words(values, labels)
    return value, f"the {words} region" + ("s" if len(values) > 1 else "")


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
    # Said at the end of the sentence ("… at Bayside by phone"): a sentence never starts "By phone".
    last_in_sentence: bool = False


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
    Dimension("region", Role.WHO_WHERE, 6, Coding.LABEL, "in {}", _region_words, subsets=True),
    Dimension("product", Role.WHAT, 10, Coding.LABEL, "{}", trend_top=True),
    Dimension("category", Role.WHAT, 8, Coding.LABEL, "'{}'", subsets=True, trend_top=True),
    Dimension(
        "channel", Role.WHAT, 3, Coding.CHOICE, "by {}", choices=Channel, subsets=True, last_in_sentence=True
    ),
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
    # Its cases in the last `RECENT_DAYS` days, and what its share of the days before predicts for them.
    recent: int = 0
    recent_expected: float = 0.0
    # Its p-value after the scan's correction for every cell it tried (its family's weight, then
    # Benjamini-Hochberg over all the tests): a finding is reported when this is at most `FALSE_ALARMS`.
    adjusted_p_value: float = 1.0

    @property
    def lift(self) -> float:
        return self.count / self.expected if self.expected > 0 else float("inf")

    @property
    def new_this_week(self) -> bool:
        """New or growing: clearly more of its cases in the last week than its share before predicts."""
        if self.recent < 3 or self.recent < 2 * self.recent_expected:
            return False
        from scipy.special import pdtrc

        return float(pdtrc(self.recent - 1, max(self.recent_expected, 0.5))) <= 0.01

    def to_json(self) -> dict[str, Any]:
        return {
            "dimensions": dict(self.dimensions),
            "count": self.count,
            "expected": round(self.expected, 3),
            "lift": round(self.lift, 3),
            "p_value": float(f"{self.p_value:.4g}"),
            "adjusted_p_value": float(f"{self.adjusted_p_value:.4g}"),
            "sentence": self.sentence,
            "case_ids": list(self.case_ids),
        }


@dataclass
class _Cell:
    """A candidate: the rows of its context, the part of them it is about, and the rate the rest predicts.

    Every finding has this one shape. A who/where x when cell's context is its slot (everyone working then),
    its `what` the group; a cell with a product/category/channel has the other dimensions as its context. The
    expected count of any part of the context is its size times `rate`, which lets two overlapping findings be
    compared on each other's leftovers (see `_explained`).
    """

    dims: tuple[str, ...]
    codes: dict[str, tuple[int, ...]]
    what: tuple[str, ...]
    count: int
    expected: float
    p_value: float
    rate: float
    # The lift this combination shows without any finding (products selling differently by region): an
    # excess must exceed it (see `_ordinary_lift`).
    tolerance: float = 1.0
    # The expected count under the null for a Poisson tail (the share form; `expected` is the odds form).
    null_expected: float = 0.0
    # How many cases the null's share applies to (the context's size): merged cells are tested binomially.
    trials: int = 0
    hits: npt.NDArray[np.bool_] | None = None
    context: npt.NDArray[np.bool_] | None = None
    # How many hypotheses its combination of dimensions (its family) tried: it decides the cell's share of the
    # false-alarm budget (`_family_weights`).
    family: int = 0
    weight: float = 1.0
    # Whether its `tolerance` is an odds ratio (a subset measured by `_InteractionSpread`): then its
    # materiality is judged in the odds form too.
    odds_material: bool = False
    # The bar one of a subset's values is held to when the subset is said as that value (`_narrowed`).
    single_tolerance: float | None = None

    @property
    def evidence(self) -> float:
        """Its p-value scaled by its family's share of the tests (what Benjamini-Hochberg compares)."""
        return self.p_value * self.weight

    @property
    def lift(self) -> float:
        return self.count / self.expected if self.expected > 0 else float("inf")


def _special() -> Any:
    """scipy.special, imported when a scan runs (see `_stats`)."""
    from scipy import special

    return special


def _stats() -> Any:
    """scipy.stats, imported when a scan runs: importing it costs more than scanning a small history."""
    from scipy import stats

    return stats


def _combinations() -> tuple[list[tuple[str, tuple[str, ...]]], list[tuple[str, ...]]]:
    """(who/where x when pairs, combinations with a 'what'), without redundant pairs."""
    roster: list[tuple[str, tuple[str, ...]]] = []
    for who in WHO_WHERE:
        for when_size in (1, 2):
            for when in combinations(WHEN, when_size):
                if frozenset(when) in REDUNDANT_PAIRS:
                    continue
                roster.append((who, when))
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

# The fine time grid the roster model is fitted on: weekday x 30-minute window.
_WINDOWS = 48
_SLOTS = 7 * _WINDOWS
# The size of each WHEN dimension's full range, and its value in each fine slot.
_WHEN_SIZE = {"weekday": 7, "hour": 24, "window": _WINDOWS}
_FINE_WEEKDAY = np.arange(_SLOTS) // _WINDOWS
_FINE_WINDOW = np.arange(_SLOTS) % _WINDOWS
_WHEN_OF_FINE = {"weekday": _FINE_WEEKDAY, "hour": _FINE_WINDOW // 2, "window": _FINE_WINDOW}
# Where a working day is cut into pieces when none are configured: the default shifts' starts (06, 14, 22).
DEFAULT_BOUNDARIES = (12, 28, 44)
# The who/where dimension whose opening hours bound a shift (a person at a site works the site's hours).
PLACE = "site"


def shift_boundaries(starts_and_ends: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    """The 30-minute windows at which configured shifts start or end ((hour, minute) pairs), sorted."""
    cuts = {(hour * 60 + minute) // 30 % _WINDOWS for hour, minute in starts_and_ends}
    return tuple(sorted(cut for cut in cuts if cut > 0))


def boundaries_for(shifts: Iterable[Any]) -> tuple[int, ...]:
    """The scan's `boundaries` from configured shifts (anything with `start` and `end` times, as Shift)."""
    return shift_boundaries(
        [(moment.hour, moment.minute) for shift in shifts for moment in (shift.start, shift.end)]
    )


def _sizes(columns: Mapping[str, Int64Array]) -> dict[str, int]:
    return {name: int(column.max()) + 1 if len(column) else 1 for name, column in columns.items()}


# The dimensions `_Codes` counts together once when their table is small: the times, the whats, the region.
_CUBE = ("weekday", "window", "product", "category", "channel", "region")
_CUBE_CELLS = 4_000_000


class _Codes:
    """Combined codes of dimension tuples, computed once per scan (many combinations share a context)."""

    def __init__(self, columns: Mapping[str, Int64Array], sizes: Mapping[str, int]) -> None:
        self.columns = columns
        self.sizes = sizes
        self.cache: dict[tuple[str, ...], Int64Array] = {}
        self.counts: dict[tuple[str, ...], Int64Array] = {}
        self.cube: FloatArray | None = None

    def totals(self, names: Sequence[str], size: int) -> Int64Array:
        """How many rows have each combined code of `names` (counted once per scan)."""
        key = tuple(names)
        if key not in self.counts:
            summed = self._from_cube(key)
            self.counts[key] = np.bincount(self(key), minlength=size) if summed is None else summed
        return self.counts[key]

    def _from_cube(self, names: tuple[str, ...]) -> Int64Array | None:
        """The counts of `names` summed from one count of every time x what x region combination, when they
        are all among those and that table is small (the times' and whats' many combinations then cost one
        pass over the rows, not one each)."""
        if (
            not set(names) <= {*_CUBE, "hour"}
            or {"hour", "window"} <= set(names)
            or len(set(names)) < len(names)
        ):
            return None
        if any(name not in self.columns for name in _CUBE):
            return None
        shape = [self.sizes[name] for name in _CUBE]
        if int(np.prod(shape)) > _CUBE_CELLS or self.sizes["window"] > _WINDOWS:
            return None
        if self.cube is None:
            code = np.zeros(len(self.columns[_CUBE[0]]), dtype=np.int64)
            for name in _CUBE:
                code *= self.sizes[name]
                code += self.columns[name]
            self.cube = np.bincount(code, minlength=int(np.prod(shape))).reshape(shape).astype(np.float64)
        table = self.cube
        axes = list(_CUBE)
        if "hour" in names:
            # Windows 2h and 2h+1 are hour h (a window dimension shorter than the day is padded to it).
            at = axes.index("window")
            padded = np.zeros((*table.shape[:at], _WINDOWS, *table.shape[at + 1 :]))
            padded[(slice(None),) * at + (slice(0, table.shape[at]),)] = table
            table = padded.reshape(*table.shape[:at], _WINDOWS // 2, 2, *table.shape[at + 1 :]).sum(
                axis=at + 1
            )
            table = table[(slice(None),) * at + (slice(0, self.sizes["hour"]),)]
            axes[at] = "hour"
        summed = table.sum(axis=tuple(i for i, name in enumerate(axes) if name not in names))
        kept = [name for name in axes if name in names]
        ordered = np.transpose(summed, [kept.index(name) for name in names])
        return np.asarray(np.rint(ordered).ravel(), dtype=np.int64)

    def __call__(self, names: Sequence[str]) -> Int64Array:
        key = tuple(names)
        if key not in self.cache:
            if len(key) == 1:
                self.cache[key] = self.columns[key[0]]
            else:
                self.cache[key] = self(key[:-1]) * self.sizes[key[-1]] + self.columns[key[-1]]
        return self.cache[key]


def _dense(code: Int64Array) -> tuple[Int64Array, Int64Array]:
    """(the distinct codes, each row's index among them), by counting rather than sorting when it can."""
    top = int(code.max()) + 1 if len(code) else 1
    if top <= 20_000_000:
        present = np.bincount(code, minlength=top) > 0
        index = np.cumsum(present) - 1
        return np.nonzero(present)[0].astype(np.int64), index[code].astype(np.int64)
    values, inverse = np.unique(code, return_inverse=True)
    return values.astype(np.int64), inverse.astype(np.int64)


def _exposure(
    unit: Int64Array, unit_count: int, day: Int64Array, window: Int64Array, boundaries: Sequence[int]
) -> FloatArray:
    """How long each unit was on duty in each weekday x window, in busy-day equivalents (units x 336).

    A unit is on duty on a date in each piece of that date in which it has a case (the day is cut at the
    shifts' starts and ends; a night shift's two pieces fall on two dates), so rotations and part-timers count
    as the shifts they worked, not as a flag per slot; a place's opening hours (`_roster_cells`) trim the
    pieces to the hours it is open. Each date is weighted by its volume per staffed hour, so
    a history that grows over the weeks is not read as people working busier weekdays.
    """
    cuts = np.array([0, *sorted(set(boundaries) - {0}), _WINDOWS], dtype=np.int64)
    piece_of_window = np.searchsorted(cuts, np.arange(_WINDOWS), side="right") - 1
    piece_width = np.diff(cuts).astype(np.float64)
    pieces = len(piece_width)
    first_day = int(day.min())
    dates = int(day.max()) - first_day + 1
    day0 = day - first_day
    active = (
        np.bincount(
            (unit * dates + day0) * pieces + piece_of_window[window], minlength=unit_count * dates * pieces
        ).reshape(unit_count, dates, pieces)
        > 0
    )
    worked = active
    staffed = worked.astype(np.float64) @ piece_width  # units x dates: windows on duty
    with np.errstate(divide="ignore", invalid="ignore"):
        level = np.bincount(day0, minlength=dates) / staffed.sum(axis=0)
    level = np.where(np.isfinite(level), level, 0.0)
    level /= max(float(level[level > 0].mean()) if np.any(level > 0) else 1.0, 1e-12)
    # 1970-01-01 was a Thursday (weekday 3).
    weekday_of_date = (np.arange(dates) + first_day + 3) % 7
    on_weekday = np.zeros((dates, 7))
    on_weekday[np.arange(dates), weekday_of_date] = 1.0
    weighted = worked * level[None, :, None]  # units x dates x pieces
    per_piece = np.einsum("udp,dw->uwp", weighted, on_weekday)  # units x weekday x piece
    exposure: FloatArray = per_piece[:, :, piece_of_window].reshape(unit_count, _SLOTS)
    return exposure


def _coarsen(table: FloatArray, when: tuple[str, ...]) -> FloatArray:
    """A groups x (weekday x window) table summed to groups x the slots of `when` (codes in `when` order)."""
    rows = table.shape[0]
    cube = table.reshape(rows, 7, _WINDOWS // 2, 2)  # weekday, hour, half hour
    summed: FloatArray
    if when == ("weekday",):
        summed = cube.sum(axis=(2, 3))
    elif when == ("hour",):
        summed = cube.sum(axis=(1, 3))
    elif when == ("window",):
        summed = cube.sum(axis=1).reshape(rows, _WINDOWS)
    elif when == ("weekday", "hour"):
        summed = cube.sum(axis=3).reshape(rows, 7 * _WINDOWS // 2)
    elif when == ("weekday", "window"):
        summed = table
    else:
        raise ValueError(f"no roster slots for {when}")
    return summed


def _roster_cells(
    columns: Mapping[str, Int64Array],
    codes_of: _Codes,
    days: Int64Array | None,
    boundaries: Sequence[int],
    min_support: int,
    min_lift: float,
) -> tuple[list[_Cell], list[int]]:
    """Cells of who/where x when against a roster model: person rate x slot busyness x hours on duty.

    The model is fitted on the fine grid (each unit, a person at a site, in each weekday x 30-minute window)
    by iterative proportional fitting over the exposure `_exposure` measures. A group's count in a slot is
    then binomial given the slot's total, with its share of the model's expectation there.
    """
    sizes = codes_of.sizes
    units, unit_of_row = _dense(codes_of(WHO_WHERE))
    unit_count = len(units)
    fine = columns["weekday"] * _WINDOWS + columns["window"]
    # Without dates every weekday is one date (day 4 since 1970-01-01 was a Monday).
    day = days if days is not None else columns["weekday"] + 4
    exposure = _exposure(unit_of_row, unit_count, day, columns["window"], boundaries)
    # Each unit's own code in every who/where dimension, taken back out of the combined code (last one first).
    group_of_unit: dict[str, Int64Array] = {}
    rest = units
    for name in reversed(WHO_WHERE):
        group_of_unit[name] = rest % sizes[name]
        rest = rest // sizes[name]
    # Opening hours: a place with no case at all in a weekday's window over the whole history is closed then
    # (Sunday 10:00-16:00), so the shift worked there that day covers only its open windows.
    places = sizes[PLACE]
    opening = np.bincount(columns[PLACE] * _SLOTS + fine, minlength=places * _SLOTS) > 0
    exposure *= opening.reshape(places, _SLOTS)[group_of_unit[PLACE]]
    observed: FloatArray = (
        np.bincount(unit_of_row * _SLOTS + fine, minlength=unit_count * _SLOTS)
        .reshape(unit_count, _SLOTS)
        .astype(np.float64)
    )
    person = np.ones(unit_count)
    busy = np.ones(_SLOTS)
    unit_total = observed.sum(axis=1)
    slot_total = observed.sum(axis=0)
    for _ in range(15):
        busy = slot_total / np.maximum(person @ exposure, 1e-12)
        person = unit_total / np.maximum(exposure @ busy, 1e-12)
    mass = exposure * busy[None, :]  # each unit's expected cases per unit of its rate, per fine slot
    mass_total = mass.sum(axis=1)
    # Per slot of each `when`, each unit's expected count with its rate taken from its *other* slots, so that
    # an excess does not raise its own baseline (with three sites, one site's spike is a third of the fit).
    unit_slots: dict[tuple[str, ...], tuple[FloatArray, FloatArray, FloatArray]] = {}
    for when in dict.fromkeys(combo for _name, combo in ROSTER_COMBINATIONS):
        unit_count_in = _coarsen(observed, when)
        unit_mass_in = _coarsen(mass, when)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate_elsewhere = (unit_total[:, None] - unit_count_in) / (mass_total[:, None] - unit_mass_in)
        # A unit that works only in this slot has no elsewhere: its rate over everything (conservative).
        rate_elsewhere = np.where(np.isfinite(rate_elsewhere), rate_elsewhere, person[:, None])
        unit_slots[when] = (unit_count_in, rate_elsewhere * unit_mass_in, person[:, None] * unit_mass_in)
    cells: list[_Cell] = []
    families: list[int] = []
    stats = _stats()
    for who in WHO_WHERE:
        groups, group_index = np.unique(group_of_unit[who], return_inverse=True)
        order = np.argsort(group_index, kind="stable")
        starts = np.searchsorted(group_index[order], np.arange(len(groups)))
        for when in (combo for name, combo in ROSTER_COMBINATIONS if name == who):
            unit_count_in, unit_mean_in, unit_fitted_in = unit_slots[when]
            count = np.add.reduceat(unit_count_in[order], starts, axis=0)
            mean = np.add.reduceat(unit_mean_in[order], starts, axis=0)
            total = count.sum(axis=0)
            mean_total = mean.sum(axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(mean_total > 0, mean / mean_total, 0.0)
            possible = (
                (count.sum(axis=1, keepdims=True) >= min_support)
                & (total[None, :] >= min_support)
                & (share > 0)
                & (share < 1)
            )
            family = int(np.count_nonzero(possible))
            families.append(family)
            # What the rest predicts: the others' count in the slot times the group's odds of a case there
            # (its share of the model against theirs), so a lift reads as a rate ratio.
            odds = np.where(share < 1, share / np.maximum(1 - share, 1e-300), 0.0)
            expected = (total[None, :] - count) * odds
            group_at, slot_at = np.nonzero(possible & (count >= min_support))
            # (Here the odds form is the material one: a site that is most of its slot cannot show a big
            # share ratio, however many times its rate it sees.)
            worth = _worth_testing(
                count[group_at, slot_at],
                expected[group_at, slot_at],
                expected[group_at, slot_at],
                min_lift,
                MATERIAL,
            )
            group_at, slot_at = group_at[worth], slot_at[worth]
            if not len(group_at):
                continue
            k = count[group_at, slot_at]
            # Both comparisons must hold: against everyone else on duty in the slot (given the slot's total),
            # and against the group's own other slots (given the group's total: a rate estimated from a
            # part-timer's one other day is itself uncertain, which this test carries and the first does not).
            # How busy each slot is comes from the others only (observed over fitted), so that a spike does
            # not make its own slot look busy: with three sites, one site is a third of every slot's fit.
            fitted = np.add.reduceat(unit_fitted_in[order], starts, axis=0)[group_at]
            fitted_total = unit_fitted_in.sum(axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                others_ratio = (total[None, :] - count[group_at]) / (fitted_total[None, :] - fitted)
                weight = np.where(
                    np.isfinite(others_ratio) & (others_ratio > 0), fitted * others_ratio, fitted
                )
                own_share = weight[np.arange(len(group_at)), slot_at] / weight.sum(axis=1)
            own_total = count[group_at].sum(axis=1)
            p_values = np.maximum(
                stats.binom.sf(k - 1, total[slot_at], share[group_at, slot_at]),
                stats.binom.sf(k - 1, own_total, np.nan_to_num(own_share, nan=1.0)),
            )
            for position, (g, s) in enumerate(zip(group_at.tolist(), slot_at.tolist(), strict=True)):
                codes: dict[str, tuple[int, ...]] = {who: (int(groups[g]),)}
                remainder = s
                for name in reversed(when):
                    codes[name] = (remainder % _WHEN_SIZE[name],)
                    remainder //= _WHEN_SIZE[name]
                cells.append(
                    _Cell(
                        dims=tuple(name for name in DIMENSIONS if name in codes),
                        codes=codes,
                        what=(who,),
                        count=int(k[position]),
                        expected=float(expected[g, s]),
                        p_value=float(p_values[position]),
                        rate=float(odds[g, s]),
                        null_expected=float(share[g, s] * total[s]),
                        trials=int(total[s]),
                        family=family,
                    )
                )
    return cells, families


def _what_cells(codes_of: _Codes, min_support: int, min_lift: float) -> tuple[list[_Cell], list[int]]:
    """Cells with a product/category/channel: its share inside the cell's context against its share elsewhere.

    Given the margins (the context's size, the what's total) the count is hypergeometric: Fisher's exact test
    of the cell against everywhere else, both shares estimated from the data and nothing else. (The ordinary
    variation of shares, products selling differently by region, is left to the materiality bound of
    `find_hotspots`, not estimated from the same cells.)
    """
    cells: list[_Cell] = []
    families: list[int] = []
    sizes = codes_of.sizes
    total = len(codes_of.columns[DIMENSIONS[0]])
    stats = _stats()
    for combo in WHAT_COMBINATIONS:
        first = len(cells)
        what = tuple(name for name in combo if name in WHAT)
        context = tuple(name for name in combo if name not in WHAT)
        if not context:
            what, context = what[:1], what[1:]
        what_size = int(np.prod([sizes[name] for name in what]))
        context_size = int(np.prod([sizes[name] for name in context]))
        what_total = codes_of.totals(what, what_size)
        context_total = codes_of.totals(context, context_size)
        stratum = _stratum(context)
        # A context spread over several strata (a weekday's hour is in every region) is counted per stratum
        # once: the cells' counts are that count summed over the strata.
        cube = _across(codes_of, stratum, what, context, what_size * context_size)
        if cube is not None:
            flat = cube.sum(axis=1)
            keys = np.nonzero(flat)[0]
            count = flat[keys]
        elif what_size * context_size <= 8_000_000:
            flat = codes_of.totals((*what, *context), what_size * context_size)
            keys = np.nonzero(flat)[0]
            count = flat[keys]
        else:  # sparse: only the cells that occur
            keys, count = np.unique(codes_of(what) * context_size + codes_of(context), return_counts=True)
        what_value, context_value = keys // context_size, keys % context_size
        in_context = context_total[context_value]
        with np.errstate(divide="ignore", invalid="ignore"):
            share_elsewhere = (what_total[what_value] - count) / (total - in_context)
            null_expected = in_context * share_elsewhere
            # The rest of the context times the what's odds elsewhere: a 3x phone rate reads 3x (a share
            # ratio would read 1.8x when phone is a third of all cases).
            odds = share_elsewhere / (1 - share_elsewhere)
            expected = (in_context - count) * odds
        margins = (np.full(len(keys), total), what_total[what_value], in_context)
        subsets = len(what) == 1 and len(context) == 1 and context[0] in SUBSET_DIMENSIONS
        # How far the what's shares ordinarily stray across the context's values and the places they lie in:
        # the bar of a subset of them, and of one region (measured once for both).
        spreads = _InteractionSpread.of_places(codes_of, what[0], context[0]) if subsets else []
        # The unstratified cells' ordinary lift, for the cells judged so (a stratified combination's own is
        # measured on its stratified expectations below).
        plain_tolerance = (
            _ordinary_lift(count, null_expected, context_value) if stratum is None or subsets else 1.0
        )
        # Every cell whose margins let it reach the minimum support is a hypothesis, whatever its own count:
        # counting only the cells that did reach it would let the data choose how many tests were made.
        tested = int(np.count_nonzero(what_total >= min_support)) * int(
            np.count_nonzero(context_total >= min_support)
        )
        routes = [
            (expected, null_expected, odds, share_elsewhere < 1, np.ones(len(keys), dtype=bool), margins)
        ]
        if stratum is not None:
            # A person or a site is judged within its own region: products sell differently by region, which
            # is no finding about them. (A region that is mostly one site is found as the region, and
            # `_refine` then names the site.)
            within, null_within, in_one, margins_within = _within_stratum(
                codes_of, what, context, stratum, keys, count, what_size, context_size, cube
            )
            with np.errstate(divide="ignore", invalid="ignore"):
                odds_within = within / (in_context - count)
            routes = [(within, null_within, odds_within, np.isfinite(within), in_one, margins_within)]
        # A product in one region against the others: held, like a subset of regions, to how far products
        # ordinarily sell differently by region (measured without it, in the odds form), not to a median
        # deviation of the same few dozen cells, which let a 1.6x of ordinary regional mix through.
        by_region = (
            _region_bars(spreads[0], what_value, context_value)
            if context == ("region",) and spreads
            else None
        )
        for route_expected, route_null, route_odds, judgeable, single, route_margins in routes:
            tolerance = (
                plain_tolerance if stratum is None else _ordinary_lift(count, route_null, context_value)
            )
            candidate = (
                (count >= min_support) & judgeable & np.isfinite(route_expected) & (route_expected > 0)
            )
            index = np.nonzero(candidate)[0]
            # Held to the interaction bar, a cell's materiality is judged in the odds form that bar is in.
            material_null, bar = (
                (route_null, tolerance) if by_region is None else (route_expected, by_region[index])
            )
            index = index[
                _worth_testing(count[index], route_expected[index], material_null[index], min_lift, bar)
            ]
            # A cheap screen before the exact test: a cell the Poisson tail puts above 1e-3 cannot pass
            # Benjamini-Hochberg over tens of thousands of tests (the exact test costs time at volume).
            rough = _special().pdtrc(count[index] - 1, route_null[index])
            index = index[rough <= SCREEN_P]
            exact = single[index]
            # Poisson tails use the null's own expectation (the share elsewhere times the whole context): the
            # odds form divides by the cell's own leftovers, which a test must not condition on.
            p_values = _special().pdtrc(count[index] - 1, route_null[index])
            if np.any(exact):
                at = index[exact]
                p_values[exact] = stats.hypergeom.sf(
                    count[at] - 1, route_margins[0][at], route_margins[1][at], route_margins[2][at]
                )
            for position, p_value in zip(index.tolist(), p_values.tolist(), strict=True):
                codes: dict[str, tuple[int, ...]] = {}
                for names, value in (
                    (what, int(what_value[position])),
                    (context, int(context_value[position])),
                ):
                    for name in reversed(names):
                        codes[name] = (value % sizes[name],)
                        value //= sizes[name]
                cells.append(
                    _Cell(
                        dims=tuple(name for name in DIMENSIONS if name in codes),
                        codes=codes,
                        what=what,
                        count=int(count[position]),
                        expected=float(route_expected[position]),
                        p_value=float(p_value),
                        rate=float(route_odds[position]),
                        tolerance=tolerance if by_region is None else float(by_region[position]),
                        null_expected=float(route_null[position]),
                        trials=int(in_context[position]),
                        odds_material=by_region is not None,
                    )
                )
        if subsets:
            # Subsets of values are compared with everything outside them, unstratified: they are held to the
            # ordinary spread of the unstratified shares (two sites of one region selling more sofas).
            subset_cells = _subset_cells(
                what[0], context[0], what_value, context_value, count, context_total, what_total
            )
            # Each held to how far such a subset ordinarily strays (`_InteractionSpread`), across its own
            # values and the coarser places they lie in (two sites that are the East region are the East
            # region); where too few cells measure that, to the cells' ordinary lift and the coarser places'.
            for cell in subset_cells:
                value, chosen = cell.codes[what[0]][0], cell.codes[context[0]]
                bars = [spread.tolerance(value, chosen) for spread in spreads]
                bars_alone = [spread.tolerance(value, chosen[:1]) for spread in spreads]
                measured = [bar for bar in bars if bar is not None]
                measured_alone = [bar for bar in bars_alone if bar is not None]
                if len(measured) < len(bars) or len(measured_alone) < len(bars_alone):
                    cell.tolerance = max(plain_tolerance, _coarser_tolerance(codes_of, what[0], context[0]))
                else:
                    cell.tolerance = max(measured)
                    cell.single_tolerance = max(measured_alone)
                    cell.odds_material = True
            cells.extend(cell for cell in subset_cells if cell.count >= min_support)
            tested += len(subset_cells)
        families.append(tested)
        for cell in cells[first:]:
            cell.family = tested
    return cells, families


def _region_bars(
    spread: _InteractionSpread, what_value: Int64Array, context_value: Int64Array
) -> FloatArray | None:
    """For a product, category or channel by region: each cell's bar from the what x region interaction
    (`spread`, one region against the rest); None when the table is too small to measure it."""
    bars = [
        spread.tolerance(value, (place,))
        for value, place in zip(what_value.tolist(), context_value.tolist(), strict=True)
    ]
    if any(bar is None for bar in bars):
        return None
    return np.array(bars, dtype=np.float64)


def _coarser_tolerance(codes_of: _Codes, what: str, context: str) -> float:
    """The ordinary lift of `what` across each coarser place `context` pins down (a site's region),
    unstratified: what a subset of `context`'s values inherits from the places it lies in (1 for none)."""
    tolerances = [1.0]
    sizes = codes_of.sizes
    total = len(codes_of.columns[what])
    for coarser in BY_DIMENSION[context].pins_down:
        if coarser not in codes_of.columns:
            continue
        places = sizes[coarser]
        flat = np.bincount(codes_of((what,)) * places + codes_of((coarser,)), minlength=sizes[what] * places)
        keys = np.nonzero(flat)[0]
        count = flat[keys]
        what_value, place = keys // places, keys % places
        in_place = codes_of.totals((coarser,), places)[place]
        what_total = codes_of.totals((what,), sizes[what])[what_value]
        with np.errstate(divide="ignore", invalid="ignore"):
            null = in_place * (what_total - count) / (total - in_place)
        null = np.where(np.isfinite(null), null, 0.0)
        tolerances.append(_ordinary_lift(count, null, place))
    return max(tolerances)


def _stratum(context: tuple[str, ...]) -> str | None:
    """The coarser place a context's shares are compared within: a person's or a site's product mix against
    their own region's, a region's Mondays against its other days (products sell differently by region; that
    is no finding about the person or the day)."""
    if "region" not in BY_DIMENSION or context == ("region",):
        return None
    # A region with something else (a weekday, an hour): against the same region's other days and hours.
    if _in_one_region(context):
        return "region"
    # Times alone: the regions' mix at a time follows who is open then (Sundays 16:00 are the all-day sites'
    # alone), so a product's share then is compared with the same regions' at other times, region by region.
    if all(BY_DIMENSION[name].role is Role.WHEN for name in context):
        return "region"
    return None


def _in_one_region(context: Iterable[str]) -> bool:
    """Whether one value of this context lies in one region (it names the region, a site or a person)."""
    return any(name == "region" or "region" in BY_DIMENSION[name].pins_down for name in context)


def _within_stratum(
    codes_of: _Codes,
    what: tuple[str, ...],
    context: tuple[str, ...],
    stratum: str,
    keys: Int64Array,
    count: Int64Array,
    what_size: int,
    context_size: int,
    cube: Int64Array | None = None,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_], tuple[Int64Array, Int64Array, Int64Array]]:
    """(expected count, whether the cell lies in one stratum, its hypergeometric margins there) of each cell.

    `cube` is each cell's count in each stratum when `_across` counted it (a context over several strata).

    Each stratum the cell's cases fall in contributes the rest of its context there times the what's odds in
    the same stratum elsewhere (a Mantel-Haenszel style sum). A cell in one stratum (the usual case: a person
    works in one region) gets the exact test within it; one spread over several, the Poisson tail of the sum.
    """
    sizes = codes_of.sizes
    strata = sizes[stratum]
    stratum_of_context = None if cube is not None else _one_stratum_each(codes_of, context, stratum)
    if stratum_of_context is not None:
        # Every context lies in one stratum (each person works in one region): the cells are the strata's
        # cells, no second count needed.
        inner_count = count
        cell_key = keys
        region = stratum_of_context[keys % context_size]
        by_stratum = None
    else:
        by_stratum = codes_of.totals((*context, stratum), context_size * strata).reshape(context_size, strata)
    if by_stratum is None:
        pass
    elif int(np.count_nonzero(by_stratum, axis=1).max(initial=0)) <= 1:
        inner_count = count
        cell_key = keys
        region = np.argmax(by_stratum, axis=1)[keys % context_size]
    elif cube is not None:
        return _across_strata(codes_of, what, stratum, keys, what_size, context_size, by_stratum, cube)
    else:
        key = (codes_of(what) * context_size + codes_of(context)) * strata + codes_of.columns[stratum]
        inner, inner_count = np.unique(key, return_counts=True)
        cell_key, region = inner // strata, inner % strata
    what_value, context_value = cell_key // context_size, cell_key % context_size
    if by_stratum is None:
        in_context = codes_of.totals(context, context_size)[context_value]
    else:
        in_context = codes_of.totals((*context, stratum), context_size * strata)[
            context_value * strata + region
        ]
    what_total = codes_of.totals((*what, stratum), what_size * strata)[what_value * strata + region]
    stratum_total = codes_of.totals((stratum,), strata)[region]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (what_total - inner_count) / (stratum_total - in_context)
        part = (in_context - inner_count) * share / (1 - share)
        null_part = in_context * share
    judgeable = np.isfinite(part) & (share < 1)
    position = np.searchsorted(keys, cell_key)
    expected = np.bincount(position, weights=np.where(judgeable, part, 0.0), minlength=len(keys))
    null_expected = np.bincount(position, weights=np.where(judgeable, null_part, 0.0), minlength=len(keys))
    unjudgeable = np.bincount(position, weights=~judgeable, minlength=len(keys)) > 0
    expected = np.where(unjudgeable, np.nan, expected)
    single = np.bincount(position, minlength=len(keys)) == 1
    margins = tuple(np.zeros(len(keys), dtype=np.int64) for _ in range(3))
    for margin, values in zip(margins, (stratum_total, what_total, in_context), strict=True):
        margin[position] = values
    return (
        np.asarray(expected, dtype=np.float64),
        np.asarray(null_expected, dtype=np.float64),
        np.asarray(single, dtype=np.bool_),
        (margins[0], margins[1], margins[2]),
    )


def _one_stratum_each(codes_of: _Codes, context: tuple[str, ...], stratum: str) -> Int64Array | None:
    """The stratum of each combined code of `context` when one of its dimensions puts each of its values in
    one stratum (a person works in one region, here and in the data), without counting the context by
    stratum; else None."""
    sizes = codes_of.sizes
    for position, name in enumerate(context):
        if name != stratum and stratum not in BY_DIMENSION[name].pins_down:
            continue
        if name == stratum:
            stratum_of_value = np.arange(sizes[name], dtype=np.int64)
        else:
            pairs = codes_of.totals((name, stratum), sizes[name] * sizes[stratum]).reshape(sizes[name], -1)
            if int(np.count_nonzero(pairs, axis=1).max(initial=0)) > 1:
                return None  # someone worked in two regions
            stratum_of_value = np.argmax(pairs, axis=1)
        after = int(np.prod([sizes[later] for later in context[position + 1 :]]))
        codes = np.arange(int(np.prod([sizes[each] for each in context])), dtype=np.int64)
        return np.asarray(stratum_of_value[(codes // after) % sizes[name]], dtype=np.int64)
    return None


def _across(
    codes_of: _Codes, stratum: str | None, what: tuple[str, ...], context: tuple[str, ...], cells: int
) -> Int64Array | None:
    """Each cell's count in each stratum (cells x strata) when the context's values spread over several
    strata and the table is small enough to count densely; else None (one stratum each, or no stratum)."""
    if stratum is None:
        return None
    strata = codes_of.sizes[stratum]
    context_size = int(np.prod([codes_of.sizes[name] for name in context]))
    if cells * strata > 20_000_000:
        return None
    by_stratum = codes_of.totals((*context, stratum), context_size * strata).reshape(context_size, strata)
    if int(np.count_nonzero(by_stratum, axis=1).max(initial=0)) <= 1:
        return None
    counted = codes_of.totals((*what, *context, stratum), cells * strata)
    return counted.reshape(cells, strata)


def _across_strata(
    codes_of: _Codes,
    what: tuple[str, ...],
    stratum: str,
    keys: Int64Array,
    what_size: int,
    context_size: int,
    by_stratum: Int64Array,
    cube: Int64Array,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_], tuple[Int64Array, Int64Array, Int64Array]]:
    """`_within_stratum` for contexts spread over several strata (a weekday's hour is in every region).

    Every stratum the context has cases in contributes, whether or not the cell has cases there: a stratum
    left out for holding none of the cell's cases would take its share of the expectation with it.
    """
    strata = by_stratum.shape[1]
    inner = cube[keys].astype(np.float64)  # each cell's cases in each stratum, zeros included
    what_value, context_value = keys // context_size, keys % context_size
    in_context = by_stratum[context_value].astype(np.float64)
    what_total = codes_of.totals((*what, stratum), what_size * strata).reshape(what_size, strata)[what_value]
    stratum_total = codes_of.totals((stratum,), strata).astype(np.float64)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (what_total - inner) / (stratum_total - in_context)
        part = (in_context - inner) * share / (1 - share)
        # The null's mean given the margins (each stratum's hypergeometric mean, the cell's cases included):
        # the share elsewhere would leave out a small cell's own cases, and its Poisson tail would then call
        # 10 cases of a rare product and category in one hour 1e-7 when the exact test says 2e-6.
        null_part = in_context * what_total / stratum_total
    present = in_context > 0
    judgeable = np.isfinite(part) & (share < 1)
    expected = np.where(present & judgeable, part, 0.0).sum(axis=1)
    null_expected = np.where(present & judgeable, null_part, 0.0).sum(axis=1)
    expected = np.where(np.any(present & ~judgeable, axis=1), np.nan, expected)
    single = np.count_nonzero(present, axis=1) == 1
    region = np.argmax(present, axis=1)
    rows = np.arange(len(keys))
    margins = (
        np.asarray(stratum_total[0, region], dtype=np.int64),
        np.asarray(what_total[rows, region], dtype=np.int64),
        np.asarray(in_context[rows, region], dtype=np.int64),
    )
    return (
        np.asarray(expected, dtype=np.float64),
        np.asarray(null_expected, dtype=np.float64),
        np.asarray(single, dtype=np.bool_),
        margins,
    )


def _ordinary_lift(count: Int64Array, expected: FloatArray, context: Int64Array) -> float:
    """How far a combination's cells ordinarily stray from what the rest predicts, as a lift (1 for none).

    Measured only on cells big enough that chance alone barely moves them (20+ expected), so that small cells
    neither inflate it nor are held to it by a variance: the between-cell spread of log lifts beyond the
    sampling variance (a robust MAD), `ORDINARY_SPREADS` standard deviations of it. Pure noise gives about 1;
    products selling 0.8-1.25x by region about 1.5-1.6 (three deviations left the most extreme of 48 such
    region-product cells above it at a million cases; four cost the power to see two regions at 3x in 5,000).
    Each context's own level (its cells' median log lift) is taken out first: one product taking half of two
    regions' cases makes every other product there look scarce, which is no spread of shares.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        big = (expected >= 20) & (count > 0)
        if int(np.count_nonzero(big)) < 30:  # too few to tell a spread from a finding among them
            return 1.0
        log_lift = np.log(count[big] / expected[big])
    _contexts, where = np.unique(context[big], return_inverse=True)
    # Each context's median by one sort (contexts first, then log lifts), not one median per context.
    order = np.lexsort((log_lift, where))
    ordered = log_lift[order]
    sizes = np.bincount(where)
    starts = np.cumsum(sizes) - sizes
    level = (ordered[starts + (sizes - 1) // 2] + ordered[starts + sizes // 2]) / 2
    crowded = sizes >= 3  # a level needs a few cells to be one
    centred = log_lift - np.where(crowded, level, 0.0)[where]
    sampling = float(np.median(1.0 / expected[big]))
    # The smaller of the two: taking the levels out must not widen what counts as ordinary.
    spread = min(
        (1.4826 * float(np.median(np.abs(values - np.median(values))))) ** 2 - sampling
        for values in (log_lift, centred)
    )
    return float(np.exp(ORDINARY_SPREADS * np.sqrt(spread))) if spread > 0 else 1.0


class _InteractionSpread:
    """How far one 'what' value's share ordinarily differs between a few values of a context and the rest
    (products selling differently by region), measured on the other 'what' values.

    The log counts of the what x context table are a product effect, a context effect and an interaction;
    the interaction's variance (the double-centred residuals' mean square, less part of what sampling alone
    puts there) is the structure a subset's odds ratio must rise above. Leaving the value under test out
    keeps its own excess from raising the bar it is held to; the mean square, unlike a median deviation of
    a few dozen cells, estimates that variance steadily enough to tell a 2x excess in two regions of four
    from products selling 0.8-1.25x by region.
    """

    # Sampling noise counted as structure: half of it (a bar set a little high at small counts, where the
    # estimate is least steady, keeps structure quiet).
    SAMPLING_KEPT = 0.5
    MIN_DEGREES = 8

    def __init__(self, table: Int64Array, place_of: Int64Array) -> None:
        """`table`: what values x places; `place_of`: each value of the subset's dimension's place here
        (itself, or the region a site lies in)."""
        self.table = table.astype(np.float64)
        self.place_of = place_of
        # (interaction variance, places measured) without each 'what' value, measured once per value: every
        # region of a product and every subset of it asks for the same one.
        self.interactions: dict[int, tuple[float, int] | None] = {}

    @classmethod
    def of_places(cls, codes_of: _Codes, what: str, context: str) -> list[_InteractionSpread]:
        """The spreads a subset of `context`'s values is held to: across those values, and across each
        coarser place they lie in (two sites of one region share what sets their region apart, so their
        subset is measured as the regions it covers)."""
        sizes = codes_of.sizes
        spreads = []
        for place in (context, *BY_DIMENSION[context].pins_down):
            if place not in codes_of.columns:
                continue
            table = codes_of.totals((what, place), sizes[what] * sizes[place]).reshape(sizes[what], -1)
            if place == context:
                place_of = np.arange(sizes[context], dtype=np.int64)
            else:
                pairs = codes_of.totals((context, place), sizes[context] * sizes[place]).reshape(
                    sizes[context], -1
                )
                place_of = np.argmax(pairs, axis=1)
            spreads.append(cls(table, place_of))
        return spreads

    def tolerance(self, left_out: int, chosen: tuple[int, ...]) -> float | None:
        """The lift the subset `chosen` (values of the subset's dimension) must exceed for what value
        `left_out` (an odds ratio against the rest), or None when too few cells remain to measure the
        spread."""
        if left_out not in self.interactions:
            self.interactions[left_out] = self._interaction(left_out)
        measured = self.interactions[left_out]
        places = len(set(self.place_of[list(chosen)].tolist()))
        if measured is None or not 0 < places < measured[1]:
            return None
        variance, columns = measured
        # A subset's log odds ratio against the rest is the difference of two means of interactions.
        subset_variance = variance * (1 / places + 1 / (columns - places))
        return float(np.exp(ORDINARY_SPREADS * np.sqrt(subset_variance)))

    def _interaction(self, left_out: int) -> tuple[float, int] | None:
        """(the interaction's variance, the places measured) of the table without `left_out`'s row, or None
        when too few cells remain."""
        others = np.delete(self.table, left_out, axis=0)
        others = others[others.sum(axis=1) > 0][:, others.sum(axis=0) > 0]
        rows, columns = others.shape
        degrees = (rows - 1) * (columns - 1)
        if degrees < self.MIN_DEGREES:
            return None
        logs = np.log(others + 0.5)
        residual = logs - logs.mean(axis=1, keepdims=True) - logs.mean(axis=0, keepdims=True) + logs.mean()
        sampling = float(np.mean(1.0 / (others + 0.5)))
        variance = float(np.sum(residual**2)) / degrees - (1 - self.SAMPLING_KEPT) * sampling
        return max(variance, 0.0), columns


def _subset_cells(
    what: str,
    context: str,
    what_value: Int64Array,
    context_value: Int64Array,
    count: Int64Array,
    context_total: Int64Array,
    what_total: Int64Array,
) -> list[_Cell]:
    """A 'what' concentrated in a few values of one dimension (two regions of four), the rest left out.

    Testing each region alone would put the other affected regions into the baseline; here the best few values
    are tested together against everything outside them.
    """
    cells: list[_Cell] = []
    total = int(context_total.sum())
    present = int(np.count_nonzero(context_total))
    stats = _stats()
    for value in np.unique(what_value):
        in_row = what_value == value
        contexts = context_value[in_row]
        if len(contexts) < 3:
            continue
        row_count = count[in_row]
        sizes = context_total[contexts]
        share_all = what_total[value] / total
        order = np.argsort(-(row_count + 0.5) / (sizes * share_all + 0.5))
        # A few of the values, at most half of them: "all regions but West" is West selling less, no excess.
        for size in range(2, min(4, present // 2) + 1):
            chosen = order[:size]
            subset_count = int(row_count[chosen].sum())
            subset_size = int(sizes[chosen].sum())
            if total == subset_size:
                continue
            share_elsewhere = (int(what_total[value]) - subset_count) / (total - subset_size)
            if not 0 < share_elsewhere < 1:
                continue
            odds = share_elsewhere / (1 - share_elsewhere)
            expected = (subset_size - subset_count) * odds
            if subset_count < 1.2 * expected:
                continue
            # Fisher's exact test of the subset against the rest; the subset was picked after looking (the
            # best `size` of the values present), so Bonferroni over every subset of that size.
            p_value = float(stats.hypergeom.sf(subset_count - 1, total, int(what_total[value]), subset_size))
            p_value = min(1.0, p_value * comb(present, size))
            codes = {what: (int(value),), context: tuple(sorted(int(code) for code in contexts[chosen]))}
            cells.append(
                _Cell(
                    dims=tuple(name for name in DIMENSIONS if name in codes),
                    codes=codes,
                    what=(what,),
                    count=subset_count,
                    expected=float(expected),
                    p_value=p_value,
                    rate=float(odds),
                    null_expected=subset_size * share_elsewhere,
                    trials=subset_size,
                )
            )
    return cells


def _family_weight(family: int, families: int, tests: int) -> float:
    """How much a cell's p-value is scaled before Benjamini-Hochberg.

    Each combination of dimensions (a family: a person's weekday-hours, a region's products) gets the same
    share of the false-alarm budget whatever its number of cells, so the 338,000 person x half-hour x product
    cells of a million cases do not get 6,000 times the say of the 53 region x product ones (weighted
    Benjamini-Hochberg, Genovese, Roeder & Wasserman 2006: the weights average 1 over all the tests).
    """
    if family <= 0 or tests <= 0:
        return 1.0
    return families * family / tests


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


def _still_discoveries(kept: list[_Cell], tests: int, fdr: float) -> list[_Cell]:
    """Benjamini-Hochberg's line at the number of findings kept, applied until it holds for all of them."""
    while kept:
        threshold = fdr * len(kept) / max(tests, 1)
        passing = [cell for cell in kept if cell.evidence <= threshold]
        if len(passing) == len(kept):
            break
        kept = passing
    return kept


def _adjusted(evidence: FloatArray, tests: int) -> FloatArray:
    """Benjamini-Hochberg adjusted p-values of these (sorted, weighted) p-values among `tests` tests: the
    smallest false-discovery level at which each would still be a discovery."""
    if not len(evidence):
        return evidence
    scaled = evidence * max(tests, 1) / np.arange(1, len(evidence) + 1)
    return np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)


def _match(
    columns: Mapping[str, Int64Array], codes: Mapping[str, tuple[int, ...]], rows: int
) -> npt.NDArray[np.bool_]:
    mask = np.ones(rows, dtype=bool)
    for name, values in codes.items():
        if len(values) == 1:
            mask &= columns[name] == values[0]
        else:
            wanted = np.zeros(max(int(columns[name].max()), *values) + 1, dtype=bool)
            wanted[list(values)] = True
            mask &= wanted[columns[name]]
    return mask


def _materialise(cell: _Cell, columns: Mapping[str, Int64Array], rows: int) -> None:
    if cell.hits is None:
        context = {name: values for name, values in cell.codes.items() if name not in cell.what}
        cell.context = _match(columns, context, rows)
        cell.hits = cell.context & _match(columns, {name: cell.codes[name] for name in cell.what}, rows)


# An excess must be material as well as unlikely: at a million cases a product selling 20 % better in one
# region is certain but no finding. A cell's lift must reach MIN_LIFT, and its one-sided 95 % lower bound
# MATERIAL; a leftover (a finding without another's cases) stands out when it is unlikely at 0.1 % and its
# lift reaches MATERIAL. (At 1 %, one of the many pairs a scan compares passed by chance now and then: the
# demo's late deliveries at 08:30 elsewhere, 12 where 5 were expected, kept the freight lift's echo as a
# finding, and the region's other site, 37 where 24 were, said the freight lift as the North region's.)
MATERIAL = 1.3
LEFTOVER_P = 0.001
# A rest too small to tell from the one site (or value of a subset) that holds a finding's excess: its
# expected count under this share of that one's (`_narrowed`).
SMALL_REST = 0.25
# "Elsewhere" is essentially one place when one other place holds this share of its cases
# (`_beyond_its_places_mix`).
ONE_PLACE = 0.9
SCREEN_P = 1e-3
ORDINARY_SPREADS = 3.5
# The false-alarm level: Benjamini-Hochberg's q (with the families' weights, `_family_weight`), also the
# most a history with no pattern at all reports something by chance.
FALSE_ALARMS = 0.05
# "What changed": the last week against the days before it in the window.
RECENT_DAYS = 7


def _lower_lift(count: FloatArray, expected: FloatArray) -> FloatArray:
    """One-sided 95 % lower bound of count/expected: the exact Poisson bound (the 5 % quantile of
    Gamma(count)) by the Wilson-Hilferty cube, within 1 % of it from 8 cases on and cheap at volume."""
    count = np.asarray(count, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.maximum(count, 1e-9)
        lower = k * (1 - 1 / (9 * k) - 1.6448536269514722 / (3 * np.sqrt(k))) ** 3
        lower = np.where(count > 0, np.maximum(lower, 0.0), 0.0)
        return np.asarray(lower / np.asarray(expected, dtype=np.float64), dtype=np.float64)


def _material_expected(cell: _Cell) -> float:
    """The expected count a cell's materiality is judged against: the share form for a product, category or
    channel, the odds form for a group of people or places (see `_worth_testing`)."""
    roster = all(name in WHO_WHERE for name in cell.what)
    return cell.expected if roster or cell.odds_material or cell.null_expected <= 0 else cell.null_expected


def _material(cells: list[_Cell], min_lift: float) -> list[_Cell]:
    """The cells whose excess is big enough to report: lift at least `min_lift`, and its lower bound at
    least `MATERIAL` and the cell's ordinary lift (`tolerance`)."""
    cells = [
        cell for cell in cells if cell.lift >= min_lift and cell.count >= min_lift * _material_expected(cell)
    ]
    if not cells:
        return []
    lower = _lower_lift(
        np.array([cell.count for cell in cells]), np.array([_material_expected(cell) for cell in cells])
    )
    return [cell for cell, bound in zip(cells, lower, strict=True) if bound >= max(MATERIAL, cell.tolerance)]


def _worth_testing(
    count: npt.NDArray[Any],
    expected: npt.NDArray[Any],
    null: npt.NDArray[Any],
    min_lift: float,
    tolerance: float | FloatArray,
) -> npt.NDArray[np.bool_]:
    """Cells whose lift is big enough to report whatever their p-value: at least `min_lift` in both forms
    (the odds form a supervisor reads, and the share form structure is measured in: a product selling up to
    25 % more in one region than in another is a share ratio of up to ~1.5, which the odds of a common product
    stretch past it), and the lower bound of the share ratio at least `MATERIAL` and the combination's
    ordinary lift."""
    with np.errstate(divide="ignore", invalid="ignore"):
        enough = (expected > 0) & (count >= min_lift * expected) & (null > 0) & (count >= min_lift * null)
    at = np.nonzero(enough)
    bar = np.maximum(MATERIAL, tolerance if np.ndim(tolerance) == 0 else np.asarray(tolerance)[at])
    enough[at] = _lower_lift(count[at], null[at]) >= bar
    return np.asarray(enough, dtype=np.bool_)


def _leftover_expected(
    cell: _Cell, other: _Cell, count: int, context_rows: int, *, strict: bool = True
) -> float:
    """What `cell`'s remainder without `other` (`count` cases of `context_rows`) is expected to hold.

    The same 'what' in two places (three regions and two of them): the remainder must stand out against both
    baselines, not only against the few values the wider one leaves outside (not when asking whether it
    falls *short* of the narrower one: the narrower one's baseline holds the remainder's own excess). A group
    without a part of itself (a site at 19:00 without one of its people on Mondays at 19:00): the part's
    expected count leaves with its cases.
    """
    rate = cell.rate
    same_what = cell.what == other.what and all(cell.codes[name] == other.codes[name] for name in cell.what)
    if same_what and strict:
        rate = max(rate, other.rate)
    elif all(name in WHO_WHERE for name in (*cell.what, *other.what)) and cell.what != other.what:
        assert cell.hits is not None and other.hits is not None
        if np.count_nonzero(other.hits & ~cell.hits) == 0:
            return max(cell.expected - other.expected, 0.0)
    return (context_rows - count) * rate


def _stands_out(cell: _Cell, other: _Cell, columns: Mapping[str, Int64Array]) -> bool:
    """Whether `cell` still shows an excess without `other`'s part of its context.

    That part is what `other` pins down except where `cell` looks for its excess: a region's finding without
    its site's finding is the region's other sites; a person's product finding without the same person's
    product-and-category finding is that person's other categories.
    """
    assert cell.hits is not None and cell.context is not None
    pinned = {name: values for name, values in other.codes.items() if name not in cell.what}
    without = _match(columns, pinned, len(cell.hits))
    count = int(np.count_nonzero(cell.hits & ~without))
    expected = _leftover_expected(cell, other, count, int(np.count_nonzero(cell.context & ~without)))
    if count == 0 or expected <= 0 or count < max(MATERIAL, cell.tolerance) * expected:
        return False
    return float(_stats().poisson.sf(count - 1, expected)) <= LEFTOVER_P


def _explained(kept: list[_Cell], cell: _Cell, columns: Mapping[str, Int64Array]) -> tuple[bool, int | None]:
    """(whether `cell` is an echo of a kept finding, which kept finding `cell` explains better if any).

    Two overlapping findings are compared on each other's leftovers: each without the other. One whose
    leftover no longer stands out is explained by the other; when neither stands out on its own (one excess
    seen twice), the narrower wins if it holds most of the wider one's excess, else the wider one.
    """
    assert cell.hits is not None
    for position, other in enumerate(kept):
        assert other.hits is not None
        shared = int(np.count_nonzero(cell.hits & other.hits))
        if shared == 0:
            if _diluted(cell, other, columns):
                return True, None
            continue
        cell_rest = _stands_out(cell, other, columns)
        other_rest = _stands_out(other, cell, columns)
        if cell_rest and other_rest:
            continue
        if cell_rest and not other_rest:
            return False, position
        if other_rest and not cell_rest:
            return True, None
        cell_rows = int(np.count_nonzero(cell.hits))
        other_rows = int(np.count_nonzero(other.hits))
        if shared == cell_rows and cell_rows < other_rows:
            narrow, wide = cell, other
        elif shared == other_rows and other_rows < cell_rows:
            narrow, wide = other, cell
        elif shared == cell_rows == other_rows and _plainness(cell) < _plainness(other):
            return False, position  # the same cases said more plainly (two regions, not their four sites)
        else:  # the same cases, or two overlapping cells: the one kept first (the more significant)
            return True, None
        # The narrower wins when it holds most of the wider one's excess and the wider one's remainder falls
        # short of the narrower one's rate (the excess really stops at the site's edge). When the remainder
        # is too small to tell, the plainer description wins (two regions rather than three of their sites).
        # (Measuring the remainder against its own, stricter baseline instead named one site's email rush
        # where email in two regions was real as well: that baseline already holds the wider excess.)
        holds_most = narrow.count - narrow.expected >= 0.5 * (wide.count - wide.expected)
        confined = holds_most and _falls_short(wide, narrow, columns)
        if not confined and _plainness(narrow) < _plainness(wide):
            confined = holds_most
        winner = narrow if confined else wide
        return (False, position) if winner is cell else (True, None)
    return False, None


def _diluted(cell: _Cell, other: _Cell, columns: Mapping[str, Int64Array]) -> bool:
    """Whether `cell` is the mirror of a kept finding of another value of the same 'what'.

    Office chairs tripled in the South make every other product's share there smaller, so floor lamps look
    more common in the North. Without the kept finding's excess cases in the baseline, does the cell still
    stand out?
    """
    # The other's 'what' is part of this one's (a product, or a product by some channels) with another value.
    if not other.what or not set(other.what) <= set(cell.what):
        return False
    if all(cell.codes[name] == other.codes[name] for name in other.what):
        return False
    assert cell.hits is not None and cell.context is not None and other.hits is not None
    if not all(BY_DIMENSION[name].role is Role.WHAT for name in cell.what):
        return False  # a share of a product, category or channel, not of a group of people
    rows = len(cell.hits)
    what_rows = _match(columns, {name: cell.codes[name] for name in cell.what}, rows)
    baseline = ~cell.context & ~other.hits
    single = all(len(values) == 1 for values in cell.codes.values())
    if single and _in_one_region(name for name in cell.codes if name not in cell.what):
        # Judged within its region (`_within_stratum`): so is its mirror image, when the region has more.
        region = columns["region"][cell.hits][:1]
        within = baseline & (columns["region"] == region[0]) if len(region) else baseline
        if np.any(within):
            baseline = within
    size = int(np.count_nonzero(baseline))
    share = int(np.count_nonzero(baseline & what_rows)) / size if size else 0.0
    if not 0 < share < 1:
        return False
    inside = cell.context & ~other.hits
    expected = (int(np.count_nonzero(inside)) - cell.count) * share / (1 - share)
    if expected <= 0 or cell.count < max(MATERIAL, cell.tolerance) * expected:
        return True
    trials = int(np.count_nonzero(inside))
    return float(_stats().binom.sf(cell.count - 1, trials, share)) > LEFTOVER_P


def _tally(codes_of: _Codes, codes: Mapping[str, tuple[int, ...]]) -> int:
    """How many rows have these values (each dimension one of its values), from the scan's cached counts."""
    names = tuple(name for name in DIMENSIONS if name in codes)
    if not names:
        return len(codes_of.columns[DIMENSIONS[0]])
    sizes = [codes_of.sizes[name] for name in names]
    table = codes_of.totals(names, int(np.prod(sizes))).reshape(sizes)
    return int(table[np.ix_(*(np.asarray(codes[name], dtype=np.int64) for name in names))].sum())


def _beyond_parents(cell: _Cell, codes_of: _Codes, bar: float = 1.0) -> bool:
    """Whether a product/category/channel cell shows more than the rest of each cell it refines.

    A dimension whose values are independent of the excess never headlines: a product that sells more in the
    West is no finding 'by phone' or 'in late deliveries' there, however a million cases' noise splits it.
    Each parent (the cell with one dimension fewer) without the cell itself (the West's office chairs by
    other channels) has a share ratio against the same baseline, within the region when the cell is judged
    within one; the cell must stand `MATERIAL` times above what that ratio predicts for it. A cell of two
    'whats' (a product's missing parts in the West) must also pass `bar` (unweighted: the line any discovery
    passes without its family's share of the budget) against each 'what' alone: the cell's cases among the
    product's in the West, at the share missing parts have among that product's cases elsewhere. Its own test
    holds the product's share in the West against its share elsewhere, and so counts a product that sells
    1.3x in the West as evidence about its missing parts.
    """
    if not any(BY_DIMENSION[name].role is Role.WHAT for name in cell.what) or cell.null_expected <= 0:
        return True
    within: dict[str, tuple[int, ...]] = {}
    context = [name for name in cell.dims if name not in cell.what]
    if _in_one_region(context) and "region" in codes_of.columns and "region" not in cell.codes:
        pinned = {name: cell.codes[name] for name in context}
        regions = [
            code
            for code in range(codes_of.sizes["region"])
            if _tally(codes_of, {**pinned, "region": (code,)})
        ]
        if len(regions) == 1:
            within = {"region": (regions[0],)}
    if not _beyond_its_places_mix(cell, codes_of, context, within):
        return False
    cell_place = _tally(codes_of, {**{name: cell.codes[name] for name in context}, **within})
    cell_what = _tally(codes_of, {**{name: cell.codes[name] for name in cell.what}, **within})
    for dropped in cell.dims:
        what = tuple(name for name in cell.what if name != dropped)
        rest = tuple(name for name in context if name != dropped)
        if not rest and len(what) >= 2:
            what, rest = what[:1], what[1:]
        if not what or not rest:
            continue
        where = {name: cell.codes[name] for name in rest}
        if not _in_one_region(rest):
            where.update(within)  # the cell's region when the parent no longer pins it
        whats = {name: cell.codes[name] for name in what}
        in_both = _tally(codes_of, {**whats, **where})
        in_place = _tally(codes_of, where)
        elsewhere = _tally(codes_of, {**whats, **within}) - in_both
        rows = _tally(codes_of, within) - in_place
        if dropped in cell.what and elsewhere > 0:
            # Against the one 'what' alone: the cell's cases among the parent's, at the share `dropped`'s
            # value has among the parent's 'what' outside the cell's place.
            share = (cell_what - cell.count) / elsewhere
            if 0 < share < 1 and float(_stats().binom.sf(cell.count - 1, in_both, share)) > bar:
                return False
        # The parent without the cell: its other places (a context dimension dropped), or its other values of
        # the dropped 'what' in the same place (whose share elsewhere leaves out that value's too).
        rest_both = in_both - cell.count
        if dropped in context:
            rest_place = in_place - cell_place
        else:
            rest_place = in_place
            elsewhere -= cell_what - cell.count
        if rest_place <= 0 or rows <= 0 or elsewhere <= 0 or rest_both <= 0:
            continue
        lift = (rest_both / rest_place) / (elsewhere / rows)
        if cell.count < MATERIAL * max(lift, 1.0) * cell.null_expected:
            return False
    return True


def _beyond_its_places_mix(
    cell: _Cell, codes_of: _Codes, context: list[str], within: Mapping[str, tuple[int, ...]]
) -> bool:
    """Whether a cell of two 'whats' whose "elsewhere" is essentially one other place also stands out
    against its own place's mix.

    With one other place to compare with (two regions; a site beside the one other site of its region, where
    a site is judged), a shortfall there reads as an excess here: the demo's two regions once showed "Dining
    table 'wrong item' in the North region: 84 where about 23 were expected", when the North held as many as
    its own dining tables and wrong items predict (80) and the South had few (16 where 32 were). There the
    cell's cases among the place's cases of its first 'what' must be unlikely (`LEFTOVER_P`) at the share
    its second 'what' has among the place's other cases. "Essentially one" is `ONE_PLACE` of the other
    places' cases, so that a stray case elsewhere does not lift the rule; with the rest spread over many
    places it is no one place's chance, and a small place (a person) would lose its power. `within` is the
    place's region when it lies in one (as `_beyond_parents` finds it).
    """
    if len(cell.what) < 2 or len(context) != 1 or len(cell.codes[context[0]]) != 1:
        return True
    name = context[0]
    size = codes_of.sizes[name]
    per_value = codes_of.totals((name,), size)
    if "region" in within:
        # Judged within its region (`_within_stratum`): the other places are the region's.
        regions = codes_of.sizes["region"]
        per_value = codes_of.totals((name, "region"), size * regions).reshape(size, regions)[
            :, within["region"][0]
        ]
    others = np.array(per_value, dtype=np.int64)
    others[cell.codes[name][0]] = 0
    rest = int(others.sum())
    if rest <= 0 or int(others.max()) < ONE_PLACE * rest:
        return True
    place = {name: cell.codes[name]}
    first = {**place, **{what: cell.codes[what] for what in cell.what[:1]}}
    second = {**place, **{what: cell.codes[what] for what in cell.what[1:]}}
    in_first = _tally(codes_of, first)
    outside_first = _tally(codes_of, place) - in_first
    if outside_first <= 0:
        return True
    share = (_tally(codes_of, second) - cell.count) / outside_first
    if share >= 1:
        return False  # every other case there has the second 'what': the cell cannot exceed the place's mix
    if share <= 0:
        return True
    return float(_stats().binom.sf(cell.count - 1, in_first, share)) <= LEFTOVER_P


def _falls_short(wide: _Cell, narrow: _Cell, columns: Mapping[str, Int64Array]) -> bool:
    """Whether the wider cell without the narrower one is clearly below the narrower one's lift (5 %)."""
    assert wide.hits is not None and wide.context is not None
    pinned = {name: values for name, values in narrow.codes.items() if name not in wide.what}
    without = _match(columns, pinned, len(wide.hits))
    count = int(np.count_nonzero(wide.hits & ~without))
    context_rows = int(np.count_nonzero(wide.context & ~without))
    expected = _leftover_expected(wide, narrow, count, context_rows, strict=False)
    if expected <= 0:
        return False
    return float(_stats().poisson.cdf(count, narrow.lift * expected)) <= 0.05


def _plainness(cell: _Cell) -> int:
    """How many values it takes to say where the finding is (fewer reads better)."""
    return sum(len(codes) for codes in cell.codes.values())


# The places finer than a region, narrowest first (a person, then a site): what `_refine` may name instead.
_FINER_PLACES = tuple(
    sorted(
        (dimension.name for dimension in DIMENSION_TABLE if "region" in dimension.pins_down),
        key=lambda name: -len(BY_DIMENSION[name].pins_down),
    )
)


def _refine(cell: _Cell, columns: Mapping[str, Int64Array], rows: int, min_lift: float) -> _Cell | None:
    """A finding said where its excess really is: in the one site (or person) of its region, or the one
    value of its subset; None when a subset's excess sits in one value that does not clear that value's own
    bar (a region's ordinary mix).

    The narrower place is named when it holds most of the region's excess and the rest of the region clearly
    falls short of its lift, or is too small to tell (`_narrowed`; `_explained`'s rule for two findings,
    applied to a site that was not a finding of its own: a site that is most of its region cannot stand out
    against the region's other sites, yet the excess is plainly there). The evidence, and so the p-value,
    stays the region's.
    """
    assert cell.hits is not None and cell.context is not None
    refined = cell
    # A few values together (two sites) of which one holds the excess: that one.
    for name, values in cell.codes.items():
        if len(values) > 1 and name not in cell.what:
            single = _narrowed(cell, name, columns, rows)
            if single is not None:
                if cell.single_tolerance is not None and not _material([single], min_lift):
                    return None
                refined = _refine(single, columns, rows, min_lift) or single
                break
    else:
        if "region" in cell.codes and len(cell.codes["region"]) == 1 and "region" not in cell.what:
            for name in _FINER_PLACES:
                if name not in columns or name in cell.codes:
                    continue
                narrower = _narrowed(cell, name, columns, rows)
                if narrower is not None:
                    refined = narrower
                    break
    return refined


def _narrowed(cell: _Cell, name: str, columns: Mapping[str, Int64Array], rows: int) -> _Cell | None:
    """`cell` said with one value of `name` (replacing its region, or its subset of `name`), if that value
    holds most of its excess and the rest clearly falls short of that value's lift or is too small to tell
    (`SMALL_REST`); else None."""
    assert cell.hits is not None and cell.context is not None
    excess = cell.count - cell.expected
    size = int(columns[name].max()) + 1
    hits = np.bincount(columns[name][cell.hits], minlength=size)
    context = np.bincount(columns[name][cell.context], minlength=size)
    expected = (context - hits) * cell.rate
    best = int(np.argmax(hits - expected))
    if hits[best] - expected[best] < 0.5 * excess or expected[best] <= 0:
        return None
    if int(context.sum()) == int(context[best]):
        return None  # nothing else in it (a region with one site): the finding's own words stay
    rest_count = cell.count - int(hits[best])
    rest_expected = (int(context.sum()) - int(context[best]) - rest_count) * cell.rate
    lift = hits[best] / expected[best]
    if rest_expected > 0:
        # The rest must show no excess of its own, and clearly less than the narrower one's, unless it is
        # too small to matter: its expected count under a quarter of the narrower one's (at the narrower
        # one's lift it would add under a quarter of that one's excess). An email rush at one site's 11:00
        # (73 where 18 were expected) was said as its region's because the region's other site had 4 emails
        # of 10 cases then, too few to show they fall short.
        stands_out = rest_count >= max(MATERIAL, cell.tolerance) * rest_expected and (
            float(_stats().poisson.sf(rest_count - 1, rest_expected)) <= LEFTOVER_P
        )
        could_share = rest_expected >= SMALL_REST * expected[best]
        if stands_out or (
            could_share and float(_stats().poisson.cdf(rest_count, lift * rest_expected)) > 0.05
        ):
            return None  # the rest shares the excess: the wider description it is
    replaced = "region" if name not in cell.codes else name
    codes = {key: values for key, values in cell.codes.items() if key != replaced}
    codes[name] = (best,)
    refined = _Cell(
        dims=tuple(dimension for dimension in DIMENSIONS if dimension in codes),
        codes=codes,
        what=cell.what,
        count=int(hits[best]),
        expected=float(expected[best]),
        p_value=cell.p_value,
        rate=cell.rate,
        tolerance=cell.tolerance if cell.single_tolerance is None else cell.single_tolerance,
        null_expected=float(context[best]) * cell.rate / (1 + cell.rate),
        family=cell.family,
        weight=cell.weight,
        odds_material=cell.odds_material,
    )
    _materialise(refined, columns, rows)
    return refined


def _merge_subsets(cells: list[_Cell], sizes: Mapping[str, int]) -> list[_Cell]:
    """Join findings that differ only in one value (adjacent windows or hours, several regions).

    The joined cell's p-value is the summed counts' corrected for the choice: any run of that length (ordered
    values) or any subset of that size could have been joined.
    """
    merged: list[_Cell] = []
    used: set[int] = set()
    # Only where the table allows it: a run of windows, a few regions; never a list of people (a subset that
    # was never a hypothesis).
    for dimension in (*ORDERED_DIMENSIONS, *SUBSET_DIMENSIONS):
        groups: dict[tuple[Any, ...], list[int]] = {}
        for index, cell in enumerate(cells):
            if index in used or dimension not in cell.codes:
                continue
            if any(len(codes) > 1 for codes in cell.codes.values()):
                continue  # already a subset of its own
            rest = tuple((name, cell.codes[name]) for name in cell.dims if name != dimension)
            groups.setdefault((cell.dims, cell.what, rest), []).append(index)
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
            values = _WHEN_SIZE.get(dimension, sizes.get(dimension, 1))
            for run in runs:
                if len(run) < 2:
                    continue
                first = cells[run[0]]
                codes = dict(first.codes)
                codes[dimension] = tuple(cells[index].codes[dimension][0] for index in run)
                count = sum(cells[index].count for index in run)
                expected = sum(cells[index].expected for index in run)
                null_expected = sum(cells[index].null_expected for index in run)
                trials = sum(cells[index].trials for index in run)
                choices = values - len(run) + 1 if dimension in ORDERED_DIMENSIONS else comb(values, len(run))
                # Binomial over the members' contexts together (a Poisson tail is far too wide when the group
                # is most of its slot); the summed null share is the members' average.
                if trials > 0:
                    p_value = float(_stats().binom.sf(count - 1, trials, min(null_expected / trials, 1.0)))
                else:
                    p_value = float(_stats().poisson.sf(count - 1, null_expected))
                p_value *= max(choices, 1)
                # The expected count of a joined context: its size times the members' average rate, set once
                # the context's rows are known (`_materialise`).
                joined = _Cell(first.dims, codes, first.what, count, expected, min(1.0, p_value), -1.0)
                joined.null_expected = null_expected
                joined.trials = trials
                joined.tolerance = max(cells[index].tolerance for index in run)
                joined.family = first.family
                joined.weight = first.weight
                merged.append(joined)
                used.update(run)
    # A join that says what a subset cell already tested says (two regions) is left to the subset's own test.
    tested = {
        tuple(sorted(cell.codes.items())) for cell in cells if any(len(v) > 1 for v in cell.codes.values())
    }
    merged = [cell for cell in merged if tuple(sorted(cell.codes.items())) not in tested]
    return merged + [cell for index, cell in enumerate(cells) if index not in used]


def local_days(epochs: Int64Array, weekdays: Int64Array) -> Int64Array:
    """Each case's local date (days since 1970-01-01) from its UTC epoch and the local weekday packed with it.

    A zone's offset is under a day, so the local date is the UTC date or one either side: the one whose
    weekday is the packed local weekday (1970-01-01 was a Thursday).
    """
    utc_day = np.asarray(epochs, dtype=np.int64) // 86_400
    shift = (np.asarray(weekdays, dtype=np.int64) - (utc_day + 3)) % 7  # 0, 1 or 6
    return utc_day + np.where(shift == 6, -1, shift)


def _describe(
    codes: Mapping[str, tuple[int, ...]], labels: Mapping[str, Mapping[int, str]]
) -> tuple[dict[str, Any], str]:
    """The JSON dimensions and the phrase a supervisor reads, e.g. 'Wednesdays 15:00–16:00 with Billy'."""
    dimensions: dict[str, Any] = {}
    parts: dict[Role, list[str]] = {role: [] for role in SENTENCE_ORDER}
    trailing: list[str] = []
    for dimension in DIMENSION_TABLE:
        if dimension.name not in codes:
            continue
        value, words = dimension.words(codes[dimension.name], labels.get(dimension.name, {}))
        dimensions[dimension.name] = value
        phrase = dimension.phrase.format(words)
        (trailing if dimension.last_in_sentence else parts[dimension.role]).append(phrase)
    phrase = " ".join([*(part for role in SENTENCE_ORDER for part in parts[role]), *trailing])
    return dimensions, phrase[:1].upper() + phrase[1:]


def expected_words(expected: float) -> str:
    """'where about 44 were expected' (or 'under 1 was'): an expected count as a supervisor would say it."""
    if expected < 0.5:
        return "where under 1 was expected"
    if round(expected) == 1:
        return "where about 1 was expected"
    return f"where about {expected:.0f} were expected"


def find_hotspots(
    case_ids: Int64Array,
    packed: Int64Array,
    labels: Mapping[str, Mapping[int, str]],
    *,
    days: Int64Array | None = None,
    today: int | None = None,
    boundaries: Sequence[int] = DEFAULT_BOUNDARIES,
    min_support: int = 8,
    min_lift: float = 1.5,
    fdr: float = FALSE_ALARMS,
    limit: int = 20,
) -> list[Hotspot]:
    """The hotspots among these documented cases, best first (see the module docstring for the method).

    `days` is each case's local date (days since 1970-01-01, see `local_days`): it measures who was on duty
    when, and which cases are of the last week before `today` (the newest date when not given). Without it
    every weekday counts as one date. `boundaries` are the windows where shifts start or end.
    """
    if len(packed) < min_support:
        return []
    rows = len(packed)
    columns = unpack_facts(np.asarray(packed, dtype=np.int64))
    sizes = _sizes(columns)
    codes_of = _Codes(columns, sizes)
    day_of_row = None if days is None else np.asarray(days, dtype=np.int64)
    roster_cells, roster_families = _roster_cells(
        columns, codes_of, day_of_row, boundaries, min_support, min_lift
    )
    what_cells, what_families = _what_cells(codes_of, min_support, min_lift)
    families = [family for family in roster_families + what_families if family > 0]
    tests = sum(families)
    for cell in roster_cells + what_cells:
        cell.weight = _family_weight(cell.family, len(families), tests)
    # One cell judged two ways (a site within its region and against everywhere) is one finding: its best.
    best: dict[tuple[Any, ...], _Cell] = {}
    for cell in roster_cells + what_cells:
        if cell.lift < min_lift:
            continue
        key = (cell.what, tuple(sorted(cell.codes.items())))
        if key not in best or cell.evidence < best[key].evidence:
            best[key] = cell
    cells = list(best.values())
    if not cells:
        return []
    p_values = np.array([cell.evidence for cell in cells], dtype=np.float64)
    accepted = _benjamini_hochberg(p_values, tests, fdr)
    found = _merge_subsets([cell for cell, keep in zip(cells, accepted, strict=True) if keep], sizes)
    # The bar the discoveries passed (Benjamini-Hochberg's line at their number): a cell must pass it against
    # each parent's own mix too (`_beyond_parents`).
    bar = fdr * int(np.count_nonzero(accepted)) / max(tests, 1)
    found = [cell for cell in _material(found, min_lift) if _beyond_parents(cell, codes_of, bar)]
    found.sort(key=lambda cell: (cell.evidence, -cell.lift, len(cell.dims)))
    kept: list[_Cell] = []
    for cell in found:
        _materialise(cell, columns, rows)
        if cell.rate < 0:
            assert cell.context is not None
            cell.rate = cell.expected / max(int(np.count_nonzero(cell.context)) - cell.count, 1)
        echo, replaces = _explained(kept, cell, columns)
        if echo:
            continue
        if replaces is not None:
            kept[replaces] = cell
            # The replacement may itself make another kept finding redundant (a site and its region).
            kept = [
                kept[i]
                for i in range(len(kept))
                if i == replaces or not _explained([cell], kept[i], columns)[0]
            ]
        else:
            kept.append(cell)
    # Echoes dropped, the discoveries are fewer: Benjamini-Hochberg again on what is left (an echo must not
    # have raised the threshold for the others).
    kept = _still_discoveries(kept, tests, fdr)
    kept = [refined for cell in kept if (refined := _refine(cell, columns, rows, min_lift)) is not None]
    kept = _still_discoveries(kept, tests, fdr)  # fewer findings: the line is lower
    kept.sort(key=lambda cell: (cell.evidence, -cell.lift, len(cell.dims)))
    adjusted = _adjusted(np.array([cell.evidence for cell in kept], dtype=np.float64), tests)
    ids = np.asarray(case_ids, dtype=np.int64)
    recent_rows = np.zeros(rows, dtype=bool)
    if day_of_row is not None and len(day_of_row):
        last = int(day_of_row.max()) if today is None else today
        recent_rows = day_of_row > last - RECENT_DAYS
    recent_total = int(np.count_nonzero(recent_rows))
    before_total = rows - recent_total
    hotspots = []
    for cell, adjusted_p_value in zip(kept[:limit], adjusted.tolist(), strict=False):
        dimensions, phrase = _describe(cell.codes, labels)
        sentence = f"{phrase}: {cell.count} breakdowns {expected_words(cell.expected)}"
        assert cell.hits is not None
        hotspots.append(
            Hotspot(
                dimensions=dimensions,
                count=cell.count,
                expected=cell.expected,
                p_value=cell.p_value,
                sentence=sentence,
                case_ids=sorted(ids[cell.hits].tolist()),
                recent=int(np.count_nonzero(cell.hits & recent_rows)),
                recent_expected=(
                    int(np.count_nonzero(cell.hits & ~recent_rows)) / before_total * recent_total
                    if before_total
                    else 0.0
                ),
                adjusted_p_value=adjusted_p_value,
            )
        )
    return hotspots


def headline(hotspots: Sequence[Hotspot]) -> Hotspot | None:
    """The hotspot a supervisor should read first: the strongest that is new or growing this week, else the
    strongest."""
    for hotspot in hotspots:
        if hotspot.new_this_week:
            return hotspot
    return hotspots[0] if hotspots else None


def headline_sentence(hotspot: Hotspot) -> str:
    """The headline's words: its sentence, and "new this week" when it is."""
    return f"{hotspot.sentence} (new this week)" if hotspot.new_this_week else hotspot.sentence
