"""The setback's options: the zones, their setback temperature, and the plugs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol

from homeassistant.const import Platform, UnitOfTemperature
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)

from ..const import (
    CONF_SETBACK,
    CONF_SETBACK_CLIMATES,
    CONF_SETBACK_SWITCHES,
    CONF_SETBACK_TEMPERATURE,
    DEFAULT_SETBACK_TEMPERATURE,
)

SETBACK_KEYS = (CONF_SETBACK_CLIMATES, CONF_SETBACK_TEMPERATURE, CONF_SETBACK_SWITCHES)

SETBACK_FIELDS: dict[vol.Marker, Any] = {
    vol.Required(CONF_SETBACK): section(
        vol.Schema(
            {
                vol.Optional(CONF_SETBACK_CLIMATES): EntitySelector(
                    EntitySelectorConfig(domain=Platform.CLIMATE, multiple=True)
                ),
                vol.Optional(
                    CONF_SETBACK_TEMPERATURE, default=DEFAULT_SETBACK_TEMPERATURE
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=5,
                        max=25,
                        step=0.5,
                        unit_of_measurement=UnitOfTemperature.CELSIUS,
                        mode=NumberSelectorMode.BOX,
                    )
                ),
                vol.Optional(CONF_SETBACK_SWITCHES): EntitySelector(
                    EntitySelectorConfig(domain=Platform.SWITCH, multiple=True)
                ),
            }
        ),
        {"collapsed": False},
    )
}


def setback_options(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return the form's setback section as the entry's options keep it (flat)."""
    chosen = user_input.get(CONF_SETBACK, {})
    return {
        CONF_SETBACK_CLIMATES: list(chosen.get(CONF_SETBACK_CLIMATES, [])),
        CONF_SETBACK_TEMPERATURE: float(
            chosen.get(CONF_SETBACK_TEMPERATURE, DEFAULT_SETBACK_TEMPERATURE)
        ),
        CONF_SETBACK_SWITCHES: list(chosen.get(CONF_SETBACK_SWITCHES, [])),
    }


def setback_suggestions(options: Mapping[str, Any]) -> dict[str, Any]:
    """Return the entry's setback options as the form's section shows them."""
    return {CONF_SETBACK: {key: options[key] for key in SETBACK_KEYS if key in options}}
