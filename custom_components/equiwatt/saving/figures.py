"""Baseline, usage, saving and pace of one Equivent, from half-hourly consumption."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, tzinfo
from typing import Any, Self

from .days import SLOT, same_time_on, slot_key


@dataclass(frozen=True, slots=True)
class Reading:
    """What the meter recorded in one half-hour."""

    kwh: float
    approximate: bool = False


type Consumption = Callable[[int], Reading | None]


@dataclass(frozen=True, slots=True)
class Figures:
    """The figures of one Equivent; None where the data does not allow a figure."""

    baseline: float | None
    usage: float | None
    days_used: int
    days_wanted: int
    approximate: bool
    usage_complete: bool
    pace: float | None = None

    @property
    def incomplete(self) -> bool:
        """Whether fewer eligible days than wanted had data, or usage has a gap."""
        return self.days_used < self.days_wanted or not self.usage_complete

    @property
    def saving(self) -> float | None:
        """Baseline minus usage, in kWh (negative when the home used more)."""
        if self.baseline is None or self.usage is None:
            return None
        return self.baseline - self.usage

    @property
    def saving_percent(self) -> float | None:
        """The saving as a percentage of the baseline."""
        saving = self.saving
        if saving is None or self.baseline is None or self.baseline <= 0:
            return None
        return 100 * saving / self.baseline

    def as_dict(self) -> dict[str, Any]:
        """Serialise for storage."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Read what `as_dict` wrote."""
        return cls(
            baseline=data["baseline"],
            usage=data["usage"],
            days_used=int(data["days_used"]),
            days_wanted=int(data["days_wanted"]),
            approximate=bool(data["approximate"]),
            usage_complete=bool(data["usage_complete"]),
            pace=data.get("pace"),
        )


@dataclass(frozen=True, slots=True)
class SlotBaseline:
    """The mean consumption of one half-hour over the eligible days that have data."""

    mean: float | None
    days: int
    approximate: bool


def slot_baseline(
    slot: datetime, day: date, days: Sequence[date], tz: tzinfo, consumption: Consumption
) -> SlotBaseline:
    """Average a slot's consumption over the eligible days that have data."""
    readings = [
        reading
        for earlier in days
        if (reading := consumption(slot_key(same_time_on(slot, earlier, day, tz)))) is not None
    ]
    if not readings:
        return SlotBaseline(None, 0, approximate=False)
    return SlotBaseline(
        sum(r.kwh for r in readings) / len(readings),
        len(readings),
        any(r.approximate for r in readings),
    )


def compute_figures(
    slots: Sequence[datetime],
    days: Sequence[date],
    *,
    wanted: int,
    tz: tzinfo,
    consumption: Consumption,
    now: datetime,
    live: Reading | None = None,
) -> Figures:
    """Compute the figures of an Equivent's slots, up to `now` for a live one.

    `live` is the consumption so far in the half-hour that holds `now`, if known.
    """
    day = slots[0].date()
    baselines = [slot_baseline(slot, day, days, tz, consumption) for slot in slots]
    means = [b.mean for b in baselines]
    baseline = None if any(m is None for m in means) else sum(m for m in means if m is not None)
    usage = 0.0
    usage_complete = True
    approximate = any(b.approximate for b in baselines)
    expected_so_far = 0.0
    for slot, mean in zip(slots, means, strict=True):
        if slot >= now:
            break
        ongoing = now < slot + SLOT
        reading = live if ongoing else consumption(slot_key(slot))
        if reading is None:
            usage_complete = False
        else:
            usage += reading.kwh
            approximate = approximate or reading.approximate
        if mean is not None:
            fraction = (now - slot) / SLOT if ongoing else 1.0
            expected_so_far += mean * fraction
    pace = None
    if usage_complete and baseline is not None and expected_so_far > 0:
        pace = 100 * usage / expected_so_far
    return Figures(
        baseline=baseline,
        usage=usage if usage_complete else None,
        days_used=min((b.days for b in baselines), default=0),
        days_wanted=wanted,
        approximate=approximate,
        usage_complete=usage_complete,
        pace=pace,
    )
