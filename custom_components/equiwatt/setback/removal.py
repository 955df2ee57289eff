"""When the entry is removed: put back, once, what is still set back, then forget it all."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..storage import Part, entry_store
from .memory import Status, load_memory
from .plan import finish
from .repair import not_restored_issue_id
from .writes import async_send, restore_writes


async def async_release(hass: HomeAssistant, entry_id: str) -> None:
    """Put back what is still set back (one try: the entry is going), then forget it all."""
    store = entry_store(hass, entry_id, Part.SETBACK)
    memory = load_memory(await store.async_load())
    finish(memory, dt_util.utcnow())
    if to_restore := memory.with_status(Status.RESTORING):
        if failed := await async_send(hass, restore_writes(to_restore)):
            LOGGER.warning(
                "Removed with these still set back (put them back by hand): %s",
                ", ".join(sorted(failed)),
            )
    ir.async_delete_issue(hass, DOMAIN, not_restored_issue_id(entry_id))
    await store.async_remove()
