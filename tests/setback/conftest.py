"""Fixtures for the setback: Tado's cloud stand-in under core's real tado, and the entry."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from tests.conftest import Simulator
from tests.setback.home import Home
from tests.tado_cloud import TadoCloud, route_python_tado


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/equiwatt."""


@pytest.fixture
async def tado_cloud(socket_enabled: None) -> AsyncIterator[TadoCloud]:
    """Serve a Tado cloud on 127.0.0.1, on Home Assistant's clock, for python-tado."""
    cloud = TadoCloud(clock=dt_util.utcnow)
    runner = web.AppRunner(cloud.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    with route_python_tado(f"http://127.0.0.1:{runner.addresses[0][1]}"):
        yield cloud
    await runner.cleanup()


@pytest.fixture
def home(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    tado_cloud: TadoCloud,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> Home:
    """Make a household: Tado's cloud, core's tado, Equiwatt's simulator; nothing set up yet."""
    return Home(hass, freezer, tado_cloud, simulator, hass_client_no_auth)
