"""The Tado blueprint, against zones that behave like Home Assistant's `tado` ones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
import json
from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.components.climate import HVACMode
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from tests.conftest import SLOW_POLL, WEBHOOK_ID, Simulator
from tests.integration.blueprint_helpers import (
    MEMORY,
    Overlay,
    ScheduledZone,
    Writes,
    add_tado_zones,
    climates,
    restart,
    use_blueprint,
    writes_to,
)
from tests.integration.conftest import advance
from tests.integration.helpers import BINARY, CALENDAR

ZONES = LIVING, BEDROOM, STUDY, HALL, CONSERVATORY = tuple(
    f"climate.{zone}" for zone in ("living_room", "bedroom", "study", "hall", "conservatory")
)
SET_BACK = (LIVING, BEDROOM, STUDY)
# The recent Equivents lasted 45 minutes: the integration expects this one to as well.
USUAL = 2700
TIMER = ["set_climate_timer"]
BACK_TO_SCHEDULE = [*TIMER, "set_hvac_mode"]
MANUAL_BACK = [*TIMER, "set_temperature"]


class Home:
    """The Tado zones of a home, with the blueprint, and every write they got."""

    def __init__(self) -> None:
        """Two zones on their schedule, one on a manual 22 °C, one off, an air conditioner."""
        self.writes: Writes = []
        self.zones = {
            LIVING: ScheduledZone("Living room", 21.0, self.writes),
            BEDROOM: ScheduledZone("Bedroom", 18.0, self.writes),
            STUDY: ScheduledZone("Study", 19.0, self.writes, Overlay(HVACMode.HEAT, 22.0)),
            HALL: ScheduledZone("Hall", 20.0, self.writes, Overlay(HVACMode.OFF, None)),
            CONSERVATORY: ScheduledZone("Conservatory", 20.0, self.writes, air_conditioning=True),
        }

    async def set_up(self, hass: HomeAssistant, config_dir: Path, memory_max: int = 255) -> None:
        """Add the zones, a memory helper and an automation from the Tado blueprint."""
        await add_tado_zones(hass, list(self.zones.values()), memory_max)
        await use_blueprint(
            hass,
            config_dir,
            "tado_setback",
            {
                "equivent_sensor": BINARY,
                "zones": list(ZONES),
                "setback_temperature": 5,
                "memory": MEMORY,
            },
        )

    def writes_by_zone(self) -> dict[str, list[str]]:
        """Return what each zone was sent, in order."""
        return {zone: writes_to(self.writes, zone) for zone in ZONES}


def _expected_writes(**by_zone: list[str]) -> dict[str, list[str]]:
    """Expect a timer for each zone set back, then what is given; nothing for the others."""
    expected = {zone: TIMER if zone in SET_BACK else [] for zone in ZONES}
    expected.update({f"climate.{name}": calls for name, calls in by_zone.items()})
    return expected


@pytest.fixture
async def home(
    hass: HomeAssistant,
    tmp_path: Path,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> AsyncIterator[Home]:
    """Make a home whose last three Equivents lasted 45 minutes, with its Tado zones."""
    now = dt_util.utcnow().timestamp()
    for days in (1, 2, 3):
        start = now - days * 86400
        simulator.world.schedule(start, start + USUAL)
    await advance(hass, freezer, SLOW_POLL, step=5)
    home = Home()
    await home.set_up(hass, tmp_path)
    yield home
    for zone in home.zones.values():
        zone.cancel_timer()


async def _start(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: Simulator
) -> datetime:
    """Start an Equivent and return its expected end (its start plus the usual length)."""
    event = simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    assert hass.states.get(BINARY).state == STATE_ON
    return dt_util.utc_from_timestamp(event.start + USUAL)


async def _end(hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: Simulator) -> None:
    simulator.world.end_now()
    await advance(hass, freezer, SLOW_POLL)
    assert hass.states.get(BINARY).state == STATE_OFF


def _assert_set_back(hass: HomeAssistant, home: Home, ends: datetime) -> None:
    """Every zone that heats or follows its schedule is on a 5 °C timer until `ends`."""
    for zone in SET_BACK:
        assert climates(hass, zone)[zone] == ("heat", 5.0)
        overlay = home.zones[zone].overlay
        assert overlay is not None and overlay.ends is not None
        assert abs((overlay.ends - ends).total_seconds()) <= 1
    assert climates(hass, HALL, CONSERVATORY) == {HALL: ("off", 5.0), CONSERVATORY: ("auto", 20.0)}


async def test_tado_timer_at_start_back_to_schedule_at_end(
    hass: HomeAssistant, home: Home, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """One timer per zone until the expected end; at an earlier end one write puts each back."""
    before = climates(hass, *ZONES)
    ends = await _start(hass, freezer, simulator)
    calendar_end = dt_util.as_utc(
        dt_util.parse_datetime(hass.states.get(CALENDAR).attributes["end_time"])  # type: ignore[arg-type]
    )
    assert calendar_end == ends, "the timer follows the calendar's expected end"
    _assert_set_back(hass, home, ends)
    assert home.writes_by_zone() == _expected_writes()
    await advance(hass, freezer, 600, step=10)
    await _end(hass, freezer, simulator)
    assert climates(hass, *ZONES) == before
    assert all(home.zones[zone].overlay is None for zone in (LIVING, BEDROOM)), "on schedule"
    assert home.writes_by_zone() == _expected_writes(
        living_room=BACK_TO_SCHEDULE, bedroom=BACK_TO_SCHEDULE, study=MANUAL_BACK
    )
    # The cancelled timers do nothing when their time comes.
    await advance(hass, freezer, USUAL, step=30)
    assert climates(hass, *ZONES) == before
    assert len(home.writes) == 6
    assert hass.states.get(MEMORY).state == ""


async def test_tado_ends_the_timer_first(
    hass: HomeAssistant, home: Home, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """Tado returns the zones to their schedule on time; the end then writes only the manual one."""
    before = climates(hass, *ZONES)
    await _start(hass, freezer, simulator)
    await advance(hass, freezer, USUAL, step=30)
    assert hass.states.get(BINARY).state == STATE_ON, "this Equivent runs longer"
    assert climates(hass, *SET_BACK) == {
        LIVING: ("auto", 21.0),
        BEDROOM: ("auto", 18.0),
        STUDY: ("auto", 19.0),
    }
    await _end(hass, freezer, simulator)
    assert climates(hass, *ZONES) == before
    assert home.writes_by_zone() == _expected_writes(study=MANUAL_BACK)


@pytest.mark.parametrize(
    ("down_for", "ends_while_down", "expected"),
    [
        # Back while the Equivent is still on: nothing is set back again.
        (600, False, {"living_room": BACK_TO_SCHEDULE, "bedroom": BACK_TO_SCHEDULE}),
        # The Equivent ended while Home Assistant was down, the timers still ran.
        (600, True, {"living_room": BACK_TO_SCHEDULE, "bedroom": BACK_TO_SCHEDULE}),
        # Tado ended the timers, then the Equivent ended, all while down.
        (USUAL + 300, True, {}),
    ],
    ids=["back-while-live", "ended-while-down", "timer-and-end-while-down"],
)
async def test_tado_restart_in_the_middle(
    hass: HomeAssistant,
    home: Home,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    down_for: int,
    ends_while_down: bool,
    expected: dict[str, list[str]],
) -> None:
    """A restart during the Equivent neither sets back twice nor misses the restore."""
    before = climates(hass, *ZONES)
    ends = await _start(hass, freezer, simulator)

    async def down() -> None:
        await advance(hass, freezer, down_for, step=30)
        if ends_while_down:
            await _end(hass, freezer, simulator)

    await restart(hass, down)
    if not ends_while_down:
        _assert_set_back(hass, home, ends)
        assert home.writes_by_zone() == _expected_writes(), "no second setback"
        await _end(hass, freezer, simulator)
    assert climates(hass, *ZONES) == before
    assert home.writes_by_zone() == _expected_writes(study=MANUAL_BACK, **expected)
    assert hass.states.get(MEMORY).state == ""


async def test_tado_timer_of_one_hour_without_the_calendar(
    hass: HomeAssistant, home: Home, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """With the calendar disabled, nothing better is known: the timer runs one hour."""
    er.async_get(hass).async_update_entity(CALENDAR, disabled_by=er.RegistryEntryDisabler.USER)
    await advance(hass, freezer, 40, step=5)  # the entry reloads without the calendar
    assert hass.states.get(CALENDAR) is None
    await _start(hass, freezer, simulator)
    for zone in SET_BACK:
        assert home.zones[zone].timer_period == timedelta(hours=1).total_seconds()


async def test_tado_nothing_set_back_that_the_memory_cannot_keep(
    hass: HomeAssistant,
    tmp_path: Path,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A memory helper left at a short maximum length: no setback, and the trace says why."""
    home = Home()
    await home.set_up(hass, tmp_path, memory_max=20)
    before = climates(hass, *ZONES)
    await _start(hass, freezer, simulator)
    assert climates(hass, *ZONES) == before
    assert home.writes == []
    assert "set its maximum length to 255" in caplog.text


@pytest.mark.parametrize("while_down", [False, True], ids=["running", "while-down"])
async def test_tado_next_equivent_right_after(
    hass: HomeAssistant,
    home: Home,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    while_down: bool,
) -> None:
    """Back to back the sensor stays on: one new timer per zone, until the new expected end."""
    before = climates(hass, *ZONES)
    await _start(hass, freezer, simulator)
    next_ends: list[datetime] = []

    async def next_equivent() -> None:
        await advance(hass, freezer, 600, step=10)
        simulator.world.end_now()
        next_ends.append(await _start(hass, freezer, simulator))

    if while_down:
        await restart(hass, next_equivent)
    else:
        await next_equivent()
    _assert_set_back(hass, home, next_ends[0])
    assert home.writes_by_zone() == _expected_writes(
        living_room=TIMER * 2, bedroom=TIMER * 2, study=TIMER * 2
    )
    await restart(hass, hass.async_block_till_done)
    assert len(home.writes) == 6, "the new Equivent is remembered: no third timer"
    await advance(hass, freezer, 600, step=10)
    await _end(hass, freezer, simulator)
    assert climates(hass, *ZONES) == before
    assert home.writes_by_zone() == _expected_writes(
        living_room=[*TIMER, *BACK_TO_SCHEDULE],
        bedroom=[*TIMER, *BACK_TO_SCHEDULE],
        study=[*TIMER, *MANUAL_BACK],
    )


async def test_tado_one_timer_when_the_api_corrects_a_webhook_start(
    hass: HomeAssistant,
    home: Home,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A webhook's start, a minute late, corrected by the API: the same Equivent, no new timer."""
    event = simulator.world.start_now()
    freezer.tick(timedelta(seconds=60))
    client = await hass_client_no_auth()
    await client.post(f"/api/webhook/{WEBHOOK_ID}", params={"event": "started"})
    await advance(hass, freezer, SLOW_POLL)
    real_start = dt_util.as_local(dt_util.utc_from_timestamp(event.start))
    assert hass.states.get(CALENDAR).attributes["start_time"] == real_start.strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    assert json.loads(hass.states.get(MEMORY).state)["@"] == real_start.strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    assert home.writes_by_zone() == _expected_writes()
