"""A home in a realistic state for the platforms' snapshots, and the snapshots per version.

At START_TIME (Friday 20 November 2026, 17:10 in London) an Equivent is live
after three finished ones (the mocked client's answer); the meter's ledger holds
five weeks of evenings, so the saving has figures; a thermostat is chosen for
the setback, so the Setback switch exists (and sets it back).

Registry entries and states read differently in each Home Assistant version the
suite runs on (2026.10 writes `aliases` as a list and attribute names as enum
members, 2026.3 a set and plain strings), so each version keeps its own
snapshots, in `snapshots-ha-<major>.<minor>/`. Write them with
`scripts/test --env newest --no-lint -- tests/platforms --no-cov --snapshot-update`,
and the same with `--env minimum`; when a pin moves, write the new version's
folder and delete the old one's.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, override
from unittest.mock import MagicMock, patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation

from custom_components.equiwatt.api import Equivent
from custom_components.equiwatt.const import CONF_ENERGY_SENSOR, CONF_NATION, CONF_PUSH, DOMAIN
from custom_components.equiwatt.setback.const import (
    CONF_SETBACK_CLIMATES,
    CONF_SETBACK_SWITCHES,
    CONF_SETBACK_TEMPERATURE,
)
from homeassistant.components.climate import HVACMode
from homeassistant.const import MAJOR_VERSION, MINOR_VERSION, Platform
from homeassistant.core import HomeAssistant
from tests.conftest import (
    HISTORY,
    LIVE,
    SLOW_POLL,
    START_TIME,
    async_set_up,
    equivents,
    make_entry,
    utc,
)
from tests.setback.devices import PlainThermostat, Writes, add_devices
from tests.timing import advance

METER = "sensor.grid_import"
ZONE = "climate.living_room"
OPTIONS = {
    CONF_PUSH: True,
    CONF_ENERGY_SENSOR: METER,
    CONF_NATION: "england_wales",
    CONF_SETBACK_CLIMATES: [ZONE],
    CONF_SETBACK_SWITCHES: [],
    CONF_SETBACK_TEMPERATURE: 5.0,
}
SLOT = timedelta(minutes=30)
# The meter's half-hour in progress at START_TIME, and what it had used by the last reading.
CURRENT_SLOT = utc("2026-11-20T17:00:00+00:00")
METER_BEFORE, METER_NOW, USED_BEFORE = 1520.4375, 1520.5, 0.03125


class VersionedSnapshotExtension(HomeAssistantSnapshotExtension):
    """Home Assistant's snapshots, in a folder of the running Home Assistant version."""

    @classmethod
    @override
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        """Return `snapshots-ha-<major>.<minor>` beside the test file.

        Not a folder inside `snapshots/`: syrupy 5 (on Home Assistant 2026.3) would
        take another version's snapshots there for unused ones of this run.
        """
        folder = Path(test_location.filepath).parent
        return str(folder / f"snapshots-ha-{MAJOR_VERSION}.{MINOR_VERSION}")


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Return the snapshot assertion of this Home Assistant version."""
    return snapshot.use_extension(VersionedSnapshotExtension)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/equiwatt."""


@pytest.fixture
def mock_entry() -> MockConfigEntry:
    """Make the entry, with the meter chosen for the saving and the thermostat for the setback."""
    return make_entry(OPTIONS)


def _evening_use(slot: datetime, days_back: int) -> float:
    """Return the meter's use in an evening half-hour: less in an Equivent, more at 17 to 19."""
    if any(slot < equivent.end and slot + SLOT > equivent.start for equivent in HISTORY):
        return 0.25
    return (0.625 if 17 <= slot.hour < 19 else 0.375) + 0.0625 * (days_back % 3)


def saved_saving() -> dict[str, Any]:
    """Return the saving's storage: five weeks of evenings (16:00 to 20:00) in the ledger."""
    slots: dict[str, float] = {}
    for back in range(1, 36):
        evening = datetime.combine(CURRENT_SLOT.date() - timedelta(days=back), time(16), UTC)
        for half in range(8):
            slot = evening + half * SLOT
            slots[str(int(slot.timestamp()))] = _evening_use(slot, back)
    ledger = {
        "slots": slots,
        "approximate": [],
        "last_value": METER_BEFORE,
        "current": int(CURRENT_SLOT.timestamp()),
        "current_kwh": USED_BEFORE,
    }
    return {"meter": METER, "ledger": ledger, "results": {}, "final": []}


@pytest.fixture(autouse=True)
async def setback_writes(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    mock_equiwatt_client: MagicMock,
    mock_entry: MockConfigEntry,
) -> Writes:
    """Make the home: London's time zone, the meter with its ledger, the thermostat.

    Return the thermostat's writes (the setback's).
    """
    freezer.move_to(START_TIME)
    await hass.config.async_set_time_zone("Europe/London")
    hass.states.async_set(
        METER,
        str(METER_NOW),
        {"device_class": "energy", "state_class": "total_increasing", "unit_of_measurement": "kWh"},
    )
    key = f"{DOMAIN}.{mock_entry.entry_id}.saving"
    hass_storage[key] = {"version": 1, "minor_version": 1, "key": key, "data": saved_saving()}
    writes: Writes = []
    thermostat = PlainThermostat(
        "Living room", [HVACMode.HEAT, HVACMode.OFF], HVACMode.HEAT, 20.0, writes
    )
    await add_devices(hass, plain=[thermostat])
    return writes


async def end_the_live_equivent(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, client: MagicMock
) -> None:
    """Equiwatt ends the live Equivent at 18:01:02; the next poll reads it."""
    ended = Equivent(LIVE.start, utc("2026-11-20T18:01:02+00:00"))
    freezer.move_to(ended.end)
    client.get_equivents.return_value = equivents(None, (ended, *HISTORY))
    await advance(hass, freezer, SLOW_POLL, step=5)


@pytest.fixture
async def loaded_entry(
    request: pytest.FixtureRequest,
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_entry: MockConfigEntry,
) -> MockConfigEntry:
    """Set the entry up with one platform, as `snapshot_platform` wants: the test file's.

    Each file is named after its platform: test_sensor.py loads the sensor platform.
    """
    platform = Platform(request.module.__name__.rpartition(".")[2].removeprefix("test_"))
    with patch("custom_components.equiwatt.PLATFORMS", [platform]):
        return await async_set_up(hass, freezer, mock_entry)
