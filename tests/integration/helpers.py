"""Helpers shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

from custom_components.equiwatt.event import EquiventEvent

BINARY = "binary_sensor.equiwatt_equivent"
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
