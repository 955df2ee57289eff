"""What the saving keeps across restarts: the meter's ledger and the figures per Equivent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, override

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from ..const import LOGGER
from ..storage import STORAGE_VERSION, Part, store_key
from .figures import Figures
from .ledger import MeterLedger

SAVE_DELAY = 10.0  # seconds; flushed when Home Assistant stops or the entry unloads
RESULTS_KEPT = 200
# 2: the ledger remembers where it saw the meter unreadable; 1 was written by a backfill
# that could take a statistics row cut by an outage for a reading.
MINOR_VERSION = 2


@dataclass
class SavingState:
    """The meter's ledger, and the figures of each Equivent by its start (a Unix time)."""

    ledger: MeterLedger = field(default_factory=MeterLedger)
    results: dict[int, Figures] = field(default_factory=dict)
    final: set[int] = field(default_factory=set)  # Equivents whose figures no longer change


class _SavingFile(Store[dict[str, Any]]):
    """The saving's storage file, migrated from earlier builds."""

    @override
    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        """Drop what the backfill of earlier builds may have invented, to be made again.

        It took a statistics row that held part of its period's use, or an outage's,
        as a reading: the approximate half-hours it filled go (the fixed backfill fills
        them again), and so does the finality of the figures made from them.
        """
        if old_minor_version < MINOR_VERSION and isinstance(old_data, dict):
            ledger = old_data.get("ledger")
            if isinstance(ledger, dict) and isinstance(ledger.get("slots"), dict):
                filled = {str(key) for key in ledger.get("approximate", [])}
                ledger["slots"] = {k: v for k, v in ledger["slots"].items() if k not in filled}
                ledger["approximate"] = []
            old_data["final"] = []
        return old_data


class SavingStore:
    """The saving's storage file of one entry, for one meter."""

    def __init__(self, hass: HomeAssistant, entry_id: str, meter: str) -> None:
        """Keep the saving of the entry's meter."""
        self.meter = meter
        self._store = _SavingFile(
            hass, STORAGE_VERSION, store_key(entry_id, Part.SAVING), minor_version=MINOR_VERSION
        )

    async def async_load(self) -> SavingState:
        """Return what was saved; an empty state when nothing (readable) was."""
        stored = await self._store.async_load()
        if not stored:
            return SavingState()
        try:
            state = SavingState(
                results={
                    int(key): Figures.from_dict(value) for key, value in stored["results"].items()
                },
                final={int(key) for key in stored["final"]},
            )
            if stored.get("meter", self.meter) == self.meter:
                # Another meter's readings would mix two totals: its ledger is dropped.
                state.ledger = MeterLedger.from_dict(stored["ledger"])
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            LOGGER.warning("Ignoring unreadable saved meter data: %s", err)
            return SavingState()
        return state

    @callback
    def async_delay_save(self, state: SavingState) -> None:
        """Save soon; saves close together are written once."""
        self._store.async_delay_save(lambda: self._as_dict(state), SAVE_DELAY)

    async def async_save(self, state: SavingState) -> None:
        """Save now."""
        await self._store.async_save(self._as_dict(state))

    def _as_dict(self, state: SavingState) -> dict[str, Any]:
        kept = sorted(state.results)[-RESULTS_KEPT:]
        return {
            "meter": self.meter,
            "ledger": state.ledger.as_dict(),
            "results": {str(key): state.results[key].as_dict() for key in kept},
            "final": sorted(key for key in state.final if key in state.results),
        }
