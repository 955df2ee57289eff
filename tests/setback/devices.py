"""Thermostats and plugs that are not Tado: core's generic_thermostat and template switches.

Core's generic thermostat heats only (heat or off). Thermostats that follow
their own schedule (`auto`) or keep a range (`heat_cool`) are doubles of a
plain climate entity: they keep whatever they are given, as most do; in
`auto` a target set by hand holds until the mode is set again, and the
schedule's target returns.
"""

from __future__ import annotations

from typing import Any, override

from pytest_homeassistant_custom_component.common import setup_test_component_platform

from homeassistant.components.climate import ClimateEntity, ClimateEntityFeature, HVACMode
from homeassistant.const import ATTR_TEMPERATURE, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

Writes = list[tuple[str, str, dict[str, Any]]]


async def add_devices(
    hass: HomeAssistant,
    *,
    generic: dict[str, float] | None = None,
    plain: list[PlainThermostat] | None = None,
    plugs: dict[str, bool] | None = None,
) -> None:
    """Add the home's devices, once (each integration takes its YAML once).

    `generic`: core's generic thermostats heating to {name: °C}, each with a
    heater; `plain`: the thermostat doubles; `plugs`: template switches
    ({name: on}), each backed by an input boolean, as smart plugs.
    """
    generic, plugs = generic or {}, plugs or {}
    assert await async_setup_component(hass, "homeassistant", {})
    booleans = {f"{name}_heater": {"initial": False} for name in generic} | {
        f"{name}_power": {"initial": on} for name, on in plugs.items()
    }
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": booleans})
    for name in generic:
        hass.states.async_set(f"sensor.{name}_temperature", "18.0", {"unit_of_measurement": "°C"})
    platforms: list[dict[str, Any]] = [
        {
            "platform": "generic_thermostat",
            "name": name.title(),
            "unique_id": f"generic-{name}",
            "heater": f"input_boolean.{name}_heater",
            "target_sensor": f"sensor.{name}_temperature",
            "target_temp": target,
            "initial_hvac_mode": HVACMode.HEAT,
        }
        for name, target in generic.items()
    ]
    if plain:
        setup_test_component_platform(hass, "climate", plain)
        platforms.append({"platform": "test"})
    assert await async_setup_component(hass, "climate", {"climate": platforms})
    switches = [_plug(name) for name in plugs]
    assert await async_setup_component(hass, "template", {"template": [{"switch": switches}]})
    await hass.async_block_till_done()


def _plug(name: str) -> dict[str, Any]:
    power = f"input_boolean.{name}_power"
    return {
        "name": name.replace("_", " ").title(),
        "unique_id": f"plug-{name}",
        "state": f"{{{{ is_state('{power}', 'on') }}}}",
        "turn_on": {"action": "input_boolean.turn_on", "target": {"entity_id": power}},
        "turn_off": {"action": "input_boolean.turn_off", "target": {"entity_id": power}},
    }


class PlainThermostat(ClimateEntity):
    """A thermostat that keeps whatever mode and targets it is given, and records each write."""

    _attr_supported_features = (
        ClimateEntityFeature.TARGET_TEMPERATURE
        | ClimateEntityFeature.TARGET_TEMPERATURE_RANGE
        | ClimateEntityFeature.TURN_OFF
        | ClimateEntityFeature.TURN_ON
    )
    _attr_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_min_temp = 7.0
    _attr_max_temp = 30.0
    _attr_should_poll = False

    def __init__(
        self,
        name: str,
        modes: list[HVACMode],
        mode: HVACMode,
        target: float | tuple[float, float] | None,
        writes: Writes,
    ) -> None:
        """Start in a mode with a target, or a (low, high) range."""
        self._attr_name = name
        self._attr_unique_id = name
        self._attr_hvac_modes = modes
        self._attr_hvac_mode = mode
        self._writes = writes
        low, high = target if isinstance(target, tuple) else (None, None)
        self._attr_target_temperature_low = low
        self._attr_target_temperature_high = high
        self._attr_target_temperature = None if isinstance(target, tuple) else target
        self._schedule = self._attr_target_temperature

    @override
    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the target or the range (and the mode, when given)."""
        self._writes.append((self.entity_id, "set_temperature", dict(kwargs)))
        if (mode := kwargs.get("hvac_mode")) is not None:
            await self.async_set_hvac_mode(mode)
            self._writes.pop()
        if ATTR_TEMPERATURE in kwargs:
            self._attr_target_temperature = kwargs[ATTR_TEMPERATURE]
        if "target_temp_low" in kwargs:
            self._attr_target_temperature_low = kwargs["target_temp_low"]
            self._attr_target_temperature_high = kwargs["target_temp_high"]
        self.async_write_ha_state()

    @override
    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Set the mode."""
        self._writes.append((self.entity_id, "set_hvac_mode", {"hvac_mode": hvac_mode}))
        self._attr_hvac_mode = hvac_mode
        if hvac_mode == HVACMode.AUTO:
            self._attr_target_temperature = self._schedule
        self.async_write_ha_state()
