"""The per-token rate limit: a gate that every client of a token shares.

Equiwatt allows 1 call per second and 10 per minute per token. A `TokenGate`
keeps one token's calls within that, for every `EquiwattClient` given it: the
caller owns it, and passes the same gate to each client of that token (and
server), so that a program with several clients stays within the limits. The
gate lets one call run at a time, spaces calls within the limits (with a little
slack, `MIN_INTERVAL` and `WINDOW`), and honours a server's `Retry-After`.
Callers that arrive while a call is in flight share its result, and callers
that would have to wait while a result younger than `REUSE_AGE` exists get
that result instead of spending another call. A caller that asks for a
`fresh` read gets one sent after it asked: at most one such call waits behind
the one in flight, shared by every caller that comes meanwhile. The calls of
the last window can be saved and restored (`recent_calls`, `restore`), so
that a restarted program does not spend the budget twice. A caller that would
have to wait longer than its client's `max_wait` gets `EquiwattRateLimitedError`
at once.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
import math
from typing import Any, Final

from .errors import EquiwattRateLimitedError
from .models import EquiventsSnapshot

# A little slack over Equiwatt's 1 s and 60 s, for jitter on the way there.
MIN_INTERVAL: Final = 1.1
WINDOW: Final = 61.0
MAX_CALLS: Final = 10
# A result this young is good enough for a caller who would otherwise wait.
REUSE_AGE: Final = 5.0
# The longest block a saved state may impose (as a 429's Retry-After).
MAX_BLOCK: Final = 3600.0


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
        # When the latest call ended: a slow reply may have reached Equiwatt late, so
        # the next call is spaced from its end as well as from its start.
        self._last_end = -math.inf

    def delay(self) -> float:
        """Seconds to wait before the next call is allowed."""
        now = self._clock()
        ready = self._blocked_until
        if self._calls:
            ready = max(ready, max(self._calls[-1], self._last_end) + self._min_interval)
            if len(self._calls) == self._calls.maxlen:
                ready = max(ready, self._calls[0] + self._window)
        wait = ready - now
        # Below a nanosecond is float rounding of a moment already reached.
        return wait if wait > 1e-9 else 0.0

    def record(self) -> None:
        """Note a call going out now."""
        self._calls.append(self._clock())

    def record_end(self) -> None:
        """Note that the call under way has ended (replied, failed or timed out)."""
        self._last_end = self._clock()

    def block(self, seconds: float) -> None:
        """Allow no call for `seconds` (after a 429)."""
        self._blocked_until = max(self._blocked_until, self._clock() + seconds)

    def calls_in_window(self) -> int:
        """How many calls went out in the last window."""
        since = self._clock() - self._window
        return sum(1 for moment in self._calls if moment > since)

    def recent_calls(self, wall_now: float) -> dict[str, Any]:
        """Return the calls of the last window and any block, in wall-clock (Unix) seconds."""
        offset = wall_now - self._clock()
        since = self._clock() - self._window
        return {
            "calls": [round(moment + offset, 3) for moment in self._calls if moment > since],
            "blocked_until": round(self._blocked_until + offset, 3)
            if self._blocked_until > self._clock()
            else None,
        }

    def restore(self, saved: dict[str, Any], wall_now: float) -> None:
        """Count the calls a previous run made (from `recent_calls`); ignores what is unreadable."""
        offset = self._clock() - wall_now
        calls = saved.get("calls")
        moments = set(self._calls)
        if isinstance(calls, list):
            for moment in calls:
                if isinstance(moment, int | float) and math.isfinite(moment):
                    local = moment + offset
                    if local <= self._clock() and all(abs(local - m) > 0.001 for m in moments):
                        moments.add(local)
        self._calls.clear()
        self._calls.extend(sorted(moments)[-(self._calls.maxlen or 0) :])
        blocked = saved.get("blocked_until")
        if isinstance(blocked, int | float) and math.isfinite(blocked):
            until = min(blocked + offset, self._clock() + MAX_BLOCK)
            self._blocked_until = max(self._blocked_until, until)


class _Call:
    """One call to come or under way, shared by the callers that join it."""

    def __init__(self) -> None:
        """Start as a call not yet made."""
        self.future: asyncio.Future[EquiventsSnapshot] | None = None
        self.sent_at: float | None = None  # when its request went out, if it did
        self.fresh_since: float = -math.inf  # no result older than this may stand in


class TokenGate:
    """One token's limiter, plus the call waiting or in flight."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Bind the gate to the event loop whose clock it uses (by default the running one)."""
        clock = (loop or asyncio.get_running_loop()).time
        self.limiter = RateLimiter(clock)
        self._clock = clock
        self._current: _Call | None = None
        self._next: _Call | None = None
        self._last: tuple[float, EquiventsSnapshot] | None = None

    async def run(
        self,
        fetch: Callable[[], Awaitable[EquiventsSnapshot]],
        max_wait: float,
        *,
        fresh: bool = False,
    ) -> EquiventsSnapshot:
        """Run `fetch` within the limits, or share a call; `fresh`: one sent after now."""
        asked = self._clock()
        latest = self._latest()
        if latest is None:
            call = self._current = self._start(fetch, max_wait, None)
        elif not fresh or latest.sent_at is None:
            call = latest
        else:
            # The call in flight went out before this caller asked: queue one
            # (only one) behind it, shared by everyone who asks meanwhile.
            call = self._start(fetch, max_wait, latest)
            self._current, self._next = latest, call
        if fresh:
            call.fresh_since = max(call.fresh_since, asked)
        assert call.future is not None
        return await asyncio.shield(call.future)

    def _latest(self) -> _Call | None:
        """Return the newest call not yet done: calls run one after another."""
        for call in (self._next, self._current):
            if call is not None and call.future is not None and not call.future.done():
                return call
        return None

    def _start(
        self,
        fetch: Callable[[], Awaitable[EquiventsSnapshot]],
        max_wait: float,
        after: _Call | None,
    ) -> _Call:
        call = _Call()
        call.future = asyncio.ensure_future(self._wait_and_fetch(call, fetch, max_wait, after))
        return call

    async def _wait_and_fetch(
        self,
        call: _Call,
        fetch: Callable[[], Awaitable[EquiventsSnapshot]],
        max_wait: float,
        after: _Call | None,
    ) -> EquiventsSnapshot:
        if after is not None and after.future is not None:
            await asyncio.wait([after.future])
        wait = self.limiter.delay()
        last = self._last
        if (
            wait > 0
            and last is not None
            and self._clock() - last[0] <= REUSE_AGE
            and last[0] >= call.fresh_since
        ):
            return last[1]
        if wait > max_wait:
            raise EquiwattRateLimitedError(
                f"Equiwatt's rate limit allows the next call in {wait:.0f} s", wait
            )
        while wait > 0:
            # Checked again on the limiter's own clock, which may not be the one
            # `asyncio.sleep` keeps (a test's frozen clock, say).
            await asyncio.sleep(wait)
            wait = self.limiter.delay()
        self.limiter.record()
        call.sent_at = self._clock()
        self._last = None  # after a failure, nothing older may be served
        try:
            result = await fetch()
        finally:
            self.limiter.record_end()
        self._last = (call.sent_at, result)
        return result
