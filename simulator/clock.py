"""Clocks for the simulator: real time, or a clock that tests and benchmarks move."""

from __future__ import annotations

from collections.abc import Callable
import time

# Any callable giving the current Unix time in seconds will do.
type Clock = Callable[[], float]


class RealClock:
    """The wall clock."""

    def __call__(self) -> float:
        """Return the current Unix time."""
        return time.time()


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, start: float | None = None) -> None:
        """Start at `start` (Unix seconds), else now."""
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        """Return the clock's time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += seconds

    def set(self, moment: float) -> None:
        """Move the clock to `moment`."""
        self.now = moment
