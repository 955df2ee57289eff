"""Push latency: POST to the webhook → binary sensor state changed, over real HTTP."""

from __future__ import annotations

from datetime import timedelta
import time

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from bench.conftest import record
from bench.stats import summary
from homeassistant.core import Event, HomeAssistant, callback
from tests.conftest import WEBHOOK_ID, Simulator

CALLS = 500
BINARY = "binary_sensor.equiwatt_equivent_active"


async def test_push_latency(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """500 webhook calls, alternating started and ended; real time, real HTTP."""
    mock_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_entry.entry_id)
    await hass.async_block_till_done()
    # Each call is a new Equivent seconds after the last one; real ones are hours
    # apart. Without this the duplicate guard (a `started` within 5 minutes of an
    # end) would rightly ignore every other call.
    mock_entry.runtime_data.tracker.grace = timedelta(0)
    client = await hass_client_no_auth()
    changed_at: list[float] = []

    @callback
    def _changed(event: Event) -> None:
        if event.data["entity_id"] == BINARY:
            changed_at.append(time.perf_counter())

    unsub = hass.bus.async_listen("state_changed", _changed)
    latencies: list[float] = []
    replies: list[float] = []
    for index in range(CALLS):
        intent = "started" if index % 2 == 0 else "ended"
        if intent == "started":
            simulator.world.start_now()
        else:
            simulator.world.end_now()
        seen = len(changed_at)
        sent = time.perf_counter()
        response = await client.post(f"/api/webhook/{WEBHOOK_ID}", params={"event": intent})
        replied = time.perf_counter()
        assert response.status == 200
        assert len(changed_at) == seen + 1, f"call {index} ({intent}) changed no state"
        latencies.append((changed_at[seen] - sent) * 1000)
        replies.append((replied - sent) * 1000)
    unsub()
    await hass.async_block_till_done()
    record(
        "push_latency",
        {
            "what": "POST /api/webhook/<id> -> binary_sensor state_changed, ms",
            "state_change_ms": summary(latencies),
            "http_reply_ms": summary(replies),
            "api_calls": len(simulator.world.log),
            "rate_limit_violations": len(simulator.world.rate_violations()),
        },
    )
    assert not simulator.world.rate_violations()
