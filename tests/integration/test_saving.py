"""The saving per Equivent through Home Assistant, with the recorder's statistics.

Expected figures are worked out here from the imported data, by the definition
in design.md, not by the integration's code.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from statistics import mean
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.equiwatt.const import CONF_ENERGY_SENSOR, CONF_NATION
from custom_components.equiwatt.saving.figures import Figures, Reading
from homeassistant.components.recorder import Recorder, get_instance
from homeassistant.components.recorder.db_schema import StatisticsShortTerm
from homeassistant.components.recorder.models import StatisticMeanType, StatisticMetaData
from homeassistant.components.recorder.statistics import async_import_statistics
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import translation
from homeassistant.util import dt as dt_util
from tests.conftest import SLOW_POLL, Simulator
from tests.integration.blueprint_helpers import use_blueprint
from tests.integration.helpers import BINARY, CALENDAR, calendar_events
from tests.timing import advance

METER = "sensor.grid_import"
METER_ATTRIBUTES = {
    "device_class": "energy",
    "state_class": "total_increasing",
    "unit_of_measurement": "kWh",
}
BASELINE = "sensor.equiwatt_equivent_baseline"
USAGE = "sensor.equiwatt_equivent_usage"
SAVING = "sensor.equiwatt_equivent_saving"
SAVING_PERCENT = "sensor.equiwatt_equivent_saving_percentage"
PACE = "sensor.equiwatt_equivent_pace"
SAVING_SENSORS = (BASELINE, USAGE, SAVING, SAVING_PERCENT, PACE)
LONDON = ZoneInfo("Europe/London")
OTHER_HOURS = 0.3  # kWh in every hour but the evening one


def utc(text: str) -> datetime:
    """Parse an ISO time."""
    return datetime.fromisoformat(text).astimezone(UTC)


def metadata() -> StatisticMetaData:
    """Describe the meter's statistics to the recorder."""
    return StatisticMetaData(
        has_sum=True,
        mean_type=StatisticMeanType.NONE,
        name=None,
        source="recorder",
        statistic_id=METER,
        unit_class="energy",
        unit_of_measurement="kWh",
    )


def day_uses(evening: dict[date, float], hour: int = 17) -> dict[datetime, float]:
    """Hourly use: `evening[day]` kWh in the local `hour`, 0.3 in the others."""
    return {
        datetime(day.year, day.month, day.day, local_hour, tzinfo=LONDON): (
            evening[day] if local_hour == hour else OTHER_HOURS
        )
        for day in sorted(evening)
        for local_hour in range(24)
    }


def import_uses(
    hass: HomeAssistant,
    uses: dict[datetime, float],
    missing: Collection[datetime] = (),
    *,
    short_term: bool = False,
    start_total: float = 0.0,
) -> None:
    """Import statistics as the recorder writes them: each row holds the meter's total.

    A `missing` period gets no row (the meter was unavailable throughout), and its use
    is in the next row's sum, as the recorder counts it once the meter is back.
    """
    rows: list[Any] = []
    total = start_total
    for start in sorted(uses):
        total += uses[start]
        if start not in missing:
            rows.append({"start": start, "state": total, "sum": total})
    if short_term:
        get_instance(hass).async_import_statistics(metadata(), rows, StatisticsShortTerm)
    else:
        async_import_statistics(hass, metadata(), rows)


def import_days(hass: HomeAssistant, evening: dict[date, float], hour: int = 17) -> None:
    """Import hourly statistics: `evening[day]` kWh in the local `hour`, 0.3 in the others."""
    import_uses(hass, day_uses(evening, hour))


def evening_five_minutes(rates: dict[int, float]) -> dict[datetime, float]:
    """5-minute use on days of February 2027: `rates[day]` kWh from 17:00 to 19:00 UTC, 0.01 from 16:00."""
    return {
        datetime(2027, 2, day, minute // 60, minute % 60, tzinfo=UTC): (
            rate if minute >= 17 * 60 else 0.01
        )
        for day, rate in rates.items()
        for minute in range(16 * 60, 19 * 60, 5)
    }


async def setup_with_meter(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    when: str,
    reading: float,
    **options: Any,
) -> None:
    """Set the entry up at a London time, with the grid meter reading `reading` kWh."""
    await async_wait_recording_done(hass)
    freezer.move_to(when)
    hass.states.async_set(METER, str(reading), METER_ATTRIBUTES)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={CONF_ENERGY_SENSOR: METER, **options})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def run_meter(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    readings: Iterable[tuple[str, float | None]],
) -> None:
    """Move to each time in turn (polls and half-hour ticks run) and set the meter there."""
    for when, value in readings:
        await advance_to(hass, freezer, when)
        state = STATE_UNAVAILABLE if value is None else str(value)
        hass.states.async_set(METER, state, METER_ATTRIBUTES)
        await hass.async_block_till_done()


async def advance_to(hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: str) -> None:
    """Move time on to `when` in 30-second steps."""
    seconds = (utc(when) - dt_util.utcnow()).total_seconds()
    await advance(hass, freezer, seconds, step=30)


def value(hass: HomeAssistant, entity_id: str) -> float | None:
    """Read a sensor's number, None when unknown."""
    state = hass.states.get(entity_id)
    assert state is not None
    return None if state.state == STATE_UNKNOWN else float(state.state)


def trust(hass: HomeAssistant) -> dict[str, Any]:
    """How far the baseline can be trusted: its days and flags, as its attributes say."""
    attributes = hass.states.get(BASELINE).attributes
    return {
        key: attributes[key] for key in ("days_used", "days_wanted", "incomplete", "approximate")
    }


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: Any) -> None:
    """Let the recorder be set up before Home Assistant starts (phcc's hook)."""


@pytest.fixture
async def london(hass: HomeAssistant) -> None:
    """Run Home Assistant on UK time."""
    await hass.config.async_set_time_zone("Europe/London")


def schedule(simulator: Simulator, *starts: str) -> None:
    """Schedule one-hour Equivents at these London times, 17:01:07 to 18:01:02 style."""
    for start in starts:
        begin = utc(start).timestamp()
        simulator.world.schedule(begin, begin + 3595)


# 20 days before Wednesday 6 January 2027: weekends, Christmas bank holidays
# (25 Dec, 28 Dec as Boxing Day's substitute, 1 Jan) and two earlier Equivent days.
CHRISTMAS_EVENINGS = {
    date(2026, 12, 17) + timedelta(days=n): kwh
    for n, kwh in enumerate(
        [
            1.1,
            1.2,
            2.5,
            2.6,
            1.3,
            0.2,
            1.4,
            1.5,
            3.0,
            2.7,
            2.8,
            3.1,
            1.6,
            1.7,
            1.8,
            3.2,
            2.9,
            2.4,
            0.1,
            1.9,
        ]
    )
}


@pytest.mark.parametrize("restart", [False, True])
async def test_weekday_baseline_usage_and_saving(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    london: None,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
    restart: bool,
) -> None:
    """The figures match the definition, live and after the end, across a restart too."""
    assert CHRISTMAS_EVENINGS[date(2026, 12, 22)] == 0.2  # an Equivent day
    assert CHRISTMAS_EVENINGS[date(2027, 1, 4)] == 0.1  # an Equivent day
    import_days(hass, CHRISTMAS_EVENINGS)
    schedule(
        simulator,
        "2026-12-22T17:01:07+00:00",
        "2027-01-04T17:01:07+00:00",
        "2027-01-06T17:01:07+00:00",
    )
    await setup_with_meter(hass, freezer, mock_entry, "2027-01-06T16:50:00+00:00", 5000.0)
    # Eligible: the 10 latest weekdays that are neither bank holidays nor Equivent
    # days: 5 Jan, 31, 30, 29, 24, 23, 21, 18, 17 and 16 Dec; the last has no data.
    eligible = [date(2027, 1, 5)] + [date(2026, 12, d) for d in (31, 30, 29, 24, 23, 21, 18, 17)]
    # Each half-hour is half of its hour (hourly statistics): two halves make the hour.
    baseline = 2 * mean(CHRISTMAS_EVENINGS[day] / 2 for day in eligible)
    await run_meter(
        hass,
        freezer,
        [("2027-01-06T17:10:00+00:00", 5000.25), ("2027-01-06T17:20:00+00:00", 5000.4)],
    )
    await run_meter(hass, freezer, [("2027-01-06T17:45:00+00:00", 5000.6)])
    if restart:
        assert await hass.config_entries.async_reload(mock_entry.entry_id)
        await hass.async_block_till_done()
    assert value(hass, BASELINE) == pytest.approx(baseline)
    assert value(hass, USAGE) == pytest.approx(0.6)
    # Pace: 0.6 kWh against the 17:00 half-hour and half of the 17:30 one.
    assert value(hass, PACE) == pytest.approx(100 * 0.6 / (baseline / 2 + baseline / 4))
    live_event = (await calendar_events(hass, 1))[-1]
    assert live_event["description"].startswith(
        "An Equiwatt Equivent, in progress; Equiwatt gave its planned end. So far: Used 0.60 kWh"
    )
    attributes = hass.states.get(BASELINE).attributes
    assert attributes["live"] is True
    assert attributes["incomplete"] is True
    assert attributes["approximate"] is True
    assert (attributes["days_used"], attributes["days_wanted"]) == (9, 10)

    await run_meter(hass, freezer, [("2027-01-06T17:55:00+00:00", 5000.7)])
    await advance_to(hass, freezer, "2027-01-06T18:10:00+00:00")
    usage = 0.7
    assert value(hass, BASELINE) == pytest.approx(baseline)
    assert value(hass, USAGE) == pytest.approx(usage)
    assert value(hass, SAVING) == pytest.approx(baseline - usage)
    assert value(hass, SAVING_PERCENT) == pytest.approx(100 * (baseline - usage) / baseline)
    assert value(hass, PACE) is None
    assert hass.states.get(SAVING).attributes["live"] is False
    events = await calendar_events(hass, 1)
    saved = 100 * (baseline - usage) / baseline
    assert events[-1]["description"] == (
        f"Used {usage:.2f} kWh of a {baseline:.2f} kWh baseline: saved {baseline - usage:.2f} kWh,"
        f" {saved:.0f} % (baseline from 9 of 10 days; approximate, from hourly statistics)."
    )


async def test_weekend_equivent_across_the_clock_change(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    london: None,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
) -> None:
    """A Saturday Equivent after the October change compares 17:00 with 17:00 local (16:00 UTC in BST)."""
    # 14 days up to Friday 30 October 2026; clocks went back on Sunday 25 October.
    evenings = {date(2026, 10, 17) + timedelta(days=n): 1.0 + n / 10 for n in range(14)}
    import_days(hass, evenings)
    schedule(simulator, "2026-10-31T17:01:07+00:00")
    await setup_with_meter(hass, freezer, mock_entry, "2026-10-31T16:50:00+00:00", 42.0)
    await run_meter(
        hass,
        freezer,
        [
            ("2026-10-31T17:20:00+00:00", 42.5),
            ("2026-10-31T17:50:00+00:00", 42.9),
            ("2026-10-31T18:10:00+00:00", 43.0),
        ],
    )
    # The 4 latest weekend days: 25 and 24 October (after and before the change), 18 and 17.
    weekend = [date(2026, 10, d) for d in (25, 24, 18, 17)]
    baseline = mean(evenings[day] for day in weekend)
    assert value(hass, BASELINE) == pytest.approx(baseline)
    assert value(hass, USAGE) == pytest.approx(0.9)
    attributes = hass.states.get(SAVING).attributes
    assert (attributes["days_used"], attributes["days_wanted"], attributes["incomplete"]) == (
        4,
        4,
        False,
    )


async def test_bank_holiday_equivent_of_the_chosen_nation(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    london: None,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
) -> None:
    """St Andrew's Day is a Scottish bank holiday: it compares with the weekends before it."""
    # Monday 30 November 2026, with the 14 days before it.
    evenings = {date(2026, 11, 16) + timedelta(days=n): 1.0 + n / 10 for n in range(14)}
    import_days(hass, evenings)
    schedule(simulator, "2026-11-30T17:01:07+00:00")
    await setup_with_meter(
        hass, freezer, mock_entry, "2026-11-30T16:50:00+00:00", 7.0, **{CONF_NATION: "scotland"}
    )
    await run_meter(hass, freezer, [("2026-11-30T17:40:00+00:00", 7.8)])
    weekend = [date(2026, 11, d) for d in (29, 28, 22, 21)]
    assert value(hass, BASELINE) == pytest.approx(mean(evenings[day] for day in weekend))
    assert hass.states.get(BASELINE).attributes["days_wanted"] == 4


async def test_meter_reset_gap_and_unavailable_sensor(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    london: None,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
) -> None:
    """A reset counts from zero; an unavailable meter leaves the usage unknown, never guessed."""
    evenings = {date(2027, 1, 11) + timedelta(days=n): 1.0 for n in range(10)}
    import_days(hass, evenings)
    schedule(simulator, "2027-01-22T17:01:07+00:00")
    await setup_with_meter(hass, freezer, mock_entry, "2027-01-22T16:50:00+00:00", 900.0)
    await run_meter(
        hass,
        freezer,
        [("2027-01-22T17:10:00+00:00", 900.3), ("2027-01-22T17:20:00+00:00", 0.2)],
    )
    # The reset: 0.3 before it and 0.2 counted from zero after it.
    assert value(hass, USAGE) == pytest.approx(0.5)
    await run_meter(
        hass,
        freezer,
        [("2027-01-22T17:40:00+00:00", None), ("2027-01-22T17:50:00+00:00", 0.6)],
    )
    hass.states.async_remove(METER)  # the meter's integration is removed
    await advance_to(hass, freezer, "2027-01-22T18:10:00+00:00")
    assert value(hass, BASELINE) == pytest.approx(1.0)
    assert value(hass, USAGE) is None
    assert mock_entry.runtime_data.saving.state.ledger.current is None
    assert value(hass, SAVING) is None
    assert hass.states.get(USAGE).attributes["incomplete"] is True
    events = await calendar_events(hass, 1)
    assert events[-1]["description"] == "An Equiwatt Equivent: a time to use less electricity."


async def test_saving_sensors_stay_available_while_equiwatt_cannot_be_read(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    london: None,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
) -> None:
    """The figures come from the meter alone: they go on while Equiwatt is down for 15 minutes."""
    import_days(hass, {date(2027, 1, 11) + timedelta(days=n): 1.0 for n in range(10)})
    schedule(simulator, "2027-01-22T17:01:07+00:00")
    await setup_with_meter(hass, freezer, mock_entry, "2027-01-22T16:50:00+00:00", 10.0)
    await run_meter(hass, freezer, [("2027-01-22T17:05:00+00:00", 10.1)])
    simulator.world.faults.update({"status": 503, "html": True})
    await run_meter(hass, freezer, [("2027-01-22T17:20:00+00:00", 10.3)])
    assert hass.states.get(BINARY).state == STATE_UNAVAILABLE
    assert [hass.states.get(e).state for e in SAVING_SENSORS].count(STATE_UNAVAILABLE) == 0
    assert value(hass, USAGE) == pytest.approx(0.3)
    assert hass.states.get(PACE).attributes["live"] is True


async def test_five_minute_statistics_are_exact(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    london: None,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
) -> None:
    """Where the recorder still has 5-minute statistics, the baseline is not approximate."""
    import_uses(hass, evening_five_minutes(dict.fromkeys(range(1, 5), 0.05)), short_term=True)
    schedule(simulator, "2027-02-05T17:01:07+00:00")
    await setup_with_meter(hass, freezer, mock_entry, "2027-02-05T16:50:00+00:00", 1.0)
    await run_meter(hass, freezer, [("2027-02-05T17:20:00+00:00", 1.1)])
    # Six 5-minute rows of 0.05 kWh per half-hour, on the 4 days with data.
    assert value(hass, BASELINE) == pytest.approx(2 * 6 * 0.05)
    attributes = hass.states.get(BASELINE).attributes
    assert attributes["approximate"] is False
    assert (attributes["days_used"], attributes["days_wanted"]) == (4, 10)


async def test_a_gap_or_a_dip_in_the_hourly_statistics_is_no_reading(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    london: None,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
) -> None:
    """The hour after a missing one, or a drop, says nothing of its own half-hours.

    On 19 January the meter was unavailable from 16:00 to 17:00: no row, and the
    17:00 row's change holds both hours. On 12 January the 17:00 total read lower
    than the 16:00 one. Neither day has the Equivent's half-hours: 8 of 10 days.
    """
    evenings = {date(2027, 1, 8) + timedelta(days=n): 1.0 + n / 10 for n in range(14)}
    uses = day_uses(evenings)
    dip = datetime(2027, 1, 12, 17, tzinfo=LONDON)
    uses[dip], uses[dip + timedelta(hours=1)] = -0.05, OTHER_HOURS + evenings[dip.date()] + 0.05
    import_uses(hass, uses, missing={datetime(2027, 1, 19, 16, tzinfo=LONDON)})
    schedule(simulator, "2027-01-22T17:01:07+00:00")
    await setup_with_meter(hass, freezer, mock_entry, "2027-01-22T16:50:00+00:00", 300.0)
    await run_meter(hass, freezer, [("2027-01-22T17:20:00+00:00", 300.4)])
    # The 10 weekdays before Friday 22 January, without the gap's and the dip's days.
    kept = [date(2027, 1, d) for d in (21, 20, 18, 15, 14, 13, 11, 8)]
    assert value(hass, BASELINE) == pytest.approx(mean(evenings[day] for day in kept))
    assert trust(hass) == {
        "days_used": 8,
        "days_wanted": 10,
        "incomplete": True,
        "approximate": True,
    }


async def test_a_gap_in_the_five_minute_statistics_is_no_reading(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    london: None,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
) -> None:
    """No 16:55 row on 2 February: the 17:00 row spans ten minutes, and that half-hour is left out."""
    rates = {1: 0.05, 2: 0.06, 3: 0.07, 4: 0.08}
    missing = {datetime(2027, 2, 2, 16, 55, tzinfo=UTC)}
    import_uses(hass, evening_five_minutes(rates), missing, short_term=True)
    schedule(simulator, "2027-02-05T17:01:07+00:00")
    await setup_with_meter(hass, freezer, mock_entry, "2027-02-05T16:50:00+00:00", 1.0)
    await run_meter(hass, freezer, [("2027-02-05T17:20:00+00:00", 1.1)])
    # Six 5-minute rows per half-hour: 17:00 from 1, 3 and 4 February, 17:30 from all four.
    baseline = 6 * mean([rates[1], rates[3], rates[4]]) + 6 * mean(rates.values())
    assert value(hass, BASELINE) == pytest.approx(baseline)
    assert trust(hass) == {
        "days_used": 3,
        "days_wanted": 10,
        "incomplete": True,
        "approximate": False,
    }


async def test_no_meter_no_saving_sensors(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Without an energy sensor nothing is added, and the calendar describes Equivents plainly."""
    assert all(hass.states.get(entity_id) is None for entity_id in SAVING_SENSORS)
    assert setup_entry.runtime_data.saving is None
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    assert hass.states.get(CALENDAR).attributes["description"] == (
        "An Equiwatt Equivent, in progress; its end is an estimate."
    )
    simulator.world.end_now()
    await advance(hass, freezer, SLOW_POLL)
    assert [event["description"] for event in await calendar_events(hass, 1)] == [
        "An Equiwatt Equivent: a time to use less electricity."
    ]


async def test_calendar_words_follow_the_language(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The calendar speaks Home Assistant's language, its translations loaded anew on a change."""
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    welsh = {"equivent": "Digwyddiad", "equivent_live_estimated": "Digwyddiad ar y gweill."}
    real = translation.async_get_translations

    async def translations(
        hass: HomeAssistant, language: str, category: str, *args: Any
    ) -> dict[str, str]:
        found = await real(hass, language, category, *args)
        if (language, category) != ("cy", "common"):
            return found
        return found | {f"component.equiwatt.common.{key}": text for key, text in welsh.items()}

    with patch.object(translation, "async_get_translations", translations):
        await hass.config.async_update(language="cy")
        await hass.async_block_till_done()
    attributes = hass.states.get(CALENDAR).attributes
    assert (attributes["message"], attributes["description"]) == tuple(welsh.values())


async def test_options_offer_the_energy_dashboard_meter(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    setup_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """The grid meter of the Energy dashboard is suggested; a non-meter is refused; a meter adds sensors."""
    hass_storage["energy"] = {
        "version": 1,
        "minor_version": 1,
        "key": "energy",
        "data": {
            "energy_sources": [
                {
                    "type": "grid",
                    "flow_from": [
                        {
                            "stat_energy_from": METER,
                            "stat_cost": None,
                            "entity_energy_price": None,
                            "number_energy_price": None,
                        }
                    ],
                    "flow_to": [],
                    "cost_adjustment_day": 0,
                }
            ],
            "device_consumption": [],
        },
    }
    hass.states.async_set(METER, "12.5", METER_ATTRIBUTES)
    hass.states.async_set("sensor.power", "300", {"device_class": "energy"})
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested[CONF_ENERGY_SENSOR] == METER
    assert suggested[CONF_NATION] == "england_wales"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ENERGY_SENSOR: "sensor.power"}
    )
    assert result["errors"] == {CONF_ENERGY_SENSOR: "not_a_meter"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ENERGY_SENSOR: METER, CONF_NATION: "northern_ireland"}
    )
    await hass.async_block_till_done()
    assert setup_entry.options[CONF_ENERGY_SENSOR] == METER
    assert setup_entry.options[CONF_NATION] == "northern_ireland"
    assert setup_entry.runtime_data.saving.bank_holidays.subdivision == "NIR"
    assert all(hass.states.get(entity_id) is not None for entity_id in SAVING_SENSORS)
    assert hass.states.get(BASELINE).state == STATE_UNKNOWN


async def test_blueprint_notifies_the_pace_and_the_saving(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    tmp_path: Path,
    london: None,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
) -> None:
    """Once when the pace passes 90 %, once with the saving at the end."""
    calls: list[ServiceCall] = async_mock_service(hass, "notify", "phone")
    evenings = {date(2027, 1, 11) + timedelta(days=n): 1.0 for n in range(10)}
    import_days(hass, evenings)
    schedule(simulator, "2027-01-22T17:01:07+00:00")
    await setup_with_meter(hass, freezer, mock_entry, "2027-01-22T16:50:00+00:00", 10.0)
    await use_blueprint(
        hass,
        tmp_path,
        "saving_notify",
        {
            "pace_sensor": PACE,
            "saving_sensor": SAVING,
            "saving_percent_sensor": SAVING_PERCENT,
            "notify_action": "notify.phone",
        },
    )
    # Baseline 0.5 kWh per half-hour: 0.3 kWh by 17:15 is 120 % of the 0.25 expected.
    await run_meter(hass, freezer, [("2027-01-22T17:10:00+00:00", 10.1)])
    assert calls == []
    await run_meter(
        hass,
        freezer,
        [("2027-01-22T17:15:00+00:00", 10.3), ("2027-01-22T17:20:00+00:00", 10.35)],
    )
    assert [call.data["message"] for call in calls] == [
        "You are at 120 % of your usual use for this Equivent so far."
    ]
    # A reload: the pace goes unavailable and comes back above the threshold, no new crossing.
    assert await hass.config_entries.async_reload(mock_entry.entry_id)
    await hass.async_block_till_done()
    assert value(hass, PACE) > 90
    assert len(calls) == 1
    await run_meter(hass, freezer, [("2027-01-22T17:55:00+00:00", 10.4)])
    await advance_to(hass, freezer, "2027-01-22T18:10:00+00:00")
    # Usage 0.4 kWh against a 1.0 kWh baseline.
    assert calls[-1].data["message"] == (
        "The Equivent is over: you saved about 0.6 kWh (60 % of your baseline)."
    )
    assert len(calls) == 2


@pytest.mark.parametrize(
    "sources",
    [
        None,
        [
            {
                "type": "solar",
                "stat_energy_from": "sensor.solar",
                "config_entry_solar_forecast": None,
            }
        ],
        [{"type": "grid", "flow_from": [{"stat_energy_from": "octopus:import"}], "flow_to": []}],
    ],
)
async def test_options_without_a_dashboard_meter(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    sources: list[dict[str, Any]] | None,
) -> None:
    """No Energy dashboard, or no grid sensor in it: nothing is suggested, and none is fine."""
    if sources is not None:
        hass_storage["energy"] = {
            "version": 1,
            "minor_version": 1,
            "key": "energy",
            "data": {"energy_sources": sources, "device_consumption": []},
        }
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    assert all(
        str(key) != CONF_ENERGY_SENSOR or "suggested_value" not in (key.description or {})
        for key in result["data_schema"].schema
    )
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    await hass.async_block_till_done()
    assert setup_entry.options[CONF_ENERGY_SENSOR] is None
    assert setup_entry.runtime_data.saving is None


async def test_unreadable_saved_meter_data_is_ignored(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A damaged storage file is logged and replaced, and the sensors still come up."""
    hass_storage[f"equiwatt.{mock_entry.entry_id}.saving"] = {
        "version": 1,
        "key": f"equiwatt.{mock_entry.entry_id}.saving",
        "data": {"ledger": {"slots": "garbage"}},
    }
    await setup_with_meter(hass, freezer, mock_entry, "2026-11-20T17:10:00+00:00", 3.0)
    assert "Ignoring unreadable saved meter data" in caplog.text
    assert mock_entry.runtime_data.saving.state.ledger.slots == {}
    assert hass.states.get(BASELINE).state == STATE_UNKNOWN


@pytest.mark.parametrize("minor_version", [1, 2])
async def test_what_an_earlier_backfill_filled_is_made_again(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    london: None,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
    minor_version: int,
) -> None:
    """A file of the builds whose backfill could invent readings loses what it filled.

    Its approximate half-hours of 2 February (9.9 kWh each) go and are filled again
    from the hourly statistics (0.5), and the finished Equivent of 3 February gets
    its figures again; the half-hours the ledger measured stay. A file of this
    build is read as it is.
    """
    import_days(hass, {date(2027, 2, 2): 1.0})
    schedule(simulator, "2027-02-03T17:01:07+00:00")
    keys = {
        (day, minute): int(datetime(2027, 2, day, 17, minute, tzinfo=LONDON).timestamp())
        for day in (1, 2, 3)
        for minute in (0, 30)
    }
    measured = {(1, 0): 0.2, (1, 30): 0.4, (3, 0): 0.1, (3, 30): 0.1}
    filled = {(2, 0): 9.9, (2, 30): 9.9}
    equivent = keys[3, 0] + 67
    old = Figures(9.9, 0.2, 2, 10, approximate=True, usage_complete=True)
    key = f"equiwatt.{mock_entry.entry_id}.saving"
    hass_storage[key] = {
        "version": 1,
        "minor_version": minor_version,
        "key": key,
        "data": {
            "meter": METER,
            "ledger": {
                "slots": {str(keys[slot]): kwh for slot, kwh in (measured | filled).items()},
                "approximate": [keys[slot] for slot in filled],
                "unreadable": [],
                "last_value": None,
                "current": None,
                "current_kwh": 0.0,
            },
            "results": {str(equivent): old.as_dict()},
            "final": [equivent],
        },
    }
    await setup_with_meter(hass, freezer, mock_entry, "2027-02-03T19:00:00+00:00", 1.0)
    saving = mock_entry.runtime_data.saving
    ledger = saving.state.ledger
    figures = saving.data.figures[equivent]
    assert equivent in saving.state.final
    if minor_version == 2:
        assert ledger.get(keys[2, 0]) == Reading(9.9, approximate=True)
        assert figures == old
        return
    assert {slot: ledger.get(keys[slot]) for slot in measured} == {
        slot: Reading(kwh) for slot, kwh in measured.items()
    }
    assert ledger.get(keys[2, 0]) == ledger.get(keys[2, 30]) == Reading(0.5, approximate=True)
    # 17:00 from 1 and 2 February, (0.2 + 0.5) / 2; 17:30, (0.4 + 0.5) / 2.
    assert (figures.baseline, figures.usage, figures.days_used) == (
        pytest.approx(0.35 + 0.45),
        pytest.approx(0.2),
        2,
    )
    assert hass_storage[key]["minor_version"] == 2


async def test_own_ledger_comes_before_the_recorder(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    london: None,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
) -> None:
    """Half-hours in our saved ledger win over the hourly statistics of the same days."""
    days = [date(2027, 2, d) for d in (1, 2, 3, 4)]
    import_days(hass, dict.fromkeys(days, 5.0))  # 2.5 kWh per half-hour, approximate
    ledger_kwh = {1: 0.2, 2: 0.4, 3: 0.6}  # our own measurements of the 17:00 half-hours
    slots = {
        str(int(datetime(2027, 2, d, 17, tzinfo=LONDON).timestamp())): kwh
        for d, kwh in ledger_kwh.items()
    }
    slots |= {
        str(int(datetime(2027, 2, d, 17, 30, tzinfo=LONDON).timestamp())): kwh
        for d, kwh in ledger_kwh.items()
    }
    key = f"equiwatt.{mock_entry.entry_id}.saving"
    hass_storage[key] = {
        "version": 1,
        "key": key,
        "data": {
            "ledger": {
                "slots": slots,
                "approximate": [],
                "last_value": None,
                "current": None,
                "current_kwh": 0.0,
            },
            "results": {},
            "final": [],
        },
    }
    schedule(simulator, "2027-02-05T17:01:07+00:00")
    await setup_with_meter(hass, freezer, mock_entry, "2027-02-05T16:50:00+00:00", 1.0)
    await run_meter(hass, freezer, [("2027-02-05T17:20:00+00:00", 1.1)])
    # 1 to 3 February from the ledger, 4 February (not in it) from the hourly statistics.
    per_slot = mean([0.2, 0.4, 0.6, 5.0 / 2])
    assert value(hass, BASELINE) == pytest.approx(2 * per_slot)
    attributes = hass.states.get(BASELINE).attributes
    assert attributes["approximate"] is True  # 4 February is still half of its hour
    assert (attributes["days_used"], attributes["days_wanted"]) == (4, 10)


async def test_a_new_meter_starts_a_new_ledger(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    london: None,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
) -> None:
    """Choosing another meter never mixes two meters' totals in one half-hour."""
    await setup_with_meter(hass, freezer, mock_entry, "2027-01-22T16:50:00+00:00", 1000.0)
    await run_meter(hass, freezer, [("2027-01-22T17:10:00+00:00", 1000.3)])
    other = "sensor.other_grid_import"
    hass.states.async_set(other, "25000.0", METER_ATTRIBUTES)
    hass.config_entries.async_update_entry(mock_entry, options={CONF_ENERGY_SENSOR: other})
    assert await hass.config_entries.async_reload(mock_entry.entry_id)
    await hass.async_block_till_done()
    for when, reading in (
        ("2027-01-22T17:20:00+00:00", 25000.1),
        ("2027-01-22T18:10:00+00:00", 25000.5),
    ):
        await advance_to(hass, freezer, when)
        hass.states.async_set(other, str(reading), METER_ATTRIBUTES)
        await hass.async_block_till_done()
    ledger = mock_entry.runtime_data.saving.state.ledger
    assert ledger.slots, "the new meter is measured"
    assert max(ledger.slots.values()) < 1.0
