"""The webhook Equiwatt calls at each Equivent start and end, and its URLs."""

from __future__ import annotations

from collections.abc import Mapping
import json
import re
from typing import Any
from urllib.parse import parse_qs

from aiohttp import hdrs, web

from homeassistant.components import cloud, webhook
from homeassistant.const import CONF_WEBHOOK_ID, EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.util.aiohttp import MockRequest

from .api import read_capped
from .const import CONF_CLOUDHOOK_URL, CONF_PUSH, DOMAIN, LOGGER, MAX_WEBHOOK_BODY
from .reachability import reachable_from_internet
from .runtime import EquiwattConfigEntry
from .tracker import Intent

# Only the start of a plain-text intent is read for words.
MAX_INTENT_TEXT = 4096

INTENT_KEYS = ("event", "trigger", "type")
FORM_TYPE = "application/x-www-form-urlencoded"
README_URL = "https://github.com/equiwatt-ha/equiwatt#webhook-instant-start-and-end-recommended"
END_WORDS = frozenset(
    {
        *("end", "ends", "ended", "ending"),
        *("finish", "finishes", "finished", "finishing"),
        *("stop", "stops", "stopped", "stopping"),
    }
)
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def intent_of(value: object) -> Intent:
    """Read an intent from one value.

    A word with `start` in it means started; `end`, `finish` or `stop` as a whole
    word (or its -s, -ed, -ing form) means ended, so `weekend`, `calendar` and
    `pending` are no end. Words are found in snake, kebab and camel case too.
    """
    if not isinstance(value, str):
        return Intent.PING
    words = {word.lower() for word in _WORD.findall(value[:MAX_INTENT_TEXT])}
    if any("start" in word for word in words):
        return Intent.STARTED
    if words & END_WORDS:
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


def _declared_length(headers: Mapping[str, str]) -> int | None:
    """Return the body size a request declares, if it declares a readable one."""
    try:
        return int(headers.get(hdrs.CONTENT_LENGTH, ""))
    except ValueError:
        return None


def _content_type(headers: Mapping[str, str]) -> str:
    """Return the media type of a request, without parameters, in lower case."""
    return headers.get(hdrs.CONTENT_TYPE, "").partition(";")[0].strip().lower()


def _entry_for(hass: HomeAssistant, webhook_id: str) -> EquiwattConfigEntry | None:
    return next(
        (
            entry
            for entry in hass.config_entries.async_loaded_entries(DOMAIN)
            if entry.data.get(CONF_WEBHOOK_ID) == webhook_id
        ),
        None,
    )


async def async_handle_webhook(
    hass: HomeAssistant, webhook_id: str, request: web.Request | MockRequest
) -> web.Response:
    """Turn a webhook call into a coordinator action; reveal nothing in the reply.

    Works for aiohttp's requests and for the `MockRequest` through which Home
    Assistant Cloud relays a cloudhook call: both offer `headers`, `query`,
    `method` and a `content` stream, and nothing else is read.
    """
    if (entry := _entry_for(hass, webhook_id)) is None:
        return web.Response(status=200)
    if request.method == hdrs.METH_GET:
        # Someone opened the URL in a browser to test it: a ping, whatever its query.
        body, intent = b"", Intent.PING
    else:
        # Refused unread when Content-Length says it is too big, else after 64 KiB + 1.
        declared = _declared_length(request.headers)
        too_big = declared is not None and declared > MAX_WEBHOOK_BODY
        body = b"" if too_big else await read_capped(request.content, MAX_WEBHOOK_BODY)
        if too_big or len(body) > MAX_WEBHOOK_BODY:
            LOGGER.warning("Refused a webhook call with a body over 64 KiB")
            # 200 like any other reply: a 413 would tell a prober that the id exists.
            return web.Response(status=200)
        intent = parse_intent(request.query, body, _content_type(request.headers))
    entry.runtime_data.coordinator.async_handle_webhook(
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
    """Register the entry's webhook; unregistered when the entry unloads.

    GET too: Home Assistant refuses a method the webhook does not take and logs the
    id with it, and a browser opening the URL (to test it) sends a GET.
    """
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]
    webhook.async_register(
        hass,
        DOMAIN,
        "Equiwatt",
        webhook_id,
        async_handle_webhook,
        local_only=False,
        allowed_methods=[hdrs.METH_GET, hdrs.METH_POST, hdrs.METH_PUT],
    )
    entry.async_on_unload(lambda: webhook.async_unregister(hass, webhook_id))


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
