"""The Equivents calendar."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from tests.integration.helpers import CALENDAR, calendar_events


async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    loaded_entry: MockConfigEntry,
) -> None:
    """The calendar's event is the live Equivent, with its saving so far."""
    await snapshot_platform(hass, entity_registry, snapshot, loaded_entry.entry_id)


async def test_events(
    hass: HomeAssistant,
    snapshot: SnapshotAssertion,
    loaded_entry: MockConfigEntry,
) -> None:
    """Every Equivent of the last three weeks, oldest first, each with its saving."""
    events = await calendar_events(hass, days=21)
    assert [event["start"] for event in events] == sorted(event["start"] for event in events)
    assert len(events) == 4
    assert events == snapshot
    assert hass.states.get(CALENDAR).attributes["start_time"] == "2026-11-20 17:01:30"
