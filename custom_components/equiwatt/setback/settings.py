"""What a zone or a plug is doing, read from its state, and what the setback makes of it.

Pure: reads Home Assistant `State` objects, calls nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, Self

from homeassistant.components.climate.const import (
    ATTR_HVAC_MODES,
    ATTR_MAX_TEMP,
    ATTR_MIN_TEMP,
    ATTR_TARGET_TEMP_HIGH,
    ATTR_TARGET_TEMP_LOW,
    HVACMode,
)
from homeassistant.const import ATTR_TEMPERATURE, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import State

# The termination of a Tado overlay (the `termination` attribute of its overlay sensor).
TADO_MANUAL = "MANUAL"
TADO_NEXT_BLOCK = "TADO_MODE"
TADO_TIMER_OVERLAY = "TIMER"
# Two setpoints within this are the same (thermostats round to their step).
SAME_TEMPERATURE = 0.05


class Kind(StrEnum):
    """How a chosen entity is set back and put back."""

    TADO = "tado"  # a zone of core's tado integration: Tado timers
    CLIMATE = "climate"  # any other thermostat
    SWITCH = "switch"  # a plug


@dataclass(frozen=True, slots=True)
class Setting:
    """A mode (an hvac mode, or `on` for a plug) with its targets."""

    mode: str
    temperature: float | None = None
    low: float | None = None
    high: float | None = None
    overlay: str | None = None  # Tado: how a manual setting ends (MANUAL, TADO_MODE, TIMER)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready copy, without empty fields."""
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Read what `as_dict` wrote."""
        return cls(
            mode=str(data["mode"]),
            temperature=_number(data.get("temperature")),
            low=_number(data.get("low")),
            high=_number(data.get("high")),
            overlay=data.get("overlay"),
        )


def readable(state: State | None) -> bool:
    """Whether a state says something (the entity exists and is available)."""
    return state is not None and state.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)


def setting_of(kind: Kind, state: State | None, overlay: str | None = None) -> Setting | None:
    """Return what a zone or plug is doing, if the setback is to change it; else None.

    Zones that are off, cooling, drying or fanning are left alone, and so are
    those whose `auto` may cool (its schedule could be cooling) and those that
    keep one target in heat_cool (a lower one could make them cool); Tado's own
    heat_cool has no target at all. A plug is changed only when on.
    """
    if state is None or not readable(state):
        return None
    if kind is Kind.SWITCH:
        return Setting(STATE_ON) if state.state == STATE_ON else None
    attributes = state.attributes
    modes = attributes.get(ATTR_HVAC_MODES) or []
    temperature = _number(attributes.get(ATTR_TEMPERATURE))
    match state.state:
        case HVACMode.AUTO if HVACMode.COOL not in modes:
            return Setting(HVACMode.AUTO)
        case HVACMode.HEAT if temperature is not None:
            return Setting(HVACMode.HEAT, temperature, overlay=overlay)
        case HVACMode.HEAT_COOL if kind is Kind.CLIMATE:
            low = _number(attributes.get(ATTR_TARGET_TEMP_LOW))
            high = _number(attributes.get(ATTR_TARGET_TEMP_HIGH))
            if low is not None and high is not None:
                return Setting(HVACMode.HEAT_COOL, low=low, high=high)
    return None


def setback_of(kind: Kind, saved: Setting, state: State, temperature: float) -> Setting:
    """Return the setting the setback writes: heating down to `temperature`, plugs off.

    Never below the zone's own minimum; a range keeps heating down and cooling
    up at the zone's maximum.
    """
    if kind is Kind.SWITCH:
        return Setting("off")
    minimum = _number(state.attributes.get(ATTR_MIN_TEMP))
    target = max(temperature, minimum) if minimum is not None else temperature
    if kind is Kind.TADO:
        return Setting(HVACMode.HEAT, target)
    if saved.low is not None:
        maximum = _number(state.attributes.get(ATTR_MAX_TEMP))
        return Setting(HVACMode.HEAT_COOL, low=target, high=maximum or saved.high)
    return Setting(saved.mode, target)


def shown(kind: Kind, state: State, like: Setting) -> Setting:
    """Return what a state shows, in the shape of `like` (the targets `like` has)."""
    if kind is Kind.SWITCH:
        return Setting(state.state)
    attributes = state.attributes
    return Setting(
        state.state,
        temperature=None if like.temperature is None else _number(attributes.get(ATTR_TEMPERATURE)),
        low=None if like.low is None else _number(attributes.get(ATTR_TARGET_TEMP_LOW)),
        high=None if like.high is None else _number(attributes.get(ATTR_TARGET_TEMP_HIGH)),
    )


def shows(state: State | None, setting: Setting) -> bool:
    """Whether a state shows a setting (for a zone's auto: only the mode)."""
    if state is None or not readable(state):
        return False
    if state.state != setting.mode:
        return False
    attributes = state.attributes
    return all(
        expected is None or _same(attributes.get(attribute), expected)
        for attribute, expected in (
            (ATTR_TEMPERATURE, setting.temperature),
            (ATTR_TARGET_TEMP_LOW, setting.low),
            (ATTR_TARGET_TEMP_HIGH, setting.high),
        )
    )


def shows_setback(kind: Kind, state: State | None, setback: Setting) -> bool:
    """Whether a state shows our setback; a thermostat may change its mode with it."""
    if kind is not Kind.CLIMATE:
        return shows(state, setback)
    if state is None or not readable(state) or state.state == HVACMode.OFF:
        return False
    if setback.low is not None:
        return _same(state.attributes.get(ATTR_TARGET_TEMP_LOW), setback.low)
    return _same(state.attributes.get(ATTR_TEMPERATURE), setback.temperature)


def _same(value: object, expected: float | None) -> bool:
    number = _number(value)
    return number is not None and expected is not None and abs(number - expected) < SAME_TEMPERATURE


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None
