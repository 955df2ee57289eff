"""The home's meter as the saving reads it: its state in kWh, and its resets."""

from __future__ import annotations

from homeassistant.components.sensor import ATTR_LAST_RESET, ATTR_STATE_CLASS, SensorStateClass
from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT, UnitOfEnergy
from homeassistant.core import State

TO_KWH = {
    UnitOfEnergy.WATT_HOUR: 0.001,
    UnitOfEnergy.KILO_WATT_HOUR: 1.0,
    UnitOfEnergy.MEGA_WATT_HOUR: 1000.0,
}


def meter_kwh(state: State | None) -> float | None:
    """Read a meter's state in kWh; None when unavailable or unreadable."""
    if state is None:
        return None
    factor = TO_KWH.get(state.attributes.get(ATTR_UNIT_OF_MEASUREMENT, UnitOfEnergy.KILO_WATT_HOUR))
    try:
        value = float(state.state)
    except ValueError:
        return None
    return None if factor is None else value * factor


def meter_reset(old: State | None, new: State) -> bool:
    """Whether a `total` meter reports a new last reset."""
    return (
        old is not None
        and new.attributes.get(ATTR_STATE_CLASS) == SensorStateClass.TOTAL
        and new.attributes.get(ATTR_LAST_RESET) != old.attributes.get(ATTR_LAST_RESET)
    )
