"""The Equivent event entity."""

from __future__ import annotations

from unittest.mock import MagicMock

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from tests.integration.helpers import EVENT
from tests.platforms.conftest import end_the_live_equivent


async def test_entities(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    mock_equiwatt_client: MagicMock,
    loaded_entry: MockConfigEntry,
) -> None:
    """The first read fires nothing; the read that ends the live Equivent fires `ended`."""
    assert hass.states.get(EVENT).state == STATE_UNKNOWN
    await end_the_live_equivent(hass, freezer, mock_equiwatt_client)
    await snapshot_platform(hass, entity_registry, snapshot, loaded_entry.entry_id)
