"""The service calls that set back and put back, as few as possible, and sending them.

Core's tado follows every write with a full refresh of the home (about 15 of
Tado's requests), folding those asked for within 10 s into one more: so all
Tado zones are written together, in one call where they share their data, and
every call of a phase is sent at once.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.climate.const import (
    ATTR_HVAC_MODE,
    ATTR_TARGET_TEMP_HIGH,
    ATTR_TARGET_TEMP_LOW,
    SERVICE_SET_HVAC_MODE,
    SERVICE_SET_TEMPERATURE,
    HVACMode,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_TEMPERATURE,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    Platform,
)
from homeassistant.core import Context, HomeAssistant

from .memory import Entry
from .settings import TADO_MANUAL, TADO_NEXT_BLOCK, TADO_TIMER_OVERLAY, Kind, Setting, readable

TADO_TIMER = "set_climate_timer"
ATTR_TIME_PERIOD = "time_period"
ATTR_REQUESTED_OVERLAY = "requested_overlay"
# How a Tado zone's manual setting is put back, by how it was to end. One that was
# to end by itself (a timer, the next time block) ends at the next time block:
# never later than that, and core shows neither end. Unknown: the zone's default.
TADO_OVERLAYS = {
    TADO_MANUAL: "MANUAL",
    TADO_NEXT_BLOCK: "NEXT_TIME_BLOCK",
    TADO_TIMER_OVERLAY: "NEXT_TIME_BLOCK",
}
TADO_DEFAULT_OVERLAY = "TADO_DEFAULT"


type Data = tuple[tuple[str, Any], ...]
type Call = tuple[str, str, Data]  # domain, service, data


@dataclass(frozen=True, slots=True)
class Write:
    """One service call to some entities."""

    domain: str
    service: str
    data: Data
    entity_ids: tuple[str, ...]


def setback_writes(entries: Mapping[str, Entry], timer_seconds: int) -> list[Write]:
    """Return the calls that set entries back; Tado zones get a timer of `timer_seconds`."""
    grouped: dict[Call, list[str]] = defaultdict(list)
    for entity_id, entry in entries.items():
        setback = entry.setback
        call: Call
        match entry.kind:
            case Kind.SWITCH:
                call = (Platform.SWITCH, SERVICE_TURN_OFF, ())
            case Kind.TADO:
                timer = ((ATTR_TEMPERATURE, setback.temperature), (ATTR_TIME_PERIOD, timer_seconds))
                call = (Kind.TADO, TADO_TIMER, timer)
            case Kind.CLIMATE:
                call = (Platform.CLIMATE, SERVICE_SET_TEMPERATURE, _targets(setback))
        grouped[call].append(entity_id)
    return _writes(grouped)


def restore_writes(entries: Mapping[str, Entry]) -> list[Write]:
    """Return the calls that put entries back as they were."""
    grouped: dict[Call, list[str]] = defaultdict(list)
    for entity_id, entry in entries.items():
        saved = entry.saved
        call: Call
        data: Data
        if entry.kind is Kind.SWITCH:
            call = (Platform.SWITCH, SERVICE_TURN_ON, ())
        elif saved.mode == HVACMode.AUTO:
            call = (Platform.CLIMATE, SERVICE_SET_HVAC_MODE, ((ATTR_HVAC_MODE, HVACMode.AUTO),))
        elif entry.kind is Kind.TADO:
            overlay = TADO_OVERLAYS.get(saved.overlay or "", TADO_DEFAULT_OVERLAY)
            data = ((ATTR_TEMPERATURE, saved.temperature), (ATTR_REQUESTED_OVERLAY, overlay))
            call = (Kind.TADO, TADO_TIMER, data)
        else:
            data = ((ATTR_HVAC_MODE, saved.mode), *_targets(saved))
            call = (Platform.CLIMATE, SERVICE_SET_TEMPERATURE, data)
        grouped[call].append(entity_id)
    return _writes(grouped)


def _targets(setting: Setting) -> Data:
    if setting.low is not None:
        return ((ATTR_TARGET_TEMP_LOW, setting.low), (ATTR_TARGET_TEMP_HIGH, setting.high))
    return ((ATTR_TEMPERATURE, setting.temperature),)


def _writes(grouped: Mapping[Call, list[str]]) -> list[Write]:
    return [
        Write(domain, service, data, tuple(sorted(entity_ids)))
        for (domain, service, data), entity_ids in grouped.items()
    ]


def timer_seconds(expected_end: datetime, now: datetime, minimum: int) -> int:
    """Seconds from now to the expected end, at least `minimum`."""
    return max(minimum, round((expected_end - now).total_seconds()))


async def async_send(
    hass: HomeAssistant, writes: Iterable[Write], context: Context | None = None
) -> dict[str, str]:
    """Send the calls at once (in `context`); return the entities whose write failed, and why.

    An unavailable entity counts as failed: Home Assistant would skip it silently.
    """
    context = context or Context()
    failed: dict[str, str] = {}
    calls = []
    for write in writes:
        ready = tuple(e for e in write.entity_ids if readable(hass.states.get(e)))
        failed.update(dict.fromkeys(set(write.entity_ids) - set(ready), "unavailable"))
        if ready:
            calls.append((write, ready))
    results = await asyncio.gather(
        *(
            hass.services.async_call(
                write.domain,
                write.service,
                {**dict(write.data), ATTR_ENTITY_ID: list(ready)},
                blocking=True,
                context=context,
            )
            for write, ready in calls
        ),
        return_exceptions=True,
    )
    for (write, ready), result in zip(calls, results, strict=True):
        if isinstance(result, asyncio.CancelledError):
            raise result
        if isinstance(result, BaseException):
            # Another integration's call may raise anything (core's tado lets a
            # KeyError out when Tado answers 429): the write is retried.
            reason = f"{write.domain}.{write.service}: {result or type(result).__name__}"
            failed.update(dict.fromkeys(ready, reason))
    return failed
