"""The ledger's backfill: half-hourly consumption from the recorder's statistics."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.const import UnitOfEnergy
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util

from ..const import LOGGER
from .days import LOOKBACK_DAYS, SLOT_SECONDS
from .figures import Reading
from .ledger import MeterLedger, slot_of
from .periods import period_use

FIVE_MINUTES = 300
HOUR = 3600
FIVE_MINUTES_PER_SLOT = SLOT_SECONDS // FIVE_MINUTES
UNITS = {"energy": UnitOfEnergy.KILO_WATT_HOUR}


async def async_read_consumption(
    hass: HomeAssistant, statistic_id: str, start: datetime, end: datetime
) -> dict[int, Reading]:
    """Consumption per half-hour: from 5-minute statistics, else half of the hour's.

    From the first 5-minute row on, the 5-minute rows decide: a half-hour counts when
    all six of its periods do, and no hourly row of that span is used. Earlier, a
    half-hour is half of its hour, approximate. See `period_use` for what counts.
    """

    async def rows(period: Literal["5minute", "hour"]) -> list[Mapping[str, Any]]:
        found = await get_instance(hass).async_add_executor_job(
            statistics_during_period,
            hass,
            start,
            end,
            {statistic_id},
            period,
            UNITS,
            {"state", "sum"},
        )
        return list(found.get(statistic_id, []))

    short = await rows("5minute")
    span = int(short[0]["start"]) if short else None
    slots: dict[int, Reading] = {}
    for hour, kwh in period_use(await rows("hour"), HOUR).items():
        if span is None or hour + HOUR <= span:
            for key in (hour, hour + SLOT_SECONDS):
                slots[key] = Reading(kwh / 2, approximate=True)
    parts: dict[int, list[float]] = defaultdict(list)
    for start_ts, kwh in period_use(short, FIVE_MINUTES).items():
        parts[slot_of(start_ts)].append(kwh)
    for key, changes in parts.items():
        if len(changes) == FIVE_MINUTES_PER_SLOT:
            slots[key] = Reading(sum(changes))
    return slots


async def async_backfill(hass: HomeAssistant, statistic_id: str, ledger: MeterLedger) -> int:
    """Fill the ledger's missing half-hours of the last 60 days; return how many were added."""
    if "recorder" not in hass.config.components:
        return 0
    end = dt_util.utcnow()
    start = end - timedelta(days=LOOKBACK_DAYS + 1)
    readings = await async_read_consumption(hass, statistic_id, start, end)
    current = slot_of(end.timestamp())
    added = sum(ledger.backfill(key, reading) for key, reading in readings.items() if key < current)
    LOGGER.debug("Backfilled %s half-hours of %s from the recorder", added, statistic_id)
    return added
