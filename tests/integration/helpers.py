"""Helpers shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from custom_components.equiwatt.event import EquiventEvent
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

BINARY = "binary_sensor.equiwatt_equivent_active"
START = "sensor.equiwatt_equivent_start"
LAST_START = "sensor.equiwatt_last_equivent_start"
LAST_END = "sensor.equiwatt_last_equivent_end"
LAST_DURATION = "sensor.equiwatt_last_equivent_duration"
LAST_WEBHOOK = "sensor.equiwatt_last_webhook"
EVENT = "event.equiwatt_equivent"
CALENDAR = "calendar.equiwatt_equivents"
POLLED = (BINARY, START, LAST_START, LAST_END, LAST_DURATION, CALENDAR)


@contextmanager
def fired_events() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Record every event the Equivent event entity fires, in order."""
    fired: list[tuple[str, dict[str, Any]]] = []
    original = EquiventEvent._trigger_event

    def spy(self: EquiventEvent, event_type: str, attributes: dict[str, Any] | None = None) -> None:
        fired.append((event_type, dict(attributes or {})))
        original(self, event_type, attributes)

    with patch.object(EquiventEvent, "_trigger_event", spy):
        yield fired


def kinds(fired: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """List the event types fired, in order."""
    return [kind for kind, _ in fired]


async def calendar_events(hass: HomeAssistant, days: float) -> list[dict[str, Any]]:
    """Fetch the Equivents calendar's events of the last `days` days, through its service."""
    now = dt_util.utcnow()
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {"start_date_time": now - timedelta(days=days), "end_date_time": now},
        target={"entity_id": CALENDAR},
        blocking=True,
        return_response=True,
    )
    return list(response[CALENDAR]["events"])  # type: ignore[index]
