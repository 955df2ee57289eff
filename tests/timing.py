"""Moving Home Assistant's frozen clock in tests, the soak and the benchmarks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from homeassistant.core import HomeAssistant


async def settle(hass: HomeAssistant) -> None:
    """Let due work finish, API calls over loopback included.

    Time is frozen: a task that sleeps waits for the next tick, so this yields
    a bounded number of times instead of waiting for every background task.
    """
    await hass.async_block_till_done()
    for _ in range(2000):
        if all(task.done() for task in hass._background_tasks):
            break
        await asyncio.sleep(0)
    await hass.async_block_till_done()


async def advance(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seconds: float,
    step: float = 1.0,
    *,
    settle_with: Callable[[HomeAssistant], Awaitable[None]] = settle,
) -> None:
    """Move time on in steps, running whatever becomes due (polls included)."""
    remaining = seconds
    while remaining > 1e-9:
        tick = min(step, remaining)
        freezer.tick(timedelta(seconds=tick))
        async_fire_time_changed(hass)
        await settle_with(hass)
        remaining -= tick


def seconds_to_next_timer(hass: HomeAssistant) -> float:
    """How long until the event loop's earliest pending timer is due."""
    due = min(
        handle.when()
        for handle in hass.loop._scheduled  # type: ignore[attr-defined]
        if isinstance(handle, asyncio.TimerHandle) and not handle.cancelled()
    )
    return max(due - hass.loop.time(), 0.0)


async def jump(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Move time on by `seconds` at once and run what became due."""
    freezer.tick(timedelta(seconds=max(seconds, 0.001)))
    async_fire_time_changed(hass)
    await settle(hass)
