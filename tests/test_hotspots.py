"""Hotspot detection: planted patterns are found, a structured roster without a pattern yields nothing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.hotspots import (
    DIMENSIONS,
    FALSE_ALARMS,
    FIELDS,
    _InteractionSpread,
    find_hotspots,
    pack_columns,
    pack_fact,
    unpack_facts,
    window_label,
)
from tests.hotspot_roster import PRODUCTS, REGIONS, SITES, Plant, generate, make_roster

ROSTER_SEED = 7


def late_wednesday_person(roster_seed: int = ROSTER_SEED) -> int:
    roster = make_roster(roster_seed)
    return next(
        person
        for person, days in enumerate(roster.staff_days)
        if 2 in days and roster.staff_shift[person] == 1 and len(days) >= 3
    )


PLANTED = Plant(
    staff_weekday_hour=(late_wednesday_person(), 2, 15, 3.5),
    site_windows=(0, (17, 18), 3.0),  # Harbour Road, 08:30-09:30
    product_regions=(PRODUCTS.index("Office chair"), (1, 2), 3.0),  # South and East
)


@pytest.fixture(scope="module")
def planted():
    case_ids, packed, labels, roster = generate(ROSTER_SEED, plant=PLANTED, roster=make_roster(ROSTER_SEED))
    return case_ids, packed, labels, roster, find_hotspots(case_ids, packed, labels)


@given(
    st.tuples(*(st.integers(0, (1 << bits) - 1) for _name, bits in FIELDS)),
)
def test_packed_facts_unpack_to_what_was_packed(values):
    packed = np.array([pack_fact(*values)], dtype=np.int64)
    columns = unpack_facts(packed)
    assert tuple(int(columns[name][0]) for name, _bits in FIELDS) == values
    assert int(columns["hour"][0]) == values[1] // 2


def test_a_code_too_wide_for_its_field_is_refused():
    with pytest.raises(ValueError, match="staff code 4096"):
        pack_fact(0, 0, 4096, 0, 0, 0, 0, 0)


def test_window_labels():
    assert window_label(17, 18) == "08:30-09:30"
    assert window_label(47) == "23:30-00:00"


def test_a_person_weekday_hour_pattern_is_found(planted):
    _ids, _packed, _labels, roster, found = planted
    person = late_wednesday_person()
    name = roster.staff_names[person]
    matches = [
        hotspot
        for hotspot in found
        if hotspot.dimensions.get("staff") == name
        and hotspot.dimensions.get("weekday") == "Wed"
        and (hotspot.dimensions.get("hour") == 15 or hotspot.dimensions.get("window") == "15:00-16:00")
    ]
    assert matches, [hotspot.sentence for hotspot in found]
    assert matches[0].sentence.startswith(f"Wednesdays 15:00–16:00 with {name}: ")
    assert matches[0].lift > 2.5


def test_the_combination_pattern_is_invisible_in_each_dimension_alone(planted):
    """The planted person sees barely more breakdowns overall than without the pattern: no single-dimension
    screen could have found it, so the scan must look at combinations."""
    _ids, packed, _labels, _roster, found = planted
    person = late_wednesday_person()
    _null_ids, null_packed, _l, _r = generate(ROSTER_SEED, roster=make_roster(ROSTER_SEED))
    with_pattern = int(np.count_nonzero(unpack_facts(packed)["staff"] == person))
    without = int(np.count_nonzero(unpack_facts(null_packed)["staff"] == person))
    assert with_pattern / without < 1.2
    assert all(len(hotspot.dimensions) >= 2 for hotspot in found)


def test_a_window_at_one_site_is_found_as_one_window(planted):
    found = planted[4]
    assert any(hotspot.dimensions == {"window": "08:30-09:30", "site": SITES[0]} for hotspot in found), [
        hotspot.sentence for hotspot in found
    ]


def test_a_product_in_two_regions_of_four_names_the_subset(planted):
    found = planted[4]
    chair = [hotspot for hotspot in found if hotspot.dimensions.get("product") == "Office chair"]
    assert chair, [hotspot.sentence for hotspot in found]
    where = chair[0].dimensions.get("region") or chair[0].dimensions.get("site")
    assert isinstance(where, list)
    south_and_east = {REGIONS[1], REGIONS[2]}
    sites_there = {"Gulf Point", "Bayside", "Eastgate"}
    assert set(where) in (south_and_east, sites_there)


def test_variants_of_one_finding_are_collapsed(planted):
    found = planted[4]
    harbour = [hotspot for hotspot in found if hotspot.dimensions.get("site") == SITES[0]]
    assert len(harbour) == 1  # not also hour 8, hour 9, window 08:30, window 09:00 ...


@pytest.mark.parametrize("seed", range(12))
def test_a_structured_roster_without_a_pattern_reports_nothing(seed):
    """Fixed sites, days and shifts; full-timers working twice the hours of part-timers; products selling
    differently by region: all of that is structure, none of it a finding."""
    case_ids, packed, labels, _roster = generate(seed)
    staff = unpack_facts(packed)["staff"]
    counts = np.bincount(staff)
    assert counts.max() > 2 * counts[counts > 0].min()  # the roster really has heavy and light workers
    assert find_hotspots(case_ids, packed, labels) == []


def rotating_null(seed: int, cases: int) -> tuple[np.ndarray, np.ndarray]:
    """Like the benchmark history: 150 staff, 12 sites in 4 regions, 30 products, 12 categories, weighted
    channels, any weekday and half hour, all independent; and nobody tied to a site (staff float freely)."""
    rng = np.random.default_rng(seed)
    site = rng.integers(0, 12, cases)
    columns = {
        "weekday": rng.integers(0, 7, cases),
        "window": rng.integers(0, 48, cases),
        "staff": rng.integers(0, 150, cases),
        "site": site,
        "region": site % 4,
        "product": rng.integers(0, 30, cases),
        "category": rng.integers(0, 12, cases),
        "channel": rng.choice(5, cases, p=[0.40, 0.25, 0.15, 0.12, 0.08]),
    }
    return np.arange(1, cases + 1, dtype=np.int64), pack_columns(columns)


@pytest.mark.parametrize(("seed", "cases"), [*((seed, 1_500) for seed in range(6)), (0, 12_000), (1, 12_000)])
def test_staff_rotating_freely_across_sites_without_a_pattern_reports_nothing(seed, cases):
    """Uniform, independent data (90 days of a small desk, and a busier one): nothing stands out. A subset
    against a small rest ("X by phone, in-person, email and chat" when X is rare by social by chance) and the
    number of cells that could have reached the minimum support must both be counted honestly."""
    case_ids, packed = rotating_null(seed, cases)
    columns = unpack_facts(packed)
    staff_sites = np.unique(columns["staff"] * 12 + columns["site"])
    assert len(staff_sites) > 150 * 4  # people really work at several sites
    found = find_hotspots(case_ids, packed, {})
    assert found == [], [f"{hotspot.sentence} (p={hotspot.p_value:.2g})" for hotspot in found]


def test_json_shape_and_lift(planted):
    found = planted[4]
    document = found[0].to_json()
    assert set(document) == {
        "dimensions",
        "count",
        "expected",
        "lift",
        "p_value",
        "adjusted_p_value",
        "sentence",
        "case_ids",
    }
    assert document["lift"] == pytest.approx(document["count"] / document["expected"], rel=1e-3)
    assert len(document["case_ids"]) == document["count"]
    assert 0 <= document["p_value"] < 0.05
    assert set(document["dimensions"]) <= set(DIMENSIONS)


def test_adjusted_p_values_are_the_correction_the_scan_reported_them_by(planted):
    """Each finding's adjusted p-value is at least its own p-value (corrected for a million-odd cells, it
    is far larger), within the false-alarm level that let it be reported, and never smaller than a finding
    ranked before it (Benjamini-Hochberg's step-up)."""
    found = planted[4]
    assert len(found) >= 2
    adjusted = [hotspot.adjusted_p_value for hotspot in found]
    assert all(h.p_value < h.adjusted_p_value <= FALSE_ALARMS for h in found)
    assert adjusted == sorted(adjusted)
    # The step-up: the last finding's adjusted value is its weighted p-value times the tests over its rank.
    assert adjusted[-1] > 10 * found[-1].p_value


def test_case_ids_are_the_cases_of_the_cell(planted):
    case_ids, packed, _labels, _roster, found = planted
    harbour = next(hotspot for hotspot in found if hotspot.dimensions.get("site") == SITES[0])
    columns = unpack_facts(packed)
    in_cell = (columns["site"] == 0) & np.isin(columns["window"], (17, 18))
    assert harbour.case_ids == sorted(case_ids[in_cell].tolist())


def test_too_few_cases_is_no_finding():
    assert find_hotspots(np.array([1], dtype=np.int64), np.array([0], dtype=np.int64), {}) == []


def test_every_dimension_of_the_table_round_trips_through_a_stored_trend_fact(sqlite_url):
    """Each dimension the table names comes back from a written fact as the case's own value: a dimension
    added to the table without a way to code, pack or unpack it fails here."""
    from dataclasses import replace
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from core.cases import Case, Channel
    from core.hotspots import DIMENSION_TABLE, Coding
    from storage.database import Database
    from storage.trend_facts import load_labels, local_slot, trend_fact_rows

    zone = ZoneInfo("Europe/London")
    opened = datetime(2026, 11, 25, 15, 40, tzinfo=UTC)  # a Wednesday, window 31 (15:30-16:00), hour 15
    case = Case(
        opened_at=opened,
        customer="Ada",
        category="late delivery",
        site="Harbour Road",
        product="Sofa",
        staff="Billy",
        owner="Billy",
        assignee="Billy",
        description="late",
        region="North",
        channel=Channel.SOCIAL,
        id=1,
    )
    slot = dict(zip(("weekday", "window"), local_slot(opened, zone), strict=True))
    database = Database(sqlite_url)
    try:
        with database.write() as session:
            # Other labels first, so that this case's codes are not all 0 (a lost field would read as 0).
            for other in ("Zoe", "Yann"):
                trend_fact_rows(session, [replace(case, staff=other, site=other, product=other)], zone)
            [(_case_id, _epoch, packed)] = trend_fact_rows(session, [case], zone)
            labels = load_labels(session)
    finally:
        database.dispose()
    columns = unpack_facts(np.array([packed], dtype=np.int64))
    assert set(columns) == {dimension.name for dimension in DIMENSION_TABLE}
    for dimension in DIMENSION_TABLE:
        code = int(columns[dimension.name][0])
        if dimension.coding in (Coding.LABEL, Coding.CHOICE):
            value = getattr(case, dimension.name)
            assert labels[dimension.name][code] == getattr(value, "value", value), dimension.name
        elif dimension.coding is Coding.LOCAL_TIME:
            assert code == slot[dimension.name], dimension.name
        else:
            assert dimension.derive is not None and dimension.derived_from is not None, dimension.name
            assert code == int(dimension.derive(columns[dimension.derived_from])[0]), dimension.name
    assert int(columns["hour"][0]) == 15 and slot == {"weekday": 2, "window": 31}


def test_the_dimension_table_fits_one_int64_and_gives_every_dimension_a_role():
    from core.hotspots import DIMENSION_TABLE, REDUNDANT_PAIRS, WHAT, WHEN, WHO_WHERE

    assert sum(bits for _name, bits in FIELDS) <= 63  # one non-negative int64
    assert set(WHO_WHERE) | set(WHEN) | set(WHAT) == {d.name for d in DIMENSION_TABLE}
    names = {d.name for d in DIMENSION_TABLE}
    assert all(pair <= names and len(pair) == 2 for pair in REDUNDANT_PAIRS)


def _region_table(rng: np.random.Generator, spread: float) -> np.ndarray:
    """12 products x 4 regions, 50,000 cases: a common mix, each product selling exp(N(0, spread)) times
    it in each region."""
    products, regions = 12, 4
    mix = rng.dirichlet(np.full(products, 6.0))[:, None] * np.exp(rng.normal(0, spread, (products, regions)))
    mix /= mix.sum(axis=0, keepdims=True)
    return rng.poisson(mix * 50_000 / regions)


def test_the_bar_for_a_subset_of_regions_is_how_far_products_ordinarily_differ_by_region():
    """No interaction: the bar is about 1 (chance alone is the lower bound's business). Products selling
    differently by region with a log spread of 0.13: about exp(3.5 x 0.13) for two regions against two.
    A product's own excess never raises its own bar (it is left out), though it raises the others'."""
    rng = np.random.default_rng(3)
    regions = np.arange(4)
    assert _InteractionSpread(_region_table(rng, 0.0), regions).tolerance(0, (0, 1)) < 1.15
    table = _region_table(rng, 0.13)
    plain = _InteractionSpread(table, regions)
    assert 1.35 < plain.tolerance(0, (0, 1)) < 1.85
    # One region against the other three: a wider bar (1 + 1/3 against 1/2 + 1/2 of the variance).
    assert plain.tolerance(0, (0,)) > plain.tolerance(0, (0, 1))
    planted = table.copy()
    planted[0, :2] *= 3
    with_plant = _InteractionSpread(planted, regions)
    assert with_plant.tolerance(0, (0, 1)) == plain.tolerance(0, (0, 1))
    assert with_plant.tolerance(1, (0, 1)) > plain.tolerance(1, (0, 1))


def test_a_subset_of_sites_is_held_to_the_bar_of_the_regions_it_covers():
    """Sites 0-3 lie in regions 0 and 1: two sites of one region are one region against the rest."""
    rng = np.random.default_rng(5)
    by_region = _region_table(rng, 0.13)
    sites_region = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    spread = _InteractionSpread(by_region, sites_region)
    assert spread.tolerance(0, (0, 1)) == spread.tolerance(0, (0,))  # one region
    assert spread.tolerance(0, (0, 2)) < spread.tolerance(0, (0, 1))  # two regions
