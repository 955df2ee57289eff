"""Sensors of the saving per Equivent: baseline, usage, saving and live pace."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorEntityDescription
from homeassistant.const import PERCENTAGE, UnitOfEnergy

from .entity import EquiwattEntity
from .saving.figures import Figures
from .saving_manager import SavingManager


@dataclass(frozen=True, kw_only=True)
class SavingSensorDescription(SensorEntityDescription):
    """A figure of the live Equivent (else the latest) and how to read it."""

    value_fn: Callable[[Figures], float | None]
    live_only: bool = False


def _energy(key: str, value_fn: Callable[[Figures], float | None]) -> SavingSensorDescription:
    return SavingSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=value_fn,
    )


SAVING_SENSORS: tuple[SavingSensorDescription, ...] = (
    _energy("equivent_baseline", lambda figures: figures.baseline),
    _energy("equivent_usage", lambda figures: figures.usage),
    _energy("equivent_saving", lambda figures: figures.saving),
    SavingSensorDescription(
        key="equivent_saving_percent",
        translation_key="equivent_saving_percent",
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        value_fn=lambda figures: figures.saving_percent,
    ),
    SavingSensorDescription(
        key="equivent_pace",
        translation_key="equivent_pace",
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        value_fn=lambda figures: figures.pace,
        live_only=True,
    ),
)


class SavingSensor(EquiwattEntity, SensorEntity):
    """A figure of the saving, from the home's own meter."""

    entity_description: SavingSensorDescription

    def __init__(self, saving: SavingManager, description: SavingSensorDescription) -> None:
        """Read the figures of a saving manager."""
        super().__init__(saving.coordinator, description)
        self.saving = saving

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the saving manager's updates too."""
        await super().async_added_to_hass()
        self.async_on_remove(self.saving.async_add_listener(self.async_write_ha_state))

    @property
    @override
    def available(self) -> bool:
        """The meter's figures do not depend on reaching Equiwatt."""
        return self.coordinator.data is not None

    @property
    def native_value(self) -> float | None:
        """The figure of the live Equivent, else of the latest."""
        if (current := self.saving.current()) is None:
            return None
        equivent, figures = current
        if self.entity_description.live_only and self.coordinator.data.live != equivent:
            return None
        return self.entity_description.value_fn(figures)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Which Equivent, and how trustworthy the figure is."""
        if (current := self.saving.current()) is None:
            return None
        equivent, figures = current
        return {
            "equivent_start": equivent.start.isoformat(),
            "live": self.coordinator.data.live == equivent,
            "incomplete": figures.incomplete,
            "approximate": figures.approximate,
            "days_used": figures.days_used,
            "days_wanted": figures.days_wanted,
        }
