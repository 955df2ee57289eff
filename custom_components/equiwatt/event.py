"""The event entity that fires `started` and `ended` once per Equivent."""

from __future__ import annotations

from typing import override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Transition, TransitionKind
from .entity import EquiwattEntity
from .runtime import EquiwattConfigEntry

PARALLEL_UPDATES = 0

EQUIVENT_EVENT = EventEntityDescription(
    key="equivent",
    translation_key="equivent",
    event_types=[TransitionKind.STARTED.value, TransitionKind.ENDED.value],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EquiwattConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the Equivent event entity."""
    async_add_entities([EquiventEvent(entry.runtime_data.coordinator, EQUIVENT_EVENT)])


class EquiventEvent(EquiwattEntity, EventEntity):
    """Fires when an Equivent starts or ends."""

    _available_without_polling = True  # events come from webhooks too

    @override
    async def async_added_to_hass(self) -> None:
        """Listen for the coordinator's transitions."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, self.coordinator.transition_signal, self._async_transition
            )
        )

    @callback
    def _async_transition(self, transition: Transition) -> None:
        self._trigger_event(transition.kind.value, transition.equivent.as_dict())
        self.async_write_ha_state()
