"""The per-token rate limiter: never more than 1 call/s and 10 per rolling minute."""

from __future__ import annotations

import asyncio

from hypothesis import example, given, settings, strategies as st
import pytest

from custom_components.equiwatt.api import EquiventsSnapshot, EquiwattRateLimitedError
from custom_components.equiwatt.api.rate_limit import (
    MAX_CALLS,
    MIN_INTERVAL,
    WINDOW,
    RateLimiter,
    TokenGate,
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
@example(arrivals=[0.8, 0.9])  # 0.8 + 1.1 - 0.9 - 1.0 is not 0.0 in floats
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


def test_a_slow_call_spaces_the_next_from_its_end() -> None:
    """A reply that took long may have reached Equiwatt late: the next call waits from its end."""
    clock = FakeClock()
    limiter = RateLimiter(clock)
    limiter.record()
    clock.now = 3.0
    limiter.record_end()
    assert limiter.delay() == pytest.approx(MIN_INTERVAL)
    clock.now = 3.0 + MIN_INTERVAL
    assert limiter.delay() == 0


def test_gate_notes_the_end_of_a_failed_call() -> None:
    """A call that fails after a long wait still spaces the next one from its end."""

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        gate = TokenGate(loop)
        gate.limiter = RateLimiter(loop.time, min_interval=0.05, window=10.0, max_calls=10)

        async def slow_failure() -> EquiventsSnapshot:
            await asyncio.sleep(0.2)
            raise OSError("timed out")

        with pytest.raises(OSError):
            await gate.run(slow_failure, max_wait=1.0)
        assert gate.limiter.delay() > 0.04

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(scenario())
    finally:
        loop.close()


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
        gate = TokenGate(loop)
        # The loop's own clock: the spacing is measured on the clock the limiter uses.
        gate.limiter = RateLimiter(loop.time, min_interval=0.02, window=0.2, max_calls=10)
        calls: list[float] = []

        async def fetch() -> EquiventsSnapshot:
            calls.append(loop.time())
            await asyncio.sleep(0.001)
            return EquiventsSnapshot(None, (), fetched_at=None)  # type: ignore[arg-type]

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
        assert len(outcomes) == sum(size for size, _ in bursts)
        assert len(calls) <= len(bursts)
        for index in range(1, len(calls)):
            assert calls[index] - calls[index - 1] >= 0.02 - 1e-6

    # A private loop: asyncio.run() would clear the current loop other fixtures use.
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(scenario())
    finally:
        loop.close()


def test_fresh_callers_get_a_call_sent_after_they_asked() -> None:
    """A fresh caller never gets an older answer; all who ask meanwhile share one more call."""

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        gate = TokenGate(loop)
        gate.limiter = RateLimiter(loop.time, min_interval=0.01, window=1.0, max_calls=10)
        sent: list[float] = []
        release = asyncio.Event()

        async def fetch() -> EquiventsSnapshot:
            sent.append(loop.time())
            await release.wait()
            return EquiventsSnapshot(None, (), fetched_at=None)  # type: ignore[arg-type]

        first = asyncio.ensure_future(gate.run(fetch, 1.0))
        await asyncio.sleep(0.005)
        assert len(sent) == 1
        asked = loop.time()
        plain = asyncio.ensure_future(gate.run(fetch, 1.0))
        fresh = [asyncio.ensure_future(gate.run(fetch, 1.0, fresh=True)) for _ in range(5)]
        await asyncio.sleep(0.005)
        release.set()
        await asyncio.gather(first, plain, *fresh)
        assert len(sent) == 2, "the in-flight call plus one fresh call, shared by five"
        assert sent[1] >= asked
        # A fresh caller when nothing is in flight does not get the young result either.
        asked = loop.time()
        await gate.run(fetch, 1.0, fresh=True)
        assert len(sent) == 3
        assert sent[2] >= asked
        # A plain caller may: the answer is younger than 5 s and the limiter says wait.
        gate.limiter.block(0.5)
        await gate.run(fetch, 1.0)
        assert len(sent) == 3

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(scenario())
    finally:
        loop.close()


def test_recent_calls_survive_a_restart() -> None:
    """Saved calls (wall clock) make a new limiter wait exactly as the old one would."""
    old_clock, new_clock = FakeClock(), FakeClock()
    old = RateLimiter(old_clock)
    for moment in range(10):
        old_clock.now = 1000.0 + moment * 2
        old.record()
    old_clock.now = 1020.0
    old.block(5)
    saved = old.recent_calls(wall_now=1_700_000_020.0)
    assert len(saved["calls"]) == 10
    # The new process: its monotonic clock starts anywhere; 3 s have passed on the wall.
    new_clock.now = 7.0
    new = RateLimiter(new_clock)
    new.restore(saved, wall_now=1_700_000_023.0)
    assert new.calls_in_window() == 10
    assert new.delay() == pytest.approx(old.delay() - 3)
    assert new.delay() == pytest.approx(1000.0 + 61 - 1023.0)
    # Unreadable or future entries are ignored; restoring twice counts nothing twice.
    new.restore({"calls": ["x", None, float("nan"), 2e9], "blocked_until": "soon"}, 1.7e9)
    new.restore(saved, wall_now=1_700_000_023.0)
    assert new.calls_in_window() == 10
