"""The dashboard's change probe: closing it on exit while a poll thread still asks is safe."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from storage.database import Database
from storage.views import ChangeProbe, ProbeClosed


def test_asking_a_closed_probe_says_it_is_closed(tmp_path: Path) -> None:
    probe = ChangeProbe(Database(f"sqlite:///{tmp_path}/shift.db"))
    assert probe.instant
    first = probe.token()
    assert probe.token() == first  # nothing committed in between
    probe.close()
    probe.close()  # twice is fine: the app's exit path may run more than once
    with pytest.raises(ProbeClosed):
        probe.token()
    assert probe.instant  # still a file probe: the answer must not move to the PostgreSQL path


def test_closing_while_a_thread_polls_never_frees_the_connection_under_it(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path}/shift.db")
    for _ in range(20):
        probe = ChangeProbe(database)
        errors: list[BaseException] = []
        asked = threading.Event()

        def poll(
            probe: ChangeProbe = probe,
            errors: list[BaseException] = errors,
            asked: threading.Event = asked,
        ) -> None:
            while True:
                try:
                    probe.token()
                    asked.set()
                except ProbeClosed:
                    return
                except BaseException as error:  # anything else means the close raced the query
                    errors.append(error)
                    return

        thread = threading.Thread(target=poll)
        thread.start()
        asked.wait(5)
        probe.close()
        thread.join(5)
        assert not thread.is_alive()
        assert errors == []
