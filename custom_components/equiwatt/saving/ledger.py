"""Our own half-hourly ledger of the meter, so the baseline outlives the recorder's purge."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Self

from .days import LOOKBACK_DAYS, SLOT_SECONDS
from .figures import Reading

# Slots older than this are dropped: the baseline never looks further back.
KEEP_SECONDS = (LOOKBACK_DAYS + 2) * 86_400
# A drop below this share of the last reading is a meter reset, a smaller one noise.
RESET_RATIO = 0.9


def slot_of(timestamp: float) -> int:
    """Return the key of the half-hour holding a Unix time (UK offsets are whole hours)."""
    return int(timestamp // SLOT_SECONDS * SLOT_SECONDS)


@dataclass
class MeterLedger:
    """Consumption per half-hour, from the meter's readings and the recorder's statistics.

    A half-hour is recorded only when the meter was readable from its start to its
    end; one with a gap or an unavailable meter is left out, never estimated. The
    half-hours in which the meter was seen unreadable are remembered: the recorder's
    statistics of such a half-hour hold only part of its use, so no backfill fills it.
    """

    slots: dict[int, float] = field(default_factory=dict)
    approximate: set[int] = field(default_factory=set)
    unreadable: set[int] = field(default_factory=set)
    last_value: float | None = None
    current: int | None = None  # the half-hour being measured, known since its start
    current_kwh: float = 0.0

    def get(self, key: int) -> Reading | None:
        """Return the consumption of a finished half-hour, if known."""
        if (kwh := self.slots.get(key)) is None:
            return None
        return Reading(kwh, key in self.approximate)

    def live(self, timestamp: float) -> Reading | None:
        """Return the consumption so far in the half-hour holding a Unix time, if known."""
        if self.current != slot_of(timestamp) or self.last_value is None:
            return None
        return Reading(self.current_kwh)

    def observe(self, timestamp: float, value: float | None, *, reset: bool = False) -> None:
        """Take a reading of the meter (None: unavailable or unreadable)."""
        slot = slot_of(timestamp)
        if value is None:
            self.unreadable.add(slot)
        if value is None or self.last_value is None or self.current is None:
            self._restart(value)
            return
        if slot == self.current + SLOT_SECONDS:
            self._close()
            self.current = slot
        elif slot != self.current:
            self._restart(value)
            return
        self._add(value, reset=reset)

    def boundary(self, timestamp: float, value: float | None, *, reset: bool = False) -> None:
        """Read the meter at the start of a half-hour: close the last one and open the next."""
        slot = slot_of(timestamp)
        if slot == self.current:
            return
        if value is None:
            self.unreadable.add(slot)
            self._restart(None)
            return
        if self.current == slot - SLOT_SECONDS and self.last_value is not None:
            self._add(value, reset=reset)
            self._close()
        else:
            self._restart(value)
        self.current = slot

    def resume(self, timestamp: float, *, after_stop: bool) -> None:
        """Go on after a reload or a restart; measure on only within the same half-hour.

        After Home Assistant's stop, the half-hours from the one being measured to
        this one count as unreadable: the recorder, stopped too, compiles them at
        start from the last state before the stop, as periods with no use, and puts
        all that was used meanwhile into the first period after the start.
        """
        slot = slot_of(timestamp)
        if self.current == slot:
            return
        if after_stop and self.current is not None:
            first = max(self.current, slot - KEEP_SECONDS)
            self.unreadable.update(range(first, slot + SLOT_SECONDS, SLOT_SECONDS))
        self.current = None
        self.current_kwh = 0.0

    def backfill(self, key: int, reading: Reading) -> bool:
        """Record a half-hour from the recorder unless the ledger has it or saw it unreadable."""
        if key in self.slots or key in self.unreadable or key == self.current:
            return False
        self.slots[key] = reading.kwh
        if reading.approximate:
            self.approximate.add(key)
        return True

    def prune(self, timestamp: float) -> None:
        """Drop the half-hours that no baseline can need any more."""
        oldest = timestamp - KEEP_SECONDS
        for key in [key for key in self.slots if key < oldest]:
            del self.slots[key]
            self.approximate.discard(key)
        self.unreadable = {key for key in self.unreadable if key >= oldest}

    def _add(self, value: float, *, reset: bool) -> None:
        assert self.last_value is not None
        if reset or value < self.last_value * RESET_RATIO:
            self.current_kwh += max(value, 0.0)
        elif value > self.last_value:
            self.current_kwh += value - self.last_value
        else:
            return  # a small dip is noise: keep the higher reading
        self.last_value = value

    def _close(self) -> None:
        assert self.current is not None
        self.slots[self.current] = self.current_kwh
        self.approximate.discard(self.current)
        self.current_kwh = 0.0

    def _restart(self, value: float | None) -> None:
        self.last_value = value
        self.current = None
        self.current_kwh = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Serialise for storage: keys as strings, values rounded to the watt-hour's tenth."""
        return {
            "slots": {str(key): round(kwh, 4) for key, kwh in sorted(self.slots.items())},
            "approximate": sorted(self.approximate),
            "unreadable": sorted(self.unreadable),
            "last_value": self.last_value,
            "current": self.current,
            "current_kwh": self.current_kwh,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Read what `as_dict` wrote."""
        return cls(
            slots={int(key): float(kwh) for key, kwh in data["slots"].items()},
            approximate={int(key) for key in data["approximate"]},
            unreadable={int(key) for key in data.get("unreadable", [])},
            last_value=data["last_value"],
            current=data["current"],
            current_kwh=float(data["current_kwh"]),
        )
