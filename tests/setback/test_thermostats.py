"""The setback of thermostats that are not Tado, and of plugs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.components.climate import HVACMode
from homeassistant.const import ATTR_ENTITY_ID, ATTR_TEMPERATURE, STATE_OFF, STATE_ON
from tests.setback.devices import PlainThermostat, Writes, add_devices
from tests.setback.home import SETBACK_SWITCH, Home

BEDROOM = "climate.bedroom"  # core's generic thermostat, heating to 20 °C
SCHEDULED = "climate.scheduled"  # follows its own schedule (auto)
RANGE = "climate.range"  # keeps 18-24 °C (heat_cool)
COOLING = "climate.cooling"  # an air conditioner, cooling
OFF = "climate.off"
ALL = [BEDROOM, SCHEDULED, RANGE, COOLING, OFF]


async def thermostats(home: Home, writes: Writes) -> None:
    """Add the five thermostats, then Equiwatt setting them all back."""
    heating = [HVACMode.AUTO, HVACMode.HEAT, HVACMode.OFF]
    every = [HVACMode.HEAT, HVACMode.COOL, HVACMode.HEAT_COOL, HVACMode.OFF]
    await add_devices(
        home.hass,
        generic={"bedroom": 20.0},
        plain=[
            PlainThermostat("Scheduled", heating, HVACMode.AUTO, 19.0, writes),
            PlainThermostat("Range", every, HVACMode.HEAT_COOL, (18.0, 24.0), writes),
            PlainThermostat("Cooling", every, HVACMode.COOL, 23.0, writes),
            PlainThermostat("Off", every, HVACMode.OFF, None, writes),
        ],
    )
    await home.set_up(climates=ALL)


def looks(home: Home) -> dict[str, tuple[str, Any]]:
    """Each thermostat's mode and target (or range)."""
    found = {}
    for entity_id in ALL:
        state = home.state(entity_id)
        target = state.attributes.get(ATTR_TEMPERATURE)
        if target is None and state.attributes.get("target_temp_low") is not None:
            target = (state.attributes["target_temp_low"], state.attributes["target_temp_high"])
        found[entity_id] = (state.state, target)
    return found


BEFORE = {
    BEDROOM: (HVACMode.HEAT, 20.0),
    SCHEDULED: (HVACMode.AUTO, 19.0),
    RANGE: (HVACMode.HEAT_COOL, (18.0, 24.0)),
    COOLING: (HVACMode.COOL, 23.0),
    OFF: (HVACMode.OFF, None),
}
# Never below a thermostat's own minimum (7 °C for these); a range cools up to its maximum.
DURING = {
    **BEFORE,
    BEDROOM: (HVACMode.HEAT, 7.0),
    SCHEDULED: (HVACMode.AUTO, 7.0),
    RANGE: (HVACMode.HEAT_COOL, (7.0, 30.0)),
}


async def test_thermostats_set_back_and_put_exactly_back(home: Home) -> None:
    """Heat, auto and heat_cool are set back; cooling and off are left alone; all put back."""
    writes: Writes = []
    await thermostats(home, writes)
    assert looks(home) == BEFORE
    await home.start()
    assert looks(home) == DURING
    await home.advance_to(home.expected_end())
    await home.end()
    assert looks(home) == BEFORE
    # The schedule's thermostat gets its mode back, not its old target pinned.
    assert [call for entity, call, _ in writes if entity == SCHEDULED] == [
        "set_temperature",
        "set_hvac_mode",
    ]
    assert [entity for entity, _, _ in writes if entity in (COOLING, OFF)] == []


async def test_thermostats_back_to_back(home: Home) -> None:
    """`ended`, then `started` 2 s later: set back again from the memory, then put back."""
    writes: Writes = []
    await thermostats(home, writes)
    await home.start(name="first")
    await home.advance_to(home.expected_end("first"))
    await home.end()
    await home.advance(2, step=1)
    await home.start(name="second")
    await home.advance(30)
    assert looks(home) == DURING
    await home.advance_to(home.expected_end("second"))
    await home.end()
    assert looks(home) == BEFORE


async def test_thermostat_changed_by_hand(home: Home) -> None:
    """A thermostat changed by hand during the Equivent keeps what the user set."""
    writes: Writes = []
    await thermostats(home, writes)
    await home.start()
    await home.advance(60)
    await home.hass.services.async_call(
        "climate",
        "set_temperature",
        {ATTR_ENTITY_ID: BEDROOM, ATTR_TEMPERATURE: 22},
        blocking=True,
    )
    await home.advance(60)
    await home.advance_to(home.expected_end())
    await home.end()
    assert looks(home) == {**BEFORE, BEDROOM: (HVACMode.HEAT, 22.0)}


async def test_restart_with_home_assistant_down_at_the_end(home: Home) -> None:
    """Down at the end, the thermostats are put back when Home Assistant is back."""
    writes: Writes = []
    await thermostats(home, writes)
    await home.start()
    await home.advance(60)
    await home.stop()
    await home.advance_to(home.expected_end() + timedelta(minutes=10))
    await home.end(push=False)
    await home.restart()
    await home.advance(200, step=10)
    assert looks(home) == BEFORE


async def test_plugs_off_then_on_again(home: Home) -> None:
    """Two plugs on, one off: the two are turned off, back on unless switched on by hand meanwhile."""
    await add_devices(home.hass, plugs={"dehumidifier": True, "dryer": False, "towel_rail": True})
    plugs = ["switch.dehumidifier", "switch.dryer", "switch.towel_rail"]
    await home.set_up(switches=plugs)
    await home.start()
    assert [home.state(plug).state for plug in plugs] == [STATE_OFF, STATE_OFF, STATE_OFF]
    assert home.state(SETBACK_SWITCH).attributes["set_back"] == [
        "switch.dehumidifier",
        "switch.towel_rail",
    ]
    await home.advance(600, step=60)
    # The towel rail is wanted after all: switched on by hand.
    await home.hass.services.async_call(
        "switch", "turn_on", {ATTR_ENTITY_ID: "switch.towel_rail"}, blocking=True
    )
    await home.advance(60)
    assert home.state("switch.towel_rail").state == STATE_ON, "left as the user set it"
    await home.advance_to(home.expected_end())
    await home.end()
    assert [home.state(plug).state for plug in plugs] == [STATE_ON, STATE_OFF, STATE_ON]
    assert home.state(SETBACK_SWITCH).attributes["set_back"] == []
