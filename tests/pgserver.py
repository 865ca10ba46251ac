"""A throwaway PostgreSQL server on a Unix socket in a temp dir, started from the machine's binaries."""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["PostgresError", "PostgresServer", "PostgresUnavailable", "find_binaries", "throwaway_postgres"]

REQUIRED = ("initdb", "pg_ctl", "postgres")
#: A directory to search instead of PATH and SEARCH_GLOBS (an empty dir simulates missing binaries).
BINDIR_ENV = "SHIFTDESK_PG_BINDIR"
#: Where distributions keep the binaries off PATH (Debian/Ubuntu: /usr/lib/postgresql/15/bin).
SEARCH_GLOBS = ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/usr/local/pgsql/bin")
PORT = 5432  # only names the socket file (.s.PGSQL.5432); each server has its own socket dir
SOCKET_PATH_MAX = 100  # sun_path holds 108 bytes; leave room for "/.s.PGSQL.5432"
START_TIMEOUT_S = 60


class PostgresError(RuntimeError):
    """A PostgreSQL command failed; the message carries its output."""


class PostgresUnavailable(PostgresError):
    """PostgreSQL cannot be run here at all (binaries missing, no unprivileged user, no usable temp dir)."""


@dataclass(frozen=True)
class _RunAs:
    """The OS user the server runs as; switch_to is True when we are root and must drop privileges."""

    name: str
    uid: int
    gid: int
    switch_to: bool


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path)) or (0,)


def find_binaries() -> Path:
    """The directory holding initdb, pg_ctl and postgres, or PostgresUnavailable saying where we looked."""
    override = os.environ.get(BINDIR_ENV)
    if override is not None:
        candidates = [override]
    else:
        candidates = []
        found = shutil.which("initdb")
        if found:
            # pg_ctl finds postgres next to its own real path, so prefer the dir the PATH entry resolves to.
            candidates += [str(Path(found).resolve().parent), str(Path(found).parent)]
        for pattern in SEARCH_GLOBS:
            candidates += sorted(glob.glob(pattern), key=_version_key, reverse=True)
    for directory in candidates:
        if all(os.access(Path(directory, name), os.X_OK) for name in REQUIRED):
            return Path(directory)
    where = f"${BINDIR_ENV}={override}" if override is not None else "PATH and " + ", ".join(SEARCH_GLOBS)
    raise PostgresUnavailable(f"PostgreSQL binaries ({', '.join(REQUIRED)}) not found in {where}")


def _run_as() -> _RunAs:
    """Ourselves when unprivileged; as root the 'postgres' user, else 'nobody' (postgres refuses root)."""
    if os.geteuid() != 0:
        try:
            name = pwd.getpwuid(os.geteuid()).pw_name
        except KeyError as exc:  # initdb needs a passwd entry for the current user
            raise PostgresUnavailable(f"the current uid {os.geteuid()} has no passwd entry") from exc
        return _RunAs(name, os.geteuid(), os.getegid(), switch_to=False)
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        if entry.pw_uid != 0:
            return _RunAs(name, entry.pw_uid, entry.pw_gid, switch_to=True)
    raise PostgresUnavailable("running as root and neither a 'postgres' nor a 'nobody' user exists")


def _traversable(directory: Path, user: _RunAs) -> bool:
    """Whether user can reach entries inside directory (every ancestor searchable)."""
    if not user.switch_to:
        return os.access(directory, os.W_OK | os.X_OK)
    for part in [directory, *directory.parents]:
        mode = part.stat()
        if mode.st_uid == user.uid:
            allowed = mode.st_mode & stat.S_IXUSR
        elif mode.st_gid == user.gid:
            allowed = mode.st_mode & stat.S_IXGRP
        else:
            allowed = mode.st_mode & stat.S_IXOTH
        if not allowed:
            return False
    return True


def _make_base_dir(user: _RunAs) -> Path:
    """A fresh temp dir owned by user (mode 700), in a place it can reach, short enough for a socket path."""
    for parent in dict.fromkeys([tempfile.gettempdir(), "/tmp"]):
        parent_path = Path(parent).resolve()
        if len(str(parent_path)) + 30 > SOCKET_PATH_MAX or not _traversable(parent_path, user):
            continue
        base = Path(tempfile.mkdtemp(prefix="shiftdesk-pg-", dir=parent_path))
        if user.switch_to:
            os.chown(base, user.uid, user.gid)
        base.chmod(0o700)
        return base
    raise PostgresUnavailable(
        f"no temp dir that user {user.name!r} can reach with a socket path under {SOCKET_PATH_MAX} bytes"
    )


def _conf_value(value: str | bool) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return "'" + value.replace("'", "''") + "'"


@dataclass
class PostgresServer:
    """A cluster in a temp dir, listening only on a Unix socket there; trust auth for its superuser."""

    bindir: Path
    base_dir: Path
    run_as: _RunAs
    running: bool = field(default=False, init=False)

    @property
    def socket_dir(self) -> Path:
        return self.base_dir

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "postgres.log"

    @property
    def user(self) -> str:
        """The database superuser (same name as the OS user the server runs as)."""
        return self.run_as.name

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@/{dbname}?host={self.socket_dir}"

    def conninfo(self, dbname: str = "postgres") -> str:
        """A libpq conninfo string for psycopg.connect."""
        return f"host={self.socket_dir} port={PORT} user={self.user} dbname={dbname}"

    # -- running the binaries -------------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        # PGPORT, PGDATA, PGHOST… from the caller's shell must not redirect our server or our clients.
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env.update(LC_ALL="C", LANG="C")
        if self.run_as.switch_to:
            home = pwd.getpwuid(self.run_as.uid).pw_dir
            env.update(HOME=home, USER=self.run_as.name, LOGNAME=self.run_as.name)
        return env

    def _run(self, program: str, *args: str, timeout: float = START_TIMEOUT_S + 10) -> str:
        """Run a PostgreSQL binary as the unprivileged user (setpriv-style: uid, gid, no extra groups)."""
        command = [str(self.bindir / program), *args]
        switch: Mapping[str, Any] = {}
        if self.run_as.switch_to:
            switch = {"user": self.run_as.uid, "group": self.run_as.gid, "extra_groups": []}
        try:
            done = subprocess.run(
                command,
                cwd=self.base_dir,  # the caller's cwd (say /root) may be unreadable for that user
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=timeout,
                check=False,
                **switch,
            )
        except subprocess.TimeoutExpired as exc:
            raise PostgresError(f"{program} timed out after {timeout} s{self._log_tail()}") from exc
        if done.returncode != 0:
            raise PostgresError(
                f"{' '.join(command)} exited {done.returncode}:\n{done.stdout.strip()}{self._log_tail()}"
            )
        return done.stdout

    def _log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_file.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return "\n--- server log (tail) ---\n" + "\n".join(text) if text else ""

    # -- lifecycle ------------------------------------------------------------------------------------

    def init(self, *, fsync: bool) -> None:
        self._run(
            "initdb",
            f"--pgdata={self.data_dir}",
            "--auth=trust",
            "--no-sync",
            f"--username={self.user}",
            "--encoding=UTF8",
            "--locale=C",  # same ordering as SQLite's default BINARY collation, and independent of the env
        )
        settings: dict[str, str | bool] = {
            "listen_addresses": "",
            "unix_socket_directories": str(self.socket_dir),
            "port": str(PORT),
        }
        if not fsync:
            settings.update(fsync=False, full_page_writes=False, synchronous_commit=False)
        lines = [f"{key} = {_conf_value(value)}" for key, value in settings.items()]
        with (self.data_dir / "postgresql.conf").open("a") as conf:  # later entries win
            conf.write("\n# throwaway test server\n" + "\n".join(lines) + "\n")

    def start(self) -> None:
        """Start the server on the existing data dir and socket; returns once it accepts connections."""
        if self.running:
            return
        self._run("pg_ctl", "start", "-D", str(self.data_dir), "-l", str(self.log_file), "-w",
                  "-t", str(START_TIMEOUT_S))  # fmt: skip
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; existing connections break. mode "fast" keeps every committed row,
        "immediate" is a crash (with synchronous_commit=off the last ~0.6 s of commits may be lost)."""
        if not self.running:
            return
        self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", mode, "-w", "-t", str(START_TIMEOUT_S))
        self.running = False

    # -- databases ------------------------------------------------------------------------------------

    def _execute(self, statement: Any) -> None:
        import psycopg  # lazy: the module stays importable without the driver

        with psycopg.connect(self.conninfo(), autocommit=True) as connection:
            connection.execute(statement)

    def create_database(self, name: str) -> str:
        """Create an empty database (from template1) and return its SQLAlchemy URL."""
        from psycopg import sql

        self._execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting whoever is still in it."""
        from psycopg import sql

        self._execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def throwaway_postgres(*, fsync: bool = False) -> Iterator[PostgresServer]:
    """Init and start a server in a temp dir; on exit stop it (-m immediate) and delete everything.

    fsync=False (the default, for speed) also turns off full_page_writes and synchronous_commit; a
    durability test must pass fsync=True.
    """
    bindir = find_binaries()
    run_as = _run_as()
    base_dir = _make_base_dir(run_as)
    server = PostgresServer(bindir, base_dir, run_as)

    def cleanup() -> None:
        try:
            server.stop("immediate")
        except PostgresError:
            pass
        finally:
            shutil.rmtree(base_dir, ignore_errors=True)

    atexit.register(cleanup)  # in case the with block is never left normally
    try:
        server.init(fsync=fsync)
        server.start()
        yield server
    finally:
        atexit.unregister(cleanup)
        cleanup()
