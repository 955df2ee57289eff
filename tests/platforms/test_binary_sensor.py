"""The Equivent active binary sensor."""

from __future__ import annotations

from unittest.mock import MagicMock

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from tests.integration.helpers import BINARY
from tests.platforms.conftest import end_the_live_equivent


async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    loaded_entry: MockConfigEntry,
) -> None:
    """The binary sensor is on during the live Equivent."""
    await snapshot_platform(hass, entity_registry, snapshot, loaded_entry.entry_id)


async def test_off_when_the_equivent_ends(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_equiwatt_client: MagicMock,
    loaded_entry: MockConfigEntry,
) -> None:
    """A read without the live Equivent turns it off."""
    assert hass.states.get(BINARY).state == STATE_ON
    await end_the_live_equivent(hass, freezer, mock_equiwatt_client)
    assert hass.states.get(BINARY).state == STATE_OFF
