"""The blueprints, loaded by Home Assistant and driven by a real Equiwatt entry."""

from __future__ import annotations

from pathlib import Path
import shutil
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
    setup_test_component_platform,
)

from homeassistant.components.climate import ClimateEntity, ClimateEntityFeature, HVACMode
from homeassistant.components.switch import SwitchEntity
from homeassistant.const import STATE_OFF, STATE_ON, UnitOfTemperature
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from tests.conftest import SLOW_POLL, Simulator
from tests.integration.conftest import advance
from tests.integration.helpers import BINARY, EVENT

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints" / "automation" / "equiwatt"
MEMORY = "input_text.equivent_memory"


class FakeThermostat(ClimateEntity):
    """A thermostat with heat and off modes and a target temperature."""

    _attr_hvac_modes = [HVACMode.HEAT, HVACMode.AUTO, HVACMode.OFF]
    _attr_supported_features = (
        ClimateEntityFeature.TARGET_TEMPERATURE
        | ClimateEntityFeature.TURN_OFF
        | ClimateEntityFeature.TURN_ON
    )
    _attr_temperature_unit = UnitOfTemperature.CELSIUS

    def __init__(self, name: str, mode: HVACMode, target: float | None) -> None:
        """Start in a mode with a target."""
        self._attr_name = name
        self._attr_unique_id = name
        self._attr_hvac_mode = mode
        self._attr_target_temperature = target

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the target."""
        self._attr_target_temperature = kwargs["temperature"]
        self.async_write_ha_state()

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Set the mode."""
        self._attr_hvac_mode = hvac_mode
        self.async_write_ha_state()


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


@pytest.fixture
async def blueprints_installed(hass: HomeAssistant, tmp_path: Path) -> None:
    """Put our blueprints where Home Assistant looks for them."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints" / "automation" / "equiwatt")


async def _automation(hass: HomeAssistant, blueprint: str, inputs: dict[str, Any]) -> None:
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


async def _thermostats(hass: HomeAssistant) -> None:
    setup_test_component_platform(
        hass,
        "climate",
        [
            FakeThermostat("Living room", HVACMode.HEAT, 21.0),
            FakeThermostat("Bedroom", HVACMode.AUTO, 18.5),
            FakeThermostat("Hall", HVACMode.OFF, None),
        ],
    )
    assert await async_setup_component(hass, "climate", {"climate": {"platform": "test"}})
    assert await async_setup_component(
        hass, "input_text", {"input_text": {"equivent_memory": {"max": 255}}}
    )
    await hass.async_block_till_done()


def _climates(hass: HomeAssistant) -> dict[str, tuple[str, Any]]:
    return {
        entity_id: (
            hass.states.get(entity_id).state,
            hass.states.get(entity_id).attributes.get("temperature"),
        )
        for entity_id in ("climate.living_room", "climate.bedroom", "climate.hall")
    }


THERMOSTAT_INPUTS = {
    "equivent_sensor": BINARY,
    "thermostats": ["climate.living_room", "climate.bedroom", "climate.hall"],
    "setback_temperature": 5,
    "memory": MEMORY,
}


async def test_thermostat_setback_and_exact_restore(
    hass: HomeAssistant,
    blueprints_installed: None,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Set back at the start (off ones left alone), restore each mode and target at the end."""
    await _thermostats(hass)
    await _automation(hass, "thermostat_setback", THERMOSTAT_INPUTS)
    before = _climates(hass)
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    assert hass.states.get(BINARY).state == STATE_ON
    assert _climates(hass) == {
        "climate.living_room": ("heat", 7),  # its minimum: the setback is 5
        "climate.bedroom": ("auto", 7),
        "climate.hall": ("off", None),
    }
    assert hass.states.get(MEMORY).state.startswith("{")
    simulator.world.end_now()
    await advance(hass, freezer, SLOW_POLL)
    assert _climates(hass) == before
    assert hass.states.get(MEMORY).state == ""


async def test_thermostat_restore_after_a_restart(
    hass: HomeAssistant,
    blueprints_installed: None,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """What was remembered before a restart is restored when Home Assistant starts again.

    The restart is simulated the way it looks to the automation: the memory
    survives, the Equivent ended meanwhile, and the start trigger runs it.
    """
    await _thermostats(hass)
    await _automation(hass, "thermostat_setback", THERMOSTAT_INPUTS)
    before = _climates(hass)
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    assert _climates(hass)["climate.living_room"] == ("heat", 7)
    await hass.services.async_call("automation", "turn_off", {"entity_id": "all"}, blocking=True)
    simulator.world.end_now()
    await advance(hass, freezer, SLOW_POLL)
    assert hass.states.get(BINARY).state == STATE_OFF
    assert _climates(hass)["climate.living_room"] == ("heat", 7), "automation was off"
    await hass.services.async_call("automation", "turn_on", {"entity_id": "all"}, blocking=True)
    await hass.services.async_call(
        "automation", "trigger", {"entity_id": "all", "skip_condition": False}, blocking=True
    )
    await hass.async_block_till_done()
    assert _climates(hass) == before
    # A second start trigger with nothing remembered changes nothing.
    await hass.services.async_call("automation", "trigger", {"entity_id": "all"}, blocking=True)
    await hass.async_block_till_done()
    assert _climates(hass) == before


async def test_switches_off_and_back_on(
    hass: HomeAssistant,
    blueprints_installed: None,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Plugs go off for the Equivent and back on after."""
    setup_test_component_platform(hass, "switch", [FakePlug("Dryer"), FakePlug("Dehumidifier")])
    assert await async_setup_component(hass, "switch", {"switch": {"platform": "test"}})
    await _automation(
        hass,
        "switches_off",
        {"equivent_sensor": BINARY, "switches": ["switch.dryer", "switch.dehumidifier"]},
    )
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    assert hass.states.get("switch.dryer").state == STATE_OFF
    assert hass.states.get("switch.dehumidifier").state == STATE_OFF
    simulator.world.end_now()
    await advance(hass, freezer, SLOW_POLL)
    assert hass.states.get("switch.dryer").state == STATE_ON
    assert hass.states.get("switch.dehumidifier").state == STATE_ON


async def test_notify_once_at_start_and_end(
    hass: HomeAssistant,
    blueprints_installed: None,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """One notification at the start and one at the end, however many polls run."""
    calls: list[ServiceCall] = async_mock_service(hass, "notify", "phone")
    await _automation(hass, "notify", {"equivent_event": EVENT, "notify_action": "notify.phone"})
    simulator.world.start_now()
    await advance(hass, freezer, 3 * SLOW_POLL)
    simulator.world.end_now()
    await advance(hass, freezer, 3 * SLOW_POLL)
    assert [call.data["message"] for call in calls] == [
        "An Equivent has started: time to use less electricity.",
        "The Equivent is over.",
    ]
