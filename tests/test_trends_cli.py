"""`shiftdesk trends` on a demo-like database: each hotspot, its depositions' causes, new this week."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.cases import CaseHistory
from core.clock import FrozenClock
from core.config import Settings
from core.demo import DEMO_SHIFTS, build_demo
from storage.database import Database
from storage.service import WorkflowService
from tests.test_demo_payloads import shiftdesk


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    home = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{home}/demo.db"
    # The demo's generator as `shiftdesk demo` runs it, with one change: its depositions name causes at
    # random, so the freight lift's maintenance window at Harbour Road is planted in them too.
    service = WorkflowService(
        Database(url), Settings(zone=UTC, shifts=DEMO_SHIFTS), FrozenClock(datetime.now(UTC))
    )
    data = build_demo(service.clock.now(), UTC)

    def planted(history: CaseHistory) -> CaseHistory:
        local = history.case.opened_at.astimezone(UTC)
        window = (local.hour, local.minute // 30) in {(8, 1), (9, 0)}
        if history.deposition is None or history.case.site != "Harbour Road" or not window:
            return history
        deposition = replace(history.deposition, root_cause="Freight lift out of service")
        return replace(history, deposition=deposition)

    service.import_histories([planted(history) for history in [*data.history, *data.shift_cases]])
    service.database.dispose()
    return home, url


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
    assert any("Freight lift out of service" in line for line in said)
    first = lines.index(said[0])
    assert first > 0 and "(p=" in lines[first - 1]
