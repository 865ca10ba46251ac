"""Pausing Python's cyclic garbage collector around bulk work that makes many objects and no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Within the block the cyclic collector does not run. Bulk reads and writes (an import, a shift's
    export) make hundreds of thousands of objects that form no reference cycles; each full collection the
    allocations set off would walk every object alive again, the work in hand among them (a third of an
    import's time, a sixth of an export's). Reference counting still frees everything as usual.

    Process-wide: another thread's work is not collected meanwhile either, for the seconds a bulk job
    lasts. Nested and concurrent uses leave the collector as they found it when the first began."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
