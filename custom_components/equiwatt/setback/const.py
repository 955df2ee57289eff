"""The setback's options: the zones and plugs set back during an Equivent, and to what."""

from __future__ import annotations

from typing import Final

CONF_SETBACK_CLIMATES: Final = "setback_climates"
CONF_SETBACK_SWITCHES: Final = "setback_switches"
CONF_SETBACK_TEMPERATURE: Final = "setback_temperature"
DEFAULT_SETBACK_TEMPERATURE: Final = 5.0
