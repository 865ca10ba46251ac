"""`shiftdesk trends` on the demo's database: each hotspot, its depositions' causes, new this week."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.demo import FREIGHT_LIFT
from tests.test_demo_payloads import shiftdesk


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo database as `shiftdesk demo --fresh` builds it (90 days and the running shift)."""
    home = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{home}/demo.db"
    shiftdesk(home, "--db", url, "demo", "--fresh", "--no-open")
    return home, url


def test_the_demo_shows_the_freight_lift_hotspot_with_its_root_cause(demo: tuple[Path, str]) -> None:
    """A new user's first `trends --json`: Harbour Road's 08:30-09:30 hotspot, and beside it the root cause
    its depositions name (the freight lift's breakdowns, 3 in 4 of the window's), coded as a facility."""
    home, url = demo
    found = json.loads(shiftdesk(home, "--db", url, "trends", "--json"))
    window = [
        item for item in found if item["dimensions"] == {"window": "08:30-09:30", "site": "Harbour Road"}
    ]
    assert len(window) == 1, [item["sentence"] for item in found]
    hotspot = window[0]
    assert hotspot["root_causes"][0]["text"] == FREIGHT_LIFT
    lift_cases = hotspot["root_causes"][0]["count"]
    assert 0.6 * hotspot["count"] <= lift_cases <= 0.9 * hotspot["count"]
    assert hotspot["factors"][0] == {"text": "facility", "count": hotspot["factors"][0]["count"]}
    assert hotspot["factors"][0]["count"] >= lift_cases
    # The freight lift is the window's cause and no other hotspot's.
    others = [item for item in found if item is not hotspot]
    assert others and not any(
        cause["text"] == FREIGHT_LIFT for item in others for cause in item["root_causes"]
    )


def test_trends_json_carries_root_causes_and_new_this_week(demo: tuple[Path, str]) -> None:
    home, url = demo
    found = json.loads(shiftdesk(home, "--db", url, "trends", "--json"))
    assert found
    for item in found:
        assert {"root_causes", "new_this_week", "factors", "recent", "documented"} <= item.keys()
    assert any(item["root_causes"] for item in found)


def test_trends_text_names_the_planted_causes_under_a_hotspot(demo: tuple[Path, str]) -> None:
    home, url = demo
    lines = shiftdesk(home, "--db", url, "trends").splitlines()
    said = [line for line in lines if line.startswith("    depositions: ")]
    assert said
    assert any(f"{FREIGHT_LIFT}: " in line for line in said)
    first = lines.index(said[0])
    assert first > 0 and "(p=" in lines[first - 1]
