"""Choosing the setback in the options, what the device shows, diagnostics and removal."""

from __future__ import annotations

from custom_components.equiwatt.const import CONF_PUSH
from custom_components.equiwatt.diagnostics import async_get_config_entry_diagnostics
from custom_components.equiwatt.setback.const import (
    CONF_SETBACK_CLIMATES,
    CONF_SETBACK_SWITCHES,
    CONF_SETBACK_TEMPERATURE,
)
from homeassistant.components.climate import HVACMode
from homeassistant.const import ATTR_TEMPERATURE, STATE_OFF, STATE_ON
from homeassistant.data_entry_flow import FlowResultType
from tests.integration.helpers import translated
from tests.setback.devices import add_devices
from tests.setback.home import SETBACK_SWITCH, Home

BEDROOM = "climate.bedroom"
PLUG = "switch.dehumidifier"


async def _configure(home: Home, options: dict[str, object]) -> None:
    """Save the options form, as the user does under Configure."""
    assert home.entry is not None
    result = await home.hass.config_entries.options.async_init(home.entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await home.hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PUSH: True, **options}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await home.advance(5)


async def test_setback_chosen_in_the_options(home: Home) -> None:
    """No setback until chosen; then a Setback switch, the temperature, the plug, all put back."""
    await add_devices(home.hass, generic={"bedroom": 20.0}, plugs={"dehumidifier": True})
    await home.set_up()
    assert home.hass.states.get(SETBACK_SWITCH) is None, "nothing chosen, no switch"
    assert home.entry is not None
    result = await home.hass.config_entries.options.async_init(home.entry.entry_id)
    schema = result["data_schema"]
    assert schema is not None
    suggested = {
        str(key): key.description.get("suggested_value") for key in schema.schema if key.description
    }
    assert suggested[CONF_SETBACK_TEMPERATURE] == 5.0
    label = await translated(
        home.hass, f"component.equiwatt.options.step.{result['step_id']}.data.setback_climates"
    )
    assert label == "Heating zones"
    await _configure(
        home,
        {
            CONF_SETBACK_CLIMATES: [BEDROOM],
            CONF_SETBACK_TEMPERATURE: 10.5,
            CONF_SETBACK_SWITCHES: [PLUG],
        },
    )
    switch = home.state(SETBACK_SWITCH)
    assert switch.state == STATE_ON
    assert switch.attributes["friendly_name"] == "Equiwatt Setback"

    await home.start()
    assert home.state(BEDROOM).attributes[ATTR_TEMPERATURE] == 10.5
    assert home.state(PLUG).state == STATE_OFF
    diagnostics = await async_get_config_entry_diagnostics(home.hass, home.entry)
    entries = diagnostics["setback"]["entries"]
    assert entries[BEDROOM]["saved"] == {"mode": HVACMode.HEAT, "temperature": 20.0}
    assert entries[BEDROOM]["status"] == "set_back"
    assert entries[PLUG]["saved"] == {"mode": STATE_ON}

    # The plug is no longer wanted in the setback, mid-Equivent: it is put back at once.
    await _configure(home, {CONF_SETBACK_CLIMATES: [BEDROOM], CONF_SETBACK_TEMPERATURE: 10.5})
    assert home.state(PLUG).state == STATE_ON
    assert home.state(BEDROOM).attributes[ATTR_TEMPERATURE] == 10.5, "nothing set back twice"
    await home.advance_to(home.expected_end())
    await home.end()
    assert home.state(BEDROOM).state == HVACMode.HEAT
    assert home.state(BEDROOM).attributes[ATTR_TEMPERATURE] == 20.0


async def test_removing_the_entry_puts_everything_back(home: Home) -> None:
    """Deleting the integration mid-Equivent puts the zones and plugs back first."""
    await add_devices(home.hass, generic={"bedroom": 20.0}, plugs={"dehumidifier": True})
    await home.set_up(climates=[BEDROOM], switches=[PLUG])
    await home.start()
    assert home.state(PLUG).state == STATE_OFF
    assert home.entry is not None
    assert await home.hass.config_entries.async_remove(home.entry.entry_id)
    await home.advance(5)
    assert home.state(PLUG).state == STATE_ON
    assert home.state(BEDROOM).attributes[ATTR_TEMPERATURE] == 20.0
