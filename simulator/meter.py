"""A simulated home's grid meter: a daily profile, cut while an Equivent is live."""

from __future__ import annotations

from dataclasses import dataclass, field
import time

from .world import World

# kWh per hour for each UTC hour of the day: a night low, a morning bump, an evening peak.
PROFILE = (
    0.25, 0.2, 0.2, 0.2, 0.2, 0.25, 0.4, 0.6, 0.5, 0.35, 0.3, 0.3,
    0.35, 0.3, 0.3, 0.35, 0.6, 1.1, 1.3, 1.0, 0.8, 0.6, 0.45, 0.3,
)  # fmt: skip
EQUIVENT_SHARE = 0.4  # the home uses 40 % of its usual power during an Equivent
STEP = 60.0  # seconds; the meter integrates its power in steps this long at most


@dataclass
class SimMeter:
    """A cumulative kWh counter driven by the world's clock and Equivents."""

    world: World
    kwh: float = 1000.0
    read_at: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        """Start counting at the world's present time."""
        self.read_at = self.world.now()

    def power(self, moment: float) -> float:
        """Return the home's power at a moment, in kW."""
        base = PROFILE[int(moment // 3600) % 24]
        live = any(
            e.start <= moment and (e.end is None or moment < e.end) for e in self.world.equivents
        )
        return base * EQUIVENT_SHARE if live else base

    def used(self, start: float, end: float) -> float:
        """Return what the home used between two moments, in kWh."""
        total, moment = 0.0, start
        while moment < end:
            step = min(STEP, end - moment)
            total += self.power(moment + step / 2) * step / 3600
            moment += step
        return total

    def read(self) -> float:
        """Bring the counter up to the world's time and return it, in kWh."""
        now = self.world.now()
        if self.read_at < now:
            self.kwh += self.used(self.read_at, now)
            self.read_at = now
        return round(self.kwh, 3)

    def hourly_history(self, days: int) -> list[tuple[float, float]]:
        """Return each full hour of the last `days` days with the counter at its end, oldest first.

        Worked back from the counter now, past Equivents included, so that the
        history leads up to the present reading.
        """
        reading = self.read()
        hour_end = self.read_at // 3600 * 3600
        reading -= self.used(hour_end, self.read_at)
        history = []
        for _ in range(days * 24):
            history.append((hour_end - 3600, reading))
            reading -= self.used(hour_end - 3600, hour_end)
            hour_end -= 3600
        return history[::-1]
