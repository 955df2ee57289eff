"""Set-ups that fail, and restarts: no invented state, no budget spent twice."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.equiwatt.client import GATES, async_get_gate
from custom_components.equiwatt.const import DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from tests.conftest import TOKEN, Simulator
from tests.integration.conftest import advance, settle
from tests.integration.helpers import BINARY


def _new_process(hass: HomeAssistant) -> None:
    """Forget every rate-limit gate, as a restarted Home Assistant would."""
    hass.data.pop(GATES)


async def test_failed_first_set_up_invents_no_state_on_retry(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict,
) -> None:
    """A first set-up that never read Equiwatt saves no Equivent state; retries keep failing."""
    simulator.world.faults.update({"status": 502, "html": True})
    mock_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(mock_entry.entry_id)
    assert mock_entry.state is ConfigEntryState.SETUP_RETRY
    await hass.async_block_till_done()
    saved = hass_storage.get(f"{DOMAIN}.{mock_entry.entry_id}", {}).get("data", {})
    assert "history" not in saved, "nothing was known, so nothing may be saved"
    # Home Assistant retries by itself (every few seconds); Equiwatt still answers 502.
    await advance(hass, freezer, 30, step=5)
    assert mock_entry.state is ConfigEntryState.SETUP_RETRY
    assert hass.states.get(BINARY) is None, "no entity on made-up data"
    assert len(simulator.world.log) > 1
    # Once Equiwatt answers, the entry loads with what it says.
    simulator.world.faults = type(simulator.world.faults)()
    simulator.world.start_now()
    await advance(hass, freezer, 70, step=5)
    assert mock_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(BINARY).state == STATE_ON


async def test_first_refresh_declined_by_the_limiter_retries(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """With the minute's budget spent elsewhere, the first set-up waits instead of loading empty."""
    freezer.move_to("2026-11-20T17:10:00+00:00")
    mock_entry.add_to_hass(hass)
    gate = async_get_gate(hass, simulator.url, TOKEN)
    for _ in range(10):
        gate.limiter.record()
    assert not await hass.config_entries.async_setup(mock_entry.entry_id)
    assert mock_entry.state is ConfigEntryState.SETUP_RETRY
    assert simulator.world.log == type(simulator.world.log)(), "no call was sent"
    await advance(hass, freezer, 90, step=5)
    assert mock_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(BINARY) is not None
    assert simulator.world.rate_violations() == []


async def test_rate_limit_is_remembered_across_a_restart(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The calls of the minute before a restart count after it: Equiwatt never answers 429."""
    coordinator = setup_entry.runtime_data.coordinator
    for _ in range(9):
        await advance(hass, freezer, 1.2)
        await coordinator.async_refresh()
    await settle(hass)
    assert len(simulator.world.log) == 10
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    _new_process(hass)
    await advance(hass, freezer, 5)
    assert await hass.config_entries.async_setup(setup_entry.entry_id)
    await advance(hass, freezer, 120, step=5)
    assert simulator.world.rate_rejections == 0
    assert simulator.world.rate_violations() == []
    assert setup_entry.state is ConfigEntryState.LOADED
    assert len(simulator.world.log) > 10, "polling goes on once the minute is over"
