"""Half-hourly consumption from the recorder's statistics, to backfill the ledger."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance

from .days import SLOT_SECONDS
from .figures import Reading

FIVE_MINUTES_PER_SLOT = SLOT_SECONDS // 300
UNITS = {"energy": UnitOfEnergy.KILO_WATT_HOUR}


async def async_read_consumption(
    hass: HomeAssistant, statistic_id: str, start: datetime, end: datetime
) -> dict[int, Reading]:
    """Consumption per half-hour: from 5-minute statistics, else half of the hour's."""
    instance = get_instance(hass)
    short_term = await instance.async_add_executor_job(
        statistics_during_period, hass, start, end, {statistic_id}, "5minute", UNITS, {"change"}
    )
    hourly = await instance.async_add_executor_job(
        statistics_during_period, hass, start, end, {statistic_id}, "hour", UNITS, {"change"}
    )
    slots: dict[int, Reading] = {}
    for row in hourly.get(statistic_id, []):
        if (change := row.get("change")) is None:
            continue
        hour = int(row["start"])
        for key in (hour, hour + SLOT_SECONDS):
            slots[key] = Reading(change / 2, approximate=True)
    parts: dict[int, list[float]] = defaultdict(list)
    for row in short_term.get(statistic_id, []):
        if (change := row.get("change")) is not None:
            start_ts = int(row["start"])
            parts[start_ts - start_ts % SLOT_SECONDS].append(change)
    for key, changes in parts.items():
        if len(changes) == FIVE_MINUTES_PER_SLOT:
            slots[key] = Reading(sum(changes))
    return slots
