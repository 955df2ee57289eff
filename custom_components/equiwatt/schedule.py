"""When to poll next: fast just after half-hour boundaries, slow otherwise.

Equivents habitually start and end a minute or two after a half-hour boundary,
so the schedule polls every `fast` seconds in a window around each boundary
(and around the expected end of a live Equivent), and every `slow` seconds the
rest of the time. A per-installation phase spreads homes over the grid, so that
they do not all call Equiwatt in the same second. Pure: no Home Assistant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import math

HALF_HOUR = 1800.0


@dataclass(frozen=True, slots=True)
class PollSchedule:
    """An adaptive polling plan; all durations in seconds."""

    slow: float = 120.0
    fast: float = 12.0
    window_before: float = 10.0
    window_after: float = 180.0
    phase: float = 0.0  # 0 <= phase < 1, per installation
    min_gap: float = 2.0

    def next_delay(
        self,
        now: datetime,
        *,
        expected_end: datetime | None = None,
        push_trusted: bool = False,
    ) -> float:
        """Seconds from `now` to the next poll."""
        t = now.timestamp()
        earliest = t + self.min_gap
        candidates = [_next_on_grid(earliest, self.slow, self.phase * self.slow)]
        if not push_trusted:
            boundary = math.floor(earliest / HALF_HOUR) * HALF_HOUR
            candidates.extend(
                self._next_in_window(earliest, start)
                for start in (boundary - HALF_HOUR, boundary, boundary + HALF_HOUR)
            )
            if expected_end is not None:
                candidates.append(self._next_in_window(earliest, expected_end.timestamp()))
        return max(self.min_gap, min(candidates) - t)

    def _next_in_window(self, earliest: float, centre: float) -> float:
        """Return the next fast tick in [centre - before, centre + after] at or after `earliest`."""
        low = centre - self.window_before
        high = centre + self.window_after
        if earliest > high:
            return math.inf
        tick = _next_on_grid(max(earliest, low), self.fast, low + self.phase * self.fast)
        return tick if tick <= high else math.inf


def _next_on_grid(at_least: float, step: float, offset: float) -> float:
    """Return the first point of {offset + k*step} that is >= at_least."""
    return offset + math.ceil((at_least - offset) / step) * step
