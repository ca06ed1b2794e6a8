"""When and how long to wait before re-sending a request.

One policy for every SDK request: retry on 408, 429, 5xx (not 501) and network errors,
exponential backoff with jitter, and honour ``Retry-After`` (seconds or an HTTP date)
up to ``max_backoff``.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


def retry_after_seconds(value: str | None) -> float | None:
    """Parse a ``Retry-After`` header; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 3
    base: float = 0.5
    max_backoff: float = 10.0

    def should_retry(self, status: int | None) -> bool:
        """``status`` None means a network error or timeout."""
        return status is None or status in RETRYABLE_STATUS

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait before attempt number ``attempt + 1`` (``attempt`` counts from 0)."""
        hinted = retry_after_seconds(retry_after)
        if hinted is not None:
            return min(hinted, self.max_backoff)
        backoff = self.base * (2**attempt)
        return min(backoff * (0.75 + random.random() / 2), self.max_backoff)
