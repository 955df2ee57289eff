"""The Home Assistant Cloud webhook (cloudhook) of an entry, as core's withings keeps it.

A cloudhook is made when a subscription is active and connected, at set-up and
whenever the cloud connects later. Its URL is shown only while the subscription
is active and the cloud still has the hook; a cloud fault never fails the entry
(push then falls back to the external URL, or polling alone, and the repair
issue says so).
"""

from __future__ import annotations

from typing import Any

from aiohttp import ClientError
from hass_nabucasa import CloudError

from homeassistant.components import cloud
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback

from .const import CONF_CLOUDHOOK_URL, LOGGER
from .runtime import EquiwattConfigEntry
from .urls import async_update_push_issue, cloud_subscribed


async def async_create_cloudhook(hass: HomeAssistant, webhook_id: str) -> str | None:
    """Return the webhook's cloudhook URL, made if need be; None when the cloud cannot."""
    if not (cloud_subscribed(hass) and cloud.async_is_connected(hass)):
        return None
    try:
        return await cloud.async_get_or_create_cloudhook(hass, webhook_id)
    except cloud.CloudNotAvailable:
        return None
    except (CloudError, KeyError, ValueError, TimeoutError, ClientError) as err:
        LOGGER.warning("Home Assistant Cloud could not make a cloudhook: %s", type(err).__name__)
        return None


async def async_delete_cloudhook(hass: HomeAssistant, entry: EquiwattConfigEntry) -> None:
    """Delete the entry's cloudhook, if it has one; a cloud fault is only logged."""
    if CONF_CLOUDHOOK_URL not in entry.data or "cloud" not in hass.config.components:
        return
    try:
        await cloud.async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])
    except cloud.CloudNotAvailable:
        LOGGER.debug("Home Assistant Cloud is gone; its cloudhook goes with it")
    except (CloudError, KeyError, ValueError, TimeoutError, ClientError) as err:
        LOGGER.warning("Home Assistant Cloud could not delete a cloudhook: %s", type(err).__name__)


@callback
def _async_set_url(hass: HomeAssistant, entry: EquiwattConfigEntry, url: str | None) -> None:
    """Store (or forget) the cloudhook URL of a live entry, and refresh the repair issue."""
    if entry.state not in (ConfigEntryState.LOADED, ConfigEntryState.SETUP_IN_PROGRESS):
        return
    if url != entry.data.get(CONF_CLOUDHOOK_URL):
        data = {k: v for k, v in entry.data.items() if k != CONF_CLOUDHOOK_URL}
        if url is not None:
            data[CONF_CLOUDHOOK_URL] = url
        hass.config_entries.async_update_entry(entry, data=data)
    async_update_push_issue(hass, entry)


async def _async_ensure(hass: HomeAssistant, entry: EquiwattConfigEntry) -> None:
    url = await async_create_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])
    if url is None and not cloud_subscribed(hass):
        # A lapsed subscription: its old URL no longer reaches us.
        _async_set_url(hass, entry, None)
    elif url is not None:
        _async_set_url(hass, entry, url)
    else:
        async_update_push_issue(hass, entry)


@callback
def async_track_cloudhook(hass: HomeAssistant, entry: EquiwattConfigEntry) -> None:
    """Keep the entry's cloudhook while it is loaded (call from set-up, once loaded)."""

    @callback
    def _ensure(*_: Any) -> None:
        entry.async_create_background_task(
            hass, _async_ensure(hass, entry), "equiwatt cloudhook", eager_start=True
        )

    @callback
    def _connection_changed(state: cloud.CloudConnectionState) -> None:
        if state is cloud.CloudConnectionState.CLOUD_CONNECTED:
            _ensure()

    @callback
    def _hook_changed(hook: dict[str, Any] | None) -> None:
        _async_set_url(hass, entry, None if hook is None else hook.get("cloudhook_url"))

    if "cloud" not in hass.config.components:
        async_update_push_issue(hass, entry)
        return
    entry.async_on_unload(cloud.async_listen_connection_change(hass, _connection_changed))
    entry.async_on_unload(
        cloud.async_listen_cloudhook_change(hass, entry.data[CONF_WEBHOOK_ID], _hook_changed)
    )
    _ensure()
