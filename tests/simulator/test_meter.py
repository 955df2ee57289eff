"""The simulated home's grid meter: a daily profile, cut during Equivents."""

from __future__ import annotations

import aiohttp
import pytest

from simulator import ManualClock, World
from simulator.meter import EQUIVENT_SHARE, PROFILE, SimMeter
from tests.conftest import TOKEN, start_simulator

# Wednesday 6 January 2027, 17:00 UTC.
T0 = 1_799_254_800.0


def test_meter_counts_the_profile_and_cuts_during_an_equivent() -> None:
    """An hour at 17:00 counts the 17:00 power; the same hour in an Equivent, 40 % of it."""
    clock = ManualClock(T0)
    world = World(clock=clock)
    meter = SimMeter(world)
    start = meter.read()
    clock.advance(3600)
    assert meter.read() - start == pytest.approx(PROFILE[17], abs=0.001)
    world.schedule(clock.now, clock.now + 3600)
    before = meter.read()
    clock.advance(3600)
    assert meter.read() - before == pytest.approx(PROFILE[18] * EQUIVENT_SHARE, abs=0.001)


def test_hourly_history_leads_up_to_the_reading_and_knows_past_equivents() -> None:
    """Two days of hours, each the profile's use (40 % in an Equivent), ending at the counter now."""
    clock = ManualClock(T0 + 600)
    world = World(clock=clock)
    world.schedule(T0 - 86_400, T0 - 86_400 + 3600)  # yesterday's 17:00 hour
    meter = SimMeter(world)
    history = meter.hourly_history(2)
    assert len(history) == 48
    assert history[-1] == (T0 - 3600, pytest.approx(meter.read() - PROFILE[17] * 600 / 3600))
    uses = {
        start: reading - before
        for (start, reading), (_, before) in zip(history[1:], history, strict=False)
    }
    assert uses[T0 - 2 * 3600] == pytest.approx(PROFILE[15])
    assert uses[T0 - 86_400] == pytest.approx(PROFILE[17] * EQUIVENT_SHARE)


async def test_meter_over_http(socket_enabled: None) -> None:
    """GET /_sim/meter gives the reading in kWh."""
    clock = ManualClock(T0)
    runner, url = await start_simulator(World(clock=clock, tokens={TOKEN}), webhook_loop=False)
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{url}/_sim/meter") as response:
                first = (await response.json())["kwh"]
            clock.advance(1800)
            async with session.get(f"{url}/_sim/meter") as response:
                second = (await response.json())["kwh"]
    finally:
        await runner.cleanup()
    assert second - first == pytest.approx(PROFILE[17] / 2, abs=0.001)
