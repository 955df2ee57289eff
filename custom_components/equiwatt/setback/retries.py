"""When a failed write may be tried again: a growing delay for each zone or plug.

Kept in memory only: after a restart every pending write is tried at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..const import LOGGER
from .memory import Entry, Memory, Status

# Tried again after 30 s, 1, 2, 4, 8 minutes, then every 15.
FIRST = timedelta(seconds=30)
LONGEST = timedelta(minutes=15)


@dataclass(slots=True)
class _Failed:
    status: Status  # what was being written: a setback, or a restore
    times: int
    again_at: datetime


class Retries:
    """The failed writes, each with when it may go out again."""

    def __init__(self) -> None:
        """Start with nothing failed."""
        self._failed: dict[str, _Failed] = {}

    def due(self, memory: Memory, status: Status, now: datetime) -> dict[str, Entry]:
        """Return the entries in `status` whose write may go out now (a new kind always may)."""
        return {
            key: entry
            for key, entry in memory.with_status(status).items()
            if (failed := self._failed.get(key)) is None
            or failed.status is not status
            or failed.again_at <= now
        }

    def note(
        self, memory: Memory, sent: Mapping[str, Status], failed: Mapping[str, str], now: datetime
    ) -> None:
        """Move what went through on; log the first failure of each write, and its recovery.

        An entry that changed meanwhile (changed by hand, say) keeps its new status.
        """
        for key, status in sent.items():
            if key in failed:
                if self.failed(key, status, now):
                    LOGGER.warning("Could not write %s (will try again): %s", key, failed[key])
                continue
            if self.succeeded(key):
                LOGGER.info("%s written after all", key)
            if (entry := memory.entries.get(key)) is not None and entry.status is status:
                entry.move(
                    Status.SET_BACK if status is Status.SETTING_BACK else Status.RESTORED, now
                )

    def failed(self, entity_id: str, status: Status, now: datetime) -> bool:
        """Note a failed write; return whether it is the first of its kind (worth a warning)."""
        before = self._failed.get(entity_id)
        times = before.times + 1 if before is not None and before.status is status else 1
        delay = min(FIRST * 2 ** (times - 1), LONGEST)
        self._failed[entity_id] = _Failed(status, times, now + delay)
        return times == 1

    def succeeded(self, entity_id: str) -> bool:
        """Note a write that went through; return whether it had failed before."""
        return self._failed.pop(entity_id, None) is not None

    def now_ready(self, entity_id: str) -> None:
        """Let an entity's write go out at once (it has just become available)."""
        if (failed := self._failed.get(entity_id)) is not None:
            failed.again_at = datetime.min.replace(tzinfo=failed.again_at.tzinfo)

    def next_at(self) -> datetime | None:
        """When the next failed write may go out again, if any."""
        return min((failed.again_at for failed in self._failed.values()), default=None)

    def forget(self, keep: set[str]) -> None:
        """Drop what is not about `keep` (entries done or forgotten)."""
        for entity_id in set(self._failed) - keep:
            del self._failed[entity_id]
