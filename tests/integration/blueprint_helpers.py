"""Thermostat doubles and set-up helpers for the blueprint tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
import shutil
from typing import Any, override

from pytest_homeassistant_custom_component.common import (
    MockPlatform,
    mock_platform,
    setup_test_component_platform,
)
import voluptuous as vol

from homeassistant.components.climate import ClimateEntity, ClimateEntityFeature, HVACMode
from homeassistant.components.switch import SwitchEntity
from homeassistant.const import ATTR_TEMPERATURE, UnitOfTemperature
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, entity_platform
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints" / "automation" / "equiwatt"
MEMORY = "input_text.equivent_memory"
TADO_MIN_TEMP = 5.0
TADO_MAX_TEMP = 25.0

type Writes = list[tuple[str, str]]
"""Every write a thermostat received, in order: (entity id, what was called)."""


def writes_to(writes: Writes, entity_id: str) -> list[str]:
    """List what was called on one thermostat, in order."""
    return [call for target, call in writes if target == entity_id]


class FakePlug(SwitchEntity):
    """A smart plug."""

    def __init__(self, name: str) -> None:
        """Start on."""
        self._attr_name = name
        self._attr_unique_id = name
        self._attr_is_on = True

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn on."""
        self._attr_is_on = True
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn off."""
        self._attr_is_on = False
        self.async_write_ha_state()


class FakeThermostat(ClimateEntity):
    """A plain thermostat: it keeps whatever mode and targets it is given."""

    _attr_hvac_modes = [HVACMode.HEAT, HVACMode.COOL, HVACMode.HEAT_COOL, HVACMode.OFF]
    _attr_supported_features = (
        ClimateEntityFeature.TARGET_TEMPERATURE
        | ClimateEntityFeature.TARGET_TEMPERATURE_RANGE
        | ClimateEntityFeature.TURN_OFF
        | ClimateEntityFeature.TURN_ON
    )
    _attr_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_max_temp = 30.0

    def __init__(
        self, name: str, mode: HVACMode, target: float | tuple[float, float] | None, writes: Writes
    ) -> None:
        """Start in a mode with a target, or a (low, high) range for heat_cool."""
        self._attr_name = name
        self._attr_unique_id = name
        self._attr_hvac_mode = mode
        self._writes = writes
        low, high = target if isinstance(target, tuple) else (None, None)
        self._attr_target_temperature_low = low
        self._attr_target_temperature_high = high
        self._attr_target_temperature = None if isinstance(target, tuple) else target

    @override
    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the target or the range."""
        self._writes.append((self.entity_id, "set_temperature"))
        if ATTR_TEMPERATURE in kwargs:
            self._attr_target_temperature = kwargs[ATTR_TEMPERATURE]
        if "target_temp_low" in kwargs:
            self._attr_target_temperature_low = kwargs["target_temp_low"]
            self._attr_target_temperature_high = kwargs["target_temp_high"]
        self.async_write_ha_state()

    @override
    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Set the mode."""
        self._writes.append((self.entity_id, "set_hvac_mode"))
        self._attr_hvac_mode = hvac_mode
        self.async_write_ha_state()


@dataclass
class Overlay:
    """A setting over the schedule; `ends` None means until changed by hand."""

    mode: HVACMode
    target: float | None
    ends: datetime | None = None


class ScheduledZone(ClimateEntity):
    """A zone that behaves like Home Assistant's `tado` climate entity.

    Without an overlay it follows its smart schedule: hvac mode `auto`, target
    from the schedule. `climate.set_temperature` in `auto` or `off` creates a
    manual heat overlay; `set_hvac_mode` `auto` deletes the overlay (back to the
    schedule); `tado.set_climate_timer` creates a heat overlay that Tado itself
    ends after `time_period`, back to the schedule. Every write is recorded.
    """

    _attr_supported_features = (
        ClimateEntityFeature.TARGET_TEMPERATURE
        | ClimateEntityFeature.TURN_OFF
        | ClimateEntityFeature.TURN_ON
    )
    _attr_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_min_temp = TADO_MIN_TEMP
    _attr_max_temp = TADO_MAX_TEMP
    _attr_should_poll = False

    def __init__(
        self,
        name: str,
        schedule: float,
        writes: Writes,
        overlay: Overlay | None = None,
        *,
        air_conditioning: bool = False,
    ) -> None:
        """Follow a schedule at `schedule` °C, or start with an overlay."""
        self._attr_name = name
        self._attr_unique_id = name
        self._attr_hvac_modes = [HVACMode.OFF, HVACMode.AUTO, HVACMode.HEAT]
        if air_conditioning:
            self._attr_hvac_modes.append(HVACMode.COOL)
        self.schedule = schedule
        self.overlay = overlay
        self._writes = writes
        self._cancel_expiry: CALLBACK_TYPE | None = None
        self.timer_period: float | None = None

    @property
    @override
    def hvac_mode(self) -> HVACMode:
        """Return the overlay's mode, else auto (the smart schedule)."""
        return self.overlay.mode if self.overlay is not None else HVACMode.AUTO

    @property
    @override
    def target_temperature(self) -> float | None:
        """Return the overlay's target, else the schedule's (tado shows its minimum when off)."""
        if self.overlay is None:
            return self.schedule
        if self.overlay.mode == HVACMode.OFF:
            return TADO_MIN_TEMP
        return self.overlay.target

    @override
    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Change the overlay's target; on the schedule or off, start a manual overlay."""
        self._writes.append((self.entity_id, "set_temperature"))
        keep = self.overlay is not None and self.overlay.mode not in (HVACMode.OFF, HVACMode.AUTO)
        mode = self.overlay.mode if keep and self.overlay is not None else HVACMode.HEAT
        self._set_overlay(Overlay(mode, kwargs[ATTR_TEMPERATURE]))

    @override
    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Go back to the schedule (auto), or set a manual overlay in that mode."""
        self._writes.append((self.entity_id, "set_hvac_mode"))
        if hvac_mode == HVACMode.AUTO:
            self._set_overlay(None)
        else:
            self._set_overlay(Overlay(hvac_mode, self.target_temperature))

    async def set_timer(
        self,
        temperature: float,
        time_period: float | None = None,
        requested_overlay: str | None = None,
    ) -> None:
        """Heat at `temperature` for `time_period` seconds, then back to the schedule."""
        self._writes.append((self.entity_id, "set_climate_timer"))
        self.timer_period = time_period
        ends = dt_util.utcnow() + timedelta(seconds=time_period or 3600)
        self._set_overlay(Overlay(HVACMode.HEAT, temperature, ends))

    def cancel_timer(self) -> None:
        """Forget a running timer (the test is over)."""
        if self._cancel_expiry is not None:
            self._cancel_expiry()
            self._cancel_expiry = None

    def _set_overlay(self, overlay: Overlay | None) -> None:
        self.cancel_timer()
        self.overlay = overlay
        if overlay is not None and overlay.ends is not None:
            self._cancel_expiry = async_track_point_in_utc_time(
                self.hass, self._expire, overlay.ends
            )
        self.async_write_ha_state()

    @callback
    def _expire(self, _now: datetime) -> None:
        """End the timer overlay, as Tado's servers do."""
        self._cancel_expiry = None
        self.overlay = None
        self.async_write_ha_state()


# tado's own schema of the service (homeassistant/components/tado/climate.py).
CLIMATE_TIMER_SCHEMA = {
    vol.Required(ATTR_TEMPERATURE): vol.Coerce(float),
    vol.Exclusive("time_period", "overlay_group"): vol.All(
        cv.time_period, cv.positive_timedelta, lambda td: td.total_seconds()
    ),
    vol.Exclusive("requested_overlay", "overlay_group"): vol.In(
        ["NEXT_TIME_BLOCK", "MANUAL", "TADO_DEFAULT"]
    ),
}


async def add_tado_zones(
    hass: HomeAssistant, zones: list[ScheduledZone], memory_max: int = 255
) -> None:
    """Add zones from a `tado` climate platform that registers `tado.set_climate_timer`."""

    async def setup_platform(
        hass: HomeAssistant,
        config: dict[str, Any],
        async_add_entities: AddEntitiesCallback,
        discovery_info: dict[str, Any] | None = None,
    ) -> None:
        platform = entity_platform.async_get_current_platform()
        platform.async_register_entity_service(
            "set_climate_timer", CLIMATE_TIMER_SCHEMA, "set_timer"
        )
        async_add_entities(zones)

    mock_platform(hass, "tado.climate", MockPlatform(async_setup_platform=setup_platform))
    assert await async_setup_component(hass, "climate", {"climate": {"platform": "tado"}})
    await _add_memory(hass, memory_max)


async def add_thermostats(
    hass: HomeAssistant, thermostats: list[ClimateEntity], memory_max: int = 255
) -> None:
    """Add thermostats from a test climate platform."""
    setup_test_component_platform(hass, "climate", thermostats)
    assert await async_setup_component(hass, "climate", {"climate": {"platform": "test"}})
    await _add_memory(hass, memory_max)


async def _add_memory(hass: HomeAssistant, memory_max: int = 255) -> None:
    assert await async_setup_component(
        hass, "input_text", {"input_text": {"equivent_memory": {"max": memory_max}}}
    )
    await hass.async_block_till_done()


async def use_blueprint(
    hass: HomeAssistant, config_dir: Path, blueprint: str, inputs: dict[str, Any]
) -> None:
    """Install our blueprints in `config_dir` and add an automation from one of them."""
    hass.config.config_dir = str(config_dir)
    shutil.copytree(BLUEPRINTS, config_dir / "blueprints" / "automation" / "equiwatt")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": blueprint,
                "use_blueprint": {"path": f"equiwatt/{blueprint}.yaml", "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()


def climates(hass: HomeAssistant, *entity_ids: str) -> dict[str, tuple[str, Any]]:
    """Each thermostat's mode and target (or (low, high) range)."""
    result: dict[str, tuple[str, Any]] = {}
    for entity_id in entity_ids:
        state = hass.states.get(entity_id)
        assert state is not None
        target = state.attributes.get(ATTR_TEMPERATURE)
        if target is None and state.attributes.get("target_temp_low") is not None:
            target = (state.attributes["target_temp_low"], state.attributes["target_temp_high"])
        result[entity_id] = (state.state, target)
    return result


async def restart(hass: HomeAssistant, down: Callable[[], Awaitable[None]]) -> None:
    """Simulate a restart around `down`, as the automations see one.

    While "down" the automations are off (nothing reacts, the memory and the
    thermostats keep their state); then they are on again and the start trigger
    runs them, as `homeassistant: start` does.
    """
    await hass.services.async_call("automation", "turn_off", {"entity_id": "all"}, blocking=True)
    await down()
    await hass.services.async_call("automation", "turn_on", {"entity_id": "all"}, blocking=True)
    await hass.services.async_call(
        "automation", "trigger", {"entity_id": "all", "skip_condition": False}, blocking=True
    )
    await hass.async_block_till_done()
