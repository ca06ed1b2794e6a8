"""Sign-in throttling: failed attempts per minute, counted three ways.

* one account from one client address: the tight bound (``login_attempts_per_minute``), which
  stops guessing one password;
* one client address over all accounts, and one account over all addresses: a much higher
  bound (``login_attempts_per_address_per_minute``), which stops password spraying and
  distributed guessing.

Keying the tight bound on the (address, account) pair is what stops one attacker from locking
everyone out. Behind a proxy whose address is not trusted (``forwarded_allow_ips``) every user
arrives from the same address, and a per-address bound of ten would let one attacker block the
whole company. Locking a victim out of their own account takes more addresses than the loose
bound divided by the tight one.

Only failures count, so a user who signs in correctly is never locked out by their own
successful attempts. Counters live in memory (moving window from ``limits``): a control
plane is one process; replicas would each allow the limit, which is still a tight bound.
"""

from __future__ import annotations

import time

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from twinplane.server.common.errors import RateLimited

__all__ = ["LoginThrottle"]


class LoginThrottle:
    def __init__(self, per_account_and_address: int, per_address: int) -> None:
        self._pair = RateLimitItemPerMinute(max(1, per_account_and_address))
        self._wide = RateLimitItemPerMinute(max(1, per_address, per_account_and_address))
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def _counters(self, address: str, account: str) -> list[tuple[RateLimitItem, str]]:
        account = account.strip().lower()
        return [(self._pair, f"login-pair:{address}|{account}"), (self._wide, f"login-address:{address}"),
                (self._wide, f"login-account:{account}")]

    def check(self, address: str, account: str) -> None:
        """Raise 429 when this sign-in attempt would pass one of the bounds."""
        for item, key in self._counters(address, account):
            if not self._limiter.test(item, key):
                reset, _remaining = self._limiter.get_window_stats(item, key)
                raise RateLimited("too many failed sign-in attempts; wait a minute and try again",
                                  retry_after=int(reset - time.time()) + 1)

    def failed(self, address: str, account: str) -> None:
        for item, key in self._counters(address, account):
            self._limiter.hit(item, key)
