"""Set-up helpers for the blueprint and README example tests."""

from __future__ import annotations

from pathlib import Path
import shutil
from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints" / "automation" / "equiwatt"


class FakePlug(SwitchEntity):
    """A smart plug."""

    def __init__(self, name: str) -> None:
        """Start on."""
        self._attr_name = name
        self._attr_unique_id = name
        self._attr_is_on = True

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn on."""
        self._attr_is_on = True
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn off."""
        self._attr_is_on = False
        self.async_write_ha_state()


async def use_blueprint(
    hass: HomeAssistant, config_dir: Path, blueprint: str, inputs: dict[str, Any]
) -> None:
    """Install our blueprints in `config_dir` and add an automation from one of them."""
    hass.config.config_dir = str(config_dir)
    shutil.copytree(BLUEPRINTS, config_dir / "blueprints" / "automation" / "equiwatt")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": blueprint,
                "use_blueprint": {"path": f"equiwatt/{blueprint}.yaml", "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()
