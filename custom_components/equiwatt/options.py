"""Which option changes reload the entry; every other option applies to it at once."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback

from .const import CONF_ENERGY_SENSOR, CONF_NATION
from .runtime import EquiwattConfigEntry
from .saving.bank_holidays import DEFAULT_NATION
from .urls import async_update_push_issue
from .webhook_silence import async_clear_silence_unless_push

# The options whose change reloads the entry, with their defaults: the meter and the
# nation make the saving's coordinator and its sensors. A reload makes every entity
# unavailable for a moment, so any other option (push, the setback's zones, plugs and
# temperature) is applied live by `async_apply_options`.
RELOAD_OPTIONS: Final[Mapping[str, Any]] = MappingProxyType(
    {CONF_ENERGY_SENSOR: None, CONF_NATION: DEFAULT_NATION}
)


def needs_reload(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether going from the `old` options to the `new` ones needs a reload."""
    return any(
        old.get(key, default) != new.get(key, default) for key, default in RELOAD_OPTIONS.items()
    )


@callback
def async_apply_options(hass: HomeAssistant, entry: EquiwattConfigEntry) -> None:
    """Apply the saved options that need no reload to the entry.

    Polling and the webhook-silence watch read the push option each time they act;
    the repair issues follow it here, and a loaded setback takes its zones and plugs
    (an entry not loaded takes them all when it sets up).
    """
    async_update_push_issue(hass, entry)
    if entry.state is ConfigEntryState.LOADED:
        entry.runtime_data.setback.async_configure(entry.options)
    async_clear_silence_unless_push(hass, entry)
