"""Power of the hotspot scan: how often each planted shape is named as planted, and how often structure alone
reports anything, at 5,000, 50,000 and 1,000,000 cases per 12 weeks (tests/planted_histories.py).

For each shape, size and lift it plants the pattern in SEEDS histories and counts those where a finding names
it exactly (`names_the_plant`); the planted cell's median count is printed beside. Prints a Markdown table for
the README.

Run: python benchmarks/power_hotspots.py [--seeds 10] [--sizes 5000,50000,1000000] [--lifts 1.5,2,3,4,6,8]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.hotspots import find_hotspots
from tests.planted_histories import SHAPES, generate, names_the_plant


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--nulls", type=int, default=20)
    parser.add_argument("--sizes", default="5000,50000,1000000")
    parser.add_argument("--lifts", default="1.5,2,3,4,6,8")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    lifts = [float(lift) for lift in args.lifts.split(",")]
    shapes = args.shapes.split(",")
    started = time.perf_counter()
    rows = []
    # The goal: each shape at lift >= 2 with >= 40 cases in the cell named in >= 27 of 30 runs.
    goal: dict[tuple[str, int], list[bool]] = {}
    for size in sizes:
        quiet = 0
        for seed in range(args.nulls):
            history = generate(1000 + seed, cases=size)
            quiet += not find_hotspots(history.case_ids, history.packed, history.labels, days=history.days)
        rows.append(f"| structure only | {size:,} | — | quiet in {quiet}/{args.nulls} | — |")
        print(rows[-1], flush=True)
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
                rows.append(
                    f"| {shape} | {size:,} | {lift:g} | named {named}/{args.seeds} | "
                    f"{int(np.median(counts))} | {unrelated} |"
                )
                print(rows[-1], f"({time.perf_counter() - started:.0f} s)", flush=True)
    print()
    print("| shape | cases / 12 weeks | lift | result | median cases in the cell | unrelated findings |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(row)
    print()
    print("| shape | cases / 12 weeks | runs with lift ≥ 2 and ≥ 40 cases in the cell | named |")
    print("|---|---|---|---|")
    for (shape, size), outcomes in goal.items():
        share = sum(outcomes) / len(outcomes)
        print(f"| {shape} | {size:,} | {len(outcomes)} | {sum(outcomes)} ({share:.0%}) |")


if __name__ == "__main__":
    main()
