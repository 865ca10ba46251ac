"""Hotspot scan over 1,000,000 documented cases, against counting the same facts once in the same run.

The history is tests/planted_histories.py's: 12 weeks of a roster with its structure (double traffic at one
site, growth, a busier night, products by region, part-day Sundays, rotations), one planted pattern, and each
case's local date, as `storage.trend_facts.scan_hotspots` passes them.

Run: python benchmarks/bench_hotspots.py [--rows N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.hotspots import DIMENSIONS, find_hotspots, unpack_facts
from tests.planted_histories import generate

TARGET_SECONDS = 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    started = time.perf_counter()
    history = generate(11, cases=args.rows, shape="who_what", lift=3.0)
    print(f"generated {len(history.packed):,} documented cases in {time.perf_counter() - started:.1f} s")

    # Baseline: unpack the facts and count every single dimension once (the least any scan must do).
    started = time.perf_counter()
    columns = unpack_facts(history.packed)
    for name in DIMENSIONS:
        columns[name].max()
    baseline = time.perf_counter() - started

    timings = []
    cpu = []
    for _ in range(3):
        started, started_cpu = time.perf_counter(), time.process_time()
        found = find_hotspots(history.case_ids, history.packed, history.labels, days=history.days)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    scan = min(timings)
    verdict = "OK" if scan <= TARGET_SECONDS else "MISSED"
    print(
        f"hotspot scan over {len(history.packed):,} cases, all combinations of up to 3 dimensions: "
        f"{scan:.2f} s wall, {min(cpu):.2f} s CPU (best of 3; baseline unpack {baseline:.3f} s; "
        f"load average {os.getloadavg()[0]:.1f}); target <= {TARGET_SECONDS:.0f} s: {verdict}"
    )
    print(f"  planted: {history.planted} ({history.planted_count} cases)")
    for hotspot in found[:5]:
        print(f"  {hotspot.sentence}  (p={hotspot.p_value:.2g})")


if __name__ == "__main__":
    main()
