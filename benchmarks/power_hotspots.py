"""Power of the hotspot scan: how often each planted shape is named as planted, and how often structure alone
reports anything, at 5,000, 50,000 and 1,000,000 cases per 12 weeks (tests/planted_histories.py).

For each shape, size and lift it plants the pattern in SEEDS histories and counts those where a finding names
it exactly (`names_the_plant`); the planted cell's median count is printed beside. It ends with the README's
tables: for each shape and size the lowest lift named in 9 runs of 10 or more, every lift's result, and the
issue's goal (runs with lift >= 2 and >= 40 cases in the cell, named in >= 90 %). Runs printed by earlier
invocations (different sizes, seeds) can be summarised together with --from LOG [LOG ...].

Run: python benchmarks/power_hotspots.py [--seeds 10] [--sizes 5000,50000,1000000] [--lifts 1.5,2,3,4,6,8]
     python benchmarks/power_hotspots.py --from run-small.log run-million.log
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.hotspots import find_hotspots
from tests.planted_histories import SHAPES, generate, names_the_plant

WORDS = {
    "who_when": "who × when (a person, weekday, hour)",
    "where_when_what": "where × when × what (site, hour, channel)",
    "what_where_subset": "what × where-subset (product, 2 of 4 regions)",
    "who_what": "who × what (person, product, category)",
    "weekday_region_category": "weekday × region × category",
}


@dataclass(frozen=True)
class Cell:
    """One shape at one size and lift: how many runs named it, and the planted cell's median count."""

    shape: str
    size: int
    lift: float
    named: int
    runs: int
    median: int
    unrelated: int


@dataclass(frozen=True)
class Quiet:
    size: int
    quiet: int
    runs: int


@dataclass(frozen=True)
class Goal:
    shape: str
    size: int
    runs: int
    named: int


CELL = re.compile(r"^\| (\w+) \| ([\d,]+) \| ([\d.]+) \| named (\d+)/(\d+) \| (\d+) \| (\d+) \|")
QUIET = re.compile(r"^\| structure only \| ([\d,]+) \| — \| quiet in (\d+)/(\d+) \|")
GOAL = re.compile(r"^\| (\w+) \| ([\d,]+) \| (\d+) \| (\d+) \(")


def cell_row(cell: Cell) -> str:
    return (
        f"| {cell.shape} | {cell.size:,} | {cell.lift:g} | named {cell.named}/{cell.runs} | {cell.median} | "
        f"{cell.unrelated} |"
    )


def simulate(args: argparse.Namespace) -> tuple[list[Cell], list[Quiet], list[Goal]]:
    sizes = [int(size) for size in args.sizes.split(",")]
    lifts = [float(lift) for lift in args.lifts.split(",")]
    shapes = args.shapes.split(",")
    started = time.perf_counter()
    cells: list[Cell] = []
    nulls: list[Quiet] = []
    # The goal: each shape at lift >= 2 with >= 40 cases in the cell named in >= 27 of 30 runs.
    goal: dict[tuple[str, int], list[bool]] = {}
    for size in sizes:
        quiet = 0
        for seed in range(args.nulls):
            history = generate(1000 + seed, cases=size)
            quiet += not find_hotspots(history.case_ids, history.packed, history.labels, days=history.days)
        nulls.append(Quiet(size, quiet, args.nulls))
        print(f"| structure only | {size:,} | — | quiet in {quiet}/{args.nulls} | — |", flush=True)
        for shape in shapes:
            for lift in lifts:
                named = 0
                unrelated = 0
                counts = []
                for seed in range(args.seeds):
                    history = generate(seed, cases=size, shape=shape, lift=lift)
                    found = find_hotspots(history.case_ids, history.packed, history.labels, days=history.days)
                    hits = [hotspot for hotspot in found if names_the_plant(history, hotspot)]
                    named += bool(hits)
                    if lift >= 2 and history.planted_count >= 40:
                        goal.setdefault((shape, size), []).append(bool(hits))
                    unrelated += sum(not set(h.case_ids) & history.planted_ids for h in found)
                    counts.append(history.planted_count)
                cells.append(Cell(shape, size, lift, named, args.seeds, int(np.median(counts)), unrelated))
                print(cell_row(cells[-1]), f"({time.perf_counter() - started:.0f} s)", flush=True)
    goals = [Goal(shape, size, len(outcomes), sum(outcomes)) for (shape, size), outcomes in goal.items()]
    for each in goals:
        print(f"| {each.shape} | {each.size:,} | {each.runs} | {each.named} ({each.named / each.runs:.0%}) |")
    return cells, nulls, goals


def read_logs(paths: list[str]) -> tuple[list[Cell], list[Quiet], list[Goal]]:
    """The rows earlier runs printed (as `simulate` prints them; a row printed twice counts once)."""
    cells: dict[tuple[str, int, float], Cell] = {}
    nulls: dict[int, Quiet] = {}
    goals: dict[tuple[str, int], Goal] = {}
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if match := QUIET.match(line):
                null = Quiet(int(match[1].replace(",", "")), int(match[2]), int(match[3]))
                nulls[null.size] = null
            elif match := CELL.match(line):
                shape, size, lift, named, runs, median, unrelated = match.groups()
                cell = Cell(
                    shape,
                    int(size.replace(",", "")),
                    float(lift),
                    *map(int, (named, runs, median, unrelated)),
                )
                cells[(cell.shape, cell.size, cell.lift)] = cell
            elif (match := GOAL.match(line)) and match[1] in WORDS:
                goal = Goal(match[1], int(match[2].replace(",", "")), int(match[3]), int(match[4]))
                goals[(goal.shape, goal.size)] = goal
    return list(cells.values()), list(nulls.values()), list(goals.values())


def readme_tables(cells: list[Cell], nulls: list[Quiet], goals: list[Goal]) -> None:
    """The README's power section tables, from the runs."""
    print()
    said = "; ".join(
        f"{null.size:,}: quiet in {null.quiet}/{null.runs}" for null in sorted(nulls, key=lambda n: n.size)
    )
    print(f"Structure only (no pattern; nothing should be reported): {said}.")
    print()
    print(
        "| shape | cases / 12 weeks | named in 9 of 10 from lift | median cases in the cell there | "
        "named at each lift (lift: named/runs, median cases) | unrelated findings |"
    )
    print("|---|---|---|---|---|---|")
    for shape in WORDS:
        for size in sorted({cell.size for cell in cells if cell.shape == shape}):
            row = sorted(
                (cell for cell in cells if cell.shape == shape and cell.size == size), key=lambda c: c.lift
            )
            reached = next((cell for cell in row if cell.named >= 0.9 * cell.runs), None)
            top = f"{row[-1].lift:g}"
            where = f"{reached.lift:g}" if reached else f"not reached by {top}"
            median = str(reached.median) if reached else "—"
            each = ", ".join(f"{cell.lift:g}: {cell.named}/{cell.runs} ({cell.median})" for cell in row)
            unrelated = sum(cell.unrelated for cell in row)
            print(f"| {WORDS[shape]} | {size:,} | {where} | {median} | {each} | {unrelated} |")
    print()
    print("| shape | cases / 12 weeks | runs with lift ≥ 2 and ≥ 40 cases in the cell | named |")
    print("|---|---|---|---|")
    for size in sorted({goal.size for goal in goals}):
        for goal in (goal for goal in goals if goal.size == size):
            share = f"{goal.named / goal.runs:.0%}"
            print(f"| {WORDS[goal.shape]} | {size:,} | {goal.runs} | {goal.named} ({share}) |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--nulls", type=int, default=20)
    parser.add_argument("--sizes", default="5000,50000,1000000")
    parser.add_argument("--lifts", default="1.5,2,3,4,6,8")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument(
        "--from", dest="logs", nargs="+", help="summarise the rows these earlier runs printed"
    )
    args = parser.parse_args()
    cells, nulls, goals = read_logs(args.logs) if args.logs else simulate(args)
    readme_tables(cells, nulls, goals)


if __name__ == "__main__":
    main()
