"""Set-up helper for the blueprint tests."""

from __future__ import annotations

from pathlib import Path
import shutil
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints" / "automation" / "equiwatt"


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
