"""The Equivent sensors, and the saving's with a meter chosen."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er


async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    loaded_entry: MockConfigEntry,
) -> None:
    """The live Equivent, the latest finished one, the last webhook and the live saving."""
    await snapshot_platform(hass, entity_registry, snapshot, loaded_entry.entry_id)
