"""The simulated home in a real Home Assistant: its grid meter, with weeks of history.

With the history (hourly statistics, imported as a real meter's recorder would have
written them) and past Equivents in the simulator, the saving per Equivent shows its
figures on the first Equivent, in scripts/develop and the README's pictures.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
import time

import aiohttp

from simulator import World
from simulator.meter import SimMeter

from .homeassistant_rest import HomeAssistantError, HomeAssistantRest

METER_ENTITY = "sensor.simulated_grid_import"
METER_ATTRIBUTES = {
    "device_class": "energy",
    "state_class": "total_increasing",
    "unit_of_measurement": "kWh",
    "friendly_name": "Simulated grid import",
}
SAVING_PROBE = "sensor.equiwatt_equivent_baseline"  # exists once a meter is chosen
# The saving's storage file of each entry, in the config dir's .storage (storage.py).
SAVING_FILES = "equiwatt.*.saving"
ROOM_TEMPERATURE = "sensor.simulated_room_temperature"
ROOM_ATTRIBUTES = {"device_class": "temperature", "unit_of_measurement": "°C"}
PLUG = "switch.simulated_plug"
# What scripts/develop chooses in the options: the meter, and the home's zone and plug
# (config/configuration.yaml) for the setback.
SIMULATED_OPTIONS = {
    "energy_sensor": METER_ENTITY,
    "setback_climates": ["climate.simulated_living_room"],
    "setback_switches": [PLUG],
}
METER_INTERVAL = 10.0  # seconds between readings, like a consumer access device
HISTORY_DAYS = 35  # enough weekdays for a full baseline around the past Equivents
PAST_EQUIVENT_DAYS = (1, 3, 6, 9, 13)  # days back, at the time of day the stack starts
HALF_HOUR = 1800
DAY = 86_400


def add_past_equivents(world: World) -> None:
    """Give the account a fortnight of Equivents as Equiwatt lists them: from hh:01:06, ~1 h."""
    now = world.now()
    for days in PAST_EQUIVENT_DAYS:
        slot = (now - days * DAY) // HALF_HOUR * HALF_HOUR
        world.schedule(slot + 66, slot + 3662)


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat()


async def import_meter_history(rest: HomeAssistantRest, meter: SimMeter) -> float:
    """Give Home Assistant the meter's past weeks as hourly statistics; return the reading now.

    The meter's earlier states and statistics (from an earlier run, whose meter counted
    from elsewhere) go first. The sums count from the reading now, which the caller
    posts as the meter's first state: that is where the recorder's own statistics
    start counting, so the two join without a jump.
    """
    await rest.wait_until_running()
    await rest.request(
        "POST", "/api/services/recorder/purge_entities", {"entity_id": METER_ENTITY, "keep_days": 0}
    )
    await rest.websocket({"type": "recorder/clear_statistics", "statistic_ids": [METER_ENTITY]})
    history = meter.hourly_history(HISTORY_DAYS)
    now = meter.read()
    await rest.websocket(
        {
            "type": "recorder/import_statistics",
            "metadata": {
                "has_sum": True,
                "mean_type": 0,
                "name": None,
                "source": "recorder",
                "statistic_id": METER_ENTITY,
                "unit_class": "energy",
                "unit_of_measurement": "kWh",
            },
            "stats": [
                {"start": _iso(start), "state": reading, "sum": reading - now}
                for start, reading in history
            ],
        }
    )
    await _wait_for_statistics(rest, history[0][0], len(history))
    return now


async def _wait_for_statistics(rest: HomeAssistantRest, since: float, count: int) -> None:
    """Wait until the recorder has written the imported rows (it imports in its own time)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        result = await rest.websocket(
            {
                "type": "recorder/statistics_during_period",
                "start_time": _iso(since),
                "statistic_ids": [METER_ENTITY],
                "period": "hour",
                "types": ["sum"],
            }
        )
        if len(result.get(METER_ENTITY, [])) >= count:
            return
        await asyncio.sleep(0.5)
    raise HomeAssistantError("the recorder did not import the meter's history within 60 s")


async def use_simulated_meter(
    rest: HomeAssistantRest, entry_id: str, meter: SimMeter, config_dir: Path
) -> None:
    """Publish the meter with its history and choose it (and the setback's), unless chosen.

    The saving's ledger starts from the history just imported: what it kept of an
    earlier run (that run's readings, and what it filled at this start from that
    run's statistics) goes with its storage file, removed while nothing writes it.
    """
    reading = await import_meter_history(rest, meter)
    await rest.set_state(METER_ENTITY, f"{reading:.3f}", METER_ATTRIBUTES)
    await rest.set_state(ROOM_TEMPERATURE, "19.5", ROOM_ATTRIBUTES)
    await rest.request("POST", "/api/services/switch/turn_on", {"entity_id": PLUG})
    if await rest.state(SAVING_PROBE) is None:
        remove_saving_files(config_dir)
        await rest.set_options(entry_id, SIMULATED_OPTIONS)
        return
    # Disabled, the entry is unloaded: its saving has written its file for the last time.
    disable = {"type": "config_entries/disable", "entry_id": entry_id}
    await rest.websocket({**disable, "disabled_by": "user"})
    remove_saving_files(config_dir)
    await rest.websocket({**disable, "disabled_by": None})


def remove_saving_files(config_dir: Path) -> None:
    """Remove the saving's storage file of every Equiwatt entry in a config dir."""
    for path in (config_dir / ".storage").glob(SAVING_FILES):
        path.unlink()


async def feed_meter(rest: HomeAssistantRest, meter: SimMeter) -> None:
    """Post the simulated meter's reading to Home Assistant every 10 s.

    While Home Assistant does not answer (a restart) the readings wait, and it says so once.
    """
    failing = False
    while True:
        await asyncio.sleep(METER_INTERVAL)
        try:
            await rest.set_state(METER_ENTITY, f"{meter.read():.3f}", METER_ATTRIBUTES)
        except (aiohttp.ClientError, HomeAssistantError) as err:
            if not failing:
                print(
                    f"The simulated meter cannot reach Home Assistant ({err}); retrying", flush=True
                )
            failing = True
        else:
            if failing:
                print("The simulated meter reaches Home Assistant again", flush=True)
            failing = False


async def latest_saving(rest: HomeAssistantRest, timeout: float = 60) -> str:
    """Wait for the baseline of the latest Equivent, from the history; say what it is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = await rest.state(SAVING_PROBE)
        if state is not None and state["state"] not in ("unknown", "unavailable"):
            attributes = state["attributes"]
            return (
                f"a baseline of {float(state['state']):.2f} kWh from "
                f"{attributes['days_used']} of {attributes['days_wanted']} days"
            )
        await asyncio.sleep(1)
    return "no baseline yet"
