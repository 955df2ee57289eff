"""One job in one background task at a time; asked again while it runs, it runs once more."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback


@dataclass
class Rerun:
    """Runs a job in an entry's background task; requests that come meanwhile fold into one.

    The entry cancels the task when it unloads.
    """

    hass: HomeAssistant
    entry: ConfigEntry
    job: Callable[[], Awaitable[None]]
    name: str
    _again: bool = False
    _task: asyncio.Task[None] | None = None

    @callback
    def request(self) -> None:
        """Run the job now, or once more after the run under way."""
        self._again = True
        if self._task is None or self._task.done():
            self._task = self.entry.async_create_background_task(self.hass, self._run(), self.name)

    async def _run(self) -> None:
        while self._again:
            self._again = False
            await self.job()
