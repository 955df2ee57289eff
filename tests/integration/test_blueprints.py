"""The notify blueprint, loaded by Home Assistant and driven by a real Equiwatt entry."""

from __future__ import annotations

from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service

from homeassistant.core import HomeAssistant, ServiceCall
from tests.conftest import SLOW_POLL, Simulator
from tests.integration.blueprint_helpers import use_blueprint
from tests.integration.conftest import advance
from tests.integration.helpers import EVENT


async def test_notify_once_at_start_and_end(
    hass: HomeAssistant,
    tmp_path: Path,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """One notification at the start and one at the end, however many polls and reloads run.

    A reload makes the event entity unavailable and then restores its last event.
    """
    calls: list[ServiceCall] = async_mock_service(hass, "notify", "phone")
    await use_blueprint(
        hass, tmp_path, "notify", {"equivent_event": EVENT, "notify_action": "notify.phone"}
    )
    simulator.world.start_now()
    await advance(hass, freezer, 3 * SLOW_POLL)
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await advance(hass, freezer, SLOW_POLL)
    simulator.world.end_now()
    await advance(hass, freezer, 3 * SLOW_POLL)
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await advance(hass, freezer, SLOW_POLL)
    assert [call.data["message"] for call in calls] == [
        "An Equivent has started: time to use less electricity.",
        "The Equivent is over.",
    ]
