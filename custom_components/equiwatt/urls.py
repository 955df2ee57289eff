"""The webhook URLs to paste into the Equiwatt app, and the repair issue when none reaches us."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components import cloud, webhook
from homeassistant.const import CONF_WEBHOOK_ID, EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir, translation
from homeassistant.helpers.network import NoURLAvailableError

from .const import CONF_CLOUDHOOK_URL, CONF_PUSH, DEFAULT_PUSH, DOMAIN
from .reachability import reachable_from_internet
from .runtime import EquiwattConfigEntry

README_URL = "https://github.com/equiwatt-ha/equiwatt#webhook-instant-start-and-end-recommended"


def cloud_subscribed(hass: HomeAssistant) -> bool:
    """Whether Home Assistant Cloud is loaded with an active subscription."""
    return "cloud" in hass.config.components and cloud.async_active_subscription(hass)


def webhook_urls(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str] | None:
    """Return the URLs to paste into the Equiwatt app, or None if the internet cannot reach us.

    A saved cloudhook counts only while the subscription is active; an Internet URL on
    this machine or the home network (127.0.0.1, 192.168.…, homeassistant.local) does not.
    """
    base: str | None = data.get(CONF_CLOUDHOOK_URL) if cloud_subscribed(hass) else None
    if base is None:
        try:
            base = webhook.async_generate_url(
                hass, data[CONF_WEBHOOK_ID], allow_internal=False, prefer_external=True
            )
        except NoURLAvailableError:
            return None
        if not reachable_from_internet(base):
            return None
    return {"started_url": f"{base}?event=started", "ended_url": f"{base}?event=ended"}


async def async_no_public_url_text(hass: HomeAssistant) -> str:
    """Return, in the user's language, that no URL reaches Home Assistant (the issue's title)."""
    strings = await translation.async_get_translations(
        hass, hass.config.language, "issues", [DOMAIN]
    )
    return strings[f"component.{DOMAIN}.issues.no_public_url.title"]


def push_issue_id(entry: EquiwattConfigEntry) -> str:
    """Return the id of the repair issue for an entry whose webhook the internet cannot reach."""
    return f"no_public_url_{entry.entry_id}"


@callback
def async_update_push_issue(hass: HomeAssistant, entry: EquiwattConfigEntry) -> None:
    """Raise a repair issue when push is wanted but no URL reaches us; clear it otherwise."""
    if entry.options.get(CONF_PUSH, DEFAULT_PUSH) and webhook_urls(hass, entry.data) is None:
        ir.async_create_issue(
            hass,
            DOMAIN,
            push_issue_id(entry),
            is_fixable=True,
            severity=ir.IssueSeverity.WARNING,
            translation_key="no_public_url",
            data={"entry_id": entry.entry_id},
            learn_more_url=README_URL,
        )
    else:
        ir.async_delete_issue(hass, DOMAIN, push_issue_id(entry))


@callback
def async_track_push_issue(hass: HomeAssistant, entry: EquiwattConfigEntry) -> None:
    """Update the repair issue at once when Home Assistant's URLs change, while loaded.

    Settings → System → Network saves the Internet URL in the core configuration.
    """

    @callback
    def _core_config_updated(_event: Event) -> None:
        async_update_push_issue(hass, entry)

    entry.async_on_unload(hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, _core_config_updated))
