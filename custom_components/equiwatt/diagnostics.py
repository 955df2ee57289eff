"""Diagnostics of an Equiwatt entry, with the token and the webhook redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_API_TOKEN, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant

from .api import DEFAULT_BASE_URL, Equivent
from .const import CONF_CLOUDHOOK_URL
from .isotime import iso
from .runtime import EquiwattConfigEntry
from .urls import webhook_urls

TO_REDACT = {CONF_API_TOKEN, CONF_WEBHOOK_ID, CONF_CLOUDHOOK_URL}


def _equivent(equivent: Equivent | None) -> dict[str, str | None] | None:
    return None if equivent is None else equivent.as_dict()


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: EquiwattConfigEntry
) -> dict[str, Any]:
    """Return what support needs to see, and nothing secret."""
    coordinator = entry.runtime_data.coordinator
    data = coordinator.data
    tracker = coordinator.tracker
    return {
        "entry": {
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": dict(entry.options),
        },
        "state": {
            "live": _equivent(data.live),
            "expected_end": iso(data.expected_end),
            "last": _equivent(data.last),
            "history_length": len(data.history),
            "last_source": tracker.last_source,
            "webhook_override": None
            if tracker.override is None
            else {"active": tracker.override.active, "at": tracker.override.at.isoformat()},
        },
        "polling": {
            "last_update_success": coordinator.last_update_success,
            "last_good_read": iso(coordinator.last_good_read),
            "next_interval_seconds": None
            if coordinator.update_interval is None
            else coordinator.update_interval.total_seconds(),
            "push_trusted": coordinator.push_trusted,
            "api_calls_last_minute": coordinator.calls_in_window,
            "custom_api_url": coordinator.client.base_url != DEFAULT_BASE_URL,
        },
        "setback": entry.runtime_data.setback.as_dict(),
        "webhook": {
            "reachable_from_internet": webhook_urls(hass, entry.data) is not None,
            "cloudhook": CONF_CLOUDHOOK_URL in entry.data,
            "recent_calls": list(coordinator.webhook_calls),
        },
    }
