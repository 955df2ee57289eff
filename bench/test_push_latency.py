"""Push latency: POST to a webhook → state changed, over real HTTP, against a bare automation.

The baseline is what users build by hand today: a webhook-triggered automation
that flips a helper. Both run in the same Home Assistant, calls interleaved, so
that they share every condition of the run.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import time

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from bench.conftest import record
from bench.stats import summary
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.setup import async_setup_component
from tests.conftest import WEBHOOK_ID, Simulator
from tests.integration.helpers import BINARY

CALLS = 200
BACK_TO_BACK = 8
BARE = "input_boolean.bare"
BARE_HOOK = "bare-automation-hook"


async def _set_up_bare_automation(hass: HomeAssistant) -> None:
    """Set up the do-it-yourself baseline: webhook trigger → input_boolean on or off."""
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"bare": {"name": "Bare"}}}
    )
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "triggers": [
                    {
                        "trigger": "webhook",
                        "webhook_id": BARE_HOOK,
                        "allowed_methods": ["POST"],
                        "local_only": False,
                    }
                ],
                "actions": [
                    {
                        "action": "input_boolean.turn_{{ 'on' if trigger.query.event == "
                        "'started' else 'off' }}",
                        "target": {"entity_id": BARE},
                    }
                ],
            }
        },
    )


async def test_push_latency(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """200 calls each to ours and to the bare automation, then back-to-back starts."""
    mock_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_entry.entry_id)
    await _set_up_bare_automation(hass)
    await hass.async_block_till_done()
    tracker = mock_entry.runtime_data.coordinator.tracker
    # Part 1, instant path: each call is a new Equivent seconds after the last
    # one, so a zero grace makes every `started` the first after a quiet time.
    # Each call's confirming API read (within 1 call/s) is let finish before the
    # world moves on, so the API always agrees when it is read.
    tracker.grace = timedelta(0)
    client = await hass_client_no_auth()
    changed_at: dict[str, list[float]] = {BINARY: [], BARE: []}

    @callback
    def _changed(event: Event) -> None:
        if (entity_id := event.data["entity_id"]) in changed_at:
            changed_at[entity_id].append(time.perf_counter())

    async def _timed(entity_id: str, hook: str, intent: str) -> tuple[float, float]:
        seen = len(changed_at[entity_id])
        sent = time.perf_counter()
        response = await client.post(f"/api/webhook/{hook}", params={"event": intent})
        replied = time.perf_counter()
        assert response.status == 200
        while len(changed_at[entity_id]) == seen:
            await asyncio.sleep(0)
            assert time.perf_counter() - sent < 5, f"{entity_id}: no state change"
        return (changed_at[entity_id][seen] - sent) * 1000, (replied - sent) * 1000

    unsub = hass.bus.async_listen("state_changed", _changed)
    ours: list[float] = []
    replies: list[float] = []
    bare: list[float] = []
    for index in range(CALLS):
        intent = "started" if index % 2 == 0 else "ended"
        if intent == "started":
            simulator.world.start_now()
        else:
            simulator.world.end_now()
        # Alternate which goes first, so neither gains from the other's warm-up.
        order = [(BINARY, WEBHOOK_ID), (BARE, BARE_HOOK)][:: 1 if index % 4 < 2 else -1]
        for entity_id, hook in order:
            latency, reply = await _timed(entity_id, hook, intent)
            if entity_id == BINARY:
                ours.append(latency)
                replies.append(reply)
            else:
                bare.append(latency)
        await hass.async_block_till_done()
    await hass.async_block_till_done()
    instant_calls = len(simulator.world.log)

    # Part 2, back to back: the normal grace; each `started` comes 25 s after an
    # end and is checked with the API (shown live there) before the state changes.
    # The minute's budget that part 1 spent is let recover first, and each round
    # (two fresh API calls: the check, and the confirmation of the end) takes
    # 26.5 s, well within 10 calls a minute.
    tracker.grace = timedelta(minutes=5)
    await asyncio.sleep(mock_entry.runtime_data.coordinator.client.gate.limiter.delay() + 1)
    back_to_back: list[float] = []
    for _ in range(BACK_TO_BACK):
        simulator.world.start_now()
        back_to_back.append((await _timed(BINARY, WEBHOOK_ID, "started"))[0])
        await asyncio.sleep(1.5)
        simulator.world.end_now()
        await _timed(BINARY, WEBHOOK_ID, "ended")
        await asyncio.sleep(25)
    unsub()
    await hass.async_block_till_done()
    ours_summary, bare_summary = summary(ours), summary(bare)
    record(
        "push_latency",
        {
            "what": "POST /api/webhook/<id> -> state_changed, ms; baseline: a bare "
            "webhook-triggered automation turning an input_boolean on or off",
            "state_change_ms": ours_summary,
            "bare_automation_ms": bare_summary,
            "p50_ratio": round(ours_summary["p50"] / bare_summary["p50"], 2),
            "p99_ratio": round(ours_summary["p99"] / bare_summary["p99"], 2),
            "http_reply_ms": summary(replies),
            "back_to_back_start_ms": summary(back_to_back),
            "api_calls_instant_part": instant_calls,
            "api_calls": len(simulator.world.log),
            "rate_limit_violations": len(simulator.world.rate_violations()),
        },
    )
    assert not simulator.world.rate_violations()
