"""The chosen entities as the setback sees them: their kind, and a Tado zone's overlay."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
    split_entity_id,
)
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import (
    async_track_entity_registry_updated_event,
    async_track_state_change_event,
)

from ..const import DOMAIN, LOGGER
from .const import CONF_SETBACK_CLIMATES, CONF_SETBACK_SWITCHES
from .memory import Memory
from .settings import Kind

# The translation key of the binary sensor core's tado gives each zone for its overlay.
TADO_OVERLAY_SENSOR = "overlay"
ATTR_TERMINATION = "termination"


def kinds(hass: HomeAssistant, entity_ids: Iterable[str]) -> dict[str, Kind]:
    """Return how each entity is set back: Tado zones by their platform, in the registry.

    Equiwatt's own entities (its Setback switch) are never set back.
    """
    registry = er.async_get(hass)
    chosen: dict[str, Kind] = {}
    for entity_id in entity_ids:
        entry = registry.async_get(entity_id)
        if entry is not None and entry.platform == DOMAIN:
            continue
        if split_entity_id(entity_id)[0] == Platform.SWITCH:
            chosen[entity_id] = Kind.SWITCH
        elif entry is not None and entry.platform == Kind.TADO:
            chosen[entity_id] = Kind.TADO
        else:
            chosen[entity_id] = Kind.CLIMATE
    return chosen


@callback
def async_track_entities(
    hass: HomeAssistant,
    entity_ids: list[str],
    on_state: Callable[[Event[EventStateChangedData]], None],
    on_rename: Callable[[str, str], None],
) -> CALLBACK_TYPE:
    """Follow the entities' states, and their renames in the entity registry."""

    @callback
    def _renamed(event: Event[er.EventEntityRegistryUpdatedData]) -> None:
        data = event.data
        if data["action"] == "update" and "old_entity_id" in data:
            on_rename(data["old_entity_id"], data["entity_id"])

    unsubs = [
        async_track_state_change_event(hass, entity_ids, on_state),
        async_track_entity_registry_updated_event(hass, entity_ids, _renamed),
    ]

    @callback
    def _stop() -> None:
        for unsub in unsubs:
            unsub()

    return _stop


def tado_overlay(hass: HomeAssistant, entity_id: str) -> str | None:
    """Return how a Tado zone's manual overlay ends (MANUAL, TADO_MODE, TIMER), if known.

    Core's tado shows it only on the zone's overlay binary sensor, on the same device.
    """
    registry = er.async_get(hass)
    zone = registry.async_get(entity_id)
    if zone is None or zone.device_id is None:
        return None
    for entry in er.async_entries_for_device(registry, zone.device_id):
        if (
            entry.platform == Kind.TADO
            and entry.domain == Platform.BINARY_SENSOR
            and entry.translation_key == TADO_OVERLAY_SENSOR
            and (state := hass.states.get(entry.entity_id)) is not None
        ):
            termination = state.attributes.get(ATTR_TERMINATION)
            return termination if isinstance(termination, str) else None
    return None


def renamed_options(options: Mapping[str, Any], old: str, new: str) -> dict[str, Any] | None:
    """Return the options with an entity renamed among the chosen ones; None if not chosen."""
    renamed = dict(options)
    for key in (CONF_SETBACK_CLIMATES, CONF_SETBACK_SWITCHES):
        if key in options:
            renamed[key] = [new if chosen == old else chosen for chosen in options[key]]
    return renamed if renamed != dict(options) else None


def forget_removed(hass: HomeAssistant, memory: Memory) -> None:
    """Forget entities removed from Home Assistant: there is nothing left to put back."""
    registry = er.async_get(hass)
    for entity_id in list(memory.entries):
        if hass.states.get(entity_id) is None and registry.async_get(entity_id) is None:
            LOGGER.warning("%s no longer exists: the setback forgets it", entity_id)
            del memory.entries[entity_id]
