"""Shared pieces of the dashboard benchmarks: the machine label, seeded data, tmux driving, /proc readings.

Data: a history of N documented (and closed) cases with their full event trail, depositions and trend facts is
written straight into a fresh schema with the sqlite3 module (big executemany batches), cached between runs in
~/.cache/shiftdesk-bench (or $SHIFTDESK_BENCH_CACHE) keyed by seed, size and the UTC day it ends on; every run
copies it into its own temp dir and adds the 500 open cases of the running shift through the service
(WorkflowService.import_histories), timed relative to the real clock so that their countdowns are live.
"""

from __future__ import annotations

import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# The programs measured in tmux and the CLI runs import this checkout's code: the `shiftdesk` script imports
# the package from where it was installed (an editable install points at one checkout), so a run from
# another checkout (a git worktree) would otherwise measure that one's code. Children inherit this.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))

from core.case_fields import STORED_NAMES  # noqa: E402 (needs ROOT on the path)

VENV_BIN = Path(os.environ.get("SHIFTDESK_BENCH_VENV_BIN", str(Path(sys.executable).parent)))
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
SHIFTDESK = str(VENV_BIN / "shiftdesk")
CACHE = Path(os.environ.get("SHIFTDESK_BENCH_CACHE", Path.home() / ".cache" / "shiftdesk-bench"))
ZONE_NAME = "Europe/London"
ZONE = ZoneInfo(ZONE_NAME)
MARKER = "Quinn Firstpaint"  # the most urgent open case: its name is on the first screen of the dashboard
MINIMAL_WORD = "MINIMAL-APP-READY"
TMUX_SOCKET = f"shiftdesk-bench-{os.getpid()}"
TMUX_SIZE = (160, 48)

# ----------------------------------------------------------------------------------------------------------
# the machine


def machine_label() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"nproc {nproc()}, {model}, Python {platform.python_version()} ({platform.system()})"


def nproc() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# ----------------------------------------------------------------------------------------------------------
# /proc readings

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def compile_checkout(root: Path = ROOT) -> None:
    """The project's bytecode, as an install (pip compiles what it installs) or any earlier run leaves it.
    A measured start cannot leave it when the environment sets PYTHONDONTWRITEBYTECODE (this machine's
    does): every start then compiled some 50 modules of core/, storage/ and tui/ again, about 30–40 ms of
    CPU that no supervisor's second start pays. (A no-op when they are compiled already.)"""
    subprocess.run(
        [PYTHON, "-m", "compileall", "-q", *(str(root / package) for package in ("core", "storage", "tui"))],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def settle(pid: int, *, limit: float, quiet: float = 0.03) -> float:
    """Wait until the process has used under `quiet` of a core in each of two consecutive seconds (at most
    `limit` seconds); returns how long it stayed busy: the seconds before those two calm ones (or `limit`)."""
    began = time.perf_counter()
    calm = 0
    last = cpu_seconds(pid)
    while time.perf_counter() - began < limit:
        time.sleep(1.0)
        now = cpu_seconds(pid)
        calm = calm + 1 if now - last < quiet else 0
        last = now
        if calm >= 2:
            return time.perf_counter() - began - 2
    return time.perf_counter() - began


def rss_bytes(pid: int | str = "self") -> int:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE


# ----------------------------------------------------------------------------------------------------------
# tmux


class AppDied(RuntimeError):
    """The program under test exited (crashed) while it was being measured."""


class Tmux:
    """A private tmux server (its own -L socket) running one command per session, read with capture-pane."""

    def __init__(self, socket: str = TMUX_SOCKET) -> None:
        self.socket = socket
        # A keeper session keeps the server up, so a measured start never includes the server's own start.
        self._run("new-session", "-d", "-s", "keeper", "-x", "80", "-y", "10", "exec sleep 100000")
        # A program that dies leaves its pane (and its last words) behind, so a crash is reported as one.
        self._run("set-option", "-g", "remain-on-exit", "on")

    def _run(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False)
        if check and done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def start(self, name: str, command: str, env: dict[str, str] | None = None) -> float:
        """Start `command` (exec'd: the pane pid is the program) in a new session; returns when it began."""
        width, height = TMUX_SIZE
        prefix = " ".join(f"{key}={value}" for key, value in (env or {}).items())
        shell = f"exec env {prefix} {command}" if prefix else f"exec {command}"
        began = time.perf_counter()
        self._run("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), shell)
        return began

    def capture(self, name: str) -> str:
        return self._run("capture-pane", "-p", "-t", name, check=False)

    def pid(self, name: str) -> int:
        return int(self._run("display-message", "-p", "-t", name, "#{pane_pid}").strip())

    def send(self, name: str, *keys: str) -> None:
        self._run("send-keys", "-t", name, *keys)

    def dead(self, name: str) -> bool:
        return self._run("display-message", "-p", "-t", name, "#{pane_dead}", check=False).strip() == "1"

    def last_words(self, name: str, lines: int = 12) -> str:
        text = self._run("capture-pane", "-p", "-t", name, "-S", "-2000", check=False)
        kept = [line.rstrip() for line in text.splitlines() if line.strip()]
        return "\n".join(kept[-lines:])

    def check_alive(self, name: str) -> None:
        if self.dead(name):
            raise AppDied(
                f"the program in tmux session {name!r} exited; its last lines:\n{self.last_words(name)}"
            )

    def wait_for(self, name: str, text: str, timeout: float = 60.0, interval: float = 0.01) -> float:
        """Poll the screen until `text` shows; returns the instant it was first seen."""
        deadline = time.perf_counter() + timeout
        polls = 0
        while time.perf_counter() < deadline:
            screen = self.capture(name)
            if text in screen:
                return time.perf_counter()
            polls += 1
            if polls % 25 == 0:
                self.check_alive(name)
            time.sleep(interval)
        self.check_alive(name)
        raise TimeoutError(f"{text!r} not on screen after {timeout:.0f} s; screen:\n{self.capture(name)}")

    def kill(self, name: str) -> None:
        try:
            pid = self.pid(name)
        except (RuntimeError, ValueError):
            pid = None
        self._run("kill-session", "-t", name, check=False)
        if pid:
            for _ in range(200):  # wait until the app has really gone (it may be writing its exit sequence)
                if not Path(f"/proc/{pid}").exists():
                    break
                time.sleep(0.01)

    def close(self) -> None:
        self._run("kill-server", check=False)
        socket = Path(f"/tmp/tmux-{os.getuid()}") / self.socket
        if os.environ.get("TMUX_TMPDIR"):
            socket = Path(os.environ["TMUX_TMPDIR"]) / f"tmux-{os.getuid()}" / self.socket
        socket.unlink(missing_ok=True)


def dashboard_command(url: str, config: Path) -> str:
    """The real `shiftdesk` command: the program measured is the one users run."""
    return f"{SHIFTDESK} --db '{url}' --config '{config}'"


def minimal_command() -> str:
    return f"{PYTHON} {ROOT / 'benchmarks' / 'minimal_app.py'}"


# ----------------------------------------------------------------------------------------------------------
# the roster and the configuration

FIRST = (
    "Ada",
    "Billy",
    "Chloé",
    "Dev",
    "Esi",
    "Farah",
    "Gustav",
    "Hana",
    "Ivan",
    "Jia",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Olga",
    "Pablo",
    "Quinn",
    "Ravi",
    "Sofia",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
    "Zoe",
    "Marta",
    "Tom",
    "Aisha",
    "Jonas",
    "Priya",
)
LAST = (
    "Okafor",
    "Sato",
    "Kowalski",
    "Patel",
    "Romero",
    "Becker",
    "Bello",
    "Lind",
    "Nair",
    "Carter",
    "Haddad",
    "Nowak",
    "Mori",
    "Diaz",
    "Brennan",
    "Keller",
    "Martin",
    "Volkov",
    "Mensah",
    "Qureshi",
    "Berg",
    "Costa",
    "Petrov",
    "Fischer",
    "Silva",
    "Roberts",
    "Ivanova",
    "Ortega",
    "Murphy",
    "Shah",
)
REGIONS = ("North", "South", "East", "West")
SITES = tuple(
    (f"{name} {kind}", REGIONS[index % 4])
    for index, (name, kind) in enumerate(
        [
            ("Harbour", "Road"),
            ("Millbrook", "Store"),
            ("Gulf", "Point"),
            ("Kingsway", "Hub"),
            ("Elm", "Park"),
            ("Station", "Square"),
            ("Riverside", "Depot"),
            ("Oak", "Lane"),
            ("Castle", "Yard"),
            ("Bay", "Mall"),
            ("Hill", "Street"),
            ("Mill", "Cross"),
        ]
    )
)
PRODUCTS = tuple(
    f"{kind} {model}"
    for kind in ("Sofa", "Table", "Mattress", "Wardrobe", "Chair", "Lamp")
    for model in ("Classic", "Nova", "Loft", "Aria", "Terra")
)
CATEGORIES = (
    "late delivery",
    "damaged item",
    "billing error",
    "wrong item",
    "long wait",
    "rude service",
    "missed callback",
    "faulty assembly",
    "refund delay",
    "app outage",
    "lost order",
    "overcharge",
)
CHANNELS = ("phone", "in-person", "email", "chat", "social")
CHANNEL_WEIGHTS = (40, 25, 15, 12, 8)
TIERS = ("standard", "vip", "chronic")
SEVERITIES = ("low", "medium", "high", "critical")
FACTORS = ("training", "process", "system", "staffing", "product", "facility", "external")


def staff_names(count: int = 150) -> list[str]:
    rng = random.Random(5)
    names: list[str] = []
    while len(names) < count:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in names:
            names.append(name)
    return names


STAFF = staff_names()
SHIFT_ROSTERS = {"Early": STAFF[0:10], "Late": STAFF[10:20], "Night": STAFF[20:30]}
SHIFT_HOURS = {"Early": ("06:00", "14:00"), "Late": ("14:00", "22:00"), "Night": ("22:00", "06:00")}
STAFF_SITE = {name: SITES[index % len(SITES)] for index, name in enumerate(STAFF)}


def write_config(path: Path) -> Path:
    lines = [f'timezone = "{ZONE_NAME}"', ""]
    for name, (start, end) in SHIFT_HOURS.items():
        agents = ", ".join(f'"{agent}"' for agent in SHIFT_ROSTERS[name])
        lines += [
            "[[shifts]]",
            f'name = "{name}"',
            f'start = "{start}"',
            f'end = "{end}"',
            'supervisor = "Omar Farouk"',
            f"agents = [{agents}]",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def bench_settings() -> Any:
    from core.config import load_settings

    config = CACHE / "config.toml"
    CACHE.mkdir(parents=True, exist_ok=True)
    write_config(config)
    return load_settings(config)


# ----------------------------------------------------------------------------------------------------------
# the documented history, written directly


def _stamp(epoch: float) -> str:
    """The text SQLAlchemy's SQLite DateTime stores (naive UTC)."""
    at = datetime.fromtimestamp(epoch, UTC)
    return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond:06d}"


@dataclass
class HistoryRows:
    cases: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]
    depositions: list[tuple[Any, ...]]
    facts: list[tuple[Any, ...]]


# Every stored field of a case (core/case_fields.py), then the row's newest event.
CASE_COLUMNS = (*STORED_NAMES, "last_event_id")
EVENT_COLUMNS = ("id", "case_id", "at", "actor", "action", "text", "data")
DEPOSITION_COLUMNS = (
    "case_id",
    "filed_at",
    "author",
    "customer_view",
    "customer_needed",
    "actions_taken",
    "root_cause",
    "factors",
    "gesture",
    "notes",
)
FACT_COLUMNS = ("case_id", "opened_epoch", "packed")


def dimension_codes() -> dict[str, dict[str, int]]:
    """Codes as storage.trend_facts.codes_for would give them to a fresh database (sorted labels)."""
    labels = {
        "staff": STAFF,
        "site": [site for site, _ in SITES],
        "region": list(REGIONS),
        "product": list(PRODUCTS),
        "category": list(CATEGORIES),
    }
    return {dim: {label: code for code, label in enumerate(sorted(values))} for dim, values in labels.items()}


def history_batches(
    count: int,
    end: datetime,
    seed: int,
    days: int = 730,
    batch: int = 50_000,
    stamp: Callable[[float], Any] = _stamp,
) -> Iterator[HistoryRows]:
    """`count` documented and closed cases opened over `days` days before `end`, with their event trail."""
    import numpy as np

    from core.hotspots import pack_columns

    rng = np.random.default_rng(seed)
    codes = dimension_codes()
    channel_codes = {name: index for index, name in enumerate(CHANNELS)}  # the order of core.cases.Channel
    end_epoch = end.timestamp()
    start_epoch = end_epoch - days * 86400
    opened_all = np.sort(rng.uniform(start_epoch, end_epoch - 4 * 3600, count))
    customers = [f"{first} {last}" for first in FIRST for last in LAST]
    event_id = 0
    for first in range(0, count, batch):
        n = min(batch, count - first)
        opened = opened_all[first : first + n]
        staff_i = rng.integers(0, len(STAFF), n)
        product_i = rng.integers(0, len(PRODUCTS), n)
        category_i = rng.integers(0, len(CATEGORIES), n)
        channel_i = rng.choice(len(CHANNELS), n, p=np.array(CHANNEL_WEIGHTS) / sum(CHANNEL_WEIGHTS))
        tier_i = rng.choice(3, n, p=[0.85, 0.09, 0.06])
        severity_i = rng.choice(4, n, p=[0.2, 0.5, 0.22, 0.08])
        customer_i = rng.integers(0, len(customers), n)
        gaps = rng.uniform(1, 40, (n, 8)) * 60  # minutes between steps
        factor_i = rng.integers(0, len(FACTORS), n)
        # Local weekday and 30-minute window, through the zone's offset at each hour (DST-correct).
        hours = (opened // 3600).astype(np.int64)
        offsets = {
            int(hour): datetime.fromtimestamp(int(hour) * 3600, UTC)
            .astimezone(ZONE)
            .utcoffset()
            .total_seconds()  # type: ignore[union-attr]
            for hour in np.unique(hours)
        }
        local = opened + np.array([offsets[int(hour)] for hour in hours])
        local_days = (local // 86400).astype(np.int64)
        weekday = (local_days + 3) % 7  # 1970-01-01 was a Thursday
        window = ((local % 86400) // 1800).astype(np.int64)
        site_i = np.array([[s for s, _ in SITES].index(STAFF_SITE[STAFF[i]][0]) for i in staff_i])
        columns = {
            "weekday": weekday,
            "window": window,
            "staff": np.array([codes["staff"][STAFF[i]] for i in staff_i]),
            "site": np.array([codes["site"][SITES[i][0]] for i in site_i]),
            "region": np.array([codes["region"][SITES[i][1]] for i in site_i]),
            "product": np.array([codes["product"][PRODUCTS[i]] for i in product_i]),
            "category": np.array([codes["category"][CATEGORIES[i]] for i in category_i]),
            "channel": np.array([channel_codes[CHANNELS[i]] for i in channel_i]),
        }
        packed = pack_columns(columns)
        rows = HistoryRows([], [], [], [])
        for k in range(n):
            case_id = first + k + 1
            staff = STAFF[int(staff_i[k])]
            site, region = SITES[int(site_i[k])]
            product = PRODUCTS[int(product_i[k])]
            category = CATEGORIES[int(category_i[k])]
            channel = CHANNELS[int(channel_i[k])]
            public = channel == "social"
            t = float(opened[k])
            g = gaps[k]
            steps: list[tuple[str, float, str, str]] = [("open", t, f"{product} — {category}", "{}")]
            t += g[0]
            steps.append(("apologize", t, "Apologised and took ownership.", "{}"))
            t += g[1]
            steps.append(
                ("review", t, f"Customer says: {category}", '{"needs": "a firm date and a call back"}')
            )
            review_at = t
            public_at = None
            if public:
                t += g[2] / 4
                public_at = t
                steps.append(("public-apology", t, "Posted a public apology.", "{}"))
                steps.append(("spokesperson", t, "", '{"name": "Grace Liu"}'))
            t += g[3]
            fixed_at = t
            steps.append(("fix", t, "Replacement arranged and confirmed.", "{}"))
            t += g[4]
            followed = t
            steps.append(("follow-up", t, "Customer confirmed all is well.", '{"satisfied": true}'))
            t += g[5]
            documented = t
            root = f"{category}: root cause {int(factor_i[k])}"
            factor = FACTORS[int(factor_i[k])]
            deposition = {
                "customer_view": f"{category} with the {product}",
                "customer_needed": "a quick, reliable fix",
                "actions_taken": "apologised, reviewed, fixed, followed up",
                "root_cause": root,
                "factors": [factor],
                "gesture": "",
                "notes": "",
            }
            steps.append(("document", t, root, json.dumps(deposition)))
            t += g[6]
            closed = t
            steps.append(("close", t, "Closed after review.", "{}"))
            for action, at, text, data in steps:
                event_id += 1
                rows.events.append((event_id, case_id, stamp(at), staff, action, text, data))
            case_values = {
                "id": case_id,
                "opened_at": stamp(float(opened[k])),
                "customer": customers[int(customer_i[k])],
                "contact": f"+44 20 7946 {case_id % 10000:04d}",
                "tier": TIERS[int(tier_i[k])],
                "channel": channel,
                "category": category,
                "severity": SEVERITIES[int(severity_i[k])],
                "public": public,
                "site": site,
                "region": region,
                "product": product,
                "staff": staff,
                "owner": staff,
                "assignee": staff,
                "description": f"{product} — {category}",
                "stage": "closed",
                "version": len(steps),
                "last_contact_at": stamp(review_at),
                "fixed_at": stamp(fixed_at),
                "followed_up_at": stamp(followed),
                "documented_at": stamp(documented),
                "closed_at": stamp(closed),
                "check_back_owed_since": None,
                "public_apology_at": stamp(public_at) if public_at else None,
                "spokesperson": "Grace Liu" if public else None,
                "last_event_id": event_id,
            }
            rows.cases.append(tuple(case_values[column] for column in CASE_COLUMNS))
            rows.depositions.append(
                (
                    case_id,
                    stamp(documented),
                    staff,
                    deposition["customer_view"],
                    deposition["customer_needed"],
                    deposition["actions_taken"],
                    root,
                    factor,
                    "",
                    "",
                )
            )
            rows.facts.append((case_id, int(opened[k]), int(packed[k])))
        yield rows


def copy_sqlite(source: Path | str, target: Path | str) -> None:
    """A consistent copy of a SQLite file: its WAL checkpointed into it first (a copy of the main file alone
    would miss — or half-miss — what a dashboard killed mid-run left in the WAL)."""
    connection = sqlite3.connect(source)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    for suffix in ("-wal", "-shm"):  # a stale WAL next to the target would be replayed into the copy
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def history_end() -> datetime:
    """The history ends at the start of today (UTC): recent enough for the 90-day windows to hold cases."""
    now = datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def cached_history_db(count: int, seed: int, log: Callable[[str], None] = print) -> Path:
    """The SQLite file holding `count` documented cases; built once per (seed, size, schema, day), cached."""
    from storage.quick_read import HEAD_REVISION

    end = history_end()
    path = CACHE / f"history-s{seed}-n{count}-r{HEAD_REVISION}-{end:%Y%m%d}.db"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    for old in CACHE.glob(f"history-s{seed}-n{count}-*.db"):  # yesterday's copy of this size
        old.unlink()
    building = path.with_suffix(".building")
    for leftover in CACHE.glob(building.name + "*"):
        leftover.unlink()
    began = time.perf_counter()
    log(f"  building the history database ({count:,} documented cases, seed {seed}) → {path} …")
    from storage.database import Database

    database = Database(f"sqlite:///{building}")  # the schema at head, through Alembic
    database.dispose()
    connection = sqlite3.connect(building, isolation_level=None)
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA cache_size=-400000")
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO dimension_codes (dimension, label, code) VALUES (?, ?, ?)",
        [(dim, label, code) for dim, table in dimension_codes().items() for label, code in table.items()],
    )
    for rows in history_batches(count, end, seed):
        connection.executemany(_insert_sql("cases", CASE_COLUMNS), rows.cases)
        connection.executemany(_insert_sql("events", EVENT_COLUMNS), rows.events)
        connection.executemany(_insert_sql("depositions", DEPOSITION_COLUMNS), rows.depositions)
        connection.executemany(_insert_sql("trend_facts", FACT_COLUMNS), rows.facts)
    connection.execute("COMMIT")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.close()
    building.rename(path)
    size = path.stat().st_size / 1e6
    log(f"  built in {time.perf_counter() - began:.0f} s ({size:,.0f} MB)")
    return path


def load_history_postgres(url: str, count: int, seed: int) -> None:
    """The same history into an empty PostgreSQL database (schema through Alembic, rows with COPY)."""
    import psycopg

    from storage.database import Database

    database = Database(url)
    database.dispose()
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as connection, connection.cursor() as cursor:
        with cursor.copy("COPY dimension_codes (dimension, label, code) FROM STDIN") as copy:
            for dim, table in dimension_codes().items():
                for label, code in table.items():
                    copy.write_row((dim, label, code))

        def pg_stamp(epoch: float) -> str:
            return _stamp(epoch) + "+00"

        for rows in history_batches(count, history_end(), seed, stamp=pg_stamp):
            for table, columns, data in (
                ("cases", CASE_COLUMNS, rows.cases),
                ("events", EVENT_COLUMNS, rows.events),
                ("depositions", DEPOSITION_COLUMNS, rows.depositions),
                ("trend_facts", FACT_COLUMNS, rows.facts),
            ):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
        cursor.execute("SELECT setval('cases_id_seq', (SELECT max(id) FROM cases))")
        cursor.execute("SELECT setval('events_id_seq', (SELECT max(id) FROM events))")
        cursor.execute("ANALYZE")
        connection.commit()


# ----------------------------------------------------------------------------------------------------------
# the running shift: 500 open cases, through the service


def open_shift_histories(count: int, now: datetime, seed: int) -> list[Any]:
    """`count` open cases at every open stage, newest step 0.5–20 min ago; the marker is the most urgent."""
    from core.cases import Action, Case, CaseHistory, Channel, Event, Severity, Stage, Tier
    from core.demo import CATEGORIES as DEMO_CATEGORIES
    from core.demo import _hand_over, _shifted, _story
    from core.payloads import OpenPayload

    rng = random.Random(seed)
    stops = [Stage.APOLOGIZED, Stage.REVIEWED, Stage.FIXED, Stage.FOLLOWED_UP, Stage.DOCUMENTED, Stage.CLOSED]
    roster = [name for names in SHIFT_ROSTERS.values() for name in names]
    histories = []
    marker = Case(
        opened_at=now - timedelta(hours=8),
        customer=MARKER,
        category="late delivery",
        site=SITES[0][0],
        region=SITES[0][1],
        product=PRODUCTS[0],
        staff=roster[10],
        owner=roster[10],
        assignee=roster[10],
        description="Sofa did not arrive",
        tier=Tier.VIP,
        severity=Severity.CRITICAL,
    )
    histories.append(
        CaseHistory(
            marker,
            [Event(marker.opened_at, marker.staff, Action.OPEN, marker.description, OpenPayload())],
            None,
        )
    )
    used = {MARKER}
    for index in range(count - 1):
        agent = rng.choice(roster)
        site, region = STAFF_SITE[agent]
        while True:
            customer = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            if customer not in used or len(used) > 800:
                break
        used.add(customer)
        channel = rng.choices(list(Channel), weights=CHANNEL_WEIGHTS)[0]
        opened = now - timedelta(minutes=rng.uniform(1, 180))
        case = Case(
            opened_at=opened,
            customer=customer,
            contact=f"+44 20 7946 {rng.randint(0, 9999):04d}",
            category=rng.choice(DEMO_CATEGORIES),
            site=site,
            region=region,
            product=rng.choice(PRODUCTS),
            staff=agent,
            owner=agent,
            assignee=agent,
            description="reported at the desk",
            tier=rng.choices(list(Tier), weights=[85, 9, 6])[0],
            channel=channel,
            severity=rng.choices(list(Severity), weights=[20, 50, 22, 8])[0],
            public=channel is Channel.SOCIAL,
        )
        events, deposition = _story(rng, case, opened, rng.choice(stops))
        newest = now - timedelta(minutes=rng.uniform(0.5, 20))
        if events[-1].at > newest:
            back = events[-1].at - newest
            events = [replace(event, at=event.at - back) for event in events]
            case = _shifted(case, back)
        if index % 9 == 4:  # some hand-offs: the owner then owes a check-back
            to = rng.choice([name for name in roster if name != case.assignee])
            _hand_over(case, events, to, newest + timedelta(seconds=10))
        histories.append(CaseHistory(case, events, deposition))
    return histories


def add_open_cases(url: str, settings: Any, count: int, seed: int) -> list[int]:
    from core.clock import SystemClock
    from storage.database import Database
    from storage.service import WorkflowService

    database = Database(url)
    service = WorkflowService(database, settings, SystemClock())
    ids = service.import_histories(open_shift_histories(count, datetime.now(UTC), seed))
    database.dispose()
    return ids


def prepare_sqlite(
    folder: Path, history: int, open_count: int, seed: int, log: Callable[[str], None] = print
) -> tuple[str, Path]:
    """A fresh copy of the cached history in `folder` plus the running shift; returns (url, config path)."""
    cached = cached_history_db(history, seed, log)
    target = folder / "shiftdesk.db"
    began = time.perf_counter()
    copy_sqlite(cached, target)
    url = f"sqlite:///{target}"
    config = write_config(folder / "config.toml")
    from core.config import load_settings

    add_open_cases(url, load_settings(config), open_count, seed)
    log(f"  copied the history and opened {open_count} cases in {time.perf_counter() - began:.1f} s")
    return url, config


def emit(result: dict[str, Any]) -> None:
    """The machine-readable result line run_all.py collects."""
    print("RESULT " + json.dumps(result), flush=True)
