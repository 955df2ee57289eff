"""One job in one background task at a time; asked again while it runs, it runs once more."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback


class Rerun:
    """Runs a job in an entry's background task; requests that come meanwhile fold into one."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        job: Callable[[], Awaitable[None]],
        name: str,
    ) -> None:
        """Run `job` (under `name`) for `entry`, which cancels it when it unloads."""
        self._hass = hass
        self._entry = entry
        self._job = job
        self._name = name
        self._again = False
        self._task: asyncio.Task[None] | None = None

    @callback
    def request(self) -> None:
        """Run the job now, or once more after the run under way."""
        self._again = True
        if self._task is None or self._task.done():
            self._task = self._entry.async_create_background_task(
                self._hass, self._run(), self._name
            )

    async def _run(self) -> None:
        while self._again:
            self._again = False
            await self._job()
