"""The blueprints, loaded by Home Assistant and driven by a real Equiwatt entry."""

from __future__ import annotations

from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
    setup_test_component_platform,
)

from homeassistant.components.climate import HVACMode
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from tests.conftest import SLOW_POLL, Simulator
from tests.integration.blueprint_helpers import (
    MEMORY,
    FakePlug,
    FakeThermostat,
    ScheduledZone,
    Writes,
    add_thermostats,
    climates,
    restart,
    use_blueprint,
    writes_to,
)
from tests.integration.conftest import advance
from tests.integration.helpers import BINARY, EVENT

LIVING = "climate.living_room"
OFFICE = "climate.office"
STUDIO = "climate.studio"
BEDROOM = "climate.bedroom"
HALL = "climate.hall"
THERMOSTATS = (LIVING, OFFICE, STUDIO, BEDROOM, HALL)
THERMOSTAT_INPUTS = {
    "equivent_sensor": BINARY,
    "thermostats": list(THERMOSTATS),
    "setback_temperature": 5,
    "memory": MEMORY,
}


async def _thermostats(hass: HomeAssistant, tmp_path: Path, memory_max: int = 255) -> Writes:
    """Heat, cool, heat_cool, a zone on its schedule and an off one, with the blueprint."""
    writes: Writes = []
    await add_thermostats(
        hass,
        [
            FakeThermostat("Living room", HVACMode.HEAT, 21.0, writes),
            FakeThermostat("Office", HVACMode.COOL, 24.0, writes),
            FakeThermostat("Studio", HVACMode.HEAT_COOL, (19.0, 25.0), writes),
            ScheduledZone("Bedroom", 18.5, writes),
            FakeThermostat("Hall", HVACMode.OFF, None, writes),
        ],
        memory_max,
    )
    await use_blueprint(hass, tmp_path, "thermostat_setback", THERMOSTAT_INPUTS)
    return writes


SET_BACK = {
    LIVING: ("heat", 7),  # its minimum: the setback is 5
    OFFICE: ("cool", 30),  # cooling stops at its maximum
    STUDIO: ("heat_cool", (7, 30)),
    BEDROOM: ("heat", 5),  # set_temperature on a schedule starts a manual overlay
    HALL: ("off", None),
}


async def test_thermostat_setback_and_exact_restore(
    hass: HomeAssistant,
    tmp_path: Path,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Set back at the start (off ones untouched); back to the schedule or the exact target."""
    writes = await _thermostats(hass, tmp_path)
    before = climates(hass, *THERMOSTATS)
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    assert hass.states.get(BINARY).state == STATE_ON
    assert climates(hass, *THERMOSTATS) == SET_BACK
    assert hass.states.get(MEMORY).state.startswith("{")
    simulator.world.end_now()
    await advance(hass, freezer, SLOW_POLL)
    assert climates(hass, *THERMOSTATS) == before
    bedroom = hass.states.get(BEDROOM)
    assert bedroom.state == "auto", "back on its schedule, no manual overlay left"
    assert writes_to(writes, BEDROOM) == ["set_temperature", "set_hvac_mode"]
    assert writes_to(writes, LIVING) == ["set_temperature", "set_temperature"]
    assert writes_to(writes, HALL) == []
    assert hass.states.get(MEMORY).state == ""


async def test_thermostat_restore_after_a_restart(
    hass: HomeAssistant,
    tmp_path: Path,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A restart while live sets nothing back twice; one after the end restores all."""
    writes = await _thermostats(hass, tmp_path)
    before = climates(hass, *THERMOSTATS)
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)

    async def still_live() -> None:
        await advance(hass, freezer, SLOW_POLL)

    await restart(hass, still_live)
    assert climates(hass, *THERMOSTATS) == SET_BACK
    assert len(writes) == 4, "one setback each, not two"

    async def ended() -> None:
        simulator.world.end_now()
        await advance(hass, freezer, SLOW_POLL)
        assert hass.states.get(BINARY).state == STATE_OFF
        assert climates(hass, *THERMOSTATS) == SET_BACK, "automation was off"

    await restart(hass, ended)
    assert climates(hass, *THERMOSTATS) == before
    restored = len(writes)
    # A second start with nothing remembered changes nothing.
    await restart(hass, hass.async_block_till_done)
    assert climates(hass, *THERMOSTATS) == before
    assert len(writes) == restored


async def test_thermostat_nothing_set_back_that_the_memory_cannot_keep(
    hass: HomeAssistant,
    tmp_path: Path,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A memory helper too short to keep the settings: nothing is set back, the log says why."""
    writes = await _thermostats(hass, tmp_path, memory_max=50)
    before = climates(hass, *THERMOSTATS)
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    assert hass.states.get(BINARY).state == STATE_ON
    assert climates(hass, *THERMOSTATS) == before
    assert writes == []
    assert "set its maximum length to 255" in caplog.text


async def test_switches_off_and_back_on(
    hass: HomeAssistant,
    tmp_path: Path,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Plugs go off for the Equivent and back on after."""
    setup_test_component_platform(hass, "switch", [FakePlug("Dryer"), FakePlug("Dehumidifier")])
    assert await async_setup_component(hass, "switch", {"switch": {"platform": "test"}})
    await use_blueprint(
        hass,
        tmp_path,
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
    tmp_path: Path,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """One notification at the start and one at the end, however many polls and reloads run.

    A reload makes the event entity unavailable and then restores its last event.
    """
    calls: list[ServiceCall] = async_mock_service(hass, "notify", "phone")
    await use_blueprint(
        hass, tmp_path, "notify", {"equivent_event": EVENT, "notify_action": "notify.phone"}
    )
    simulator.world.start_now()
    await advance(hass, freezer, 3 * SLOW_POLL)
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await advance(hass, freezer, SLOW_POLL)
    simulator.world.end_now()
    await advance(hass, freezer, 3 * SLOW_POLL)
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await advance(hass, freezer, SLOW_POLL)
    assert [call.data["message"] for call in calls] == [
        "An Equivent has started: time to use less electricity.",
        "The Equivent is over.",
    ]
