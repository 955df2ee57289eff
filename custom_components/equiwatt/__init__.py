"""The Equiwatt integration: know the moment an Equivent starts and ends."""

from __future__ import annotations

from homeassistant.const import CONF_API_TOKEN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .client import async_create_client
from .cloudhook import async_delete_cloudhook, async_track_cloudhook
from .const import CONF_ENERGY_SENSOR, CONF_NATION, CONF_SLOW_INTERVAL, DOMAIN, LOGGER
from .coordinator import EquiwattCoordinator
from .runtime import EquiwattConfigEntry, EquiwattRuntimeData
from .saving.bank_holidays import DEFAULT_NATION
from .saving.coordinator import SavingCoordinator
from .setback.manager import SetbackManager
from .setback.removal import async_release
from .storage import async_remove_stores
from .urls import async_track_push_issue, push_issue_id
from .webhook import async_register_webhook
from .webhook_silence import WebhookSilenceWatch, silence_issue_id

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.CALENDAR,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.SWITCH,
]


async def async_setup_entry(hass: HomeAssistant, entry: EquiwattConfigEntry) -> bool:
    """Set up an Equiwatt account from a config entry."""
    client = async_create_client(hass, entry.data[CONF_API_TOKEN])
    coordinator = EquiwattCoordinator(hass, entry, client)
    if await coordinator.async_restore():
        # Saved state carries the entities through a restart even if Equiwatt is down.
        await coordinator.async_refresh()
    else:
        await coordinator.async_config_entry_first_refresh()
    saving: SavingCoordinator | None = None
    if meter := entry.options.get(CONF_ENERGY_SENSOR):
        nation = entry.options.get(CONF_NATION, DEFAULT_NATION)
        saving = SavingCoordinator(hass, entry, coordinator, meter, nation)
        # It stops and saves as the entry unloads (core's coordinator shutdown).
        await saving.async_config_entry_first_refresh()
    setback = SetbackManager(hass, entry, coordinator)
    entry.runtime_data = EquiwattRuntimeData(coordinator, setback, saving)
    await setback.async_start()
    entry.async_on_unload(setback.async_stop)
    async_register_webhook(hass, entry)
    async_track_push_issue(hass, entry)
    async_track_cloudhook(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    WebhookSilenceWatch(hass, entry).async_start()
    return True


async def async_unload_entry(hass: HomeAssistant, entry: EquiwattConfigEntry) -> bool:
    """Unload a config entry; the coordinator saves its state as it shuts down."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: EquiwattConfigEntry) -> None:
    """Delete what the entry left behind: its cloudhook, saved history and repair issues.

    Zones and plugs still set back are put back first.
    """
    try:
        await async_delete_cloudhook(hass, entry)
    finally:
        try:
            await async_release(hass, entry.entry_id)
        finally:
            ir.async_delete_issue(hass, DOMAIN, push_issue_id(entry))
            ir.async_delete_issue(hass, DOMAIN, silence_issue_id(entry))
            await async_remove_stores(hass, entry.entry_id)


async def async_migrate_entry(hass: HomeAssistant, entry: EquiwattConfigEntry) -> bool:
    """Drop the poll-interval option of entries made before 0.2: the schedule is ours."""
    if entry.version > 1:
        return False
    if entry.minor_version < 2:
        options = {k: v for k, v in entry.options.items() if k != CONF_SLOW_INTERVAL}
        hass.config_entries.async_update_entry(entry, options=options, minor_version=2)
        LOGGER.debug("Migrated an entry to version 1.2 (the poll interval is no option now)")
    return True
