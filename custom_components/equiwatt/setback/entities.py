"""The chosen entities as the setback sees them: their kind, and a Tado zone's overlay."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, split_entity_id
from homeassistant.helpers import entity_registry as er

from .settings import Kind

TADO = "tado"
# The translation key of the binary sensor core's tado gives each zone for its overlay.
TADO_OVERLAY_SENSOR = "overlay"
ATTR_TERMINATION = "termination"


def kinds(hass: HomeAssistant, entity_ids: Iterable[str]) -> dict[str, Kind]:
    """Return how each entity is set back: Tado zones by their platform, in the registry."""
    registry = er.async_get(hass)
    chosen: dict[str, Kind] = {}
    for entity_id in entity_ids:
        if split_entity_id(entity_id)[0] == Platform.SWITCH:
            chosen[entity_id] = Kind.SWITCH
            continue
        entry = registry.async_get(entity_id)
        chosen[entity_id] = Kind.TADO if entry and entry.platform == TADO else Kind.CLIMATE
    return chosen


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
            entry.platform == TADO
            and entry.domain == Platform.BINARY_SENSOR
            and entry.translation_key == TADO_OVERLAY_SENSOR
            and (state := hass.states.get(entry.entity_id)) is not None
        ):
            termination = state.attributes.get(ATTR_TERMINATION)
            return termination if isinstance(termination, str) else None
    return None
