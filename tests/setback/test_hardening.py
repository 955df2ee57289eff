"""The setback where a review tried to break it: quotas, overruns, demos, renames, odd devices."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, override

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.equiwatt.const import DOMAIN
from homeassistant.components.climate import HVACMode
from homeassistant.config_entries import ConfigEntryDisabler
from homeassistant.const import ATTR_TEMPERATURE
from homeassistant.helpers import entity_registry as er
from tests.setback.devices import PlainThermostat, Writes, add_devices
from tests.setback.home import FIRST_START, SETBACK_SWITCH, Home
from tests.setback.test_tado import (
    LIVING,
    MANUAL_21,
    SCHEDULE_20,
    SETBACK,
    STUDY,
    entity,
    four_zones,
    settings,
    zones,
)
from tests.tado_cloud import Zone


def overlay_writes(home: Home, zone_id: int, since: datetime) -> list[tuple[str, int]]:
    """Every overlay write a zone was sent (answered or refused), with Tado's status."""
    return [
        (logged.method, logged.status)
        for logged in home.cloud.requests_since(since)
        if logged.path.endswith(f"/zones/{zone_id}/overlay") and logged.method != "GET"
    ]


async def test_free_tier_back_to_back_then_429_until_the_quota_renews(home: Home) -> None:
    """100 a day, two Equivents back to back, then Tado refusing (429) at the second end.

    Nothing is put back to the setback temperature by mistake, retries back off
    (hours of 429 cost a few dozen refused writes, not hundreds), and once the
    quota renews every zone is exactly back. Core's tado polls nothing here
    (2026.3's polls every 5 minutes would spend the 100 by themselves).
    """
    home.cloud.quota = 100
    home.cloud.add_zone(Zone(LIVING, "Living room", 20.0))
    home.cloud.add_zone(Zone(STUDY, "Study", 19.0))
    home.cloud.set_manual(STUDY, 21.0)
    await home.set_up(tado_polling=False)
    home.cloud.used = 0  # a new day begins
    await home.start(name="first")
    await home.advance(60)
    await home.advance_to(home.expected_end("first"))
    await home.end()
    await home.advance(2, step=1)
    await home.start(name="second")
    await home.advance(60)
    assert settings(home)[LIVING] == SETBACK
    assert settings(home)[STUDY] == SETBACK
    await home.advance_to(home.expected_end("second"))
    home.cloud.used = home.cloud.quota  # spent: Tado answers 429 until it renews
    await home.end(name="refused")
    await home.advance(6 * 3600, step=120)
    refused = overlay_writes(home, STUDY, home.marks["refused"])
    assert all(status == 429 for _, status in refused)
    assert 10 <= len(refused) <= 40, "retries back off"
    assert overlay_writes(home, LIVING, home.marks["refused"]) == []
    home.cloud.used = 0  # the day's quota renews
    await home.advance(30 * 60, step=60)
    assert settings(home)[STUDY] == MANUAL_21
    assert settings(home)[LIVING] == SCHEDULE_20
    assert home.state(SETBACK_SWITCH).attributes["not_restored"] == []


async def test_schedule_zone_waiting_on_tado_is_released_by_its_own_timer(home: Home) -> None:
    """Ended 30 minutes early with Tado down: once the zone's timer ran out, nothing waits."""
    await four_zones(home)
    await home.start()
    await home.advance(60)
    await home.advance_to(home.marks["start"] + timedelta(minutes=29))
    home.cloud.unreachable = True
    await home.end()
    await home.advance_to(home.expected_end() + timedelta(minutes=20), step=60)
    assert home.state(SETBACK_SWITCH).attributes["not_restored"] == [entity(home, STUDY)]
    home.cloud.unreachable = False
    back = home.marks["back"] = home.cloud.clock()
    await home.advance(20 * 60, step=30)
    assert overlay_writes(home, LIVING, back) == [], "Tado's timer did it"
    assert settings(home)[LIVING] == SCHEDULE_20
    assert settings(home)[STUDY] == MANUAL_21


async def test_an_overrun_keeps_the_zones_set_back(home: Home) -> None:
    """An Equivent half an hour past its expected end: the timers are set again, then put back."""
    await four_zones(home)
    await home.start()
    await home.advance(60)
    await home.advance_to(home.expected_end() + timedelta(minutes=30), step=30)
    assert settings(home)[LIVING] == SETBACK, "no heating during the Equivent"
    assert settings(home)[STUDY] == SETBACK
    await home.end()
    await home.advance(60)
    assert settings(home)[LIVING] == SCHEDULE_20
    assert settings(home)[STUDY] == MANUAL_21
    writes = home.cloud.writes_to(LIVING, home.marks["start"])
    assert writes.count("PUT") <= 4, "a timer every 15 minutes of overrun, not more"


async def test_a_temporary_tado_setting_stays_temporary(home: Home) -> None:
    """A two-hour boost comes back until the next time block, never as a permanent overlay."""
    for zone in zones():
        home.cloud.add_zone(zone)
    home.cloud.set_manual(STUDY, 23.0, termination="TIMER", seconds=7200)
    await home.set_up()
    await home.start()
    await home.advance(60)
    await home.advance_to(home.expected_end())
    await home.end()
    await home.advance(60)
    assert settings(home)[STUDY] == ("TADO_MODE", 23.0)
    await home.advance_to(datetime.fromisoformat("2026-11-20T22:05:00+00:00"), step=600)
    assert settings(home)[STUDY] == ("SCHEDULE", 19.0)


async def test_a_demo_start_does_not_spoil_the_real_equivent(home: Home) -> None:
    """A `started` demo at 16:41 (nothing live at the API), the real Equivent at 17:01."""
    for zone in zones():
        home.cloud.add_zone(zone)
    home.cloud.set_manual(STUDY, 21.0)
    await home.set_up(start=FIRST_START - timedelta(minutes=20))
    await home.webhook("started")
    await home.advance(60)
    assert settings(home)[LIVING] == SETBACK, "a demo sets back like a real start"
    await home.advance(15 * 60, step=30)
    assert settings(home)[LIVING] == SCHEDULE_20, "undone when the API disagrees"
    await home.advance_to(FIRST_START)
    await home.start()
    await home.advance(60)
    assert settings(home)[LIVING] == SETBACK
    assert settings(home)[STUDY] == SETBACK


async def test_days_without_a_tado_poll_between_two_equivents(home: Home) -> None:
    """Core's tado not polling: Home Assistant shows 5 °C for days; the next Equivent still sets back."""
    await home.set_up([Zone(LIVING, "Living room", 20.0)], tado_polling=False)
    await home.start(name="first")
    await home.advance(60)
    await home.advance_to(home.expected_end("first"))
    await home.end()
    await home.advance(2 * 86400, step=3600)
    assert home.state(entity(home, LIVING)).attributes[ATTR_TEMPERATURE] == 5.0, "stale"
    await home.start(name="second")
    await home.advance(60)
    assert home.cloud.setting(LIVING) == SETBACK
    await home.advance_to(home.expected_end("second"))
    await home.end()
    await home.advance(60)
    assert home.cloud.setting(LIVING) == SCHEDULE_20


class RoundingThermostat(PlainThermostat):
    """A thermostat that takes whole degrees only."""

    _attr_target_temperature_step = 1.0

    @override
    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Round the target to a whole degree."""
        if ATTR_TEMPERATURE in kwargs:
            kwargs[ATTR_TEMPERATURE] = float(round(kwargs[ATTR_TEMPERATURE]))
        await super().async_set_temperature(**kwargs)


async def test_a_thermostat_that_rounds_the_setback_is_put_back(home: Home) -> None:
    """What a thermostat made of our write is our setback, not a change by hand."""
    writes: Writes = []
    plain = RoundingThermostat("Plain", [HVACMode.HEAT, HVACMode.OFF], HVACMode.HEAT, 20.0, writes)
    await add_devices(home.hass, plain=[plain])
    await home.set_up(climates=["climate.plain"], temperature=10.5)
    await home.start()
    await home.advance(30)
    assert home.state("climate.plain").attributes[ATTR_TEMPERATURE] == 10.0
    await home.advance_to(home.expected_end())
    await home.end()
    assert home.state("climate.plain").attributes[ATTR_TEMPERATURE] == 20.0


async def test_the_setback_switch_is_never_set_back(home: Home) -> None:
    """Chosen among the plugs by mistake, Equiwatt's own switch is left out (no loop)."""
    await add_devices(home.hass, generic={"bedroom": 20.0})
    await home.set_up(climates=["climate.bedroom"], switches=[SETBACK_SWITCH])
    await home.start()
    await home.advance(30)
    assert home.state(SETBACK_SWITCH).state == "on"
    assert home.state("climate.bedroom").attributes[ATTR_TEMPERATURE] == 7.0
    assert home.state(SETBACK_SWITCH).attributes["set_back"] == ["climate.bedroom"]


async def test_a_zone_unavailable_at_the_start_is_set_back_once_available(home: Home) -> None:
    """A thermostat still starting up when the Equivent begins is set back when it is there."""
    writes: Writes = []
    plain = PlainThermostat("Plain", [HVACMode.HEAT, HVACMode.OFF], HVACMode.HEAT, 20.0, writes)
    await add_devices(home.hass, plain=[plain])
    await home.set_up(climates=["climate.plain"])
    plain._attr_available = False
    plain.async_write_ha_state()
    await home.start()
    await home.advance(30)
    assert writes == []
    plain._attr_available = True
    plain.async_write_ha_state()
    await home.advance(5)
    assert home.state("climate.plain").attributes[ATTR_TEMPERATURE] == 7.0
    await home.advance_to(home.expected_end())
    await home.end()
    assert home.state("climate.plain").attributes[ATTR_TEMPERATURE] == 20.0


async def test_a_thermostat_renamed_mid_equivent_is_still_put_back(home: Home) -> None:
    """Renamed in Home Assistant during the Equivent: the memory and the options follow."""
    await add_devices(home.hass, generic={"bedroom": 20.0})
    await home.set_up(climates=["climate.bedroom"])
    await home.start()
    await home.advance(30)
    er.async_get(home.hass).async_update_entity("climate.bedroom", new_entity_id="climate.loft")
    await home.advance(5)
    assert home.entry is not None
    assert home.entry.options["setback_climates"] == ["climate.loft"]
    await home.advance_to(home.expected_end())
    await home.end()
    assert home.state("climate.loft").attributes[ATTR_TEMPERATURE] == 20.0


async def test_disabling_the_integration_mid_equivent_puts_everything_back(home: Home) -> None:
    """Disabled by the user during an Equivent: nothing would put the zones back later."""
    await add_devices(home.hass, generic={"bedroom": 20.0}, plugs={"dehumidifier": True})
    await home.set_up(climates=["climate.bedroom"], switches=["switch.dehumidifier"])
    await home.start()
    await home.advance(30)
    assert home.entry is not None
    await home.hass.config_entries.async_set_disabled_by(
        home.entry.entry_id, ConfigEntryDisabler.USER
    )
    await home.advance(5)
    assert home.state("climate.bedroom").attributes[ATTR_TEMPERATURE] == 20.0
    assert home.state("switch.dehumidifier").state == "on"


async def test_the_memory_is_saved_without_an_unload(
    home: Home, hass_storage: dict[str, Any]
) -> None:
    """Home Assistant stopping unloads nothing: the memory is in storage before and after writes."""
    await add_devices(home.hass, generic={"bedroom": 20.0})
    await home.set_up(climates=["climate.bedroom"])
    await home.start()
    await home.advance(5)
    entry: MockConfigEntry | None = home.entry
    assert entry is not None
    saved = hass_storage[f"{DOMAIN}.{entry.entry_id}.setback"]["data"]
    assert saved["entries"]["climate.bedroom"]["status"] == "set_back"
    assert saved["entries"]["climate.bedroom"]["saved"] == {"mode": "heat", "temperature": 20.0}
