"""The config, reauth and reconfigure flows with the client patched: each error, and back."""

from __future__ import annotations

from unittest.mock import AsyncMock, MagicMock

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.equiwatt.api import (
    EquiwattAuthError,
    EquiwattConnectionError,
    EquiwattInvalidResponseError,
    EquiwattRateLimitedError,
)
from custom_components.equiwatt.config_flow import token_unique_id
from custom_components.equiwatt.const import CONF_WEBHOOK_ID, DOMAIN
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState, ConfigFlowResult
from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from tests.conftest import TOKEN, WEBHOOK_ID

NEW_TOKEN = "eqw-rotated-token-90ab"
# Each exception of the client and the error the form shows for it.
ERRORS = [
    (EquiwattAuthError("Equiwatt rejected the token (HTTP 401)"), "invalid_auth"),
    (EquiwattRateLimitedError("HTTP 429", 60.0, from_server=True), "rate_limited"),
    (EquiwattRateLimitedError("the gate would wait 30 s", 30.0), "rate_limited"),
    (EquiwattConnectionError("Equiwatt answered a server error (HTTP 503)"), "cannot_connect"),
    (EquiwattInvalidResponseError("the response is not JSON"), "cannot_connect"),
    (RuntimeError("boom"), "unknown"),
]


async def _start_user_flow(hass: HomeAssistant) -> ConfigFlowResult:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return result


async def _start_replace_flow(
    hass: HomeAssistant, entry: MockConfigEntry, step_id: str
) -> ConfigFlowResult:
    if step_id == "reauth_confirm":
        result = await entry.start_reauth_flow(hass)
    else:
        result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step_id
    return result


@pytest.mark.usefixtures("mock_equiwatt_client")
async def test_user_flow(hass: HomeAssistant, mock_setup_entry: AsyncMock) -> None:
    """The pasted token is normalised and checked; the entry gets a new webhook id."""
    result = await _start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: f"  Bearer {TOKEN} "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Equiwatt"
    assert result["data"][CONF_API_TOKEN] == TOKEN
    assert len(result["data"][CONF_WEBHOOK_ID]) >= 32, "an id no one guesses"
    assert result["result"].unique_id == token_unique_id(TOKEN)
    assert len(mock_setup_entry.mock_calls) == 1


@pytest.mark.parametrize(("exception", "error"), ERRORS)
async def test_user_flow_errors_then_recovers(
    hass: HomeAssistant,
    mock_equiwatt_client: MagicMock,
    mock_setup_entry: AsyncMock,
    exception: Exception,
    error: str,
) -> None:
    """The client's error shows on the form; once Equiwatt answers, the same form succeeds."""
    mock_equiwatt_client.get_equivents.side_effect = exception
    result = await _start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: TOKEN}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert len(mock_setup_entry.mock_calls) == 0

    mock_equiwatt_client.get_equivents.side_effect = None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: TOKEN}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_API_TOKEN] == TOKEN
    assert len(mock_setup_entry.mock_calls) == 1


@pytest.mark.parametrize("token", ["   ", "Bearer ", "bearer  BEARER "])
async def test_user_flow_empty_token(
    hass: HomeAssistant, mock_equiwatt_client: MagicMock, mock_setup_entry: AsyncMock, token: str
) -> None:
    """A token that is empty once normalised is an error on the field, and calls nothing."""
    result = await _start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: token}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_API_TOKEN: "empty_token"}
    mock_equiwatt_client.get_equivents.assert_not_awaited()

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: TOKEN}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize("unique_id", [token_unique_id(TOKEN), "made-before-unique-ids"])
async def test_user_flow_same_token_aborts(
    hass: HomeAssistant, mock_equiwatt_client: MagicMock, unique_id: str
) -> None:
    """A token some entry holds aborts, whatever that entry's unique id, before any call."""
    MockConfigEntry(
        domain=DOMAIN, unique_id=unique_id, data={CONF_API_TOKEN: TOKEN, CONF_WEBHOOK_ID: "x"}
    ).add_to_hass(hass)
    result = await _start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: f"Bearer {TOKEN}"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    mock_equiwatt_client.get_equivents.assert_not_awaited()


@pytest.mark.parametrize(
    ("step_id", "reason"),
    [("reauth_confirm", "reauth_successful"), ("reconfigure", "reconfigure_successful")],
)
async def test_replace_token(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, step_id: str, reason: str
) -> None:
    """Reauth and reconfigure save the new token, keep the webhook id and reload the entry."""
    coordinator = loaded_entry.runtime_data.coordinator
    result = await _start_replace_flow(hass, loaded_entry, step_id)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: f"Bearer {NEW_TOKEN}"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason
    assert loaded_entry.data == {CONF_API_TOKEN: NEW_TOKEN, CONF_WEBHOOK_ID: WEBHOOK_ID}
    assert loaded_entry.unique_id == token_unique_id(NEW_TOKEN)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert loaded_entry.runtime_data.coordinator is not coordinator, "reloaded"


@pytest.mark.parametrize("step_id", ["reauth_confirm", "reconfigure"])
@pytest.mark.parametrize(("exception", "error"), ERRORS)
async def test_replace_token_errors_then_recovers(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    mock_equiwatt_client: MagicMock,
    step_id: str,
    exception: Exception,
    error: str,
) -> None:
    """A new token that fails its check is not saved; the form stays until one works."""
    result = await _start_replace_flow(hass, loaded_entry, step_id)
    mock_equiwatt_client.get_equivents.side_effect = exception
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: NEW_TOKEN}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step_id
    assert result["errors"] == {"base": error}
    assert loaded_entry.data[CONF_API_TOKEN] == TOKEN

    mock_equiwatt_client.get_equivents.side_effect = None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: NEW_TOKEN}
    )
    assert result["type"] is FlowResultType.ABORT
    assert loaded_entry.data[CONF_API_TOKEN] == NEW_TOKEN
    await hass.async_block_till_done()


@pytest.mark.parametrize("step_id", ["reauth_confirm", "reconfigure"])
async def test_replace_token_of_another_entry_aborts(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    mock_equiwatt_client: MagicMock,
    step_id: str,
) -> None:
    """Another entry's token is refused before any call, and the entry keeps its own."""
    MockConfigEntry(
        domain=DOMAIN,
        unique_id=token_unique_id(NEW_TOKEN),
        data={CONF_API_TOKEN: NEW_TOKEN, CONF_WEBHOOK_ID: "other-hook"},
    ).add_to_hass(hass)
    calls = mock_equiwatt_client.get_equivents.await_count
    result = await _start_replace_flow(hass, loaded_entry, step_id)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: NEW_TOKEN}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert loaded_entry.data[CONF_API_TOKEN] == TOKEN
    assert mock_equiwatt_client.get_equivents.await_count == calls
