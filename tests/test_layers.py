"""The layering holds at run time: scripted CLI commands and the pure domain never load the UI toolkit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Runs a CLI command in this interpreter, then reports which of the watched packages it loaded.
PROBE = """
import contextlib, io, json, sys
from tui.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
    main(sys.argv[1:], prog_name="shiftdesk")
loaded = sorted({name.split(".")[0] for name in sys.modules} & {"textual", "rich", "plotext"})
print(json.dumps({"out": out.getvalue(), "loaded": loaded}))
"""


def run_probe(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_list_never_imports_textual(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/layers.db"
    add = [
        "--db", url, "add", "--customer", "Ada", "--category", "late delivery", "--site", "Harbour Road",
        "--product", "Sofa", "--staff", "Billy", "--description", "Sofa did not arrive",
    ]  # fmt: skip
    assert run_probe(*add)["out"] == "1\n"
    listed = run_probe("--db", url, "list")
    assert "Ada" in str(listed["out"])  # the command really ran: an empty run would prove nothing
    assert listed["loaded"] == []
    assert run_probe("--db", url, "list", "--json")["loaded"] == []


@pytest.mark.parametrize("package", ["core", "storage"])
def test_headless_packages_never_import_the_toolkit(package: str) -> None:
    root = Path(__file__).resolve().parent.parent / package
    modules = [f"{package}.{path.stem}" for path in sorted(root.glob("*.py")) if path.stem != "__init__"]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted({n.split('.')[0] for n in sys.modules} & {'textual', 'rich', 'tui'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_no_tui_module_is_over_400_lines() -> None:
    tui = Path(__file__).resolve().parent.parent / "tui"
    long = {
        str(path.relative_to(tui.parent)): lines
        for path in tui.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not long
