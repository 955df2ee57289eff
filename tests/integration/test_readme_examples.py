"""The README's automation examples, as a user copies them, through a reload mid-Equivent."""

from __future__ import annotations

from pathlib import Path
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
    setup_test_component_platform,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import yaml

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, ServiceCall, callback
from homeassistant.helpers.discovery import async_load_platform
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component
from tests.conftest import SLOW_POLL, WEBHOOK_ID, Simulator
from tests.integration.blueprint_helpers import FakePlug
from tests.integration.conftest import advance
from tests.integration.helpers import BINARY

README = Path(__file__).resolve().parents[2] / "README.md"
PLUGS = ("switch.dehumidifier", "switch.tumble_dryer")


def readme_automations() -> list[dict[str, Any]]:
    """Every automation in the YAML examples of the README's "Automations" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Automations\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert blocks, "the section has examples"
    return [automation for block in blocks for automation in yaml.safe_load(block)["automation"]]


async def reload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Reload the entry, as a token change or a new meter in the options does."""
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()


async def test_readme_examples_act_once_per_start_and_end(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Plugs off and one notification at the start, on and one at the end, reloads or not."""
    calls: list[ServiceCall] = async_mock_service(hass, "notify", "mobile_app_phone")
    setup_test_component_platform(
        hass, "switch", [FakePlug("Dehumidifier"), FakePlug("Tumble dryer")]
    )
    # The switch component is set up already (Equiwatt has a switch): load the plugs' platform.
    await async_load_platform(hass, Platform.SWITCH, "test", {}, {})
    await hass.async_block_till_done()
    assert await async_setup_component(hass, "automation", {"automation": readme_automations()})
    plug_states: list[str] = []

    @callback
    def plug_changed(event: Event[EventStateChangedData]) -> None:
        if (new := event.data["new_state"]) is not None:
            plug_states.append(new.state)

    async_track_state_change_event(hass, PLUGS, plug_changed)
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    assert hass.states.get(BINARY).state == STATE_ON
    await reload(hass, setup_entry)
    await advance(hass, freezer, SLOW_POLL)
    assert plug_states == [STATE_OFF, STATE_OFF], "off once each, never back on mid-Equivent"
    simulator.world.end_now()
    await advance(hass, freezer, SLOW_POLL)
    await reload(hass, setup_entry)
    await advance(hass, freezer, SLOW_POLL)
    assert plug_states == [STATE_OFF, STATE_OFF, STATE_ON, STATE_ON]
    assert [call.data["message"] for call in calls] == ["Equivent started.", "Equivent ended."]


async def test_readme_plugs_come_back_on_after_an_outage(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Equiwatt down past 10 minutes, then the end arrives by webhook: the plugs go back on."""
    setup_test_component_platform(
        hass, "switch", [FakePlug("Dehumidifier"), FakePlug("Tumble dryer")]
    )
    await async_load_platform(hass, Platform.SWITCH, "test", {}, {})
    await hass.async_block_till_done()
    assert await async_setup_component(hass, "automation", {"automation": readme_automations()})
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    assert [hass.states.get(plug).state for plug in PLUGS] == [STATE_OFF, STATE_OFF]
    simulator.world.faults.update({"status": 503})
    await advance(hass, freezer, 11 * 60, step=5)
    assert hass.states.get(BINARY).state == STATE_UNAVAILABLE
    simulator.world.end_now()
    client = await hass_client_no_auth()
    await client.post(f"/api/webhook/{WEBHOOK_ID}", params={"event": "ended"})
    await hass.async_block_till_done()
    assert hass.states.get(BINARY).state == STATE_OFF
    assert [hass.states.get(plug).state for plug in PLUGS] == [STATE_ON, STATE_ON]
