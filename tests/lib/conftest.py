"""Fixtures of the library's tests, which import `aioequiwatt` and need no Home Assistant.

scripts/test runs them a second time against the installed wheel, in a virtual
environment holding only the wheel, its dependencies and the test tools; conftest
files above this folder are then not loaded (`--confcutdir`). In the integration's
suite `aioequiwatt` is not installed, and stands for the integration's client folder.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
import importlib
import importlib.util
import pkgutil
import sys
import time

import pytest

from simulator import World
from tests.sim_server import serving

TOKEN = "eqw-lib-test-token-3a9c"
SOURCE_PACKAGE = "custom_components.equiwatt.api"


def _stand_in_for_the_wheel() -> None:
    """Without the installed library, make the client folder importable as `aioequiwatt`."""
    if importlib.util.find_spec("aioequiwatt") is not None:
        return
    source = importlib.import_module(SOURCE_PACKAGE)
    sys.modules["aioequiwatt"] = source
    for module in pkgutil.iter_modules(source.__path__):
        if module.name != "__main__":
            sys.modules[f"aioequiwatt.{module.name}"] = importlib.import_module(
                f"{SOURCE_PACKAGE}.{module.name}"
            )


_stand_in_for_the_wheel()


class ShiftedClock:
    """Real time, shifted so that it reads `start` now: time runs, at a chosen moment."""

    def __init__(self, start: datetime) -> None:
        """Start reading `start`."""
        self._offset = start.timestamp() - time.time()

    def __call__(self) -> float:
        """Return the shifted Unix time."""
        return time.time() + self._offset

    def now(self) -> datetime:
        """Return the shifted time as a datetime."""
        return datetime.fromtimestamp(self(), UTC)


@dataclass
class LibSimulator:
    """A simulator served over loopback, set as the API URL."""

    world: World
    url: str


@pytest.fixture
def allow_sockets(request: pytest.FixtureRequest) -> None:
    """Allow loopback sockets where pytest-socket (Home Assistant's test plugin) blocks them."""
    if request.config.pluginmanager.has_plugin("socket"):
        request.getfixturevalue("socket_enabled")


@pytest.fixture
def lib_world() -> World:
    """Make a world on the real clock that knows our token."""
    return World(clock=time.time, tokens={TOKEN})


@pytest.fixture
async def lib_sim(
    lib_world: World, allow_sockets: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[LibSimulator]:
    """Run the simulator, point `EQUIWATT_API_URL` at it and set `EQUIWATT_TOKEN`."""
    async with serving(lib_world, webhook_loop=False) as url:
        monkeypatch.setenv("EQUIWATT_API_URL", url)
        monkeypatch.setenv("EQUIWATT_TOKEN", TOKEN)
        yield LibSimulator(lib_world, url)


def calls_per_window(times: list[float], window: float) -> int:
    """Return the most calls within any `window` seconds."""
    return max((sum(1 for t in times if start <= t < start + window) for start in times), default=0)


def assert_within_limits(world: World) -> None:
    """Assert that the simulator saw at most 1 call a second and 10 in any minute."""
    times = [entry.monotonic for entry in world.log]
    assert world.rate_violations() == []
    assert world.rate_rejections == 0
    assert all(b - a >= 1.0 for a, b in zip(times, times[1:], strict=False))
    assert calls_per_window(times, 60.0) <= 10
