"""Shared fixtures: a real simulator over HTTP, and a set-up Equiwatt entry."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from unittest.mock import patch

from aiohttp import web
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

# Import our custom_components before phcc's testing_config shadows the package.
import custom_components.equiwatt.const  # noqa: F401
from custom_components.equiwatt.const import CONF_WEBHOOK_ID, DOMAIN
from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from simulator import World, build_app

TOKEN = "eqw-test-token-6f1c2a9b8d"
WEBHOOK_ID = "equiwatt-test-hook-41d7e2"


@dataclass
class Simulator:
    """A running simulator and its world."""

    world: World
    url: str


async def start_simulator(world: World) -> tuple[web.AppRunner, str]:
    """Serve the simulator on a free loopback port."""
    runner = web.AppRunner(build_app(world))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/equiwatt."""


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
    hass: HomeAssistant, simulator: Simulator, mock_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set the entry up against the simulator."""
    mock_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_entry.entry_id)
    await hass.async_block_till_done()
    return mock_entry


@pytest.fixture
def fast_limits() -> Iterator[None]:
    """Shrink the client's rate limits, for tests that poll many times."""
    with (
        patch("custom_components.equiwatt.api.rate_limit.MIN_INTERVAL", 0.0),
        patch("custom_components.equiwatt.api.rate_limit.WINDOW", 0.0),
    ):
        yield
