"""The database file is private; a URL or storage problem is one line naming the fix, with no password."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage.database import Database, safe_url
from storage.errors import DatabaseError
from tui.cli import main

SECRET = "S3cretPW"
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
Lock = Callable[[Path], None]


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The common 022, so that a file SQLite creates on its own would come out 0644 (as it did)."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """A folder the test may lock (see `lock`); writable again afterwards, so tmp_path can be removed."""
    folder = tmp_path / "locked"
    folder.mkdir()
    yield folder
    paths = [folder, *folder.iterdir()]
    if AS_ROOT:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=False, capture_output=True)
    folder.chmod(0o755)
    for child in folder.iterdir():
        child.chmod(0o644)


@pytest.fixture
def lock() -> Callable[[Path], None]:
    """Makes a file or folder unwritable for this process, root included.

    chmod is enough for an ordinary user. Root writes through any mode, so as root the path is made
    immutable instead (`chattr +i`: not even root may create, change or delete in it until it is lifted),
    which `os.access` and every write honour, as they honour the mode for anyone else. Where that cannot
    be done (no chattr, no CAP_LINUX_IMMUTABLE, a file system without the flag), the test is skipped
    naming why.
    """

    def locked(path: Path) -> None:
        path.chmod(0o555 if path.is_dir() else 0o444)
        if not AS_ROOT:
            return
        try:
            done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True, check=False)
        except FileNotFoundError:
            pytest.skip("running as root, which writes through chmod, and chattr is not installed")
        if done.returncode != 0:
            pytest.skip(f"running as root, which writes through chmod, and chattr +i failed: {done.stderr}")

    return locked


def one_line_without_secret(message: str) -> None:
    assert SECRET not in message and "\n" not in message.rstrip("\n"), message


# -- 4. private data stays private ---------------------------------------------------------------------


def test_a_new_database_its_folder_and_its_wal_files_are_private(tmp_path: Path, usual_umask: None) -> None:
    folder = tmp_path / "data" / "shiftdesk"
    database = Database(f"sqlite:///{folder}/shiftdesk.db")
    try:
        with database.write() as session:  # a write, so that the -wal and -shm files exist
            session.execute(text("CREATE TABLE probe (x INTEGER)"))
        files = {path.name: mode(path) for path in folder.iterdir()}
        assert files == {"shiftdesk.db": 0o600, "shiftdesk.db-wal": 0o600, "shiftdesk.db-shm": 0o600}
        assert mode(folder) == 0o700
    finally:
        database.dispose()


def test_an_existing_folder_and_database_keep_their_permissions(tmp_path: Path, usual_umask: None) -> None:
    path = tmp_path / "shiftdesk.db"
    Database(f"sqlite:///{path}").dispose()
    path.chmod(0o640)
    Database(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o640 and mode(tmp_path) == stat.S_IMODE(tmp_path.stat().st_mode)


# -- 5. URL errors don't leak -------------------------------------------------------------------------

BAD_URLS = [
    pytest.param(f"postgresql+psycopg//alice:{SECRET}@host/db", id="missing-colon"),
    pytest.param(f"postgresql+psycopg://alice:{SECRET}@host:abc/db", id="port-not-a-number"),
    pytest.param(f"postgresql+psycopg://alice:{SECRET}@[::1/db", id="unclosed-ipv6"),
    pytest.param(f"alice:{SECRET}@host/db", id="no-scheme"),
    pytest.param(f"postgresqlx://alice:{SECRET}@host/db", id="unknown-dialect"),
    pytest.param(f"mysql://alice:{SECRET}@host/db", id="driver-not-installed"),
    pytest.param("postgresql+psycopg://alice:S3c@retPW@127.0.0.1:9/db", id="unencoded-at-in-password"),
    pytest.param(f"postgresql+psycopg://alice@127.0.0.1:9/db?password={SECRET}", id="password-in-query"),
    pytest.param(f"postgresql+psycopg://alice:{SECRET}@127.0.0.1:99999999/db", id="port-out-of-range"),
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_bad_url_is_one_line_without_the_password(url: str) -> None:
    with pytest.raises(DatabaseError) as raised:
        Database(url)
    one_line_without_secret(str(raised.value))
    assert "retPW" not in str(raised.value)
    error = raised.value  # no chained traceback: nothing attached, or what is attached suppressed
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


@pytest.mark.parametrize("url", BAD_URLS)
def test_the_cli_reports_a_bad_url_in_one_line_without_the_password(url: str) -> None:
    result = CliRunner().invoke(main, ["--db", url, "list"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.stderr.startswith("shiftdesk: error: ") and result.stderr.count("\n") == 1
    one_line_without_secret(result.stderr)
    assert "retPW" not in result.stderr and "Traceback" not in result.output


def test_a_driver_message_quoting_the_url_or_password_is_scrubbed() -> None:
    url = f"postgresql+psycopg://alice:{SECRET}@127.0.0.1:9/db"
    database = Database(url, create=False)  # no connection is made
    quoted = OperationalError("SELECT 1", {}, Exception(f"bad conninfo {url!r}; password {SECRET} refused"))
    message = database.explain(quoted)
    one_line_without_secret(message)
    assert "alice:***@127.0.0.1:9/db" in message and "password *** refused" in message


def test_safe_url_masks_what_the_parser_refuses() -> None:
    assert safe_url(f"postgresql+psycopg//alice:{SECRET}@host/db") == "postgresql+psycopg//alice:***@host/db"
    assert safe_url(f"pg://alice:{SECRET}@host:abc/db") == "pg://alice:***@host:abc/db"
    assert (
        safe_url(f"postgresql://a@h/db?sslpassword={SECRET}&x=1") == "postgresql://a@h/db?sslpassword=***&x=1"
    )
    assert safe_url("sqlite:////tmp/x/shiftdesk.db") == "sqlite:////tmp/x/shiftdesk.db"


# -- 6. clear storage errors ----------------------------------------------------------------------------


def test_a_file_that_is_not_a_database_is_named_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100, encoding="utf-8")
    with pytest.raises(DatabaseError) as raised:
        Database(f"sqlite:///{path}")
    assert str(raised.value).startswith(f"{path} is not a shiftdesk database")
    assert "move that file away" in str(raised.value)
    result = CliRunner().invoke(main, ["--db", f"sqlite:///{path}", "list"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"shiftdesk: error: {path} is not a shiftdesk database")
    assert result.stderr.count("\n") == 1


def test_a_folder_given_as_the_database_is_named(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="is a folder, not a database file: name a file in it"):
        Database(f"sqlite:///{tmp_path}")


def test_a_missing_folder_without_create_is_named(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path}/nowhere/shiftdesk.db", create=False)
    with pytest.raises(DatabaseError, match=r"the folder .*nowhere does not exist"):
        database.upgrade()


def test_a_new_database_in_a_folder_that_cannot_be_written(read_only: Path, lock: Lock) -> None:
    lock(read_only)
    with pytest.raises(DatabaseError) as raised:
        Database(f"sqlite:///{read_only}/shiftdesk.db")
    assert str(raised.value) == (
        f"cannot create the database {read_only}/shiftdesk.db: the folder {read_only} is not writable "
        "(fix its permissions, or give --db a path in a folder you can write)"
    )


def test_a_new_folder_that_cannot_be_made(read_only: Path, lock: Lock) -> None:
    lock(read_only)
    with pytest.raises(DatabaseError, match=f"cannot create the folder {read_only}/sub for the database"):
        Database(f"sqlite:///{read_only}/sub/shiftdesk.db")


def test_an_existing_database_in_a_read_only_folder_names_the_wal_files(read_only: Path, lock: Lock) -> None:
    path = read_only / "shiftdesk.db"
    Database(f"sqlite:///{path}").dispose()  # closing the last connection removes -wal and -shm
    lock(read_only)
    with pytest.raises(DatabaseError) as raised:
        Database(f"sqlite:///{path}")
    message = str(raised.value)
    assert message.startswith(f"cannot use the database {path}: its folder {read_only} is read-only")
    assert "shiftdesk.db-shm" in message and "make the folder writable" in message


def test_a_read_only_database_file_is_named_when_written(read_only: Path, lock: Lock) -> None:
    path = read_only / "shiftdesk.db"
    Database(f"sqlite:///{path}").dispose()
    lock(path)
    database = Database(f"sqlite:///{path}")
    try:
        refused = pytest.raises(DatabaseError, match=rf"the database {path} is read-only: make it writable")
        with refused, database.write() as session:
            session.execute(text("CREATE TABLE probe (x INTEGER)"))
    finally:
        database.dispose()
