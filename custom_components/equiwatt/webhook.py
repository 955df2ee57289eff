"""The webhook Equiwatt calls at each Equivent start and end: reading a call, registering it."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import hdrs, web

from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.util.aiohttp import MockRequest

from .api import read_capped
from .const import DOMAIN, LOGGER, MAX_WEBHOOK_BODY
from .runtime import EquiwattConfigEntry
from .webhook_call import Intent, parse_intent


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
    `method` and a `content` stream, and nothing else is read. The entry is looked
    up once the body is read, as it may unload meanwhile.
    """
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
    if (entry := _entry_for(hass, webhook_id)) is None:
        return web.Response(status=200)
    entry.runtime_data.coordinator.async_handle_webhook(
        intent,
        {
            "method": request.method,
            "body_size": len(body),
            "query_keys": sorted(request.query.keys()),
        },
        from_equiwatt=request.method != hdrs.METH_GET,
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
