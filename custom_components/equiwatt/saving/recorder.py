"""Half-hourly consumption from the recorder's statistics, to backfill the ledger."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Literal

from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance

from .days import SLOT_SECONDS
from .figures import Reading
from .periods import period_use

FIVE_MINUTES = 300
HOUR = 3600
FIVE_MINUTES_PER_SLOT = SLOT_SECONDS // FIVE_MINUTES
UNITS = {"energy": UnitOfEnergy.KILO_WATT_HOUR}


async def async_read_consumption(
    hass: HomeAssistant, statistic_id: str, start: datetime, end: datetime
) -> dict[int, Reading]:
    """Consumption per half-hour: from 5-minute statistics, else half of the hour's.

    A half-hour is left out when a period in it spans a gap in the statistics.
    """

    async def use(period: Literal["5minute", "hour"], seconds: int) -> dict[int, float]:
        rows = await get_instance(hass).async_add_executor_job(
            statistics_during_period,
            hass,
            start,
            end,
            {statistic_id},
            period,
            UNITS,
            {"state", "sum"},
        )
        return period_use(rows.get(statistic_id, []), seconds)

    slots: dict[int, Reading] = {}
    for hour, kwh in (await use("hour", HOUR)).items():
        for key in (hour, hour + SLOT_SECONDS):
            slots[key] = Reading(kwh / 2, approximate=True)
    parts: dict[int, list[float]] = defaultdict(list)
    for start_ts, kwh in (await use("5minute", FIVE_MINUTES)).items():
        parts[start_ts - start_ts % SLOT_SECONDS].append(kwh)
    for key, changes in parts.items():
        if len(changes) == FIVE_MINUTES_PER_SLOT:
            slots[key] = Reading(sum(changes))
    return slots
