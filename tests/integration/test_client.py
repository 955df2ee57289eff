"""The integration's clients: the server read at each creation, one gate per token for all."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.equiwatt.api import DEFAULT_BASE_URL, MAX_CALLS
from custom_components.equiwatt.client import async_create_client
from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from tests.conftest import TOKEN, Simulator
from tests.integration.conftest import advance


async def test_one_gate_per_server_and_token(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A flow's client shares the entry's gate; another token or server has its own."""
    gate = setup_entry.runtime_data.coordinator.client.gate
    same = async_create_client(hass, f" Bearer {TOKEN}")
    assert same.base_url == simulator.url
    assert same.gate is gate
    assert async_create_client(hass, "another-token").gate is not gate
    monkeypatch.delenv("EQUIWATT_API_URL")
    elsewhere = async_create_client(hass, TOKEN)
    assert elsewhere.base_url == DEFAULT_BASE_URL, "the variable is read at each creation"
    assert elsewhere.gate is not gate


async def test_a_flow_spends_the_entrys_budget(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    setup_entry: MockConfigEntry,
) -> None:
    """With the minute's calls spent by polls, a reconfigure flow is told to wait, sending none."""
    coordinator = setup_entry.runtime_data.coordinator
    while coordinator.client.gate.limiter.calls_in_window() < MAX_CALLS:
        await advance(hass, freezer, 1.2)
        await coordinator.async_refresh()
    await advance(hass, freezer, 6)  # no result young enough to share
    assert len(simulator.world.log) == MAX_CALLS
    result = await setup_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: TOKEN}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "rate_limited"}
    assert len(simulator.world.log) == MAX_CALLS, "the flow sent nothing"
    assert simulator.world.rate_violations() == []
