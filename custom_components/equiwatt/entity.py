"""The base entity of the Equiwatt integration."""

from __future__ import annotations

from typing import override

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import EquiwattCoordinator
from .saving.coordinator import SavingCoordinator

# What the Equiwatt app calls the feature, and what the device list shows as the model.
MODEL = "Open API"


class EquiwattEntity[CoordinatorT: EquiwattCoordinator | SavingCoordinator = EquiwattCoordinator](
    CoordinatorEntity[CoordinatorT]
):
    """An entity of the Equiwatt service device of one config entry.

    Fed by the Equiwatt coordinator, or by the saving's for the saving's sensors.
    """

    _attr_has_entity_name = True
    # Fed by webhook calls too, or not by Equiwatt at all (the Setback switch): such
    # an entity stays available through a polling outage, whenever there is data.
    _available_without_polling = False

    def __init__(self, coordinator: CoordinatorT, description: EntityDescription) -> None:
        """Name the entity after its description, on the entry's device."""
        super().__init__(coordinator)
        self.entity_description = description
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.entry_id}-{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            entry_type=DeviceEntryType.SERVICE,
            manufacturer="Equiwatt",
            model=MODEL,
            name="Equiwatt",
            configuration_url="https://www.equiwatt.com",
        )

    @property
    @override
    def available(self) -> bool:
        """Core's availability, or, past polling, whether there is data at all."""
        if self._available_without_polling:
            return self.coordinator.data is not None
        return super().available
