"""A worker for the crash tests: drives `shiftdesk` commands in a loop and reports each acknowledged one.

Run as `python -m tests.crash_worker URL NAME SEED`. After every command that succeeded (the CLI returned
normally, so its commit is durable) it prints one flushed line `OK <command> <case id>`.
"""

from __future__ import annotations

import contextlib
import io
import random
import sys

from tui.cli import Runtime, main

DEPOSITION = ["--customer-view", "late", "--customer-needed", "date", "--actions-taken", "rebooked"]
STEPS = [
    ["apologize", "{id}", "Sorry for the trouble"],
    ["review", "{id}", "Late and no call", "--needs", "a date"],
    ["update", "{id}", "Carrier booked"],
    ["fix", "{id}", "Delivered"],
    ["follow-up", "{id}", "All fine", "--satisfied"],
    ["document", "{id}", *DEPOSITION, "--root-cause", "carrier"],
    ["close", "{id}"],
]


def run(runtime: Runtime, args: list[str]) -> str | None:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            main.main(args, obj=runtime, standalone_mode=False)
    except SystemExit as stop:
        if stop.code not in (0, None):
            return None
    return out.getvalue().strip()


def work(url: str, name: str, seed: int) -> None:
    rng = random.Random(seed)
    runtime = Runtime(url, None)
    progress: dict[int, int] = {}
    for _ in range(10_000):
        if not progress or rng.random() < 0.3:
            intake = ["--category", "late delivery", "--site", "Harbour Road", "--product", "Sofa"]
            people = ["--customer", f"{name} customer", "--staff", name]
            output = run(runtime, ["add", *intake, *people, "--description", "crash test"])
            if output:
                progress[int(output)] = 0
                print(f"OK add {output}", flush=True)
            continue
        case_id = rng.choice(list(progress))
        step = STEPS[progress[case_id]]
        if rng.random() < 0.15:
            step = ["reassign", "{id}", rng.choice(["Hana", "Marta", "Dev"])]
        args = [part.replace("{id}", str(case_id)) for part in step] + ["--as", name]
        if run(runtime, args) is not None:
            print(f"OK {step[0]} {case_id}", flush=True)
            if step[0] != "reassign":
                progress[case_id] += 1
                if progress[case_id] == len(STEPS):
                    del progress[case_id]


if __name__ == "__main__":
    work(sys.argv[1], sys.argv[2], int(sys.argv[3]))
