"""What a loaded entry runs, on `entry.runtime_data`."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .coordinator import EquiwattCoordinator
from .saving.coordinator import SavingCoordinator
from .setback.manager import SetbackManager

type EquiwattConfigEntry = ConfigEntry[EquiwattRuntimeData]


@dataclass(frozen=True, slots=True)
class EquiwattRuntimeData:
    """The coordinator, and the rooms that only read it: the saving and the setback."""

    coordinator: EquiwattCoordinator
    setback: SetbackManager
    saving: SavingCoordinator | None = None  # only with a meter chosen in the options
