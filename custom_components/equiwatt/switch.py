"""The Setback switch: off, Equivents pass without setting anything back."""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import EquiwattCoordinator
from .entity import EquiwattEntity
from .runtime import EquiwattConfigEntry
from .setback.manager import SetbackManager
from .setback.memory import Status

PARALLEL_UPDATES = 0

SETBACK = SwitchEntityDescription(
    key="setback", translation_key="setback", entity_category=EntityCategory.CONFIG
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EquiwattConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the Setback switch while zones or plugs are chosen for it (options apply live)."""
    setback = entry.runtime_data.setback
    shown: list[SetbackSwitch] = []

    @callback
    def _async_add_when_chosen() -> None:
        if setback.configured and not shown:
            switch = SetbackSwitch(entry.runtime_data.coordinator, setback)
            switch.async_on_remove(shown.clear)
            shown.append(switch)
            async_add_entities([switch])

    _async_add_when_chosen()
    entry.async_on_unload(
        async_dispatcher_connect(hass, setback.configured_signal, _async_add_when_chosen)
    )


class SetbackSwitch(EquiwattEntity, SwitchEntity):
    """Whether Equivents set the chosen zones and plugs back; shows which are."""

    _available_without_polling = True  # the setback does not depend on reaching Equiwatt

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
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, self.setback.configured_signal, self._async_remove_when_unchosen
            )
        )

    @callback
    def _async_remove_when_unchosen(self) -> None:
        """Nothing is chosen any more: the switch goes (the registry removes the entity)."""
        if not self.setback.configured:
            er.async_get(self.hass).async_remove(self.entity_id)

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
