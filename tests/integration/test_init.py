"""Set-up, device, unload, removal, cloudhooks, repairs and diagnostics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import json
import logging
from typing import Any
from unittest.mock import AsyncMock, patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.equiwatt.api import read_capped
from custom_components.equiwatt.const import CONF_CLOUDHOOK_URL, CONF_PUSH, DOMAIN
from custom_components.equiwatt.diagnostics import async_get_config_entry_diagnostics
from homeassistant.components import cloud, webhook
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.setup import async_setup_component
from tests.conftest import SLOW_POLL, TOKEN, WEBHOOK_ID, Simulator
from tests.integration.conftest import advance
from tests.integration.helpers import BINARY, POLLED

ISSUE_ID = "no_public_url_01JEQUIWATTTESTENTRY0000001"


async def test_one_service_device_with_translated_entities(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """One service device holds the eight entities, with stable unique ids."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), setup_entry.entry_id)
    assert [(d.name, d.manufacturer, d.model, d.entry_type) for d in devices] == [
        ("Equiwatt", "Equiwatt", "Open API", dr.DeviceEntryType.SERVICE)
    ]
    entities = er.async_entries_for_config_entry(er.async_get(hass), setup_entry.entry_id)
    assert sorted(e.translation_key for e in entities) == [
        "equivent",
        "equivent_active",
        "equivent_start",
        "equivents",
        "last_equivent_duration",
        "last_equivent_end",
        "last_equivent_start",
        "last_webhook",
    ]
    assert {e.unique_id.split("-", 1)[0] for e in entities} == {setup_entry.entry_id}
    assert all(e.device_id == devices[0].id for e in entities)
    diagnostic = [e.entity_id for e in entities if e.entity_category is not None]
    assert diagnostic == ["sensor.equiwatt_last_webhook"]


async def test_unload_leaves_nothing_behind(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Unload stops polling, unregisters the webhook and leaves no timer running."""
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert setup_entry.state is ConfigEntryState.NOT_LOADED
    # Registering the id again would raise if unload had left it registered.
    webhook.async_register(hass, "test", "test", WEBHOOK_ID, AsyncMock())
    webhook.async_unregister(hass, WEBHOOK_ID)
    calls = len(simulator.world.log)
    await advance(hass, freezer, 3600, step=30)
    assert len(simulator.world.log) == calls
    client = await hass_client_no_auth()
    assert (await client.post(f"/api/webhook/{WEBHOOK_ID}?event=started")).status == 200
    assert hass.states.get(BINARY).state == "unavailable"


async def test_removal_deletes_history_cloudhook_and_issue(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict,
) -> None:
    """Removing the entry deletes its saved history, its cloudhook and its repair issue."""
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    key = f"{DOMAIN}.{setup_entry.entry_id}"
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    assert key in hass_storage
    assert hass_storage[key]["data"]["live"] is not None
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID) is not None
    hass.config_entries.async_update_entry(
        setup_entry, data={**setup_entry.data, CONF_CLOUDHOOK_URL: "https://hooks.nabu.casa/x"}
    )
    hass.config.components.add("cloud")
    with patch("homeassistant.components.cloud.async_delete_cloudhook", new=AsyncMock()) as delete:
        await hass.config_entries.async_remove(setup_entry.entry_id)
        await hass.async_block_till_done()
    delete.assert_awaited_once_with(hass, WEBHOOK_ID)
    assert key not in hass_storage
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID) is None


async def test_removal_survives_cloud_gone(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """A cloudhook whose cloud is gone is dropped quietly."""
    hass.config_entries.async_update_entry(
        setup_entry, data={**setup_entry.data, CONF_CLOUDHOOK_URL: "https://hooks.nabu.casa/x"}
    )
    hass.config.components.add("cloud")
    with patch(
        "homeassistant.components.cloud.async_delete_cloudhook",
        side_effect=cloud.CloudNotAvailable,
    ):
        await hass.config_entries.async_remove(setup_entry.entry_id)
    assert hass.config_entries.async_get_entry(setup_entry.entry_id) is None


async def test_cloudhook_created_when_cloud_connects_later(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A subscription that connects after set-up gets its cloudhook then, and the issue clears."""
    hass.config.components.add("cloud")
    mock_entry.add_to_hass(hass)
    connected = False
    with (
        patch("homeassistant.components.cloud.async_active_subscription", return_value=True),
        patch("homeassistant.components.cloud.async_is_connected", side_effect=lambda _: connected),
        patch(
            "homeassistant.components.cloud.async_get_or_create_cloudhook",
            return_value="https://hooks.nabu.casa/late",
        ) as create,
    ):
        assert await hass.config_entries.async_setup(mock_entry.entry_id)
        await hass.async_block_till_done()
        assert CONF_CLOUDHOOK_URL not in mock_entry.data
        assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID) is not None
        connected = True
        async_dispatcher_send(
            hass, cloud.SIGNAL_CLOUD_CONNECTION_STATE, cloud.CloudConnectionState.CLOUD_CONNECTED
        )
        await hass.async_block_till_done()
    create.assert_awaited_once()
    assert mock_entry.data[CONF_CLOUDHOOK_URL] == "https://hooks.nabu.casa/late"
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID) is None
    assert await hass.config_entries.async_unload(mock_entry.entry_id)


async def test_repair_issue_follows_reachability_and_push_option(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No public URL with push wanted raises the issue; a URL or push off clears it.

    The Internet URL is followed as Settings → System → Network saves it, without a reload.
    """
    mock_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_entry.entry_id)
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID)
    assert issue is not None
    assert issue.translation_key == "no_public_url"
    assert issue.severity is ir.IssueSeverity.WARNING
    for url, raised in (
        ("https://home.example.org", False),
        ("http://192.168.1.20:8123", True),
        ("https://home.example.org", False),
        (None, True),
    ):
        await hass.config.async_update(external_url=url)
        await hass.async_block_till_done()
        assert (ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID) is not None) is raised, url
    await advance(hass, freezer, 5)
    coordinator = mock_entry.runtime_data.coordinator
    result = await hass.config_entries.options.async_init(mock_entry.entry_id)
    await hass.config_entries.options.async_configure(result["flow_id"], {CONF_PUSH: False})
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID) is None
    assert mock_entry.runtime_data.coordinator is coordinator, "push off applies without a reload"


async def test_setup_retries_when_equiwatt_is_down(
    hass: HomeAssistant, simulator: Simulator, mock_entry: MockConfigEntry
) -> None:
    """A first set-up with no saved state and no answer is retried later."""
    simulator.world.faults.update({"status": 502, "html": True})
    mock_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(mock_entry.entry_id)
    assert mock_entry.state is ConfigEntryState.SETUP_RETRY


async def test_setup_with_rejected_token_asks_for_a_new_one(
    hass: HomeAssistant, simulator: Simulator, mock_entry: MockConfigEntry
) -> None:
    """A first set-up with a rejected token goes to reauth."""
    simulator.world.tokens.clear()
    mock_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(mock_entry.entry_id)
    assert mock_entry.state is ConfigEntryState.SETUP_ERROR
    [flow] = hass.config_entries.flow.async_progress()
    assert flow["context"]["source"] == "reauth"


async def test_unreadable_saved_state_is_ignored(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
    hass_storage: dict,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Corrupt saved state is logged and replaced, not fatal."""
    hass_storage[f"{DOMAIN}.{mock_entry.entry_id}"] = {
        "version": 1,
        "key": f"{DOMAIN}.{mock_entry.entry_id}",
        "data": {"live": {"start": "not a time"}},
    }
    mock_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_entry.state is ConfigEntryState.LOADED


async def test_diagnostics_redact_secrets(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Diagnostics show state, polling and recent webhook calls, never a secret or a body."""
    client = await hass_client_no_auth()
    await client.post(f"/api/webhook/{WEBHOOK_ID}", params={"event": "started"}, json={"x": 1})
    await advance(hass, freezer, SLOW_POLL)
    result = await async_get_config_entry_diagnostics(hass, setup_entry)
    text = json.dumps(result)
    assert TOKEN not in text
    assert WEBHOOK_ID not in text
    assert result["entry"]["data"] == {"api_token": "**REDACTED**", "webhook_id": "**REDACTED**"}
    assert result["state"]["live"] is not None
    assert result["polling"]["last_update_success"] is True
    assert result["polling"]["custom_api_url"] is True
    [call] = result["webhook"]["recent_calls"]
    assert call["intent"] == "started"
    assert call["method"] == "POST"
    assert call["query_keys"] == ["event"]
    assert call["body_size"] == 8
    assert result["webhook"]["reachable_from_internet"] is False
    assert all(hass.states.get(e) for e in POLLED)


async def test_no_module_is_taken_for_an_intent_platform(
    hass: HomeAssistant, setup_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """Core's `intent` (which every default install loads) imports each integration's `intent.py`.

    None of our modules is such a platform, so none may bear its name: nothing fails.
    """
    assert await async_setup_component(hass, "intent", {})
    await hass.async_block_till_done()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_options_saved_while_equiwatt_is_down_apply_at_set_up(
    hass: HomeAssistant, simulator: Simulator, mock_entry: MockConfigEntry
) -> None:
    """An entry waiting to retry its set-up takes new options without error, and uses them later."""
    simulator.world.faults.update({"status": 502, "html": True})
    mock_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(mock_entry.entry_id)
    assert mock_entry.state is ConfigEntryState.SETUP_RETRY
    result = await hass.config_entries.options.async_init(mock_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PUSH: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_entry.options[CONF_PUSH] is False
    simulator.world.faults = type(simulator.world.faults)()
    await hass.config_entries.async_reload(mock_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_entry.state is ConfigEntryState.LOADED
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID) is None


async def test_a_webhook_call_as_the_entry_unloads_is_dropped(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A call whose body is still arriving when the entry unloads gets its 200 and changes nothing."""
    coordinator = setup_entry.runtime_data.coordinator
    client = await hass_client_no_auth()
    reading = asyncio.Event()

    async def read_and_tell(*args: Any) -> bytes:
        reading.set()
        return await read_capped(*args)

    async def body_across_the_unload() -> AsyncIterator[bytes]:
        yield b"event="
        await reading.wait()  # the handler has begun to read the body
        assert await hass.config_entries.async_unload(setup_entry.entry_id)
        yield b"started"

    with patch("custom_components.equiwatt.webhook.read_capped", read_and_tell):
        response = await client.post(
            f"/api/webhook/{WEBHOOK_ID}",
            data=body_across_the_unload(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        await hass.async_block_till_done()
    assert reading.is_set()
    assert response.status == 200
    assert setup_entry.state is ConfigEntryState.NOT_LOADED
    assert not coordinator.webhook_calls
    # aiohttp's access log may fail on its own clock here; Home Assistant's and ours may not.
    errors = [
        r for r in caplog.records if r.levelno >= logging.ERROR and r.name != "aiohttp.access"
    ]
    assert [r.getMessage() for r in errors] == []
