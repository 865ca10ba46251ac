"""Exports of different databases never share a file: the demo's hand-over survives the real database's."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from core.config import Settings
from storage.location import database_folder_name, url_without_password
from storage.summary_views import ExportFolderTaken, write_export
from tui.cli import main
from tui.export import export_folder


def test_each_database_has_its_own_export_folder(tmp_path: Path) -> None:
    """Floor-ready: `e` on an empty real database replaced the demo's 12 KB summary with an empty one."""
    settings = Settings(export_folder=tmp_path)
    demo = export_folder(settings, f"sqlite:///{tmp_path}/demo.db")
    real = export_folder(settings, f"sqlite:///{tmp_path}/shiftdesk.db")
    assert demo != real and demo.parent == real.parent == tmp_path
    assert demo.name.startswith("demo-") and real.name.startswith("shiftdesk-")
    # Stable, and the same database by another spelling of its path is the same folder.
    assert export_folder(settings, f"sqlite:///{tmp_path}/./demo.db") == demo
    write_export(
        demo, "2026-11-25:Late", "md", "the demo's hand-over", database=f"sqlite:///{tmp_path}/demo.db"
    )
    write_export(real, "2026-11-25:Late", "md", "", database=f"sqlite:///{tmp_path}/shiftdesk.db")
    assert (demo / "shiftdesk-2026-11-25_Late.md").read_text() == "the demo's hand-over"


def test_a_file_of_another_database_is_never_overwritten(tmp_path: Path) -> None:
    write_export(tmp_path, "2026-11-25:Late", "md", "demo", database="sqlite:////x/demo.db")
    with pytest.raises(ExportFolderTaken, match="not overwritten"):
        write_export(tmp_path, "2026-11-25:Late", "md", "", database="sqlite:////x/shiftdesk.db")
    assert (tmp_path / "shiftdesk-2026-11-25_Late.md").read_text() == "demo"
    # Its own files are replaced as before (a re-export of the same shift).
    write_export(tmp_path, "2026-11-25:Late", "md", "demo, later", database="sqlite:////x/demo.db")
    assert (tmp_path / "shiftdesk-2026-11-25_Late.md").read_text() == "demo, later"


def test_the_folder_name_never_holds_the_password() -> None:
    url = "postgresql+psycopg://sup:pw-S3CRET@db.example:5432/shiftdesk"
    assert "S3CRET" not in url_without_password(url)
    name = database_folder_name(url)
    assert name.startswith("shiftdesk-") and "S3CRET" not in name
    assert database_folder_name(url.replace("pw-S3CRET", "other")) == name  # a new password, same database


def test_demo_help_says_where_the_demo_lives() -> None:
    result = CliRunner().invoke(main, ["demo", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "demo.db" in text and "--db" in text and "exports" in text
