"""Fixtures for tests that run the integration in Home Assistant."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from homeassistant.core import HomeAssistant


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/equiwatt."""


async def settle(hass: HomeAssistant) -> None:
    """Let due work finish, API calls over loopback included.

    Time is frozen: a task that sleeps waits for the next tick, so this yields
    a bounded number of times instead of waiting for every background task.
    """
    await hass.async_block_till_done()
    for _ in range(1000):
        if all(task.done() for task in hass._background_tasks):
            break
        await asyncio.sleep(0)
    await hass.async_block_till_done()


async def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float, step: float = 1.0
) -> None:
    """Move time on in steps, running whatever becomes due (polls included)."""
    remaining = seconds
    while remaining > 1e-9:
        tick = min(step, remaining)
        freezer.tick(timedelta(seconds=tick))
        async_fire_time_changed(hass)
        await settle(hass)
        remaining -= tick
