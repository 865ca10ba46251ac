"""Planted patterns of every shape are named as planted, and a roster's structure alone reports nothing.

Histories come from tests/planted_histories.py (12 weeks; a site with double traffic, growing volume, a busier
night shift, products selling differently by region, part-day Sundays at half the sites, weekly rotations).
The big simulations behind the README's power table are in benchmarks/power_hotspots.py; these are small.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.hotspot_causes import cause_key, causes_words, hotspot_json, hotspot_lines, over_represented
from core.hotspots import (
    DEFAULT_BOUNDARIES,
    Hotspot,
    boundaries_for,
    expected_words,
    find_hotspots,
    headline,
    headline_sentence,
    local_days,
    pack_columns,
    pack_fact,
    shift_boundaries,
    unpack_facts,
)
from core.shifts import DEFAULT_SHIFTS
from tests.planted_histories import REGIONS, SITE_REGION, SITES, History, generate, names_the_plant

SEEDS = range(4)


def scan(history: History) -> list[Hotspot]:
    return find_hotspots(history.case_ids, history.packed, history.labels, days=history.days)


def overlaps_plant(history: History, hotspot: Hotspot) -> bool:
    return bool(set(hotspot.case_ids) & history.planted_ids)


# (shape, cases, lift): a volume and lift where the planted cell holds a few dozen cases or more.
PLANTS = [
    ("who_when", 50_000, 4.0),
    ("where_when_what", 50_000, 3.0),
    ("what_where_subset", 5_000, 3.0),
    ("who_what", 50_000, 4.0),
    ("weekday_region_category", 5_000, 3.0),
    ("what_at_site", 5_000, 3.0),
]


@pytest.fixture(scope="module")
def planted_runs() -> dict[str, list[tuple[History, list[Hotspot]]]]:
    runs: dict[str, list[tuple[History, list[Hotspot]]]] = {}
    for shape, cases, lift in PLANTS:
        runs[shape] = []
        for seed in SEEDS:
            history = generate(seed, cases=cases, shape=shape, lift=lift)
            runs[shape].append((history, scan(history)))
    return runs


@pytest.mark.parametrize("shape", [shape for shape, _cases, _lift in PLANTS])
def test_each_planted_shape_is_named_as_planted(planted_runs, shape):
    """Named with exactly the planted dimensions and values (the site, not its region; the region subset,
    not a channel; the site x hour x channel with its channel), in at least 3 histories of 4."""
    named = 0
    missed = []
    for history, found in planted_runs[shape]:
        if any(names_the_plant(history, hotspot) for hotspot in found):
            named += 1
        else:
            missed.append((history.planted, history.planted_count, [hotspot.sentence for hotspot in found]))
    assert named >= 3, missed


def test_a_pattern_at_one_site_is_named_at_the_site_not_its_region(planted_runs):
    for history, found in planted_runs["what_at_site"]:
        site = history.planted["site"][0]
        region = REGIONS[SITE_REGION[site]]
        for hotspot in found:
            if overlaps_plant(history, hotspot):
                assert hotspot.dimensions.get("region") != region, hotspot.sentence
        hit = [hotspot for hotspot in found if names_the_plant(history, hotspot)]
        if hit:  # its cases are exactly the site's cases of that product, none of the region's others
            assert set(hit[0].case_ids) == history.planted_ids


def test_a_product_in_two_regions_is_not_headlined_by_a_channel(planted_runs):
    for history, found in planted_runs["what_where_subset"]:
        for hotspot in found:
            if overlaps_plant(history, hotspot):
                assert "channel" not in hotspot.dimensions, hotspot.sentence


def test_echoes_of_a_planted_pattern_are_dropped(planted_runs):
    """Findings that are not the planted pattern (near-duplicates, or unrelated ones let through by a
    threshold that echoes raised) are rare: at most 2 across all planted histories."""
    others = [
        hotspot.sentence
        for runs in planted_runs.values()
        for history, found in runs
        for hotspot in found
        if not names_the_plant(history, hotspot)
    ]
    total = sum(len(runs) for runs in planted_runs.values())
    assert len(others) <= 2, (total, others)


@pytest.mark.parametrize(("seed", "cases"), [*((seed, 5_000) for seed in range(6)), (0, 50_000), (1, 50_000)])
def test_structure_alone_reports_nothing(seed, cases):
    """Double traffic at one site, growth, a busier night, products by region, part-day Sundays at some
    sites and full ones at others, rotations, part-timers: all structure, none of it a finding."""
    history = generate(100 + seed, cases=cases)
    columns = unpack_facts(history.packed)
    # The structure is really there: Sunday hours differ by site, and someone rotates.
    sunday = columns["weekday"] == 6
    early_sunday = np.bincount(columns["site"][sunday & (columns["window"] < 20)], minlength=len(SITES))
    assert early_sunday[:4].sum() == 0 and early_sunday[4:].sum() > 0
    assert any(history.roster.rotates)
    found = scan(history)
    assert found == [], [f"{hotspot.sentence} (p={hotspot.p_value:.2g})" for hotspot in found]


def test_structure_alone_reports_nothing_at_a_million_cases():
    history = generate(7, cases=1_000_000)
    found = scan(history)
    assert found == [], [f"{hotspot.sentence} (p={hotspot.p_value:.2g})" for hotspot in found]


@pytest.mark.parametrize(
    "seed",
    [
        1017,  # Eastgate and Riverside, which are the East region, selling 1.47x the sofas the rest do
        1048,  # Product B on Sundays 16:00-16:30, when only the all-day sites (two regions) are open
        1054,  # office chairs in the West (1.48x) split by category and by channel
    ],
)
def test_structure_once_read_as_a_finding_at_a_million_cases_stays_quiet(seed):
    """Structure-only histories where the scan once reported the structure: products by region said as a
    subset of sites, as a time when the regions' mix differs, and as a product by channel in a region."""
    history = generate(seed, cases=1_000_000)
    found = scan(history)
    assert found == [], [f"{hotspot.sentence} (p={hotspot.p_value:.2g})" for hotspot in found]


@pytest.mark.parametrize(
    "seed",
    [
        # Product D's share in the North and the West passed the bar of a two-region subset, and said as
        # the North alone (which holds its excess) it read "Product D in the North region: 1875 breakdowns
        # where about 1101 were expected": a region's ordinary mix, which a single region's bar holds back.
        1031,
        # Product B sells 0.8-1.25x the common mix in each region, as every product does, and it read
        # "Product B in the West region: 749 breakdowns where about 469 were expected": 1.6x, above the median
        # deviation of the 48 product x region cells, not above the spread of the other products' mixes.
        17,
        # Product B sells 1.3x in the West, and 109 of its 538 cases there are missing parts (20 %, where 15 %
        # of its cases elsewhere are; a one-in-twenty extreme of the 336 product x category x region cells).
        # Against the West's share of every product's missing parts it read "Product B 'missing part' in the
        # West region: 109 breakdowns where about 52 were expected" (p = 4e-9); against Product B's own cases
        # it is p = 5e-4, no finding among hundreds of thousands.
        1020,
    ],
)
def test_products_selling_differently_by_region_stay_quiet_at_50000_cases(seed):
    """Structure-only histories of 50,000 cases where regional product mix was once read as a finding: as one
    region, as a subset narrowed to one region, and as a product's category in a region."""
    history = generate(seed, cases=50_000)
    found = scan(history)
    assert found == [], [f"{hotspot.sentence} (p={hotspot.p_value:.2g})" for hotspot in found]


@pytest.mark.parametrize("seed", [0, 2, 5, 7])
def test_a_product_at_twice_its_rate_in_two_regions_is_named_over_the_regions_own_mix(seed):
    """50,000 cases, one product at 2x in two regions of four while every product sells 0.8-1.25x by region.
    The two regions' own mix reads 1.8-2.1x in these histories; the bar a subset was held to (3.5 robust
    deviations of single region-product cells, estimated with the planted product's cells in them) was
    1.88-2.03 there, so none of the four was named. The bar measured on the other products' interaction,
    scaled to two regions against two, names them."""
    history = generate(seed, cases=50_000, shape="what_where_subset", lift=2.0)
    found = scan(history)
    assert any(names_the_plant(history, hotspot) for hotspot in found), (
        history.planted,
        [hotspot.sentence for hotspot in found],
    )


def test_a_site_hours_excess_by_one_channel_is_named_with_its_channel():
    """5,000 cases, phone at 8x at Gulf Point 17:00-18:00 (102 cases where 15 were expected): it was said as
    "17:00-18:00 at Gulf Point", because that hour's other channels (34 where the roster predicted 19, a
    baseline the excess itself had lowered) passed a 1 % test of standing out on their own."""
    history = generate(10, cases=5_000, shape="where_when_what", lift=8.0)
    found = scan(history)
    assert any(names_the_plant(history, hotspot) for hotspot in found), [h.sentence for h in found]
    assert not any(set(hotspot.dimensions) == {"site", "hour"} for hotspot in found)


@pytest.mark.parametrize(
    ("seed", "lift", "told"),
    [
        # Email at 4x at one West site's 11:00 (73 where 18 were expected) was said as the West region's:
        # the region's other site had 4 emails of its 10 cases then, too few to show they fall short.
        (61, 4.0, "email at one site's 11:00, said as its region's"),
        # In-person at 3x at one East site's 17:00 (72 where 22 were expected): the other site had 5 of 14.
        (99, 3.0, "in-person at one site's 17:00, said as its region's"),
    ],
)
def test_a_site_hours_channel_is_named_at_the_site(seed: int, lift: float, told: str) -> None:
    history = generate(seed, cases=5_000, shape="where_when_what", lift=lift)
    found = scan(history)
    assert any(names_the_plant(history, hotspot) for hotspot in found), (
        told,
        [hotspot.sentence for hotspot in found],
    )


def test_sentences_say_counts_plainly(planted_runs):
    for runs in planted_runs.values():
        for _history, found in runs:
            for hotspot in found:
                assert " breakdowns where " in hotspot.sentence and hotspot.sentence.endswith(" expected")
                assert "×" not in hotspot.sentence
                assert not hotspot.sentence.startswith("By ")
                if "region" in hotspot.dimensions:
                    assert " region" in hotspot.sentence


def test_a_rate_ratio_reads_as_planted():
    """A 3x channel rate at a site and hour reads about 3x (a share ratio would say about 1.8x)."""
    lifts = []
    for seed in range(3):
        history = generate(seed, cases=50_000, shape="where_when_what", lift=3.0)
        lifts += [hotspot.lift for hotspot in scan(history) if names_the_plant(history, hotspot)]
    assert lifts and 2.2 <= float(np.median(lifts)) <= 4.0, lifts


def test_a_pattern_new_this_week_leads_the_headline():
    days = 84
    history = generate(3, cases=50_000, shape="weekday_region_category", lift=10.0, planted_from_day=days - 7)
    found = scan(history)
    new = [hotspot for hotspot in found if hotspot.new_this_week]
    assert new and names_the_plant(history, new[0]), [hotspot.sentence for hotspot in found]
    top = headline(found)
    assert top is new[0]
    assert headline_sentence(top).endswith("(new this week)")
    steady = generate(3, cases=50_000, shape="weekday_region_category", lift=2.0)
    assert not any(hotspot.new_this_week for hotspot in scan(steady))


@given(
    st.integers(0, 4_000_000_000),
    st.integers(-12 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes))),
)
def test_local_dates_come_from_the_epoch_and_the_packed_weekday(epoch, zone):
    local = datetime.fromtimestamp(epoch, UTC).astimezone(zone)
    day = local_days(np.array([epoch]), np.array([local.weekday()]))[0]
    assert day == local.date().toordinal() - datetime(1970, 1, 1).toordinal()


def test_shift_boundaries_are_the_windows_where_shifts_start_and_end():
    assert shift_boundaries([(6, 0), (14, 0), (22, 0), (6, 0)]) == (12, 28, 44)
    assert shift_boundaries([(0, 0), (9, 30), (17, 30)]) == (19, 35)
    assert boundaries_for(DEFAULT_SHIFTS) == DEFAULT_BOUNDARIES


def test_expected_counts_in_words():
    assert expected_words(43.6) == "where about 44 were expected"
    assert expected_words(1.2) == "where about 1 was expected"
    assert expected_words(0.3) == "where under 1 was expected"


def test_root_causes_group_free_text():
    assert cause_key("  Freight   Elevator.\nmore detail") == "freight elevator"
    assert cause_key("\n\nfreight elevator") == "freight elevator"
    assert cause_key("FREIGHT ELEVATOR!") == cause_key("freight elevator")


def test_over_represented_causes_are_counted_against_the_rest():
    rng = np.random.default_rng(0)
    ordinary = ["wrong address", "courier late", "stock count off", "system outage"]
    totals: dict[tuple[str, tuple[str, ...]], int] = {}
    for _ in range(2_000):
        key = (str(rng.choice(ordinary)), ("process",))
        totals[key] = totals.get(key, 0) + 1
    cell = [("Freight elevator.", ("facility",))] * 31 + [("courier late", ("process",))] * 9
    for text, factors in cell:
        totals[(text, factors)] = totals.get((text, factors), 0) + 1
    # Spellings of one cause in the rest of the window.
    totals[("freight  elevator", ("facility",))] = 4
    causes = over_represented(cell, [(text, factors, n) for (text, factors), n in totals.items()])
    assert [(cause.kind, cause.text, cause.count, cause.of) for cause in causes] == [
        ("root cause", "Freight elevator", 31, 40),
        ("factor", "facility", 31, 40),
    ]
    assert causes_words(causes) == "Freight elevator: 31 of 40; factor facility: 31 of 40"
    # Ordinary causes at their ordinary rate are not reported.
    plain = [(text, ("process",)) for text in ordinary] * 5
    assert over_represented(plain, [(text, factors, n) for (text, factors), n in totals.items()]) == []


def test_hotspot_json_and_lines_carry_the_causes():
    hotspot = Hotspot(
        {"site": "Bayside"}, 40, 12.0, 1e-9, "At Bayside: 40 breakdowns where about 12 were expected"
    )
    causes = over_represented(
        [("freight elevator", ("facility",))] * 31 + [("x", ())] * 9,
        [("freight elevator", ("facility",), 35), ("x", (), 3000)],
    )
    document = hotspot_json(hotspot, causes)
    assert document["root_causes"] == [{"text": "freight elevator", "count": 31}]
    assert document["factors"] == [{"text": "facility", "count": 31}]
    assert document["documented"] == 40 and document["new_this_week"] is False
    assert (
        hotspot_lines(hotspot, causes)[1]
        == "    depositions: freight elevator: 31 of 40; factor facility: 31 of 40"
    )


def test_a_fact_written_on_a_sunday_night_is_that_local_date():
    epoch = int(datetime(2026, 11, 29, 23, 30, tzinfo=UTC).timestamp())  # Sunday 23:30 UTC = Monday in +02
    monday = local_days(np.array([epoch]), np.array([0]))[0]
    sunday = local_days(np.array([epoch]), np.array([6]))[0]
    assert monday - sunday == 1
    assert pack_fact(6, 47, 0, 0, 0, 0, 0, 0) >= 0


def test_a_cause_that_passes_only_by_testing_many_is_not_reported():
    """26 cases whose depositions name eight causes and two factors: "external" in 11 of them (5.3
    expected) would pass alone (p = 0.008), but not as one of ten tried; the freight lift of a real
    hotspot still does (the demo once showed such a chance factor beside Billy Okafor's Wednesdays)."""
    from scipy.stats import hypergeom

    from core.hotspot_causes import MAX_P

    ordinary = [f"cause {n}" for n in range(8)]
    totals = [(text, ("external",), 50) for text in ordinary]  # 400 of the window's 2,000 name it
    totals += [(text, ("process",), 200) for text in ordinary]
    cell = [(ordinary[n % 8], ("external",) if n < 11 else ("process",)) for n in range(26)]
    for text, factors in cell:
        totals.append((text, factors, 1))
    alone = float(hypergeom.sf(11 - 1, 2_026, 411, 26))
    assert alone < MAX_P  # the premise: on its own it would be reported
    assert over_represented(cell, totals) == []

    lift = [("Freight elevator", ("facility",))] * 12 + cell[12:]
    window = [*totals, ("Freight elevator", ("facility",), 12)]
    named = {(cause.kind, cause.text) for cause in over_represented(lift, window)}
    assert ("root cause", "Freight elevator") in named


@pytest.mark.parametrize("stray", [False, True])
def test_a_shortfall_in_the_only_other_region_is_no_finding_here(stray: bool) -> None:
    """Two regions, the South short of one product's commonest category (40 % of them kept): the North,
    compared with the only other region, read as "Product A 'damaged' in the North region: 288 breakdowns
    where about 93 were expected" though it holds what its own mix predicts. One stray case in a third
    region (a test region, a site just opened) must not bring the finding back (a review's finding: the rule
    first asked for exactly two regions)."""
    history = generate(1, cases=20_000)
    columns = unpack_facts(history.packed)
    columns["region"] = columns["region"] % 2  # North and South
    rng = np.random.default_rng(1)
    product = int(np.argmax(np.bincount(columns["product"])))
    category = int(np.argmax(np.bincount(columns["category"])))
    short = (
        (columns["region"] == 1)
        & (columns["product"] == product)
        & (columns["category"] == category)
        & (rng.random(len(columns["region"])) > 0.4)
    )
    kinds = len(history.labels["category"])  # the shortfall's cases spread over the other categories
    moved = (category + rng.integers(1, kinds, len(short))) % kinds
    columns["category"] = np.where(short, moved, columns["category"])
    columns.pop("hour")  # packed without it, as the storage packs facts
    days = history.days
    if stray:
        columns = {name: np.append(values, values[0]) for name, values in columns.items()}
        columns["region"][-1] = 2
        days = np.append(days, days[0])
    labels = {**history.labels, "region": {0: "North", 1: "South", 2: "Test"}}
    packed = pack_columns(columns)
    found = find_hotspots(np.arange(1, len(packed) + 1), packed, labels, days=days)
    both = [hotspot for hotspot in found if {"product", "category"} <= set(hotspot.dimensions)]
    assert not both, [hotspot.sentence for hotspot in both]
