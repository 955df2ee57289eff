"""The webhook Equiwatt calls at each Equivent start and end, and its URLs."""

from __future__ import annotations

from collections.abc import Mapping
import json
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from aiohttp.hdrs import METH_POST, METH_PUT

from homeassistant.components import cloud, webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError

from .api import read_capped
from .const import CONF_CLOUDHOOK_URL, CONF_PUSH, DOMAIN, LOGGER, MAX_WEBHOOK_BODY
from .coordinator import EquiwattConfigEntry
from .tracker import Intent

INTENT_KEYS = ("event", "trigger", "type")
FORM_TYPE = "application/x-www-form-urlencoded"
README_URL = "https://github.com/equiwatt-ha/equiwatt#webhook-push"


def intent_of(value: object) -> Intent:
    """Read an intent from one value: `start` means started; `end`, `finish`, `stop` ended."""
    if not isinstance(value, str):
        return Intent.PING
    text = value.lower()
    if "start" in text:
        return Intent.STARTED
    if any(word in text for word in ("end", "finish", "stop")):
        return Intent.ENDED
    return Intent.PING


def _lookup(mapping: Mapping[str, Any]) -> tuple[bool, object]:
    """Find the first intent key in a mapping (keys in any case)."""
    lowered = {str(key).lower(): value for key, value in mapping.items()}
    for key in INTENT_KEYS:
        if key in lowered:
            return True, lowered[key]
    return False, None


def parse_intent(query: Mapping[str, str], body: bytes, content_type: str = "") -> Intent:
    """Read a webhook call's intent: query, then a JSON or form body, then plain text."""
    found, value = _lookup(query)
    if found:
        return intent_of(value)
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return Intent.PING
    try:
        payload = json.loads(text)
    except RecursionError:
        # Nested deeper than the decoder goes: nothing an Equiwatt call would send.
        return Intent.PING
    except ValueError:
        pass
    else:
        if isinstance(payload, dict):
            return intent_of(_lookup(payload)[1])
        return intent_of(payload)
    form = {key: values[0] for key, values in parse_qs(text, keep_blank_values=True).items()}
    found, value = _lookup(form)
    if found:
        return intent_of(value)
    if content_type == FORM_TYPE:
        return Intent.PING
    return intent_of(text)


async def async_handle_webhook(
    hass: HomeAssistant, webhook_id: str, request: web.Request
) -> web.Response:
    """Turn a webhook call into a coordinator action; reveal nothing in the reply."""
    entry: EquiwattConfigEntry | None = next(
        (
            e
            for e in hass.config_entries.async_loaded_entries(DOMAIN)
            if e.data.get(CONF_WEBHOOK_ID) == webhook_id
        ),
        None,
    )
    if entry is None:
        return web.Response(status=200)
    # Refused unread when Content-Length says it is too big, else after 64 KiB + 1.
    declared = request.content_length
    too_big = declared is not None and declared > MAX_WEBHOOK_BODY
    body = b"" if too_big else await read_capped(request.content, MAX_WEBHOOK_BODY)
    if too_big or len(body) > MAX_WEBHOOK_BODY:
        LOGGER.warning("Refused an Equiwatt webhook call with a body over 64 KiB")
        return web.Response(status=413)
    intent = parse_intent(request.query, body, request.content_type)
    entry.runtime_data.async_handle_webhook(
        intent,
        {
            "method": request.method,
            "body_size": len(body),
            "query_keys": sorted(request.query.keys()),
        },
    )
    return web.Response(status=200)


@callback
def async_register_webhook(hass: HomeAssistant, entry: EquiwattConfigEntry) -> None:
    """Register the entry's webhook; unregistered when the entry unloads."""
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]
    webhook.async_register(
        hass,
        DOMAIN,
        "Equiwatt",
        webhook_id,
        async_handle_webhook,
        local_only=False,
        allowed_methods=[METH_POST, METH_PUT],
    )
    entry.async_on_unload(lambda: webhook.async_unregister(hass, webhook_id))


def webhook_urls(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str] | None:
    """Return the URLs to paste into the Equiwatt app, or None if the internet cannot reach us."""
    base: str | None = data.get(CONF_CLOUDHOOK_URL)
    if base is None:
        try:
            base = webhook.async_generate_url(
                hass, data[CONF_WEBHOOK_ID], allow_internal=False, prefer_external=True
            )
        except NoURLAvailableError:
            return None
    return {"started_url": f"{base}?event=started", "ended_url": f"{base}?event=ended"}


async def async_create_cloudhook(hass: HomeAssistant, webhook_id: str) -> str | None:
    """Create a cloudhook URL when Home Assistant Cloud is subscribed and connected."""
    if not (
        "cloud" in hass.config.components
        and cloud.async_active_subscription(hass)
        and cloud.async_is_connected(hass)
    ):
        return None
    try:
        return await cloud.async_create_cloudhook(hass, webhook_id)
    except cloud.CloudNotAvailable:
        return None


async def async_ensure_cloudhook(hass: HomeAssistant, entry: EquiwattConfigEntry) -> None:
    """Create the entry's cloudhook once Home Assistant Cloud allows it."""
    if CONF_CLOUDHOOK_URL in entry.data:
        return
    url = await async_create_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])
    if url is not None:
        hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_CLOUDHOOK_URL: url})
    async_update_push_issue(hass, entry)


async def async_delete_cloudhook(hass: HomeAssistant, entry: EquiwattConfigEntry) -> None:
    """Delete the entry's cloudhook, if it has one."""
    if CONF_CLOUDHOOK_URL not in entry.data or "cloud" not in hass.config.components:
        return
    try:
        await cloud.async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])
    except cloud.CloudNotAvailable:
        LOGGER.debug("Home Assistant Cloud is gone; its cloudhook goes with it")


def push_issue_id(entry: EquiwattConfigEntry) -> str:
    """Return the id of the repair issue for an entry whose webhook the internet cannot reach."""
    return f"no_public_url_{entry.entry_id}"


@callback
def async_update_push_issue(hass: HomeAssistant, entry: EquiwattConfigEntry) -> None:
    """Raise a repair issue when push is wanted but no URL reaches us; clear it otherwise."""
    if entry.options.get(CONF_PUSH, True) and webhook_urls(hass, entry.data) is None:
        ir.async_create_issue(
            hass,
            DOMAIN,
            push_issue_id(entry),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="no_public_url",
            translation_placeholders={"title": entry.title},
            learn_more_url=README_URL,
        )
    else:
        ir.async_delete_issue(hass, DOMAIN, push_issue_id(entry))
