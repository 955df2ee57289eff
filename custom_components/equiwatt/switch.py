"""The Setback switch: off, Equivents pass without setting anything back."""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import EquiwattConfigEntry, EquiwattCoordinator
from .entity import EquiwattEntity
from .setback.manager import SetbackManager
from .setback.memory import Status

PARALLEL_UPDATES = 0

SETBACK = SwitchEntityDescription(key="setback", translation_key="setback")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EquiwattConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the Setback switch once zones or plugs are chosen for it."""
    coordinator = entry.runtime_data
    if (setback := coordinator.setback) is not None and setback.configured:
        async_add_entities([SetbackSwitch(coordinator, setback)])


class SetbackSwitch(EquiwattEntity, SwitchEntity):
    """Whether Equivents set the chosen zones and plugs back; shows which are."""

    def __init__(self, coordinator: EquiwattCoordinator, setback: SetbackManager) -> None:
        """Control one setback manager."""
        super().__init__(coordinator, SETBACK)
        self.setback = setback

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the setback's changes too."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(self.hass, self.setback.signal, self.async_write_ha_state)
        )

    @property
    @override
    def available(self) -> bool:
        """The setback does not depend on reaching Equiwatt."""
        return self.coordinator.data is not None

    @property
    @override
    def is_on(self) -> bool:
        """Whether Equivents set back."""
        return self.setback.memory.enabled

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """The zones and plugs set back now, and those still to put back."""
        return {
            "set_back": self.setback.entities(Status.SETTING_BACK, Status.SET_BACK),
            "not_restored": self.setback.entities(Status.RESTORING),
        }

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Set back during Equivents (the live one too)."""
        await self.setback.async_set_enabled(True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Skip Equivents; during one, put everything back at once."""
        await self.setback.async_set_enabled(False)
