"""Where an entry keeps what outlives a restart: one storage file for each part."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN

STORAGE_VERSION: Final = 1


class Part(StrEnum):
    """The parts of an entry saved apart, so that one's save never delays another's."""

    STATE = "state"  # the Equivent state and history
    RATE_LIMIT = "rate_limit"  # the calls of the last minute, saved lazily
    SAVING = "saving"  # the meter's ledger and the figures per Equivent
    SETBACK = "setback"  # what the setback changed, and how to put it back


def store_key(entry_id: str, part: Part) -> str:
    """Return the storage key of one part of an entry (the state keeps its first name)."""
    return f"{DOMAIN}.{entry_id}" if part is Part.STATE else f"{DOMAIN}.{entry_id}.{part}"


def entry_store(hass: HomeAssistant, entry_id: str, part: Part) -> Store[dict[str, Any]]:
    """Return the store of one part of an entry."""
    return Store(hass, STORAGE_VERSION, store_key(entry_id, part))


async def async_remove_stores(hass: HomeAssistant, entry_id: str) -> None:
    """Delete every part an entry saved."""
    for part in Part:
        await entry_store(hass, entry_id, part).async_remove()
