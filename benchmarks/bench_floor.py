"""A big floor: the dashboard with 10,000 (and 100,000) open cases, beside 500 and the minimal app, same run.

    python benchmarks/bench_floor.py                       # 500, 10,000 and 100,000 open cases
    python benchmarks/bench_floor.py --open 500,10000 --runs 3 --seconds 30

For each size: a fresh SQLite database (the schema, no history: the history's size does not enter these
figures, see bench_dashboard.py) holding that many open cases of the running shift (benchmarks/_common.py
`open_shift_histories`: every open stage, some handed off, the marker case `Quinn Firstpaint` the most
urgent), then, in tmux 160×48, the dashboard of this checkout (`python -m tui.cli`, the checkout first on
the path) is started `--runs` times: start → the marker's name on screen (capture-pane every 10 ms), the
median; then once more, left to settle (how long it keeps a core busy after the first paint), and its CPU
(`utime+stime` from /proc) over `--seconds` with the minimal Textual app beside it, and its RSS at the end.
Prints each figure, the ratios against the 500-case dashboard and the minimal app, and a `RESULT {json}`.
Targets (issue 13): 10,000 open cases — first paint ≤ 1.5 s, idle ≤ 1 % of a core, RSS ≤ 250 MB.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common
from _common import MARKER, MINIMAL_WORD, Tmux, emit, median

TARGETS = {"paint_s": 1.5, "idle_pct": 1.0, "rss_mb": 250.0}
TARGET_SIZE = 10_000


def prepare(folder: Path, count: int, seed: int) -> tuple[str, Path]:
    """An empty schema plus `count` open cases; returns (url, config path)."""
    from core.config import load_settings
    from storage.database import Database

    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'shiftdesk.db'}"
    Database(url).dispose()
    config = common.write_config(folder / "config.toml")
    common.add_open_cases(url, load_settings(config), count, seed)
    return url, config


def dashboard_command(url: str, config: Path, checkout: Path) -> str:
    """`checkout`'s dashboard (the `shiftdesk` script may belong to another checkout of the project): run
    from that folder, which `python -m` puts first on the path."""
    return f"env -C '{checkout}' {common.PYTHON} -m tui.cli --db '{url}' --config '{config}'"


HERE_ENV = {"PYTHONPATH": str(common.ROOT)}  # which checkout runs: this one unless --checkout says


def paint_times(
    tmux: Tmux, command: str, word: str, runs: int, env: dict[str, str] | None
) -> tuple[list[float], list[float]]:
    """Start → `word` on screen, `runs` times: (wall seconds, the process's CPU seconds by then). The CPU
    figure holds on a machine shared with other work, where the wall time is partly other processes'."""
    times: list[float] = []
    cpu: list[float] = []
    tmux.start("warm", command, env)  # unmeasured: imports and the database file into the page cache
    tmux.wait_for("warm", word, timeout=300)
    tmux.kill("warm")
    for run in range(runs):
        session = f"paint{run}"
        began = tmux.start(session, command, env)
        deadline = began + 300
        while time.perf_counter() < deadline:
            if word in tmux.capture(session):
                times.append(time.perf_counter() - began)
                cpu.append(common.cpu_seconds(tmux.pid(session)))
                break
            tmux.check_alive(session)
            time.sleep(0.01)
        else:
            raise TimeoutError(f"{word!r} never showed:\n{tmux.capture(session)}")
        tmux.kill(session)
        time.sleep(0.3)
    return times, cpu


def idle(tmux: Tmux, command: str, seconds: float) -> dict[str, float]:
    """Start, wait for the paint, let it settle; then CPU over `seconds` beside the minimal app, and RSS."""
    tmux.start("dash", command, HERE_ENV)
    tmux.wait_for("dash", MARKER, timeout=300)
    busy_cpu = common.cpu_seconds(tmux.pid("dash"))
    tmux.start("minimal", common.minimal_command())
    tmux.wait_for("minimal", MINIMAL_WORD)
    pids = {"dashboard": tmux.pid("dash"), "minimal": tmux.pid("minimal")}
    settled = common.settle(pids["dashboard"], limit=300.0)
    settle_cpu = common.cpu_seconds(pids["dashboard"]) - busy_cpu
    time.sleep(2.0)
    start = {name: common.cpu_seconds(pid) for name, pid in pids.items()}
    began = time.perf_counter()
    time.sleep(seconds)
    elapsed = time.perf_counter() - began
    tmux.check_alive("dash")
    used = {name: common.cpu_seconds(pid) - start[name] for name, pid in pids.items()}
    result = {
        "settle_s": settled,
        "settle_cpu_s": settle_cpu,
        "idle_pct": 100 * used["dashboard"] / elapsed,
        "minimal_idle_pct": 100 * used["minimal"] / elapsed,
        "rss_mb": common.rss_bytes(pids["dashboard"]) / 1e6,
        "minimal_rss_mb": common.rss_bytes(pids["minimal"]) / 1e6,
        "ticking": float("OVERDUE" in tmux.capture("dash")),
    }
    tmux.kill("dash")
    tmux.kill("minimal")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--open", default="500,10000,100000", help="Comma-separated open-case counts.")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--checkout",
        type=Path,
        default=common.ROOT,
        help="Measure another checkout's dashboard (e.g. /work/main, for a before/after); data as always.",
    )
    args = parser.parse_args()
    HERE_ENV["PYTHONPATH"] = str(args.checkout)
    sizes = [int(size) for size in args.open.split(",")]
    print(
        f"big floor — {common.machine_label()}; load average {Path('/proc/loadavg').read_text().split()[0]}"
    )
    figures: dict[int, dict[str, Any]] = {}
    # This checkout's bytecode, as an install leaves it (see _common.compile_checkout); another checkout
    # is only read (its compiled files, if any, are used as they are).
    if args.checkout == common.ROOT:
        common.compile_checkout()
    with tempfile.TemporaryDirectory(prefix="shiftdesk-floor-") as folder:
        tmux = Tmux()
        try:
            minimal, minimal_cpu = paint_times(tmux, common.minimal_command(), MINIMAL_WORD, args.runs, None)
            print(
                f"minimal Textual app: first paint {median(minimal):.3f} s (runs {_runs(minimal)})",
                flush=True,
            )
            for size in sizes:
                began = time.perf_counter()
                url, config = prepare(Path(folder) / f"open{size}", size, args.seed)
                print(f"{size:,} open cases: prepared in {time.perf_counter() - began:.0f} s (not measured)")
                command = dashboard_command(url, config, args.checkout)
                paints, paint_cpu = paint_times(tmux, command, MARKER, args.runs, HERE_ENV)
                figure: dict[str, Any] = {
                    "paint_s": median(paints),
                    "paint_runs": paints,
                    "paint_cpu_s": median(paint_cpu),
                }
                figure.update(idle(tmux, command, args.seconds))
                figures[size] = figure
                print(
                    f"  first paint {figure['paint_s']:.3f} s (median of {args.runs}: {_runs(paints)}; "
                    f"{figure['paint_s'] / median(minimal):.2f}× the minimal app; CPU by then "
                    f"{figure['paint_cpu_s']:.2f} s, minimal app {median(minimal_cpu):.2f} s); "
                    f"busy after the paint for "
                    f"{figure['settle_s']:.0f} s ({figure['settle_cpu_s']:.1f} s CPU); idle "
                    f"{figure['idle_pct']:.2f} % of a core over {args.seconds:.0f} s (minimal app beside it "
                    f"{figure['minimal_idle_pct']:.2f} %); RSS {figure['rss_mb']:.0f} MB (minimal "
                    f"{figure['minimal_rss_mb']:.0f} MB)"
                    + ("" if figure["ticking"] else "  [warning: no OVERDUE countdown on screen]"),
                    flush=True,
                )
        finally:
            tmux.close()
    base = figures.get(500)
    if base:
        for size, figure in figures.items():
            if size != 500:
                print(
                    f"{size:,} vs 500 open cases: paint {figure['paint_s'] / base['paint_s']:.2f}×, idle "
                    f"{figure['idle_pct'] / max(base['idle_pct'], 1e-9):.2f}×, RSS "
                    f"{figure['rss_mb'] / base['rss_mb']:.2f}×"
                )
    verdict = None
    if TARGET_SIZE in figures:
        figure = figures[TARGET_SIZE]
        missed = [name for name, limit in TARGETS.items() if figure[name] > limit]
        verdict = not missed
        print(
            f"{TARGET_SIZE:,} open cases, targets paint ≤ {TARGETS['paint_s']} s, idle ≤ "
            f"{TARGETS['idle_pct']} %, RSS ≤ {TARGETS['rss_mb']:.0f} MB: "
            + ("OK" if verdict else f"MISSED ({', '.join(missed)})")
        )
    emit(
        {
            "figure": "floor",
            "minimal_paint_s": median(minimal),
            "minimal_paint_cpu_s": median(minimal_cpu),
            "sizes": figures,
            "ok": verdict,
        }
    )
    return 0 if verdict in (True, None) else 1


def _runs(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


if __name__ == "__main__":
    sys.exit(main())
