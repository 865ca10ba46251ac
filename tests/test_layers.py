"""Who may import whom: tui/ reads and writes through storage/, never with SQLAlchemy of its own."""

from __future__ import annotations

import ast
from pathlib import Path

TUI = Path(__file__).resolve().parent.parent / "tui"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_tui_never_imports_sqlalchemy() -> None:
    offenders = {
        str(path.relative_to(TUI.parent)): sorted(
            name for name in imported_modules(path) if name.split(".")[0] == "sqlalchemy"
        )
        for path in TUI.rglob("*.py")
    }
    assert not {path: names for path, names in offenders.items() if names}


def test_no_tui_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(TUI.parent)): n
        for path in TUI.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > 400
    }
    assert not long
