"""Live sync: notices what any terminal committed and posts the changed cases as a `CasesChanged` message."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from core.cases import Case

if TYPE_CHECKING:
    from storage.views import ChangeProbe, Reads

UNREACHABLE = "database unreachable, retrying"


@dataclass
class CasesChanged(Message):
    """Cases whose newest event is past the watermark: written here or in any other terminal."""

    cases: list[Case]

    @property
    def documented(self) -> bool:
        """Some of them carry a deposition: the recent-depositions pane may have a new line."""
        return any(case.documented_at is not None for case in self.cases)


class LiveSync:
    """Each poll asks a cheap change token first (SQLite `PRAGMA data_version`, PostgreSQL `max(id)`); only
    when it moved are the cases past the watermark read, and `post`ed (to the main screen) as one
    `CasesChanged`."""

    def __init__(self, post: Callable[[Message], object], set_banner: Callable[[str], None]) -> None:
        self.post = post
        self.set_banner = set_banner
        self.watermark = 0
        self._reads: Reads | None = None
        self._probe: ChangeProbe | None = None
        self._last_token: int | None = None
        self._polling = False

    def start(self, reads: Reads, watermark: int) -> None:
        """From the full load on: changes are the events after `watermark`."""
        self._reads = reads
        self.watermark = watermark

    @property
    def started(self) -> bool:
        return self._reads is not None

    async def poll(self) -> None:
        """Post what changed since the last poll, if anything; an unreachable database sets the banner."""
        reads = self._reads
        if reads is None or self._polling:
            return
        probe, watermark = self._probe, self.watermark
        if probe is not None and probe.instant:
            # The common case, every second all shift: nothing changed. Answered here, without a thread.
            try:
                if probe.token() == self._last_token:
                    self.set_banner("")
                    return
            except Exception as error:
                self.set_banner(f"{UNREACHABLE} ({type(error).__name__})")
                return
        self._polling = True

        def check() -> tuple[int, int, list[Case]] | None:
            if self._probe is None:
                self._probe = reads.change_probe()
            token = self._probe.token()
            if token == self._last_token:
                return None
            newest, changed = reads.changed_since(watermark)
            return token, newest, changed

        try:
            result = await asyncio.to_thread(check)
        except Exception as error:
            self.set_banner(f"{UNREACHABLE} ({type(error).__name__})")
            return
        finally:
            self._polling = False
        self.set_banner("")
        if result is None:
            return
        self._last_token, newest, changed = result
        self.watermark = max(self.watermark, newest)
        if changed:
            self.post(CasesChanged(changed))

    def close(self) -> None:
        """On exit: the probe's own SQLite connection is closed."""
        if self._probe is not None:
            self._probe.close()
            self._probe = None
