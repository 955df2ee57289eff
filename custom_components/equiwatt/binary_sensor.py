"""The binary sensor that is on while an Equivent is live."""

from __future__ import annotations

from typing import override

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import EquiwattEntity
from .runtime import EquiwattConfigEntry

PARALLEL_UPDATES = 0

EQUIVENT_ACTIVE = BinarySensorEntityDescription(
    key="equivent_active",
    translation_key="equivent_active",
    device_class=BinarySensorDeviceClass.RUNNING,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EquiwattConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the Equivent binary sensor."""
    async_add_entities([EquiventActiveSensor(entry.runtime_data.coordinator, EQUIVENT_ACTIVE)])


class EquiventActiveSensor(EquiwattEntity, BinarySensorEntity):
    """On while an Equivent is live."""

    @property
    @override
    def is_on(self) -> bool:
        """Whether an Equivent is live."""
        return self.coordinator.data.live is not None
