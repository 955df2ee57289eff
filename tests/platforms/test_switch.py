"""The Setback switch, there while a zone is chosen for the setback."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from homeassistant.components.climate import HVACMode
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, STATE_OFF
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from tests.platforms.conftest import ZONE
from tests.setback.devices import Writes
from tests.setback.home import settle

SETBACK = "switch.equiwatt_setback"


async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    loaded_entry: MockConfigEntry,
    setback_writes: Writes,
) -> None:
    """On, with the thermostat set back for the live Equivent (to its minimum, 7 °C)."""
    assert setback_writes == [(ZONE, "set_temperature", {"entity_id": [ZONE], "temperature": 7.0})]
    await snapshot_platform(hass, entity_registry, snapshot, loaded_entry.entry_id)


async def test_turn_off_puts_the_zone_back(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    setback_writes: Writes,
) -> None:
    """Off during the Equivent, the thermostat gets its own target back at once."""
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: SETBACK}, blocking=True
    )
    await settle(hass)
    state = hass.states.get(SETBACK)
    assert state.state == STATE_OFF
    assert state.attributes["set_back"] == []
    assert setback_writes[1:] == [
        (
            ZONE,
            "set_temperature",
            {"entity_id": [ZONE], "hvac_mode": HVACMode.HEAT, "temperature": 20.0},
        )
    ], "its mode and target, in one write"
    assert hass.states.get(ZONE).attributes["temperature"] == 20.0
