"""The setback's options: the zones, their setback temperature, and the plugs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol

from homeassistant.const import Platform, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)

from .const import (
    CONF_SETBACK_CLIMATES,
    CONF_SETBACK_SWITCHES,
    CONF_SETBACK_TEMPERATURE,
    DEFAULT_SETBACK_TEMPERATURE,
)


def setback_fields(hass: HomeAssistant, entry_id: str) -> dict[vol.Marker, Any]:
    """Return the setback's fields; Equiwatt's own entities (its Setback switch) are not offered."""
    ours = [
        entity.entity_id
        for entity in er.async_entries_for_config_entry(er.async_get(hass), entry_id)
    ]
    return {
        vol.Optional(CONF_SETBACK_CLIMATES): EntitySelector(
            EntitySelectorConfig(domain=Platform.CLIMATE, multiple=True, exclude_entities=ours)
        ),
        vol.Optional(CONF_SETBACK_TEMPERATURE): NumberSelector(
            NumberSelectorConfig(
                min=5,
                max=25,
                step=0.5,
                unit_of_measurement=UnitOfTemperature.CELSIUS,
                mode=NumberSelectorMode.BOX,
            )
        ),
        vol.Optional(CONF_SETBACK_SWITCHES): EntitySelector(
            EntitySelectorConfig(domain=Platform.SWITCH, multiple=True, exclude_entities=ours)
        ),
    }


def setback_suggestions(options: dict[str, Any]) -> dict[str, Any]:
    """Return the setback options to show: the saved ones, else the default temperature."""
    return {CONF_SETBACK_TEMPERATURE: DEFAULT_SETBACK_TEMPERATURE} | {
        key: options[key]
        for key in (CONF_SETBACK_CLIMATES, CONF_SETBACK_TEMPERATURE, CONF_SETBACK_SWITCHES)
        if key in options
    }


def chosen_in(options: Mapping[str, Any]) -> tuple[list[str], float]:
    """Return the entities chosen in the options (zones, then plugs), and the temperature."""
    chosen = [*options.get(CONF_SETBACK_CLIMATES, []), *options.get(CONF_SETBACK_SWITCHES, [])]
    return chosen, float(options.get(CONF_SETBACK_TEMPERATURE, DEFAULT_SETBACK_TEMPERATURE))
