"""Fixtures for the tests with the client patched (`mock_equiwatt_client`, tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from unittest.mock import AsyncMock, MagicMock, patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant
from tests.conftest import async_set_up


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/equiwatt."""


@pytest.fixture
def mock_setup_entry() -> Iterator[AsyncMock]:
    """Keep a flow's new entry from setting up: the flow is what is tested."""
    with patch("custom_components.equiwatt.async_setup_entry", return_value=True) as setup:
        yield setup


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_equiwatt_client: MagicMock,
    mock_entry: MockConfigEntry,
) -> MockConfigEntry:
    """Set the entry up with the mocked client, time frozen at START_TIME (a live Equivent)."""
    return await async_set_up(hass, freezer, mock_entry)
