"""Every performance figure of the issue, each beside its baseline measured in the same run.

    python benchmarks/run_all.py            # the full run (1,000,000 documented cases; about 15–20 min
                                            # the first time, when the history database is built and cached)
    python benchmarks/run_all.py --quick    # smaller history and shorter windows (a few minutes)
    python benchmarks/run_all.py --only paint,idle

Data is seeded and generated into a temp dir (the documented history is cached in ~/.cache/shiftdesk-bench,
or $SHIFTDESK_BENCH_CACHE, keyed by seed, size and day); data generation is never inside a measured figure.
Prints each figure as it is measured, then a markdown table labelled with the machine (benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _common as common  # noqa: E402

FIGURES = (
    "paint",
    "idle",
    "memory",
    "hotspots",
    "export",
    "keys",
    "crossproc",
    "import",
    "calm",
    "floor",
    "bigimport",
)


@dataclass
class Row:
    figure: str
    target: str
    measured: str = "not run"
    baseline: str = ""
    ratio: str = ""
    verdict: str = "—"
    notes: list[str] = field(default_factory=list)


def mark_failed(row: Row, code: int, tail: str) -> None:
    """A figure whose script gave no result: the row says so, with the script's last words."""
    if tail:
        why = tail.splitlines()[-1]
    elif code == 0:  # it ran, but printed its figure in words this script does not recognise
        why = "no figure in its output (exit 0): has its sentence changed?"
    else:
        why = f"exit {code}"
    row.measured = "FAILED: " + why
    row.verdict = "**FAILED**"


def scraped(row: Row, command: list[str], pattern: str) -> list[float] | None:
    """Run a script that prints its figure as a sentence; the numbers `pattern` captures, or None (and
    the row marked failed)."""
    code, lines, tail = run(command, 1800)
    found = re.search(pattern, "\n".join(lines))
    if found is None:
        mark_failed(row, code, tail)
        return None
    return [float(number) for number in found.groups()]


def run(command: list[str], timeout: float, env: dict[str, str] | None = None) -> tuple[int, list[str], str]:
    """Run a benchmark, echoing its output as it comes; returns (exit code, stdout lines, stderr tail)."""
    shown = [Path(part).name if part.startswith("/") and part.endswith(".py") else part for part in command]
    print(f"$ {' '.join(shown)}", flush=True)
    process = subprocess.Popen(
        command,
        cwd=common.ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    lines: list[str] = []
    began = time.perf_counter()
    assert process.stdout is not None
    try:
        for line in process.stdout:
            line = line.rstrip("\n")
            lines.append(line)
            if not line.startswith("RESULT "):
                print("  " + line, flush=True)
            if time.perf_counter() - began > timeout:
                raise subprocess.TimeoutExpired(command, timeout)
        process.wait(timeout=max(1.0, timeout - (time.perf_counter() - began)))
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return -1, lines, f"timed out after {timeout:.0f} s"
    stderr = process.stderr.read() if process.stderr else ""
    if process.returncode != 0 and stderr:
        tail = "\n".join(stderr.strip().splitlines()[-14:])
        print("  " + tail.replace("\n", "\n  "), flush=True)
        common.CACHE.mkdir(parents=True, exist_ok=True)
        saved = common.CACHE / f"failed-{Path(command[1]).stem}-{command[2] if len(command) > 2 else ''}.txt"
        saved.write_text(" ".join(command) + "\n\n" + stderr, encoding="utf-8")
        print(f"  (its whole stderr: {saved})", flush=True)
        return process.returncode, lines, tail
    return process.returncode, lines, ""


def result_of(lines: list[str]) -> dict[str, Any] | None:
    for line in lines:
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    return None


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def verdict(ok: bool, stretch: bool | None = None) -> str:
    if not ok:
        return "**MISSED**"
    return "OK, stretch met" if stretch else ("OK (stretch missed)" if stretch is False else "OK")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="Smaller data and shorter windows.")
    parser.add_argument(
        "--only", default=",".join(FIGURES), help=f"Comma-separated subset of {','.join(FIGURES)}."
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--history", type=int, default=None, help="Documented cases (default 1,000,000; quick 100,000)."
    )
    parser.add_argument(
        "--pg-history",
        type=int,
        default=None,
        help="Documented cases in PostgreSQL (default 100,000; quick 20,000).",
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--keep", action="store_true", help="Keep the temp dir (its path is printed).")
    args = parser.parse_args()
    quick = args.quick
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = only - set(FIGURES)
    if unknown:
        parser.error(f"unknown figures: {', '.join(sorted(unknown))}")
    history = args.history or (100_000 if quick else 1_000_000)
    pg_history = args.pg_history or (20_000 if quick else 100_000)
    sizes = {
        "paint_runs": 5,
        "idle_seconds": 30 if quick else 60,
        "shift_hours": 12,
        "tick_seconds": 60 if quick else 15,
        "key_runs": 20,
        "cross_runs": 3 if quick else 5,
        "hotspot_rows": 1_000_000,
        "export_cases": 5_000,
        "import_rows": 20_000 if quick else 100_000,
        "floor_open": "500,10000" if quick else "500,10000,100000",
        "floor_seconds": 20 if quick else 30,
        "big_import_rows": 200_000 if quick else 1_000_000,
    }
    machine = common.machine_label()
    python = common.PYTHON
    bench = str(HERE / "bench_dashboard.py")
    load_before = loadavg()
    print(
        f"shiftdesk benchmarks — {'quick' if quick else 'full'} run on {machine}; load average {load_before}"
    )
    print(
        f"  data: seed {args.seed}, {history:,} documented cases + 500 open (SQLite); "
        f"{pg_history:,} + 500 in PostgreSQL"
    )
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="shiftdesk-bench-"))
    rows: dict[str, Row] = {}
    crash: str | None = None

    try:
        needs_db = only & {"paint", "idle", "memory", "keys", "crossproc"}
        url = config = None
        if needs_db:
            print("preparing data (not measured)…", flush=True)
            url, config_path = common.prepare_sqlite(
                folder, history, 500, args.seed, log=lambda line: print(line, flush=True)
            )
            config = str(config_path)
            print(f"  database {url}", flush=True)

        def dashboard(figure: str, *extra: str, timeout: float = 900) -> dict[str, Any] | None:
            """One bench_dashboard.py figure, measured on the real `shiftdesk`; a crash is reported as one."""
            nonlocal crash
            assert url is not None and config is not None
            base = (
                [python, bench, figure]
                + (["--db", url] if figure != "crossproc-pg" else [])
                + ["--config", config]
            )
            code, lines, tail = run(base + list(extra), timeout, {})
            result = result_of(lines)
            if result is None and "AppDied" in tail:
                crash = crash or tail
                print("  !! the real `shiftdesk` dashboard crashed", flush=True)
            if result is None:
                rows[figure] = rows.get(figure) or Row(figure, "")
                mark_failed(rows[figure], code, tail)
            return result

        if "paint" in only:
            row = rows["paint"] = Row(
                "start → first paint, 500 open cases visible", "≤ 2.0× (1.5×) the minimal app"
            )
            result = dashboard("paint", "--runs", str(sizes["paint_runs"]))
            if result:
                row.measured = f"{result['value']:.3f} s (median of {sizes['paint_runs']})"
                row.baseline = f"minimal Textual app {result['baseline']:.3f} s"
                row.ratio = f"{result['ratio']:.2f}×"
                row.verdict = verdict(result["ratio"] <= 2.0, result["ratio"] <= 1.5)
        if "idle" in only:
            row = rows["idle"] = Row(
                f"idle CPU over {sizes['idle_seconds']} s, 500 open, 1-s countdowns",
                "≤ 1.0 % of a core (≤ 3× the minimal app)",
            )
            result = dashboard("idle", "--seconds", str(sizes["idle_seconds"]))
            if result:
                ratio = result["ratio"]
                row.measured = f"{result['value']:.2f} % of one core"
                row.baseline = f"minimal Textual app {result['baseline']:.2f} %"
                row.ratio = f"{ratio:.1f}×" if ratio else "—"
                row.verdict = verdict(result["value"] <= 1.0, bool(ratio is not None and ratio <= 3.0))
                if result.get("died"):
                    row.verdict = "**CRASHED** during the window"
        if "memory" in only:
            row = rows["memory"] = Row(f"RSS growth, simulated {sizes['shift_hours']} h shift", "≤ 5 MB")
            result = dashboard(
                "memory",
                "--hours",
                str(sizes["shift_hours"]),
                "--tick-seconds",
                str(sizes["tick_seconds"]),
                "--seed",
                str(args.seed),
                timeout=3600,
            )
            if result:
                warm, end = result["rss_mb"]
                tick0, tick1 = result["tick_ms"]
                row.measured = (
                    f"{result['value']:+.2f} MB ({warm:.0f} → {end:.0f} MB after the 1st hour); "
                    f"tick {tick0:.2f} → {tick1:.2f} ms"
                )
                row.baseline = f"minimal app, same ticks: {result['baseline']:+.1f} MB"
                row.ratio = "—"
                row.verdict = verdict(result["value"] <= 5.0)
        if "hotspots" in only:
            row = rows["hotspots"] = Row(
                f"hotspot scan over {sizes['hotspot_rows']:,} documented cases", "≤ 1 s"
            )
            numbers = scraped(
                row,
                [python, str(HERE / "bench_hotspots.py"), "--rows", str(sizes["hotspot_rows"])],
                # "hotspot scan over N cases, …: 0.93 s wall, 0.94 s CPU (best of 3; baseline unpack 0.02 s …"
                r"hotspot scan over [^:]*: ([\d.]+) s wall, ([\d.]+) s CPU \(best of \d+; "
                r"baseline unpack ([\d.]+) s",
            )
            if numbers is not None:
                value, cpu, base = numbers
                row.measured = f"{value:.2f} s wall, {cpu:.2f} s CPU (best of 3)"
                row.baseline = f"unpacking the facts {base:.3f} s"
                row.ratio = f"{value / base:.0f}×" if base else "—"
                row.verdict = verdict(value <= 1.0)
        if "export" in only:
            row = rows["export"] = Row(f"end-of-shift export, {sizes['export_cases']:,}-case shift", "≤ 1 s")
            numbers = scraped(
                row,
                [python, "-m", "benchmarks.bench_export", "--cases", str(sizes["export_cases"])],
                r": ([\d.]+) s for one document.*?baseline SELECT of \d+ cases ([\d.]+) s; ratio ([\d.]+)x",
            )
            if numbers is not None:
                value, base, ratio = numbers
                row.measured = f"{value:.2f} s (slowest format, best of 3)"
                row.baseline = f"plain SELECT of the cases {base:.3f} s"
                row.ratio = f"{ratio:.1f}×"
                row.verdict = verdict(value <= 1.0)
        if "keys" in only:
            row = rows["keys"] = Row(
                "`r` → picker painted; Enter → table updated (in-process)", "≤ 50 ms each"
            )
            result = dashboard("keys", "--runs", str(sizes["key_runs"]))
            if result:
                r_ms, e_ms = result["value"]
                br, be = result["baseline"]
                rr, re_ = result["ratio"]
                row.measured = f"{r_ms:.1f} ms; {e_ms:.1f} ms (medians of {sizes['key_runs']})"
                row.baseline = f"minimal app modal {br:.1f} ms; {be:.1f} ms"
                row.ratio = f"{rr:.1f}×; {re_:.1f}×"
                row.verdict = verdict(r_ms <= 50 and e_ms <= 50)
        if "crossproc" in only:
            for figure, backend, extra in (
                ("crossproc", "SQLite", ["--runs", str(sizes["cross_runs"])]),
                (
                    "crossproc-pg",
                    "PostgreSQL",
                    [
                        "--runs",
                        str(sizes["cross_runs"]),
                        "--history",
                        str(pg_history),
                        "--seed",
                        str(args.seed),
                    ],
                ),
            ):
                if backend == "PostgreSQL" and args.no_postgres:
                    continue
                row = rows[figure] = Row(f"change in another process visible ({backend})", "≤ 2 s")
                result = dashboard(figure, *extra)
                if result:
                    row.measured = (
                        f"{result['from_commit']:.2f} s from the commit (worst {result['max']:.2f} s "
                        f"from launching the CLI; median {result['value']:.2f} s)"
                    )
                    row.baseline = f"`shiftdesk add` itself {result['baseline']:.2f} s"
                    row.ratio = f"{result['ratio']:.1f}×"
                    row.verdict = verdict(result["max"] <= 2.0)
        if "calm" in only:
            row = rows["calm"] = Row(
                "calm: toast on screen, 10 idle minutes of the demo shift; bells",
                "≤ 10 % of 2-s samples; bells ≤ new breaches",
            )
            code, lines, tail = run([python, str(HERE / "bench_calm.py")], 900)
            result = result_of(lines)
            if result is None:
                mark_failed(row, code, tail)
            else:
                share, bells, breaches = result["value"], result["bells"], result["new_breaches"]
                row.measured = (
                    f"{share:.1%} of {result['samples']} samples ({result['toast_seconds']:.0f} s, "
                    f"{result['toasts']} toasts); {bells} bells"
                )
                row.baseline = f"{breaches} new breaches in the window"
                row.ratio = f"bells/breaches {bells / breaches:.2f}" if breaches else "—"
                row.verdict = verdict(share <= 0.10 and bells <= breaches)
        if "import" in only:
            row = rows["import"] = Row(f"CSV import of {sizes['import_rows']:,} rows", "≤ 10 s")
            # "csv import N rows[ into BACKEND]: T s (parse P s; baseline csv.DictReader B s; ratio Rx)"
            numbers = scraped(
                row,
                [python, str(HERE / "bench_import.py"), "--rows", str(sizes["import_rows"])],
                r"csv import \d+ rows[^:]*: ([\d.]+) s \(parse [\d.]+ s; baseline csv\.DictReader "
                r"([\d.]+) s; ratio ([\d.]+)x\)",
            )
            if numbers is not None:
                value, base, ratio = numbers
                row.measured = f"{value:.1f} s"
                row.baseline = f"csv.DictReader pass {base:.2f} s"
                row.ratio = f"{ratio:.0f}×"
                row.verdict = verdict(value <= 10.0)
        if "floor" in only:
            row = rows["floor"] = Row(
                "big floor: 10,000 open cases — first paint; idle CPU; RSS",
                "≤ 1.5 s; ≤ 1.0 % of a core; ≤ 250 MB",
            )
            code, lines, tail = run(
                [
                    python,
                    str(HERE / "bench_floor.py"),
                    "--open",
                    sizes["floor_open"],
                    "--seconds",
                    str(sizes["floor_seconds"]),
                ],
                1800,
            )
            result = result_of(lines)
            if result is None or "10000" not in result["sizes"]:
                mark_failed(row, code, tail)
            else:
                big, small = result["sizes"]["10000"], result["sizes"]["500"]
                row.measured = (
                    f"{big['paint_s']:.2f} s ({big['paint_cpu_s']:.2f} s CPU); {big['idle_pct']:.2f} %; "
                    f"{big['rss_mb']:.0f} MB (busy {big['settle_s']:.0f} s after the paint)"
                )
                if "100000" in result["sizes"]:
                    huge = result["sizes"]["100000"]
                    row.measured += (
                        f"; 100,000 open: {huge['paint_s']:.2f} s; {huge['idle_pct']:.2f} %; "
                        f"{huge['rss_mb']:.0f} MB"
                    )
                row.baseline = (
                    f"500 open: {small['paint_s']:.2f} s; {small['idle_pct']:.2f} %; "
                    f"{small['rss_mb']:.0f} MB; minimal app paint {result['minimal_paint_s']:.2f} s"
                )
                idle_ratio = big["idle_pct"] / max(small["idle_pct"], 1e-9)
                row.ratio = (
                    f"{big['paint_s'] / small['paint_s']:.2f}×; {idle_ratio:.2f}×; "
                    f"{big['rss_mb'] / small['rss_mb']:.2f}× the 500"
                )
                row.verdict = verdict(bool(result["ok"]))
        if "bigimport" in only:
            count = sizes["big_import_rows"]
            limit = 10.0 * count / 100_000 * 0.9
            row = rows["bigimport"] = Row(
                f"CSV import of {count:,} rows; peak RSS", f"≤ {limit:.0f} s; ≤ 1 GB (streamed)"
            )
            numbers = scraped(
                row,
                [python, str(HERE / "bench_import.py"), "--rows", str(count)],
                r"csv import \d+ rows[^:]*: ([\d.]+) s \(parse [\d.]+ s; baseline csv\.DictReader "
                r"([\d.]+) s; ratio ([\d.]+)x\); peak RSS ([\d.]+) MB",
            )
            if numbers is not None:
                value, base, ratio, peak = numbers
                row.measured = f"{value:.1f} s; peak RSS {peak:.0f} MB"
                row.baseline = f"csv.DictReader pass {base:.2f} s"
                row.ratio = f"{ratio:.0f}×"
                row.verdict = verdict(value <= limit and peak <= 1024)
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)

    elapsed = time.perf_counter() - started
    print()
    print(f"### shiftdesk performance — {'quick' if quick else 'full'} run, {time.strftime('%Y-%m-%d')}")
    print()
    print(
        f"Machine: {machine}. Data: seed {args.seed}; {history:,} documented cases + 500 open (SQLite), "
        f"{pg_history:,} + 500 (PostgreSQL); tmux 160×48. Whole run {elapsed / 60:.1f} min; 1-min load "
        f"average {load_before} at the start, {loadavg()} at the end (other work on the machine shifts the "
        f"absolute figures; the baselines ran beside them)."
    )
    print()
    print("| figure | target (stretch) | measured | baseline, same run | ratio | verdict |")
    print("|---|---|---|---|---|---|")
    # In the order the figures were measured: a second list of names here once left a measured row out.
    for row in rows.values():
        cells = (row.figure, row.target, row.measured, row.baseline, row.ratio, row.verdict)
        print("| " + " | ".join(cells) + " |")
    if crash:
        print()
        print("The real `shiftdesk` dashboard crashed while it was measured. Its last lines:")
        print()
        print("```")
        print(crash)
        print("```")
    missed = [
        row
        for row in rows.values()
        if "MISSED" in row.verdict or "FAILED" in row.verdict or "CRASH" in row.verdict
    ]
    return 1 if missed or crash else 0


if __name__ == "__main__":
    sys.exit(main())
