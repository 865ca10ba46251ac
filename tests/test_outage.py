"""Database outages: with PostgreSQL stopped, the CLI fails in one clear line and recovers when it is back."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.pgserver import PostgresServer
from tui.cli import main

pytestmark = pytest.mark.postgres


ADD = ["add", "--customer", "Ada", "--category", "late", "--site", "H", "--product", "P", "--staff", "Billy"]


def test_cli_during_and_after_an_outage(own_server: PostgresServer) -> None:
    url = own_server.create_database("outage")
    runner = CliRunner()
    assert runner.invoke(main, ["--db", url, *ADD, "--description", "before"]).exit_code == 0
    own_server.stop()
    for args in (["list"], [*ADD, "--description", "during"], ["apologize", "1", "sorry"]):
        result = runner.invoke(main, ["--db", url, *args])
        assert result.exit_code == 1, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("shiftdesk: error: database ")
        assert "unreachable" in lines[0]
        assert "Traceback" not in result.output
    own_server.start()
    result = runner.invoke(main, ["--db", url, "list", "--json"])
    assert result.exit_code == 0, result.stderr
    assert [case["description"] for case in json.loads(result.stdout)] == ["before"]
