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

    def read(self) -> float:
        """Bring the counter up to the world's time and return it, in kWh."""
        now = self.world.now()
        while self.read_at < now:
            step = min(STEP, now - self.read_at)
            self.kwh += self.power(self.read_at + step / 2) * step / 3600
            self.read_at += step
        return round(self.kwh, 3)
