"""The diagnostics of an entry, downloaded as a user does."""

from __future__ import annotations

import json

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from tests.conftest import TOKEN, WEBHOOK_ID, async_set_up
from tests.timing import settle


async def test_diagnostics(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
    mock_entry: MockConfigEntry,
) -> None:
    """State, polling, the setback's memory and the webhook's calls; no token, no webhook id."""
    await async_set_up(hass, freezer, mock_entry)
    # Before the first client: the router takes no route once one is made.
    assert await async_setup_component(hass, "diagnostics", {})
    webhook = await hass_client_no_auth()
    response = await webhook.post(f"/api/webhook/{WEBHOOK_ID}?event=test", json={"demo": 1})
    assert response.status == 200
    await settle(hass)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, mock_entry)
    text = json.dumps(diagnostics)
    assert TOKEN not in text
    assert WEBHOOK_ID not in text
    assert diagnostics == snapshot
