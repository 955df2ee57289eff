"""Shared fixtures: a real simulator over HTTP, and a set-up Equiwatt entry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
import os

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

# Import our custom_components before phcc's testing_config shadows the package.
import custom_components.equiwatt.const  # noqa: F401
from custom_components.equiwatt.const import CONF_WEBHOOK_ID, DOMAIN
from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from simulator import World
from tests.sim_server import start_simulator

TOKEN = "eqw-test-token-6f1c2a9b8d"
WEBHOOK_ID = "equiwatt-test-hook-41d7e2"
# Fuzz tests run this many examples; soak mode (EQUIWATT_SOAK=1, set by scripts/test) 10,000.
FUZZ_EXAMPLES = 10_000 if os.environ.get("EQUIWATT_SOAK") else 300
# Mid half-hour: the schedule polls at its slow interval (120 s) here.
START_TIME = "2026-11-20T17:10:00+00:00"
SLOW_POLL = 125


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the long soak and fuzz tests first (a stable sort keeps the rest in order).

    Under pytest-xdist each then starts on a worker at once, and the short tests
    fill the other workers around them, instead of one long test ending the run alone.
    """
    items.sort(key=lambda item: item.get_closest_marker("soak") is None)


@dataclass
class Simulator:
    """A running simulator and its world."""

    world: World
    url: str


@pytest.fixture
def sim_world() -> World:
    """Make a world on Home Assistant's (freezable) clock, knowing our token."""
    return World(clock=lambda: dt_util.utcnow().timestamp(), tokens={TOKEN})


@pytest.fixture
async def simulator(
    sim_world: World, socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Simulator]:
    """Run the simulator over real HTTP on 127.0.0.1, set as the API URL."""
    runner, url = await start_simulator(sim_world)
    monkeypatch.setenv("EQUIWATT_API_URL", url)
    yield Simulator(sim_world, url)
    await runner.cleanup()


@pytest.fixture
def mock_entry() -> MockConfigEntry:
    """Make an Equiwatt config entry (not yet added)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Equiwatt",
        data={CONF_API_TOKEN: TOKEN, CONF_WEBHOOK_ID: WEBHOOK_ID},
        unique_id="test-unique-id",
        entry_id="01JEQUIWATTTESTENTRY0000001",
    )


@pytest.fixture
async def setup_entry(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
) -> MockConfigEntry:
    """Set the entry up against the simulator, with time frozen from the start."""
    freezer.move_to(START_TIME)
    mock_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_entry.entry_id)
    await hass.async_block_till_done()
    return mock_entry
