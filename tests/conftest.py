"""Shared fixtures: a real simulator over HTTP, or the client mocked (core's style); an entry."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
import logging
import os
from typing import Any
from unittest.mock import MagicMock, patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

# Import our custom_components before phcc's testing_config shadows the package.
from custom_components.equiwatt.api import DEFAULT_BASE_URL, Equivent, EquiventsSnapshot, TokenGate
import custom_components.equiwatt.const  # noqa: F401
from custom_components.equiwatt.const import CONF_WEBHOOK_ID, DOMAIN
from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from simulator import World
from tests.sim_server import start_simulator

# phcc turns on SQLAlchemy's statement log; its handler writes past pytest's capture in
# xdist workers, so every recorder test would print its SQL into the run's output.
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)

TOKEN = "eqw-test-token-6f1c2a9b8d"
WEBHOOK_ID = "equiwatt-test-hook-41d7e2"
# Fuzz tests run this many examples; soak mode (EQUIWATT_SOAK=1, set by scripts/test) 10,000.
FUZZ_EXAMPLES = 10_000 if os.environ.get("EQUIWATT_SOAK") else 300
# Mid half-hour: the schedule polls at its slow interval (120 s) here.
START_TIME = "2026-11-20T17:10:00+00:00"
SLOW_POLL = 125


def utc(text: str) -> datetime:
    """Parse an ISO time with its offset."""
    return datetime.fromisoformat(text)


# What the mocked client answers: at START_TIME an Equivent is live (started at
# hh:01:30, as they habitually do), after three that lasted about an hour.
LIVE = Equivent(utc("2026-11-20T17:01:30+00:00"))
HISTORY = (
    Equivent(utc("2026-11-18T17:01:02+00:00"), utc("2026-11-18T18:00:22+00:00")),
    Equivent(utc("2026-11-13T16:31:30+00:00"), utc("2026-11-13T17:30:50+00:00")),
    Equivent(utc("2026-11-05T18:01:10+00:00"), utc("2026-11-05T19:00:30+00:00")),
)


def equivents(
    live: Equivent | None = LIVE,
    history: tuple[Equivent, ...] = HISTORY,
    fetched_at: datetime | None = None,
) -> EquiventsSnapshot:
    """Return an answer of the Equivents endpoint, as the client's parser makes it."""
    return EquiventsSnapshot(live=live, history=history, fetched_at=fetched_at or dt_util.utcnow())


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
def mock_equiwatt_client(hass: HomeAssistant) -> Iterator[MagicMock]:
    """Patch the client class where the integration makes its clients (client.py).

    Every entry and flow then gets this one client; it answers a live Equivent
    and its history (set `get_equivents.return_value` or `.side_effect` to
    change that), and keeps the real rate-limit gate it is made with (the one
    `async_get_gate` shares per token), which the coordinator saves.
    """
    with patch("custom_components.equiwatt.client.EquiwattClient", autospec=True) as client_class:
        client = client_class.return_value
        client.base_url = DEFAULT_BASE_URL

        def made_with(*_args: Any, gate: TokenGate, **_kwargs: Any) -> MagicMock:
            client.gate = gate
            return client

        client_class.side_effect = made_with
        client.get_equivents.return_value = equivents(fetched_at=utc(START_TIME))
        yield client


def make_entry(options: dict[str, Any] | None = None) -> MockConfigEntry:
    """Make an Equiwatt config entry (not yet added), with options if given."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Equiwatt",
        data={CONF_API_TOKEN: TOKEN, CONF_WEBHOOK_ID: WEBHOOK_ID},
        options=options or {},
        unique_id="test-unique-id",
        entry_id="01JEQUIWATTTESTENTRY0000001",
    )


@pytest.fixture
def mock_entry() -> MockConfigEntry:
    """Make an Equiwatt config entry (not yet added)."""
    return make_entry()


@pytest.fixture
async def setup_entry(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
) -> MockConfigEntry:
    """Set the entry up against the simulator, with time frozen from the start."""
    return await async_set_up(hass, freezer, mock_entry)


async def async_set_up(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, entry: MockConfigEntry
) -> MockConfigEntry:
    """Add the entry and set it up, with time frozen at START_TIME from the start."""
    freezer.move_to(START_TIME)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry
