"""The per-token rate limit, shared by every client of a token in the process.

Equiwatt allows 1 call per second and 10 per minute per token. There is one
`TokenGate` per token (and server) in each event loop: `gate_for` returns it,
and every `EquiwattClient` made with that token uses it, however many there
are, so a program that makes several clients is still within the limits. The
gate lets one call run at a time, spaces calls within the limits (with a little
slack, `MIN_INTERVAL` and `WINDOW`), and honours a server's `Retry-After`.
Callers that arrive while a call is in flight share its result, and callers
that would have to wait while a result younger than `REUSE_AGE` exists get
that result instead of spending another call. A caller that would have to wait
longer than its client's `max_wait` gets `EquiwattRateLimitedError` at once.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
import hashlib
from typing import Final
import weakref

from .errors import EquiwattRateLimitedError
from .models import EquiventsSnapshot

# A little slack over Equiwatt's 1 s and 60 s, for jitter on the way there.
MIN_INTERVAL: Final = 1.1
WINDOW: Final = 61.0
MAX_CALLS: Final = 10
# A result this young is good enough for a caller who would otherwise wait.
REUSE_AGE: Final = 5.0


class RateLimiter:
    """Book-keeping of when the next call may go out."""

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        min_interval: float | None = None,
        window: float | None = None,
        max_calls: int | None = None,
    ) -> None:
        """Start with no call made; the limits default to Equiwatt's, with slack."""
        self._clock = clock
        self._min_interval = MIN_INTERVAL if min_interval is None else min_interval
        self._window = WINDOW if window is None else window
        self._calls: deque[float] = deque(maxlen=MAX_CALLS if max_calls is None else max_calls)
        self._blocked_until = 0.0

    def delay(self) -> float:
        """Seconds to wait before the next call is allowed."""
        now = self._clock()
        ready = self._blocked_until
        if self._calls:
            ready = max(ready, self._calls[-1] + self._min_interval)
            if len(self._calls) == self._calls.maxlen:
                ready = max(ready, self._calls[0] + self._window)
        return max(0.0, ready - now)

    def record(self) -> None:
        """Note a call going out now."""
        self._calls.append(self._clock())

    def block(self, seconds: float) -> None:
        """Allow no call for `seconds` (after a 429)."""
        self._blocked_until = max(self._blocked_until, self._clock() + seconds)

    def calls_in_window(self) -> int:
        """How many calls went out in the last window."""
        since = self._clock() - self._window
        return sum(1 for moment in self._calls if moment > since)


class TokenGate:
    """One token's limiter, plus the call waiting or in flight."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        """Bind the gate to the event loop whose clock it uses."""
        self.limiter = RateLimiter(loop.time)
        self._clock = loop.time
        self._pending: asyncio.Future[EquiventsSnapshot] | None = None
        self._last: tuple[float, EquiventsSnapshot] | None = None

    async def run(
        self, fetch: Callable[[], Awaitable[EquiventsSnapshot]], max_wait: float
    ) -> EquiventsSnapshot:
        """Run `fetch` within the limits, or share the call already under way."""
        if self._pending is None or self._pending.done():
            self._pending = asyncio.ensure_future(self._wait_and_fetch(fetch, max_wait))
        return await asyncio.shield(self._pending)

    async def _wait_and_fetch(
        self, fetch: Callable[[], Awaitable[EquiventsSnapshot]], max_wait: float
    ) -> EquiventsSnapshot:
        wait = self.limiter.delay()
        if wait > 0 and self._last is not None and self._clock() - self._last[0] <= REUSE_AGE:
            return self._last[1]
        if wait > max_wait:
            raise EquiwattRateLimitedError(
                f"Equiwatt's rate limit allows the next call in {wait:.0f} s", wait
            )
        if wait > 0:
            await asyncio.sleep(wait)
        self.limiter.record()
        self._last = None  # after a failure, nothing older may be served
        result = await fetch()
        self._last = (self._clock(), result)
        return result


_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, TokenGate]] = (
    weakref.WeakKeyDictionary()
)


def gate_for(base_url: str, token: str) -> TokenGate:
    """Return the gate shared by every client of this token and server in this loop."""
    loop = asyncio.get_running_loop()
    key = hashlib.sha256(f"{base_url}\n{token}".encode()).hexdigest()
    gates = _GATES.setdefault(loop, {})
    if key not in gates:
        gates[key] = TokenGate(loop)
    return gates[key]
