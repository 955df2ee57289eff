"""An unavailable meter in the statistics Home Assistant's recorder compiles from its states.

The meter's states are recorded and the recorder compiles its 5-minute and hourly
statistics from them, as it does in a real home: a period in which the meter went
unavailable still gets its row (holding part of its use), the periods it was
unavailable throughout get none, and the first row after holds the rest. The
meter uses 0.1 kWh every 5 minutes, so every true half-hour reads 0.6 kWh.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_purge_done,
    async_wait_recording_done,
    do_adhoc_statistics,
)

from custom_components.equiwatt.saving.figures import Reading
from custom_components.equiwatt.saving.recorder import async_read_consumption
from homeassistant.components.recorder import Recorder
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.setup import async_setup_component
from tests.conftest import Simulator
from tests.integration.test_saving import (
    BASELINE,
    METER,
    METER_ATTRIBUTES,
    advance_to,
    day_uses,
    import_uses,
    run_meter,
    schedule,
    setup_with_meter,
    trust,
    value,
)

DAY = datetime(2027, 2, 1, tzinfo=UTC)  # a Monday, on GMT
STEP = timedelta(minutes=5)
PER_STEP = 0.1


def at(text: str, day: datetime = DAY) -> datetime:
    """Return a time of the day, from "HH:MM"."""
    return day.replace(hour=int(text[:2]), minute=int(text[3:]))


def readings(start: str, end: str, outage: tuple[str, str]) -> list[tuple[str, float | None]]:
    """Return the meter every 5 minutes (a second past), unavailable during `outage`."""
    moment, total, found = at(start), 100.0, []
    while moment < at(end):
        total += PER_STEP
        unavailable = at(outage[0]) <= moment < at(outage[1])
        found.append(((moment + timedelta(seconds=1)).isoformat(), None if unavailable else total))
        moment += STEP
    return found


async def compile_statistics(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, start: str, end: str
) -> None:
    """Compile each 5-minute period (and each hour, at its last one) as the recorder does."""
    moment = at(start)
    while moment < at(end):
        freezer.move_to(moment + STEP + timedelta(seconds=10))
        do_adhoc_statistics(hass, start=moment)
        await async_wait_recording_done(hass)
        moment += STEP


async def purge_short_term(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Move on 11 days and purge as the recorder does: the 5-minute statistics go, hours stay."""
    freezer.move_to(DAY + timedelta(days=11))
    await hass.services.async_call("recorder", "purge", {"keep_days": 10}, blocking=True)
    await async_wait_purge_done(hass)


def slots(found: dict[int, Reading]) -> dict[str, tuple[float, bool]]:
    """Return the readings by "HH:MM", rounded."""
    return {
        datetime.fromtimestamp(key, UTC).strftime("%H:%M"): (round(r.kwh, 6), r.approximate)
        for key, r in sorted(found.items())
    }


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: Any) -> None:
    """Let the recorder be set up before Home Assistant starts (phcc's hook)."""


EXACT = (0.6, False)
HALF_HOUR = (0.6, True)


@pytest.mark.parametrize(
    ("outage", "purged", "expected"),
    [
        # No whole hour missing: the 5-minute rows show the outage, the hours do not.
        (("16:10", "17:50"), False, ["13:30", "14:00", "14:30", "15:00", "15:30", "18:00"]),
        (
            ("16:00", "17:05"),
            False,
            ["13:30", "14:00", "14:30", "15:00", "15:30", "17:30", "18:00"],
        ),
        (("15:55", "17:05"), False, ["13:30", "14:00", "14:30", "15:00", "17:30", "18:00"]),
        # Ten days on, hours only: 15:00 and 17:00 are on either side of a missing hour.
        (("15:55", "17:05"), True, ["14:00", "14:30"]),
    ],
)
async def test_a_period_cut_by_an_outage_is_no_reading(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    outage: tuple[str, str],
    purged: bool,
    expected: list[str],
) -> None:
    """Only half-hours the meter was readable throughout count, each its true 0.6 kWh.

    Within the 5-minute statistics, a half-hour counts when its six periods do; the
    hour rows there are not used. The last row has no successor yet: 18:30 is out.
    """
    assert await async_setup_component(hass, "sensor", {})
    await hass.async_block_till_done()
    for when, reading in readings("13:00", "19:00", outage):
        freezer.move_to(when)
        state = STATE_UNAVAILABLE if reading is None else f"{reading:.3f}"
        hass.states.async_set(METER, state, METER_ATTRIBUTES)
        await async_wait_recording_done(hass)
    await compile_statistics(hass, freezer, "13:00", "19:00")
    if purged:
        await purge_short_term(hass, freezer)
    found = await async_read_consumption(hass, METER, at("12:00"), at("20:00"))
    assert slots(found) == dict.fromkeys(expected, HALF_HOUR if purged else EXACT)


async def test_an_outage_the_ledger_saw_stays_out_after_reloads(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
) -> None:
    """The meter unavailable 16:10 to 17:50 on 1 February: those half-hours never count.

    A reload that evening finds them left out of the 5-minute statistics too. Eleven
    days on, only the hours are left, and they hide the outage (16:00 and 17:00 both
    have rows): the ledger remembers that it saw the meter unreadable, so the backfill
    leaves those half-hours out, and the baseline of 12 February has 8 of 10 days.
    """
    await setup_with_meter(hass, freezer, mock_entry, "2027-02-01T15:00:01+00:00", 100.0)
    await run_meter(hass, freezer, readings("15:05", "19:00", ("16:10", "17:50")))
    await advance_to(hass, freezer, "2027-02-01T19:00:30+00:00")
    await compile_statistics(hass, freezer, "15:00", "19:00")
    ledger = mock_entry.runtime_data.saving.state.ledger
    measured = slots({key: Reading(kwh) for key, kwh in ledger.slots.items()})
    assert measured == dict.fromkeys(["15:30", "18:00", "18:30"], EXACT)
    assert await hass.config_entries.async_reload(mock_entry.entry_id)
    await hass.async_block_till_done()
    ledger = mock_entry.runtime_data.saving.state.ledger
    assert slots({key: Reading(kwh) for key, kwh in ledger.slots.items()}) == measured

    # 2 to 11 February from the hourly statistics (1 kWh in each 17:00 hour).
    await purge_short_term(hass, freezer)
    later = [date(2027, 2, 2) + timedelta(days=n) for n in range(10)]
    import_uses(hass, day_uses(dict.fromkeys(later, 1.0)), start_total=500.0)
    schedule(simulator, "2027-02-12T17:01:07+00:00")
    freezer.move_to("2027-02-12T16:50:00+00:00")
    hass.states.async_set(METER, "700.0", METER_ATTRIBUTES)
    async_fire_time_changed(hass)
    assert await hass.config_entries.async_reload(mock_entry.entry_id)
    await hass.async_block_till_done()
    await run_meter(hass, freezer, [("2027-02-12T17:20:00+00:00", 700.2)])
    # The 10 weekdays before Friday 12 February: 11 to 8, 5 to 1 and 29 January.
    assert value(hass, BASELINE) == pytest.approx(0.5 + 0.5)
    assert trust(hass) == {
        "days_used": 8,
        "days_wanted": 10,
        "incomplete": True,
        "approximate": True,
    }


async def test_the_half_hours_of_a_restart_are_no_reading(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
) -> None:
    """Home Assistant stopped from 17:28 to 19:10: the ledger takes none of those half-hours.

    Compiling what it missed once started, the recorder gives the periods of the stop
    the last state before it (no use) and the first period after it all the use
    since: the ledger, set up as Home Assistant starts, counts the half-hours from
    the one it was measuring to this one as unreadable, and no backfill fills them.
    """
    await setup_with_meter(hass, freezer, mock_entry, "2027-02-01T16:55:01+00:00", 100.0)
    await run_meter(hass, freezer, readings("17:00", "17:30", ("00:00", "00:00")))
    await advance_to(hass, freezer, "2027-02-01T17:28:00+00:00")
    assert await hass.config_entries.async_unload(mock_entry.entry_id)
    freezer.move_to("2027-02-01T19:10:05+00:00")
    hass.states.async_set(METER, "110.0", METER_ATTRIBUTES)
    hass.set_state(CoreState.not_running)
    assert await hass.config_entries.async_setup(mock_entry.entry_id)
    hass.set_state(CoreState.running)
    await compile_statistics(hass, freezer, "16:55", "19:15")
    assert await hass.config_entries.async_reload(mock_entry.entry_id)
    await hass.async_block_till_done()
    ledger = mock_entry.runtime_data.saving.state.ledger
    assert ledger.slots == {}
    unreadable = slots(dict.fromkeys(ledger.unreadable, Reading(0.0)))
    assert list(unreadable) == ["17:00", "17:30", "18:00", "18:30", "19:00"]
