"""Timestamp and duration sensors of the live and the latest Equivent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import override

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorEntityDescription
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import EquiwattCoordinator
from .entity import EquiwattEntity
from .models import EquiwattData
from .runtime import EquiwattConfigEntry
from .saving.sensors import SAVING_SENSORS, SavingSensor

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class EquiwattSensorDescription(SensorEntityDescription):
    """A sensor and how to read its value from the coordinator's data."""

    value_fn: Callable[[EquiwattData], datetime | float | None]
    polled: bool = True


def _duration_minutes(data: EquiwattData) -> float | None:
    last = data.last
    duration = None if last is None else last.duration
    return None if duration is None else duration.total_seconds() / 60


SENSORS: tuple[EquiwattSensorDescription, ...] = (
    EquiwattSensorDescription(
        key="equivent_start",
        translation_key="equivent_start",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda data: None if data.live is None else data.live.start,
    ),
    EquiwattSensorDescription(
        key="last_equivent_start",
        translation_key="last_equivent_start",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda data: None if data.last is None else data.last.start,
    ),
    EquiwattSensorDescription(
        key="last_equivent_end",
        translation_key="last_equivent_end",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda data: None if data.last is None else data.last.end,
    ),
    EquiwattSensorDescription(
        key="last_equivent_duration",
        translation_key="last_equivent_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        value_fn=_duration_minutes,
    ),
    EquiwattSensorDescription(
        key="last_webhook",
        translation_key="last_webhook",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.last_webhook,
        polled=False,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EquiwattConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the Equiwatt sensors, and those of the saving when a meter is chosen."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(EquiwattSensor(coordinator, description) for description in SENSORS)
    if (saving := entry.runtime_data.saving) is not None:
        async_add_entities(SavingSensor(saving, description) for description in SAVING_SENSORS)


class EquiwattSensor(EquiwattEntity, SensorEntity):
    """A sensor read from the coordinator's data."""

    entity_description: EquiwattSensorDescription

    def __init__(
        self, coordinator: EquiwattCoordinator, description: EquiwattSensorDescription
    ) -> None:
        """Describe the sensor; one fed by webhook calls outlives a polling outage."""
        super().__init__(coordinator, description)
        self._available_without_polling = not description.polled

    @property
    @override
    def native_value(self) -> datetime | float | None:
        """The sensor's value."""
        return self.entity_description.value_fn(self.coordinator.data)
