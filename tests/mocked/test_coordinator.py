"""The coordinator with the client patched: the first read, faults and their grace, a rejected token."""

from __future__ import annotations

import logging
from unittest.mock import MagicMock

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.equiwatt.api import (
    EquiwattAuthError,
    EquiwattConnectionError,
    EquiwattInvalidResponseError,
    EquiwattRateLimitedError,
)
from custom_components.equiwatt.const import DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_API_TOKEN, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from tests.conftest import SLOW_POLL, START_TIME, WEBHOOK_ID
from tests.integration.helpers import BINARY, EVENT, LAST_WEBHOOK, POLLED
from tests.timing import advance

# Errors that are faults of the moment (contract 6), unlike a rejected token.
FAULTS = [
    EquiwattConnectionError("Equiwatt did not answer within 20 s"),
    EquiwattInvalidResponseError("the response is not JSON"),
    EquiwattRateLimitedError("HTTP 429", 60.0, from_server=True),
]
LOST = "Error fetching equiwatt data"
RECOVERED = "Fetching equiwatt data recovered"


def _states(hass: HomeAssistant, entity_ids: tuple[str, ...]) -> dict[str, str]:
    return {entity_id: hass.states.get(entity_id).state for entity_id in entity_ids}


def _count(caplog: pytest.LogCaptureFixture, text: str) -> int:
    return sum(text in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("error", FAULTS)
async def test_first_read_fails_then_retries(
    hass: HomeAssistant,
    mock_equiwatt_client: MagicMock,
    mock_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    error: Exception,
) -> None:
    """With no saved state, a failed first read retries the set-up, which then loads."""
    freezer.move_to(START_TIME)
    mock_equiwatt_client.get_equivents.side_effect = error
    mock_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(mock_entry.entry_id)
    assert mock_entry.state is ConfigEntryState.SETUP_RETRY

    mock_equiwatt_client.get_equivents.side_effect = None
    await advance(hass, freezer, 60, step=10)
    assert mock_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(BINARY).state == "on"


async def test_first_read_rejected_starts_reauth(
    hass: HomeAssistant,
    mock_equiwatt_client: MagicMock,
    mock_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A token rejected at set-up fails the set-up and asks for a new token."""
    freezer.move_to(START_TIME)
    mock_equiwatt_client.get_equivents.side_effect = EquiwattAuthError("HTTP 401")
    mock_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(mock_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_entry.state is ConfigEntryState.SETUP_ERROR
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["step_id"] == "reauth_confirm"
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert flow["context"]["entry_id"] == mock_entry.entry_id


@pytest.mark.parametrize("error", FAULTS)
async def test_failed_reads_keep_the_state_for_ten_minutes(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    mock_equiwatt_client: MagicMock,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
) -> None:
    """Failed reads change nothing for 10 minutes; then the polled entities go, logged once.

    The entities fed by the webhook stay; one good read brings the rest back, logged once.
    """
    caplog.set_level(logging.INFO)
    before = _states(hass, POLLED)
    assert before[BINARY] == "on"
    mock_equiwatt_client.get_equivents.side_effect = error
    calls = mock_equiwatt_client.get_equivents.await_count

    await advance(hass, freezer, 9 * 60 + 55, step=5)
    assert mock_equiwatt_client.get_equivents.await_count >= calls + 4, "it kept polling"
    assert _states(hass, POLLED) == before
    assert _count(caplog, LOST) == 0

    await advance(hass, freezer, 10, step=5)
    assert set(_states(hass, POLLED).values()) == {STATE_UNAVAILABLE}
    assert hass.states.get(LAST_WEBHOOK).state != STATE_UNAVAILABLE
    assert hass.states.get(EVENT).state != STATE_UNAVAILABLE
    await advance(hass, freezer, 10 * 60, step=10)
    assert _count(caplog, LOST) == 1, "logged once when it starts"

    mock_equiwatt_client.get_equivents.side_effect = None
    await advance(hass, freezer, SLOW_POLL, step=5)
    assert _states(hass, POLLED) == before
    assert _count(caplog, RECOVERED) == 1, "and once when it ends"


async def test_webhook_call_counts_as_fresh(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    mock_equiwatt_client: MagicMock,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A webhook call while Equiwatt cannot be read starts the 10 minutes again."""
    mock_equiwatt_client.get_equivents.side_effect = EquiwattConnectionError("down")
    await advance(hass, freezer, 8 * 60, step=10)
    client = await hass_client_no_auth()
    response = await client.post(f"/api/webhook/{WEBHOOK_ID}", params={"event": "test"})
    assert response.status == 200
    await advance(hass, freezer, 9 * 60, step=10)
    assert hass.states.get(BINARY).state == "on", "17 minutes after the last read"
    await advance(hass, freezer, 2 * 60, step=10)
    assert hass.states.get(BINARY).state == STATE_UNAVAILABLE


async def test_rejected_token_starts_reauth_and_stops_polling(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    mock_equiwatt_client: MagicMock,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A 401 needs no grace: reauth starts, polling stops, and the new token resumes it."""
    mock_equiwatt_client.get_equivents.side_effect = EquiwattAuthError("HTTP 401")
    await advance(hass, freezer, SLOW_POLL, step=5)
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["step_id"] == "reauth_confirm"
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert flow["context"]["entry_id"] == loaded_entry.entry_id
    assert set(_states(hass, POLLED).values()) == {STATE_UNAVAILABLE}
    assert hass.states.get(LAST_WEBHOOK).state != STATE_UNAVAILABLE

    calls = mock_equiwatt_client.get_equivents.await_count
    await advance(hass, freezer, 15 * 60, step=15)
    assert mock_equiwatt_client.get_equivents.await_count == calls, "no polling"

    mock_equiwatt_client.get_equivents.side_effect = None
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_API_TOKEN: "eqw-rotated-token-90ab"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert hass.states.get(BINARY).state == "on"
    await advance(hass, freezer, SLOW_POLL, step=5)
    assert mock_equiwatt_client.get_equivents.await_count > calls + 1, "polling again"
