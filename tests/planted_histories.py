"""Seeded 12-week histories with a realistic roster's structure and, optionally, one planted pattern.

Structure that is no finding (always on): a site with double traffic, volume growing over the weeks, a night
shift busier for everyone on it, products selling differently by region, part-day Sunday opening hours at half
the sites (the other half open all day), weekly early/late rotations, part-timers, people faster than others.
Planted shapes (one per history): who x when, where x when x what, what x where-subset, who x what, and
weekday x region x category, each a rate multiplier (`lift`) on its cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from core.hotspots import DEFAULT_BOUNDARIES, Hotspot, pack_columns

SITES = (
    "Harbour Road",
    "Millbrook",
    "Gulf Point",
    "Bayside",
    "Eastgate",
    "Riverside",
    "Westfield",
    "Hilltop",
)
SITE_REGION = (0, 0, 1, 1, 2, 2, 3, 3)
REGIONS = ("North", "South", "East", "West")
PRODUCTS = (*(f"Product {letter}" for letter in "ABCDEFGHIJ"), "Office chair", "Sofa")
CATEGORIES = ("late delivery", "damaged", "wrong item", "rude staff", "billing", "missing part", "no-show")
CHANNELS = ("phone", "in-person", "email", "chat", "social")
SHAPES = ("who_when", "where_when_what", "what_where_subset", "who_what", "weekday_region_category")
# Not one of the five: one product's excess at one site of a region (named the site, not its region).
EXTRA_SHAPES = ("what_at_site",)
# A Monday, as days since 1970-01-01 (the scan's local date numbers).
FIRST_DAY = date(2026, 8, 31).toordinal() - date(1970, 1, 1).toordinal()

_HOURS = np.arange(48) / 2
BUSYNESS = 0.6 + 0.5 * np.exp(-((_HOURS - 11) ** 2) / 8) + 0.4 * np.exp(-((_HOURS - 17) ** 2) / 6)
NIGHT = (_HOURS >= 22) | (_HOURS < 6)
BUSYNESS = np.where(NIGHT, BUSYNESS * 1.6, BUSYNESS)  # the night shift is busier for everyone on it
SHIFT_WINDOWS = {0: np.arange(12, 28), 1: np.arange(28, 44)}  # early 06-14, late 14-22; night below
DOUBLE_TRAFFIC_SITE = 0
PART_DAY_SUNDAY_SITES = (0, 1, 2, 3)  # open 10:00-16:00 on Sundays; the others all day
SUNDAY_OPEN = np.arange(20, 32)
CHANNEL_MIX = (0.35, 0.25, 0.2, 0.12, 0.08)


@dataclass
class Roster:
    site: list[int] = field(default_factory=list)
    shift: list[int] = field(default_factory=list)  # 0 early, 1 late, 2 night (22-06)
    rotates: list[bool] = field(default_factory=list)  # early one week, late the next
    days: list[tuple[int, ...]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


@dataclass
class History:
    """One generated history, what was planted in it, and how a correct finding names it."""

    case_ids: np.ndarray
    packed: np.ndarray
    days: np.ndarray
    labels: dict[str, dict[int, str]]
    roster: Roster
    shape: str | None
    planted: dict[str, tuple[int, ...]]
    boundaries: tuple[int, ...] = DEFAULT_BOUNDARIES
    planted_count: int = 0  # cases in the planted cell, the planted ones included
    planted_expected: float = 0.0  # what the cell would have held without the pattern
    planted_ids: frozenset[int] = frozenset()  # the case ids of the planted cell


def make_roster(rng: np.random.Generator, staff: int) -> Roster:
    roster = Roster()
    for person in range(staff):
        full_time = rng.random() < 0.5
        count = 5 if full_time else int(rng.integers(2, 4))
        shift = int(rng.choice(3, p=[0.45, 0.45, 0.10]))
        roster.site.append(int(rng.integers(0, len(SITES))))
        roster.shift.append(shift)
        roster.rotates.append(shift < 2 and rng.random() < 0.25)
        roster.days.append(tuple(sorted(int(day) for day in rng.choice(7, size=count, replace=False))))
        roster.names.append(f"Agent {person:03d}")
    return roster


def _schedule(roster: Roster, days: int) -> np.ndarray:
    """Who is on duty in each window of each date (dates x people x 48)."""
    staff = len(roster.site)
    on = np.zeros((days, staff, 48), dtype=bool)
    for person in range(staff):
        for day in range(days):
            weekday = day % 7
            works = weekday in roster.days[person]
            if roster.shift[person] == 2:
                if works:
                    on[day, person, 44:] = True
                    if day + 1 < days:
                        on[day + 1, person, :12] = True
                continue
            if not works:
                continue
            shift = roster.shift[person]
            if roster.rotates[person] and (day // 7) % 2 == 1:
                shift = 1 - shift
            on[day, person, SHIFT_WINDOWS[shift]] = True
    for person in range(staff):
        if roster.site[person] in PART_DAY_SUNDAY_SITES:
            closed = np.ones(48, dtype=bool)
            closed[SUNDAY_OPEN] = False
            on[6::7, person, :] &= ~closed
    return on


def _matching(columns: dict[str, np.ndarray], codes: dict[str, tuple[int, ...]]) -> np.ndarray:
    mask = np.ones(len(columns["staff"]), dtype=bool)
    for name, values in codes.items():
        mask &= np.isin(columns[name], values)
    return mask


def _choose_plant(
    shape: str, rng: np.random.Generator, roster: Roster, columns: dict[str, np.ndarray]
) -> tuple[dict[str, tuple[int, ...]], tuple[str, ...]]:
    """(the planted cell, which of its dimensions are the 'what' its extra cases take)."""
    if shape == "who_when":
        candidates = [
            p
            for p in range(len(roster.site))
            if roster.shift[p] < 2 and not roster.rotates[p] and len(roster.days[p]) == 5
        ]
        person = int(rng.choice(candidates))
        weekday = int(rng.choice([d for d in roster.days[person] if d < 6]))
        hour = int(rng.choice(SHIFT_WINDOWS[roster.shift[person]][2:-2] // 2))
        return {"staff": (person,), "weekday": (weekday,), "hour": (hour,)}, ()
    if shape == "where_when_what":
        site = int(rng.integers(1, len(SITES)))
        return {
            "site": (site,),
            "hour": (int(rng.integers(9, 18)),),
            "channel": (int(rng.integers(0, 5)),),
        }, ("channel",)
    if shape == "what_where_subset":
        regions = tuple(sorted(int(r) for r in rng.choice(len(REGIONS), size=2, replace=False)))
        return {"product": (int(rng.integers(0, len(PRODUCTS))),), "region": regions}, ("product",)
    if shape == "who_what":
        # Someone with real volume, and a product and a category that are not rare.
        counts = np.bincount(columns["staff"], minlength=len(roster.site))
        person = int(rng.choice(np.argsort(-counts)[: max(3, len(counts) // 4)]))
        products = np.argsort(-np.bincount(columns["product"], minlength=len(PRODUCTS)))[:6]
        categories = np.argsort(-np.bincount(columns["category"], minlength=len(CATEGORIES)))[:4]
        return {
            "staff": (person,),
            "product": (int(rng.choice(products)),),
            "category": (int(rng.choice(categories)),),
        }, ("product", "category")
    if shape == "what_at_site":
        site = int(rng.integers(1, len(SITES)))
        return {"product": (int(rng.integers(0, len(PRODUCTS))),), "site": (site,)}, ("product",)
    if shape == "weekday_region_category":
        return {
            "weekday": (int(rng.integers(0, 6)),),
            "region": (int(rng.integers(0, len(REGIONS))),),
            "category": (int(rng.integers(0, len(CATEGORIES))),),
        }, ("category",)
    raise ValueError(shape)


def generate(
    seed: int,
    *,
    cases: int = 5_000,
    shape: str | None = None,
    lift: float = 3.0,
    weeks: int = 12,
    staff: int | None = None,
    planted_from_day: int = 0,
) -> History:
    """About `cases` documented cases over `weeks` weeks, with one planted `shape` at `lift` if given."""
    rng = np.random.default_rng(seed)
    days = 7 * weeks
    staff = staff or int(np.clip(cases / 400, 40, 1500))
    roster = make_roster(rng, staff)
    on = _schedule(roster, days)
    speed = rng.uniform(0.8, 1.25, staff)
    traffic = np.where(np.asarray(roster.site) == DOUBLE_TRAFFIC_SITE, 2.0, 1.0)
    growth = 1.0 + 0.6 * np.arange(days) / max(days - 1, 1)  # volume grows over the weeks
    mean = on * (speed * traffic)[None, :, None] * BUSYNESS[None, None, :] * growth[:, None, None]
    counts = rng.poisson(mean * (cases / mean.sum())).ravel()
    flat = np.repeat(np.arange(counts.size), counts)
    day, person, window = np.unravel_index(flat, mean.shape)
    columns: dict[str, np.ndarray] = {
        "weekday": (day % 7).astype(np.int64),
        "window": window.astype(np.int64),
        "staff": person.astype(np.int64),
        "site": np.asarray(roster.site, dtype=np.int64)[person],
    }
    columns["region"] = np.asarray(SITE_REGION, dtype=np.int64)[columns["site"]]
    total = len(flat)
    # Products sell differently by region: a region's mix is the common one, each product 0.8-1.25 times.
    base_mix = rng.dirichlet(np.full(len(PRODUCTS), 6.0))
    region_mix = np.array([base_mix * rng.uniform(0.8, 1.25, len(PRODUCTS)) for _ in REGIONS])
    region_mix /= region_mix.sum(axis=1, keepdims=True)
    columns["product"] = np.zeros(total, dtype=np.int64)
    for region in range(len(REGIONS)):
        here = columns["region"] == region
        columns["product"][here] = rng.choice(len(PRODUCTS), size=int(here.sum()), p=region_mix[region])
    category_mix = rng.dirichlet(np.full(len(CATEGORIES), 8.0))
    columns["category"] = rng.choice(len(CATEGORIES), size=total, p=category_mix)
    columns["channel"] = rng.choice(len(CHANNELS), size=total, p=CHANNEL_MIX)
    columns["day"] = day.astype(np.int64)
    planted: dict[str, tuple[int, ...]] = {}
    planted_count, planted_expected = 0, 0.0
    in_cell = np.zeros(0, dtype=bool)
    if shape is not None:
        planted, what = _choose_plant(shape, rng, roster, columns)
        context = {name: values for name, values in planted.items() if name not in what}
        if "hour" in context:
            context["window"] = tuple(2 * h + i for h in context.pop("hour") for i in (0, 1))
        # From `planted_from_day` on only (a pattern that is new this week).
        context_rows = np.nonzero(_matching(columns, context) & (columns["day"] >= planted_from_day))[0]
        if what:
            share = float(_matching(columns, {name: planted[name] for name in what}).mean())
            base = len(context_rows) * share
        else:
            base = float(len(context_rows))
        extra = int(rng.poisson((lift - 1.0) * base)) if len(context_rows) else 0
        copies = rng.choice(context_rows, size=extra) if extra else np.zeros(0, dtype=np.int64)
        # The extra cases happen when and where real ones did (a copied case's person, place, date and
        # window); what they are about is drawn afresh, except what the pattern fixes.
        fresh = {
            "product": np.array(
                [rng.choice(len(PRODUCTS), p=region_mix[region]) for region in columns["region"][copies]],
                dtype=np.int64,
            ),
            "category": rng.choice(len(CATEGORIES), size=extra, p=category_mix),
            "channel": rng.choice(len(CHANNELS), size=extra, p=CHANNEL_MIX),
        }
        for name in columns:
            added = columns[name][copies].copy()
            if name in fresh and name not in planted:
                added = fresh[name]
            if name in what:
                added = rng.choice(np.asarray(planted[name]), size=extra)
            columns[name] = np.concatenate([columns[name], added]).astype(np.int64)
        cell = {n: v for n, v in planted.items() if n != "hour"}
        if "hour" in planted:
            cell["window"] = tuple(2 * h + i for h in planted["hour"] for i in (0, 1))
        in_cell = _matching(columns, cell)
        planted_count = int(in_cell.sum())
        planted_expected = base
    labels = {
        "staff": dict(enumerate(roster.names)),
        "site": dict(enumerate(SITES)),
        "region": dict(enumerate(REGIONS)),
        "product": dict(enumerate(PRODUCTS)),
        "category": dict(enumerate(CATEGORIES)),
        "channel": dict(enumerate(CHANNELS)),
    }
    n = len(columns["staff"])
    return History(
        case_ids=np.arange(1, n + 1, dtype=np.int64),
        packed=pack_columns(columns),
        days=FIRST_DAY + columns["day"],
        labels=labels,
        roster=roster,
        shape=shape,
        planted=planted,
        planted_count=planted_count,
        planted_expected=planted_expected,
        planted_ids=frozenset((np.nonzero(in_cell)[0] + 1).tolist()),
    )


def _covers_hour(dimensions: dict[str, object], hour: int) -> bool:
    """Whether a finding's time names the planted hour: the hour itself, or windows inside it."""
    if "hour" in dimensions:
        value = dimensions["hour"]
        return value == hour or (isinstance(value, list) and hour in value and len(value) <= 2)
    if "window" in dimensions:
        label = str(dimensions["window"])
        start = int(label[:2]) * 2 + int(label[3:5]) // 30
        end = int(label[6:8]) * 2 + int(label[9:11]) // 30
        return 2 * hour <= start and end <= 2 * hour + 2 and end > start
    return False


def names_the_plant(history: History, hotspot: Hotspot) -> bool:
    """Whether a finding names the planted pattern: the same dimensions and values, nothing else (or other
    words for exactly the planted cell's cases, as when a region's only site open that day is named)."""
    if history.planted and set(hotspot.case_ids) == history.planted_ids:
        return True
    planted = history.planted
    dimensions: dict[str, object] = hotspot.dimensions
    labels = history.labels
    named = set(dimensions) - {"window"} | ({"hour"} if "window" in dimensions else set())
    if named != set(planted):
        return False
    for name, values in planted.items():
        if name == "hour":
            if not _covers_hour(dimensions, values[0]):
                return False
            continue
        value = dimensions[name]
        words = {labels[name][code] for code in values} if name in labels else set(values)
        if name == "weekday":
            got = {value} if isinstance(value, str) else set(value)  # type: ignore[arg-type]
            words = {("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[code] for code in values}
        else:
            got = set(value) if isinstance(value, list) else {value}
        if got != words:
            return False
    return True
