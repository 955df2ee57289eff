"""When to poll next: fast just after half-hour boundaries, slow otherwise.

Equivents habitually start and end a minute or two after a half-hour boundary,
so the schedule polls every `fast` seconds in a window around each boundary
(and around the expected end of a live Equivent), and every `slow` seconds the
rest of the time. A per-installation phase spreads homes over the grid, so that
they do not all call Equiwatt in the same second. Pure: no Home Assistant.
The integration's coordinator and the command line's `watch` share it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
import hashlib
import math
import statistics
from typing import Final

from .models import Equivent

HALF_HOUR: Final = 1800.0
# How long an Equivent lasts when nothing better is known.
TYPICAL_DURATION: Final = timedelta(hours=1)


def phase_for(key: str) -> float:
    """Return a stable number in [0, 1) for `key`, to spread callers over the poll grid."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 2**32


def expected_end(live: Equivent, history: Iterable[Equivent]) -> datetime:
    """Return the planned end of a live Equivent, else its start plus a typical length.

    The typical length is the median of the 10 latest finished Equivents.
    """
    if live.end is not None:
        return live.end
    recent = sorted(history, key=lambda event: event.start, reverse=True)[:10]
    durations = [duration for event in recent if (duration := event.duration) is not None]
    typical = statistics.median_low(durations) if durations else TYPICAL_DURATION
    return live.start + typical


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
