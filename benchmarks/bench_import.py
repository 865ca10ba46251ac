"""Times `shiftdesk import` of a seeded CSV (100,000 rows; `--rows 1000000` for the big one) against a plain
csv.DictReader pass over the file, and takes the import's peak RSS (it runs as its own process).

Targets: 100,000 rows in ≤ 10 s; 1,000,000 rows in ≤ 90 s; peak RSS ≤ 1 GB at any size (the file is read and
stored in batches, issue 13).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's code, not an installed copy's

from core.config import Settings  # noqa: E402
from core.csv_import import COLUMNS, STAGE_COLUMNS, CasesCsv  # noqa: E402

TARGET_SECONDS = 10.0  # for 100,000 rows; 90 s for 1,000,000 (0.9 × the rows' share beyond)
PEAK_MB = 1024.0
ZONE = "Europe/London"
SITES = {"Harbour Road": "North", "Millbrook": "North", "Gulf Point": "South"}
STAFF = ("Billy Okafor", "Hana Sato", "Marta Kowalski", "Dev Patel", "Lucía Romero", "Tom Becker")
PRODUCTS = ("Sofa", "Dining table", "Mattress", "Wardrobe", "Office chair", "Floor lamp")
CATEGORIES = ("late delivery", "damaged item", "billing error", "wrong item", "long wait", "rude service")
CUSTOMERS = ("Ada Brennan", "Bruno Keller", "Chloé Martin", "Esi Mensah", "Jia Wen", "Zoe Clarke")
ROOT_CAUSES = ("carrier missed the slot", "picking label swapped", "queue system restarted")


def stamp(at: datetime) -> str:
    """`at` (UTC) as local time, naive as a spreadsheet holds it; with its offset in the months the clocks
    change, where a naive time could be ambiguous."""
    local = at.replace(tzinfo=UTC).astimezone(ZoneInfo(ZONE))
    if local.month in (3, 10):
        return local.isoformat(timespec="minutes")
    return local.replace(tzinfo=None).isoformat(timespec="minutes")


def write_csv(path: Path, rows: int, seed: int = 42) -> None:
    """A file like a real export: ~60% closed with a deposition, the rest stopped at every open stage."""
    rng = random.Random(seed)
    # Three minutes apart: 100,000 rows span seven months from January 2025; a million, six years, ending
    # two days before now (no time in the file may be later than now).
    start = min(
        datetime(2025, 1, 6, 8, 0),
        datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=3 * rows + 2880),
    )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for index in range(rows):
            opened = start + timedelta(minutes=index * 3 + rng.randint(0, 2))
            site = rng.choice(list(SITES))
            staff = rng.choice(STAFF)
            stages = 6 if rng.random() < 0.6 else rng.randint(0, 4)
            times = [""] * 6
            at = opened
            for step in range(stages):
                at += timedelta(minutes=rng.randint(1, 40))
                times[step] = stamp(at)
            documented = stages >= 5
            gesture = rng.choice(["", "", "voucher", "discount"]) if stages >= 3 else ""
            category = rng.choice(CATEGORIES)
            values = {
                "opened_at": stamp(opened),
                "customer": rng.choice(CUSTOMERS),
                "category": category,
                "site": site,
                "product": rng.choice(PRODUCTS),
                "staff": staff,
                "description": f"{category} reported at the desk; customer #{index}",
                "id": str(index + 1),
                "region": SITES[site] if rng.random() < 0.8 else "",
                "channel": rng.choice(["phone", "email", "in-person", "chat"]),
                "severity": rng.choice(["low", "medium", "medium", "high"]),
                "tier": rng.choice(["standard"] * 8 + ["vip", "chronic"]),
                "public": "no",
                "owner": staff,
                "assignee": staff if rng.random() < 0.9 else rng.choice(STAFF),
                **dict(zip(STAGE_COLUMNS, times, strict=True)),
                "root_cause": rng.choice(ROOT_CAUSES) if documented else "",
                "gesture": gesture,
                "gesture_value": str(rng.choice([10, 15, 20])) if gesture else "",
                "deposition": "Apologised, rebooked, called back.\nAll fine." if documented else "",
            }
            writer.writerow([values[column] for column in COLUMNS])


def import_command(url: str, config: Path, csv_path: Path) -> list[str]:
    """`shiftdesk import` of this checkout (the installed script may belong to another one)."""
    return [sys.executable, "-m", "tui.cli", "--db", url, "--config", str(config), "import", str(csv_path)]


def run_import(
    url: str, config: Path, csv_path: Path, checkout: Path = ROOT
) -> tuple[float, float, float, str]:
    """`checkout`'s import as its own process: (seconds, peak RSS in MB, CPU seconds, its output)."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        began = time.perf_counter()
        process = subprocess.Popen(
            [*import_command(url, config, csv_path), "--as", "bench"],
            cwd=checkout,
            env=env,
            stdout=out,
            stderr=err,
            text=True,
        )
        _pid, status, usage = os.wait4(process.pid, 0)  # its own rusage: peak RSS and CPU time
        elapsed = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode != 0:
        raise RuntimeError(f"import failed ({process.returncode}):\n{stdout[-2000:]}\n{stderr[-4000:]}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, stdout


def main_bench() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--db",
        default=None,
        metavar="URL",
        help="an empty database to import into (default: a new SQLite file)",
    )
    parser.add_argument(
        "--compare",
        type=Path,
        default=None,
        metavar="CHECKOUT",
        help="also time another checkout's import of the same file (e.g. the main branch's)",
    )
    args = parser.parse_args()
    target = TARGET_SECONDS if args.rows <= 100_000 else TARGET_SECONDS * args.rows / 100_000 * 0.9
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        csv_path = root / "cases.csv"
        write_csv(csv_path, args.rows)
        config = root / "config.toml"
        config.write_text(f'timezone = "{ZONE}"\n', encoding="utf-8")

        began = time.perf_counter()
        with csv_path.open(encoding="utf-8", newline="") as handle:
            baseline_rows = sum(1 for _row in csv.DictReader(handle))
        baseline = time.perf_counter() - began
        assert baseline_rows == args.rows

        url = args.db or f"sqlite:///{root / 'bench.db'}"
        full, peak, cpu, output = run_import(url, config, csv_path)
        if args.compare:
            other = f"sqlite:///{root / 'compare.db'}"
            then, then_peak, then_cpu, _ = run_import(other, config, csv_path, args.compare)
            print(
                f"  {args.compare}'s import of the same file: {then:.1f} s, {then_cpu:.1f} s CPU, peak RSS "
                f"{then_peak:.0f} MB"
            )

        # The parse alone, read in batches as the import reads it (each batch dropped once made).
        settings = Settings(zone=ZoneInfo(ZONE))
        began = time.perf_counter()
        file = CasesCsv(csv_path, settings, now=datetime.now(UTC), actor="bench")
        parsed = sum(len(batch) for batch in file.batches())
        parse = time.perf_counter() - began
        assert parsed == args.rows

        backend = make_url(url).get_backend_name()
        fast = full <= target
        small = peak <= PEAK_MB
        verdict = "OK" if fast and small else ("TOO SLOW" if small else "TOO BIG")
        print(
            f"csv import {args.rows} rows into {backend}: {full:.1f} s (parse {parse:.1f} s; "
            f"baseline csv.DictReader {baseline:.2f} s; ratio {full / baseline:.1f}x); peak RSS "
            f"{peak:.0f} MB; targets <= {target:.0f} s, <= {PEAK_MB:.0f} MB: {verdict}"
        )
        print(f"  the import's CPU time {cpu:.1f} s (the machine may be shared: wall time is not all ours)")
        print(f"  parse alone: {parse / baseline:.1f}x the baseline, {args.rows / parse:,.0f} rows/s")
        print(f"  storing (the import minus a parse): {full - parse:.1f} s")
        print(f"  {output.strip()}")
        return 0 if fast and small else 1


if __name__ == "__main__":
    sys.exit(main_bench())
