"""The base entity of the Equiwatt integration."""

from __future__ import annotations

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
