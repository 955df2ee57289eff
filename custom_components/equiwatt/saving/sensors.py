"""The saving's sensors (baseline, usage, saving and live pace): descriptions and entity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorEntityDescription
from homeassistant.const import PERCENTAGE, UnitOfEnergy

from ..entity import EquiwattEntity
from .coordinator import SavingCoordinator
from .figures import Figures


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


class SavingSensor(EquiwattEntity[SavingCoordinator], SensorEntity):
    """A figure of the saving, from the home's own meter."""

    entity_description: SavingSensorDescription

    @property
    @override
    def native_value(self) -> float | None:
        """The figure of the live Equivent, else of the latest."""
        data = self.coordinator.data
        if (shown := data.shown()) is None or (self.entity_description.live_only and not data.live):
            return None
        return self.entity_description.value_fn(shown[1])

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Which Equivent, and how trustworthy the figure is."""
        data = self.coordinator.data
        if (shown := data.shown()) is None:
            return None
        equivent, figures = shown
        return {
            "equivent_start": equivent.start.isoformat(),
            "live": data.live,
            "incomplete": figures.incomplete,
            "approximate": figures.approximate,
            "days_used": figures.days_used,
            "days_wanted": figures.days_wanted,
        }
