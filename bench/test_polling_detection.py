"""Polling alone, in simulated time: detection latency and API calls per hour.

The real coordinator polls the simulator over real HTTP; the frozen clock jumps
straight to the next due timer (a discrete-event simulation of the event loop),
so days replay in seconds. Our adaptive schedule runs side by side with a
fixed 30 s poll, what a RESTful sensor does.
"""

from __future__ import annotations

from datetime import timedelta
import json
import os
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bench.conftest import events_file, record
from bench.stats import summary
from custom_components.equiwatt.api.schedule import HALF_HOUR, PollSchedule
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.util import dt as dt_util
from simulator.world import SimEquivent
from tests.conftest import Simulator
from tests.timing import jump, seconds_to_next_timer

BINARY = "binary_sensor.equiwatt_equivent_active"
LEAD_IN = timedelta(hours=1)
ALIGNED_WITHIN = 150  # seconds after a half-hour boundary: a "half-hour-aligned" start


async def replay(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    entry: MockConfigEntry,
    events: list[dict[str, float]],
) -> dict[str, Any]:
    """Replay a schedule through the simulator and the real coordinator."""
    first = min(e["start_time"] for e in events)
    last = max(e["end_time"] for e in events)
    freezer.move_to(dt_util.utc_from_timestamp(first) - LEAD_IN)
    simulator.world.equivents = [SimEquivent(e["start_time"], e["end_time"]) for e in events]
    entry.add_to_hass(hass)
    changes: list[tuple[float, str]] = []

    @callback
    def _changed(event: Event) -> None:
        if event.data["entity_id"] == BINARY and event.data["new_state"] is not None:
            changes.append((dt_util.utcnow().timestamp(), event.data["new_state"].state))

    hass.bus.async_listen("state_changed", _changed)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    started = dt_util.utcnow().timestamp()
    stop = last + LEAD_IN.total_seconds()
    while dt_util.utcnow().timestamp() < stop:
        await jump(hass, freezer, seconds_to_next_timer(hass) + 0.001)
    hours = (dt_util.utcnow().timestamp() - started) / 3600
    starts, ends, aligned = [], [], []
    for event in events:
        on = next(t for t, s in changes if s == "on" and t >= event["start_time"])
        off = next(t for t, s in changes if s == "off" and t >= event["end_time"])
        starts.append(on - event["start_time"])
        ends.append(off - event["end_time"])
        if event["start_time"] % HALF_HOUR <= ALIGNED_WITHIN:
            aligned.append(on - event["start_time"])
    assert await hass.config_entries.async_unload(entry.entry_id)
    if os.environ.get("EQUIWATT_BENCH_TRACE"):
        print(changes)
    return {
        "equivents": len(events),
        "simulated_hours": round(hours, 1),
        "api_calls": simulator.world.request_count,
        "calls_per_hour": round(simulator.world.request_count / hours, 1),
        "start_detection_s": summary(starts, 1),
        "aligned_start_detection_s": summary(aligned, 1) if aligned else None,
        "aligned_within_15s": f"{sum(1 for a in aligned if a <= 15)}/{len(aligned)}",
        "end_detection_s": summary(ends, 1),
        "rate_limit_violations": len(simulator.world.rate_violations()),
        "status_codes": sorted({entry.status for entry in simulator.world.log}),
    }


@pytest.mark.parametrize("schedule", ["adaptive", "fixed_30s"])
async def test_polling_detection(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
    schedule: str,
) -> None:
    """Detection latency and calls per hour, for one schedule."""
    events = json.loads(events_file().read_text(encoding="utf-8"))
    if schedule == "fixed_30s":
        with patch.object(PollSchedule, "next_delay", lambda self, now, **_: 30.0):
            result = await replay(hass, freezer, simulator, mock_entry, events)
    else:
        result = await replay(hass, freezer, simulator, mock_entry, events)
    result["events_file"] = events_file().name
    record(f"polling_{schedule}", result)
    assert result["rate_limit_violations"] == 0
