"""Polling through Home Assistant: design.md behaviour items 1 to 7."""

from __future__ import annotations

import logging
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.equiwatt.api import EquiwattRateLimitedError
from custom_components.equiwatt.const import DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from simulator.world import SimEquivent
from tests.conftest import SLOW_POLL, TOKEN, Simulator
from tests.integration.conftest import advance
from tests.integration.helpers import (
    BINARY,
    CALENDAR,
    EVENT,
    LAST_DURATION,
    LAST_END,
    LAST_START,
    LAST_WEBHOOK,
    POLLED,
    START,
    calendar_events,
    fired_events,
    kinds,
)


@pytest.mark.parametrize("time_format", ["seconds", "milliseconds", "string", "iso"])
@pytest.mark.parametrize("server_bug", [False, True])
async def test_equivent_lifecycle_by_polling(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    server_bug: bool,
    time_format: str,
) -> None:
    """Both live shapes, in every time encoding, turn everything on, then off, firing each once."""
    simulator.world.faults.server_bug = server_bug
    simulator.world.faults.time_format = time_format
    assert hass.states.get(BINARY).state == STATE_OFF
    with fired_events() as fired:
        event = simulator.world.start_now()
        await advance(hass, freezer, SLOW_POLL)
        assert hass.states.get(BINARY).state == STATE_ON
        started = dt_util.utc_from_timestamp(int(event.start))
        assert hass.states.get(START).state == started.isoformat()
        assert hass.states.get(CALENDAR).state == STATE_ON
        assert kinds(fired) == ["started"]
        assert fired[0][1]["start"] == started.isoformat()

        await advance(hass, freezer, 3 * SLOW_POLL)
        assert kinds(fired) == ["started"], "polls while live fire nothing more"

        ended = simulator.world.end_now()
        assert ended is not None
        await advance(hass, freezer, SLOW_POLL)
    assert hass.states.get(BINARY).state == STATE_OFF
    assert hass.states.get(START).state == STATE_UNKNOWN
    assert hass.states.get(LAST_START).state == started.isoformat()
    assert hass.states.get(LAST_END).state == dt_util.utc_from_timestamp(int(ended.end)).isoformat()
    assert float(hass.states.get(LAST_DURATION).state) == pytest.approx(
        (int(ended.end) - int(ended.start)) / 60, abs=0.02
    )
    assert hass.states.get(CALENDAR).state == STATE_OFF
    assert kinds(fired) == ["started", "ended"]
    assert hass.states.get(EVENT).attributes["event_type"] == "ended"
    assert simulator.world.rate_violations() == []


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 500},
        {"status": 502, "html": True},
        {"malformed": "truncated"},
        {"malformed": "html"},
        {"malformed": "success_false"},
        {"malformed": "wrong_types"},
        {"malformed": "oversized"},
        {"malformed": "deep"},
        {"delay": 30.0},
    ],
)
async def test_single_fault_changes_nothing(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    fault: dict[str, object],
) -> None:
    """One failed or malformed poll changes no state and makes nothing unavailable."""
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    before = {entity_id: hass.states.get(entity_id) for entity_id in POLLED}
    simulator.world.faults.update({**fault, "remaining": 1})
    with fired_events() as fired:
        await advance(hass, freezer, SLOW_POLL)
        for entity_id, state in before.items():
            assert hass.states.get(entity_id) == state, entity_id
        await advance(hass, freezer, SLOW_POLL)
    assert fired == []
    assert hass.states.get(BINARY).state == STATE_ON


async def test_unavailable_only_after_ten_minutes(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Polled entities go unavailable after 10 minutes of faults, logged once each way."""
    simulator.world.faults.update({"status": 503, "html": True})
    await advance(hass, freezer, 9 * 60, step=5)
    assert all(hass.states.get(e).state != STATE_UNAVAILABLE for e in POLLED)
    await advance(hass, freezer, 2 * 60, step=5)
    for entity_id in POLLED:
        assert hass.states.get(entity_id).state == STATE_UNAVAILABLE, entity_id
    assert hass.states.get(LAST_WEBHOOK).state != STATE_UNAVAILABLE
    assert hass.states.get(EVENT).state != STATE_UNAVAILABLE
    await advance(hass, freezer, 5 * 60, step=5)
    # Core's coordinator logs it, once when it starts and once when it ends.
    assert caplog.text.count("Error fetching equiwatt data") == 1
    assert "HTTP 503" in caplog.text

    simulator.world.faults.update({"status": None, "html": False})
    await advance(hass, freezer, SLOW_POLL, step=5)
    assert all(hass.states.get(e).state != STATE_UNAVAILABLE for e in POLLED)
    assert caplog.text.count("Fetching equiwatt data recovered") == 1
    assert TOKEN not in caplog.text


@pytest.mark.parametrize(("retry_after", "expected"), [(300.0, 300), (None, 60)])
async def test_429_backs_off(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    retry_after: float | None,
    expected: int,
) -> None:
    """After a 429 the next call waits for Retry-After, else at least 60 s."""
    simulator.world.faults.update({"status": 429, "retry_after": retry_after, "remaining": 1})
    await advance(hass, freezer, SLOW_POLL + expected + 30, step=2)
    log = [entry for entry in simulator.world.log if entry.auth_ok]
    limited = next(index for index, entry in enumerate(log) if entry.status == 429)
    assert log[limited + 1].time - log[limited].time >= expected
    assert hass.states.get(BINARY).state == STATE_OFF


async def test_rejected_token_starts_reauth_and_stops_polling(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """401 starts the reauth flow and polling stops until a new token works."""
    simulator.world.tokens.discard(TOKEN)
    await advance(hass, freezer, SLOW_POLL)
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    calls = len(simulator.world.log)
    await advance(hass, freezer, 30 * 60, step=10)
    assert len(simulator.world.log) == calls
    assert setup_entry.state is ConfigEntryState.LOADED


async def test_restart_is_silent(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """After a restart the state is restored and nothing known fires again."""
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    start_state = hass.states.get(START).state
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    await advance(hass, freezer, 60)
    simulator.world.faults.update({"status": 500})
    with fired_events() as fired:
        assert await hass.config_entries.async_setup(setup_entry.entry_id)
        await hass.async_block_till_done()
        assert setup_entry.state is ConfigEntryState.LOADED
        assert hass.states.get(BINARY).state == STATE_ON
        assert hass.states.get(START).state == start_state
        simulator.world.faults.update({"status": None})
        await advance(hass, freezer, SLOW_POLL)
        assert fired == []
        simulator.world.end_now()
        await advance(hass, freezer, SLOW_POLL)
    assert kinds(fired) == ["ended"]
    assert hass.states.get(BINARY).state == STATE_OFF


async def test_equivent_while_down_is_history_only(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An Equivent that began and ended while Home Assistant was down fires nothing."""
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    now = dt_util.utcnow().timestamp()
    simulator.world.schedule(now + 600, now + 600 + 3590)
    await advance(hass, freezer, 2 * 3600, step=60)
    with fired_events() as fired:
        assert await hass.config_entries.async_setup(setup_entry.entry_id)
        await hass.async_block_till_done()
        await advance(hass, freezer, SLOW_POLL)
    assert fired == []
    assert hass.states.get(BINARY).state == STATE_OFF
    assert (
        hass.states.get(LAST_START).state == dt_util.utc_from_timestamp(int(now + 600)).isoformat()
    )
    events = await calendar_events(hass, days=1)
    assert [e["summary"] for e in events] == ["Equivent"]


async def test_calendar_keeps_history_beyond_the_api_window(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The calendar keeps every Equivent seen, though the API lists only the last 10."""
    for _ in range(12):
        simulator.world.start_now(duration=3600)
        await advance(hass, freezer, 3600 + SLOW_POLL, step=60)
    await advance(hass, freezer, SLOW_POLL)
    assert len(await calendar_events(hass, days=3)) == 12
    assert simulator.world.rate_violations() == []


async def test_live_calendar_event_shows_expected_end(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The live Equivent is on the calendar with its planned end."""
    event = simulator.world.start_now(duration=3000)
    await advance(hass, freezer, SLOW_POLL)
    state = hass.states.get(CALENDAR)
    assert state.state == STATE_ON
    end = dt_util.as_local(dt_util.utc_from_timestamp(int(event.start + 3000)))
    assert state.attributes["end_time"] == end.strftime("%Y-%m-%d %H:%M:%S")


async def test_odd_events_are_logged_once(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An event that ends before it starts is dropped and logged once, however often it comes."""
    now = dt_util.utcnow().timestamp()
    simulator.world.equivents.append(SimEquivent(now - 7200, now - 9000))
    with caplog.at_level(logging.WARNING):
        await advance(hass, freezer, 3 * SLOW_POLL)
    assert caplog.text.count("ends before it starts") == 1
    assert hass.states.get(LAST_START).state == STATE_UNKNOWN
    assert hass.states.get(BINARY).state == STATE_OFF


async def test_several_accounts_side_by_side(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Two entries, two devices, each with its own state."""
    simulator.world.tokens.add("second-token-abcdef")
    second = MockConfigEntry(
        domain=DOMAIN,
        title="Equiwatt",
        data={"api_token": "second-token-abcdef", "webhook_id": "second-hook-123"},
        unique_id="second",
    )
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    await hass.async_block_till_done()
    states = hass.states.async_entity_ids("binary_sensor")
    assert sorted(states) == [
        "binary_sensor.equiwatt_equivent_active",
        "binary_sensor.equiwatt_equivent_active_2",
    ]
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    assert hass.states.get("binary_sensor.equiwatt_equivent_active").state == STATE_ON
    assert hass.states.get("binary_sensor.equiwatt_equivent_active_2").state == STATE_ON
    assert simulator.world.rate_violations() == []


async def test_local_limiter_refusal_is_not_a_fault(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When our own limiter declines a call, nothing is logged as an error and polling goes on."""
    with patch(
        "custom_components.equiwatt.coordinator.EquiwattClient.get_equivents",
        side_effect=EquiwattRateLimitedError("budget spent", 20.0),
    ):
        await advance(hass, freezer, SLOW_POLL)
    assert setup_entry.runtime_data.coordinator.last_update_success
    assert "Error fetching" not in caplog.text
    calls = simulator.world.request_count
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    assert simulator.world.request_count > calls
    assert hass.states.get(BINARY).state == STATE_ON
