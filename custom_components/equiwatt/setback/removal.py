"""When the setback stops for good (the entry disabled or removed): put everything back once."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..storage import Part, entry_store
from .memory import Memory, Status, load_memory
from .plan import finish
from .repair import not_restored_issue_id
from .writes import async_send, restore_writes


async def async_put_back(hass: HomeAssistant, memory: Memory) -> set[str]:
    """Put back, once, everything still set back; return what could not be put back."""
    now = dt_util.utcnow()
    finish(memory, now)
    if not (to_restore := memory.with_status(Status.RESTORING)):
        return set()
    failed = await async_send(hass, restore_writes(to_restore))
    for key, entry in to_restore.items():
        if key not in failed:
            entry.move(Status.RESTORED, now)
    return set(failed)


async def async_release(hass: HomeAssistant, entry_id: str) -> None:
    """Put back what is still set back (one try: the entry is going).

    Its storage file is deleted with the entry's others (`async_remove_stores`).
    """
    store = entry_store(hass, entry_id, Part.SETBACK)
    if failed := await async_put_back(hass, load_memory(await store.async_load())):
        LOGGER.warning(
            "Removed with these still set back (put them back by hand): %s",
            ", ".join(sorted(failed)),
        )
    ir.async_delete_issue(hass, DOMAIN, not_restored_issue_id(entry_id))
