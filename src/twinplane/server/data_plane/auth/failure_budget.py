"""A per-client budget of refused API-key lookups: bounds introspection amplification.

Every never-seen key costs one introspection at the control plane. A client spraying random
well-formed keys would turn each request into an upstream call; once a client address has
had ``per_minute`` keys refused in the current minute, its further never-seen keys are
answered 429 without asking upstream. Keys already cached (valid or refused) are unaffected,
and valid new keys are never charged. In memory, per process: a rough brake, not an account.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

WINDOW_SECONDS = 60.0
MAX_CLIENTS = 10_000  # distinct addresses tracked per window; beyond, the window restarts


class FailureBudget:
    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._window_start = clock()
        self._spent: dict[str, int] = {}

    def _roll(self) -> None:
        now = self._clock()
        if now - self._window_start >= WINDOW_SECONDS or len(self._spent) > MAX_CLIENTS:
            self._window_start = now
            self._spent.clear()

    def exhausted(self, client: str) -> bool:
        self._roll()
        return self.per_minute > 0 and self._spent.get(client, 0) >= self.per_minute

    def charge(self, client: str) -> None:
        self._roll()
        self._spent[client] = self._spent.get(client, 0) + 1

    def retry_after(self) -> int:
        return max(1, math.ceil(WINDOW_SECONDS - (self._clock() - self._window_start)))
