"""The setback through core's real tado: final zone states and Tado's requests per phase.

Four Tado zones (one on its schedule, one on a manual 21 °C, one off, an air
conditioner) in a home whose Equivents usually last 59 min 20 s.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from custom_components.equiwatt.setback.repair import not_restored_issue_id
from homeassistant.const import ATTR_ENTITY_ID, ATTR_TEMPERATURE, STATE_OFF, STATE_ON
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from tests.setback.home import SETBACK_SWITCH, Home, full_refreshes, zone_entity
from tests.tado_cloud import Zone

LIVING, STUDY, HALL, CONSERVATORY = 1, 2, 3, 4
SCHEDULE_20 = ("SCHEDULE", 20.0)
MANUAL_21 = ("MANUAL", 21.0)
SETBACK = ("TIMER", 5.0)


def zones() -> list[Zone]:
    """Return the home's zones, as Tado knows them."""
    return [
        Zone(LIVING, "Living room", 20.0),
        Zone(STUDY, "Study", 19.0),
        Zone(HALL, "Hall", 18.0),
        Zone(CONSERVATORY, "Conservatory", 21.0, kind="AIR_CONDITIONING"),
    ]


async def four_zones(home: Home, *, tado_polling: bool = True) -> None:
    """Study on a manual 21 °C, the hall off, then Home Assistant and the setback set up."""
    for zone in zones():
        home.cloud.add_zone(zone)
    home.cloud.set_manual(STUDY, 21.0)
    home.cloud.set_off(HALL)
    await home.set_up(tado_polling=tado_polling)


def settings(home: Home) -> dict[int, tuple[str, float | None]]:
    """Return what each zone does, as Tado's cloud has it."""
    return {zone_id: home.cloud.setting(zone_id) for zone_id in home.cloud.zones}


def entity(home: Home, zone_id: int) -> str:
    """Return a zone's climate entity."""
    return zone_entity(home.hass, home.cloud.zones[zone_id])


def writes(home: Home, name: str) -> dict[int, list[str]]:
    """Return the overlay writes each zone got in the phase that began at a mark."""
    requests = home.phase(name)
    return {
        zone_id: [
            logged.method
            for logged in requests
            if logged.path.endswith(f"/zones/{zone_id}/overlay") and logged.status < 400
        ]
        for zone_id in home.cloud.zones
    }


def assert_floor(home: Home, name: str) -> None:
    """Check that a phase costs its writes, the zone reads core makes after each, and ≤ 2 full refreshes."""
    requests = home.phase(name)
    written = sum(len(methods) for methods in writes(home, name).values())
    refreshes = full_refreshes(requests)
    assert refreshes <= (2 if written else 0), [r.path for r in requests]
    per_refresh = 7 + 3 * len(home.cloud.zones)  # at most: 2026.3 reads each zone's state too
    assert len(requests) <= 3 * written + refreshes * per_refresh


async def test_start_then_end(home: Home) -> None:
    """Schedule and manual zones get one timer each; at the end only the manual one is written."""
    await four_zones(home)
    await home.start()
    await home.advance(30)
    assert settings(home) == {
        LIVING: SETBACK,
        STUDY: SETBACK,
        HALL: ("OFF", None),
        CONSERVATORY: ("SCHEDULE", 21.0),
    }
    expiry = home.cloud.timer_expiry(LIVING)
    assert expiry is not None
    assert abs(expiry - home.expected_end()) < timedelta(seconds=5)
    assert writes(home, "start") == {LIVING: ["PUT"], STUDY: ["PUT"], HALL: [], CONSERVATORY: []}
    assert_floor(home, "start")
    switch = home.state(SETBACK_SWITCH)
    assert switch.state == STATE_ON
    assert switch.attributes["set_back"] == [entity(home, LIVING), entity(home, STUDY)]

    await home.advance_to(home.expected_end() - timedelta(seconds=20))
    await home.end()
    await home.advance(60)
    assert writes(home, "end") == {LIVING: [], STUDY: ["PUT"], HALL: [], CONSERVATORY: []}
    assert_floor(home, "end")
    assert settings(home) == {
        LIVING: SCHEDULE_20,
        STUDY: MANUAL_21,
        HALL: ("OFF", None),
        CONSERVATORY: ("SCHEDULE", 21.0),
    }
    assert home.state(SETBACK_SWITCH).attributes["set_back"] == []


async def test_timer_ran_out_before_the_end(home: Home) -> None:
    """Tado ended the timer minutes before the Equivent did; no Tado poll came between: no write."""
    # Core's tado polls every 30 minutes or less often; here not at all.
    await four_zones(home, tado_polling=False)
    await home.start()
    await home.advance_to(home.expected_end() + timedelta(minutes=3))
    assert home.state(entity(home, LIVING)).state == "heat", "Home Assistant still shows 5 °C"
    assert home.cloud.setting(LIVING) == SCHEDULE_20, "Tado already ended the timer"
    await home.end()
    await home.advance(60)
    assert writes(home, "end")[LIVING] == []
    assert writes(home, "end")[STUDY] == ["PUT"]
    assert settings(home)[STUDY] == MANUAL_21


async def test_back_to_back_by_webhook(home: Home) -> None:
    """`ended`, then `started` 2 s later: the memory of the first holds, nothing is lost."""
    await four_zones(home)
    await home.start(name="first")
    await home.advance_to(home.expected_end("first"))
    await home.end(name="first_end")
    await home.advance(2, step=1)
    await home.start(name="second")
    await home.advance(60)
    assert settings(home)[LIVING] == SETBACK
    assert settings(home)[STUDY] == SETBACK
    expiry = home.cloud.timer_expiry(LIVING)
    assert expiry is not None
    assert abs(expiry - home.expected_end("second")) < timedelta(seconds=10)
    await home.advance_to(home.expected_end("second"))
    await home.end(name="second_end")
    await home.advance(60)
    assert settings(home) == {
        LIVING: SCHEDULE_20,
        STUDY: MANUAL_21,
        HALL: ("OFF", None),
        CONSERVATORY: ("SCHEDULE", 21.0),
    }
    assert home.cloud.writes_to(LIVING, home.marks["first"]) == ["PUT", "PUT"]
    assert home.cloud.writes_to(STUDY, home.marks["first"]) == ["PUT", "PUT", "PUT", "PUT"]


async def test_back_to_back_by_the_api_alone(home: Home) -> None:
    """Polling sees the next Equivent in place of the last: one new timer each, no restore between."""
    await four_zones(home)
    await home.start(push=False, name="first")
    await home.advance(30)
    assert settings(home)[LIVING] == SETBACK
    await home.advance_to(home.expected_end("first"))
    await home.end(push=False)
    await home.start(push=False, name="second")
    await home.advance(60)
    assert home.cloud.writes_to(STUDY, home.marks["first"]) == ["PUT", "PUT"]
    assert home.cloud.writes_to(LIVING, home.marks["first"]) == ["PUT", "PUT"]
    expiry = home.cloud.timer_expiry(STUDY)
    assert expiry is not None
    assert abs(expiry - home.expected_end("second")) < timedelta(seconds=30)
    await home.advance_to(home.expected_end("second"))
    await home.end()
    await home.advance(60)
    assert settings(home)[STUDY] == MANUAL_21
    assert settings(home)[LIVING] == SCHEDULE_20


async def test_restart_mid_equivent(home: Home) -> None:
    """A restart sets nothing back twice, and the end still restores exactly."""
    await four_zones(home)
    await home.start()
    await home.advance(60)
    await home.stop(tado_too=True)
    await home.advance(600, step=60)
    restarted = len(home.cloud.log)
    await home.restart(tado_too=True)
    await home.advance(60)
    assert [r.method for r in home.cloud.log[restarted:] if r.method != "GET"] == []
    await home.advance_to(home.expected_end())
    await home.end()
    await home.advance(60)
    assert settings(home)[STUDY] == MANUAL_21
    assert settings(home)[LIVING] == SCHEDULE_20
    assert home.cloud.writes_to(LIVING, home.marks["start"]) == ["PUT"]
    assert home.cloud.writes_to(STUDY, home.marks["start"]) == ["PUT", "PUT"]


@pytest.mark.parametrize("changed_in_the_app", [False, True])
async def test_home_assistant_down_at_the_end(home: Home, changed_in_the_app: bool) -> None:
    """Down at the end: restored when back, unless changed by hand meanwhile."""
    await four_zones(home)
    await home.start()
    await home.advance(60)
    await home.stop(tado_too=True)
    await home.advance_to(home.expected_end())
    await home.end(push=False)
    await home.advance(1800, step=60)
    if changed_in_the_app:
        home.cloud.set_manual(STUDY, 23.0)
    await home.restart(tado_too=True)
    await home.advance(60)
    assert home.cloud.setting(LIVING) == SCHEDULE_20
    if changed_in_the_app:
        assert home.cloud.setting(STUDY) == ("MANUAL", 23.0)
        assert home.cloud.writes_to(STUDY, home.marks["end"]) == []
    else:
        assert home.cloud.setting(STUDY) == MANUAL_21
        assert home.cloud.writes_to(STUDY, home.marks["end"]) == ["PUT"]
    assert home.cloud.writes_to(LIVING, home.marks["end"]) == []


async def test_zones_changed_by_hand(home: Home) -> None:
    """A zone changed in Home Assistant, and one in the Tado app, stay as the user set them."""
    await four_zones(home)
    await home.start()
    await home.advance(60)
    await home.hass.services.async_call(
        "climate",
        "set_temperature",
        {ATTR_ENTITY_ID: entity(home, STUDY), ATTR_TEMPERATURE: 23},
        blocking=True,
    )
    home.cloud.set_manual(LIVING, 22.0)
    assert await async_setup_component(home.hass, "homeassistant", {})
    await home.hass.services.async_call(
        "homeassistant", "update_entity", {ATTR_ENTITY_ID: entity(home, LIVING)}, blocking=True
    )
    await home.advance(60)
    await home.advance_to(home.expected_end())
    await home.end()
    await home.advance(60)
    assert writes(home, "end") == {LIVING: [], STUDY: [], HALL: [], CONSERVATORY: []}
    assert settings(home)[STUDY] == ("MANUAL", 23.0)
    assert settings(home)[LIVING] == ("MANUAL", 22.0)


@pytest.mark.parametrize("fault", ["unreachable", "rate_limited"])
async def test_tado_fails_at_the_end_then_returns(home: Home, fault: str) -> None:
    """Tado unreachable (or answering 429) at the end: kept, retried, a repair issue, restored."""
    await four_zones(home)
    await home.start()
    await home.advance(60)
    await home.advance_to(home.expected_end())
    setattr(home.cloud, fault, True)
    await home.end()
    await home.advance(60)
    assert home.cloud.setting(STUDY) != MANUAL_21
    assert home.state(SETBACK_SWITCH).attributes["not_restored"] == [entity(home, STUDY)]
    issues = ir.async_get(home.hass)
    assert home.entry is not None
    issue_id = not_restored_issue_id(home.entry.entry_id)
    await home.advance(11 * 60, step=30)
    issue = issues.async_get_issue("equiwatt", issue_id)
    assert issue is not None
    assert entity(home, STUDY) in (issue.translation_placeholders or {})["entities"]
    assert entity(home, LIVING) not in (issue.translation_placeholders or {})["entities"]
    setattr(home.cloud, fault, False)
    await home.advance(20 * 60, step=30)
    assert home.cloud.setting(STUDY) == MANUAL_21
    assert home.cloud.setting(LIVING) == SCHEDULE_20
    assert issues.async_get_issue("equiwatt", issue_id) is None
    assert home.state(SETBACK_SWITCH).attributes["not_restored"] == []


async def test_setback_switch_off_and_on_mid_equivent(home: Home) -> None:
    """Off puts everything back at once; on again sets back for the rest of the Equivent."""
    await four_zones(home)
    await home.start()
    await home.advance(600, step=60)
    home.marks["off"] = home.marks["start"] + timedelta(seconds=600)
    await home.hass.services.async_call(
        "switch", "turn_off", {ATTR_ENTITY_ID: SETBACK_SWITCH}, blocking=True
    )
    await home.advance(30)
    assert home.state(SETBACK_SWITCH).state == STATE_OFF
    assert settings(home)[LIVING] == SCHEDULE_20
    assert settings(home)[STUDY] == MANUAL_21
    await home.hass.services.async_call(
        "switch", "turn_on", {ATTR_ENTITY_ID: SETBACK_SWITCH}, blocking=True
    )
    await home.advance(30)
    assert settings(home)[LIVING] == SETBACK
    assert settings(home)[STUDY] == SETBACK
    await home.advance_to(home.expected_end())
    await home.end()
    await home.advance(60)
    assert settings(home)[LIVING] == SCHEDULE_20
    assert settings(home)[STUDY] == MANUAL_21
    assert home.cloud.writes_to(LIVING, home.marks["start"]) == ["PUT", "DELETE", "PUT"]
    assert home.cloud.writes_to(STUDY, home.marks["start"]) == ["PUT", "PUT", "PUT", "PUT"]


async def test_twelve_zones(home: Home) -> None:
    """Twelve zones on their schedule: twelve writes, two refreshes at most, nothing at the end."""
    twelve = [Zone(number, f"Room {number}", 19.0 + number / 10) for number in range(1, 13)]
    await home.set_up(twelve)
    await home.start()
    await home.advance(30)
    assert all(home.cloud.setting(zone.id) == SETBACK for zone in twelve)
    assert sum(len(w) for w in writes(home, "start").values()) == 12
    assert_floor(home, "start")
    await home.advance_to(home.expected_end())
    await home.end()
    await home.advance(60)
    assert home.phase("end") == []
    assert all(home.cloud.setting(zone.id) == ("SCHEDULE", zone.schedule) for zone in twelve)
