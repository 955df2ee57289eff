"""The options of the saving per Equivent: the home's meter and its UK nation."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from homeassistant.components.energy.data import async_get_manager
from homeassistant.components.sensor import ATTR_STATE_CLASS, SensorDeviceClass, SensorStateClass
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from ..const import CONF_ENERGY_SENSOR, CONF_NATION
from .bank_holidays import DEFAULT_NATION, NATIONS

METER_STATE_CLASSES = {SensorStateClass.TOTAL, SensorStateClass.TOTAL_INCREASING}

SAVING_FIELDS: dict[vol.Marker, Any] = {
    vol.Optional(CONF_ENERGY_SENSOR): EntitySelector(
        EntitySelectorConfig(domain=Platform.SENSOR, device_class=SensorDeviceClass.ENERGY)
    ),
    vol.Optional(CONF_NATION): SelectSelector(
        SelectSelectorConfig(
            options=list(NATIONS), translation_key=CONF_NATION, mode=SelectSelectorMode.DROPDOWN
        )
    ),
}


async def async_suggested_options(hass: HomeAssistant, options: dict[str, Any]) -> dict[str, Any]:
    """Return the saving options to show: the saved ones, else the Energy dashboard's meter."""
    suggested = {CONF_NATION: DEFAULT_NATION, **options}
    if CONF_ENERGY_SENSOR not in suggested and (grid := await async_grid_sensor(hass)):
        suggested[CONF_ENERGY_SENSOR] = grid
    return {key: value for key, value in suggested.items() if value is not None}


async def async_grid_sensor(hass: HomeAssistant) -> str | None:
    """Return the Energy dashboard's grid consumption sensor, if it has one."""
    preferences: Any = (await async_get_manager(hass)).data
    if not preferences:
        return None
    for source in preferences.get("energy_sources", []):
        if source.get("type") != "grid":
            continue
        # The unified grid source names its meter; the legacy one lists them.
        candidates = [source.get("stat_energy_from")] + [
            flow.get("stat_energy_from") for flow in source.get("flow_from", [])
        ]
        for statistic_id in candidates:
            if isinstance(statistic_id, str) and statistic_id.startswith("sensor."):
                return statistic_id
    return None


def meter_error(hass: HomeAssistant, entity_id: str | None) -> str | None:
    """Return the form error for a chosen sensor that is not a meter of total energy."""
    if entity_id is None:
        return None
    state = hass.states.get(entity_id)
    if state is None or state.attributes.get(ATTR_STATE_CLASS) not in METER_STATE_CLASSES:
        return "not_a_meter"
    return None
