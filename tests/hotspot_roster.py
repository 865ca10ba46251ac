"""A seeded generator of documented breakdowns from a structured roster, with optional planted patterns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.hotspots import pack_columns

SITES = ("Harbour Road", "Millbrook", "Gulf Point", "Bayside", "Eastgate", "Westfield")
SITE_REGION = (0, 0, 1, 1, 2, 3)
REGIONS = ("North", "South", "East", "West")
PRODUCTS = (*(f"Product {letter}" for letter in "ABCDEFGHIJ"), "Office chair", "Sofa")
CATEGORIES = ("late delivery", "damaged", "wrong item", "rude staff", "billing", "missing part", "no-show")
CHANNELS = ("phone", "in-person", "email", "chat", "social")
# How busy each 30-minute window of the day is, the same everywhere (a morning and an afternoon peak).
_HOURS = np.arange(48) / 2
BUSYNESS = 0.6 + 0.5 * np.exp(-((_HOURS - 11) ** 2) / 8) + 0.4 * np.exp(-((_HOURS - 17) ** 2) / 6)


@dataclass
class Plant:
    """Patterns to plant (each a rate multiplier); none by default."""

    staff_weekday_hour: tuple[int, int, int, float] | None = None  # staff, weekday, hour, factor
    site_windows: tuple[int, tuple[int, ...], float] | None = None  # site, windows, factor
    product_regions: tuple[int, tuple[int, ...], float] | None = None  # product, regions, factor


@dataclass
class Roster:
    staff_site: list[int] = field(default_factory=list)
    staff_shift: list[int] = field(default_factory=list)  # 0 early 06-14, 1 late 14-22
    staff_days: list[tuple[int, ...]] = field(default_factory=list)
    staff_names: list[str] = field(default_factory=list)


def make_roster(seed: int, staff_count: int = 40) -> Roster:
    rng = np.random.default_rng(seed)
    roster = Roster()
    for person in range(staff_count):
        full_time = rng.random() < 0.4
        days = 5 if full_time else int(rng.integers(2, 4))
        roster.staff_site.append(int(rng.integers(0, len(SITES))))
        roster.staff_shift.append(int(rng.integers(0, 2)))
        roster.staff_days.append(tuple(sorted(int(day) for day in rng.choice(7, size=days, replace=False))))
        roster.staff_names.append(f"Agent {person:02d}")
    return roster


def generate(
    seed: int, *, days: int = 91, rate: float = 0.35, plant: Plant | None = None, roster: Roster | None = None
) -> tuple[np.ndarray, np.ndarray, dict[str, dict[int, str]], Roster]:
    """(case ids, packed facts, labels, roster) of `days` days of documented breakdowns."""
    rng = np.random.default_rng(seed + 1)
    roster = roster or make_roster(seed)
    plant = plant or Plant()
    # Products sell differently by region: a region-specific mix around a common one.
    base_mix = rng.dirichlet(np.full(len(PRODUCTS), 4.0))
    region_mix = np.array([base_mix * rng.uniform(0.75, 1.3, len(PRODUCTS)) for _ in REGIONS])
    if plant.product_regions is not None:
        product, regions, factor = plant.product_regions
        for region in regions:
            region_mix[region, product] *= factor
    region_mix /= region_mix.sum(axis=1, keepdims=True)
    category_mix = rng.dirichlet(np.full(len(CATEGORIES), 5.0))
    channel_mix = rng.dirichlet(np.full(len(CHANNELS), 5.0))
    speed = rng.uniform(0.8, 1.25, len(roster.staff_site))  # some people simply see more customers

    chunks: dict[str, list[np.ndarray]] = {name: [] for name in ("weekday", "window", "staff", "site")}
    for day in range(days):
        weekday = day % 7
        for person, site in enumerate(roster.staff_site):
            if weekday not in roster.staff_days[person]:
                continue
            windows = np.arange(12, 28) if roster.staff_shift[person] == 0 else np.arange(28, 44)
            expected = rate * speed[person] * BUSYNESS[windows]
            if plant.staff_weekday_hour is not None:
                who, on_day, hour, factor = plant.staff_weekday_hour
                if who == person and on_day == weekday:
                    expected = np.where(windows // 2 == hour, expected * factor, expected)
            if plant.site_windows is not None:
                at_site, boosted, factor = plant.site_windows
                if at_site == site:
                    expected = np.where(np.isin(windows, boosted), expected * factor, expected)
            counts = rng.poisson(expected)
            window_of_case = np.repeat(windows, counts)
            chunks["window"].append(window_of_case)
            chunks["weekday"].append(np.full(len(window_of_case), weekday))
            chunks["staff"].append(np.full(len(window_of_case), person))
            chunks["site"].append(np.full(len(window_of_case), site))
    columns = {name: np.concatenate(parts).astype(np.int64) for name, parts in chunks.items()}
    total = len(columns["staff"])
    columns["region"] = np.asarray(SITE_REGION, dtype=np.int64)[columns["site"]]
    columns["product"] = np.zeros(total, dtype=np.int64)
    for region in range(len(REGIONS)):
        in_region = columns["region"] == region
        columns["product"][in_region] = rng.choice(
            len(PRODUCTS), size=int(in_region.sum()), p=region_mix[region]
        )
    columns["category"] = rng.choice(len(CATEGORIES), size=total, p=category_mix).astype(np.int64)
    columns["channel"] = rng.choice(len(CHANNELS), size=total, p=channel_mix).astype(np.int64)
    labels = {
        "staff": dict(enumerate(roster.staff_names)),
        "site": dict(enumerate(SITES)),
        "region": dict(enumerate(REGIONS)),
        "product": dict(enumerate(PRODUCTS)),
        "category": dict(enumerate(CATEGORIES)),
        "channel": dict(enumerate(CHANNELS)),
    }
    case_ids = np.arange(1, total + 1, dtype=np.int64)
    return case_ids, pack_columns(columns), labels, roster
