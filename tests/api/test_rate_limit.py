"""The per-token rate limiter: never more than 1 call/s and 10 per rolling minute."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings, strategies as st

from custom_components.equiwatt.api import EquiventsSnapshot, EquiwattRateLimitedError
from custom_components.equiwatt.api.rate_limit import (
    MAX_CALLS,
    MIN_INTERVAL,
    WINDOW,
    RateLimiter,
    TokenGate,
    gate_for,
)


class FakeClock:
    """A clock the test moves."""

    def __init__(self) -> None:
        """Start at zero."""
        self.now = 0.0

    def __call__(self) -> float:
        """Return the time."""
        return self.now


def check_spacing(calls: list[float]) -> None:
    """Assert that a list of call times keeps both limits."""
    for index in range(1, len(calls)):
        assert calls[index] - calls[index - 1] >= MIN_INTERVAL - 1e-9
        if index >= MAX_CALLS:
            assert calls[index] - calls[index - MAX_CALLS] >= WINDOW - 1e-9


@settings(max_examples=500, deadline=None)
@given(arrivals=st.lists(st.floats(0, 300, allow_nan=False), min_size=1, max_size=80))
def test_limiter_spacing_for_any_arrivals(arrivals: list[float]) -> None:
    """Callers who always wait `delay()` never break the limits, whatever the arrivals."""
    clock = FakeClock()
    limiter = RateLimiter(clock)
    calls: list[float] = []
    for arrival in sorted(arrivals):
        clock.now = max(clock.now, arrival)
        clock.now += limiter.delay()
        assert limiter.delay() == 0
        limiter.record()
        calls.append(clock.now)
    check_spacing(calls)
    assert limiter.calls_in_window() <= MAX_CALLS


def test_block_after_429() -> None:
    """A 429's wait holds every later call."""
    clock = FakeClock()
    limiter = RateLimiter(clock)
    limiter.block(60)
    assert limiter.delay() == 60
    clock.now = 59.5
    assert limiter.delay() == 0.5


@settings(max_examples=60, deadline=None)
@given(
    bursts=st.lists(
        st.tuples(st.integers(1, 25), st.floats(0, 0.05, allow_nan=False)), min_size=1, max_size=6
    )
)
def test_gate_coalesces_any_burst(bursts: list[tuple[int, float]]) -> None:
    """Concurrent callers share calls; calls keep the limits; each caller gets a result or a clear error."""

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        clock = FakeClock()
        gate = TokenGate(loop)
        gate.limiter = RateLimiter(clock, min_interval=0.02, window=0.2, max_calls=10)
        calls: list[float] = []

        async def fetch() -> EquiventsSnapshot:
            calls.append(loop.time())
            await asyncio.sleep(0.001)
            return EquiventsSnapshot(None, (), fetched_at=None)  # type: ignore[arg-type]

        clock_task_stop = asyncio.Event()

        async def tick() -> None:
            start = loop.time()
            while not clock_task_stop.is_set():
                clock.now = loop.time() - start
                await asyncio.sleep(0.001)

        ticker = asyncio.create_task(tick())
        outcomes: list[str] = []

        async def caller() -> None:
            try:
                await gate.run(fetch, max_wait=0.15)
                outcomes.append("ok")
            except EquiwattRateLimitedError:
                outcomes.append("limited")

        for size, pause in bursts:
            await asyncio.gather(*(caller() for _ in range(size)))
            await asyncio.sleep(pause)
        clock_task_stop.set()
        await ticker
        assert len(outcomes) == sum(size for size, _ in bursts)
        assert len(calls) <= len(bursts)
        for index in range(1, len(calls)):
            assert calls[index] - calls[index - 1] >= 0.02 - 0.003

    # A private loop: asyncio.run() would clear the current loop other fixtures use.
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(scenario())
    finally:
        loop.close()


async def test_gates_are_per_token_and_server() -> None:
    """Clients of one token and server share a gate; others do not."""
    assert gate_for("http://a", "t1") is gate_for("http://a", "t1")
    assert gate_for("http://a", "t1") is not gate_for("http://a", "t2")
    assert gate_for("http://a", "t1") is not gate_for("http://b", "t1")
