"""Tado's requests per Equivent: the built-in setback against the retired Tado blueprint.

Both run in the same Home Assistant, through core's real tado integration and its
python-tado, against the local stand-in for Tado's cloud (`tests/tado_cloud.py`),
which counts every request. Core's tado polling is off (its user option), so every
request counted is one that a write caused: the write itself, the zone reads core
makes after it, and the full refreshes it asks for.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
import shutil

import pytest

from bench.conftest import record
from homeassistant.setup import async_setup_component
from tests.setback.home import Home, full_refreshes, settle, zone_entity
from tests.tado_cloud import Logged, Zone

BASELINE = Path(__file__).resolve().parent / "baseline" / "tado_setback.yaml"
BINARY = "binary_sensor.equiwatt_equivent_active"
HOUSEHOLDS = {
    "two_on_schedule": [Zone(1, "Living room", 20.0), Zone(2, "Bedroom", 18.0)],
    "schedule_and_manual": [Zone(1, "Living room", 20.0), Zone(2, "Study", 19.0)],
    "twelve_on_schedule": [Zone(n, f"Room {n}", 19.0) for n in range(1, 13)],
}
MANUAL = {"schedule_and_manual": (2, 21.0)}


async def _use_baseline_blueprint(home: Home, config_dir: Path) -> None:
    """Add the retired Tado blueprint, as its users had it: with its Text helper."""
    home.hass.config.config_dir = str(config_dir)
    target = config_dir / "blueprints" / "automation" / "equiwatt"
    target.mkdir(parents=True)
    shutil.copy(BASELINE, target / "tado_setback.yaml")
    assert await async_setup_component(
        home.hass, "input_text", {"input_text": {"equivent_memory": {"max": 255}}}
    )
    zones = [zone_entity(home.hass, zone) for zone in home.cloud.zones.values()]
    assert await async_setup_component(
        home.hass,
        "automation",
        {
            "automation": {
                "alias": "Tado setback",
                "use_blueprint": {
                    "path": "equiwatt/tado_setback.yaml",
                    "input": {
                        "equivent_sensor": BINARY,
                        "zones": zones,
                        "setback_temperature": 5,
                        "memory": "input_text.equivent_memory",
                    },
                },
            }
        },
    )
    await settle(home.hass)


def _phase(requests: list[Logged]) -> dict[str, int]:
    writes = sum(1 for r in requests if r.path.endswith("/overlay") and r.method != "GET")
    return {"requests": len(requests), "writes": writes, "full_refreshes": full_refreshes(requests)}


async def _measure(home: Home, household: str, config_dir: Path, *, built_in: bool) -> dict:
    """Run one Equivent in one household; return Tado's requests at its start and at its end."""
    for zone in HOUSEHOLDS[household]:
        home.cloud.add_zone(Zone(zone.id, zone.name, zone.schedule))
    if household in MANUAL:
        home.cloud.set_manual(*MANUAL[household])
    await home.set_up(options=None if built_in else {"setback_climates": []}, tado_polling=False)
    if not built_in:
        await _use_baseline_blueprint(home, config_dir)
    settings_before = {zone_id: home.cloud.setting(zone_id) for zone_id in home.cloud.zones}
    before = len(home.cloud.log)
    await home.start()
    await home.advance(60)
    start = home.cloud.log[before:]
    await home.advance_to(home.expected_end() - timedelta(seconds=20))
    middle = len(home.cloud.log)
    await home.end()
    await home.advance(120)
    end = home.cloud.log[middle:]
    settings_after = {zone_id: home.cloud.setting(zone_id) for zone_id in home.cloud.zones}
    assert settings_after == settings_before, "every zone is back as it was"
    return {
        "zones": len(home.cloud.zones),
        "start": _phase(start),
        "end": _phase(end),
        "per_equivent": len(start) + len(end),
    }


@pytest.mark.parametrize(
    ("household", "built_in"),
    [
        *((household, True) for household in HOUSEHOLDS),
        ("two_on_schedule", False),
        ("schedule_and_manual", False),
    ],
)
async def test_tado_requests_per_equivent(
    home: Home, household: str, built_in: bool, tmp_path: Path
) -> None:
    """One Equivent with the built-in setback, or with the retired blueprint (the baseline)."""
    name = f"tado_{household}" if built_in else f"tado_blueprint_{household}"
    record(name, await _measure(home, household, tmp_path, built_in=built_in))
