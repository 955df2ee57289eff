"""The saving manager: feeds the ledger from the meter and computes each Equivent's figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import holidays

from homeassistant.components.sensor import ATTR_LAST_RESET, ATTR_STATE_CLASS, SensorStateClass
from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT, UnitOfEnergy
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.helpers.event import (
    async_track_state_change_event,
    async_track_time_interval,
    async_track_utc_time_change,
)
from homeassistant.util import dt as dt_util

from .api import Equivent
from .const import LOGGER, TYPICAL_DURATION
from .saving.days import LOOKBACK_DAYS, SLOT, days_wanted, eligible_days, equivent_slots
from .saving.figures import Figures, compute_figures
from .saving.ledger import MeterLedger
from .saving.recorder import async_read_consumption
from .storage import Part, entry_store

if TYPE_CHECKING:
    from .coordinator import EquiwattCoordinator

SAVE_DELAY = 10.0  # seconds; flushed when Home Assistant stops or the entry unloads
RESULTS_KEPT = 200
REFRESH_INTERVAL = timedelta(minutes=1)
NATIONS = {"england_wales": "ENG", "scotland": "SCT", "northern_ireland": "NIR"}
DEFAULT_NATION = "england_wales"
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


class SavingManager:
    """Measures the home's meter and keeps the figures of each Equivent.

    It reads the coordinator's data and never changes it.
    """

    def __init__(
        self, hass: HomeAssistant, coordinator: EquiwattCoordinator, entity_id: str, nation: str
    ) -> None:
        """Set up for one meter; call `async_start` next."""
        self.hass = hass
        self.coordinator = coordinator
        self.entity_id = entity_id
        self.subdivision = NATIONS.get(nation, NATIONS[DEFAULT_NATION])
        self.ledger = MeterLedger()
        self.results: dict[int, Figures] = {}
        self.final: set[int] = set()
        self.tz = dt_util.get_default_time_zone()
        self._bank_holidays: holidays.HolidayBase | None = None
        self._store = entry_store(hass, coordinator.config_entry.entry_id, Part.SAVING)
        self._listeners: list[Callable[[], None]] = []
        self._unsubs: list[Callable[[], None]] = []

    async def async_start(self) -> None:
        """Load the ledger, backfill it from the recorder and start measuring."""
        year = dt_util.now().year
        self._bank_holidays = await self.hass.async_add_executor_job(
            partial(
                holidays.country_holidays,
                "GB",
                subdiv=self.subdivision,
                years=range(year - 1, year + 2),
            )
        )
        await self._async_load()
        self.ledger.resume(dt_util.utcnow().timestamp())
        await self._async_backfill()
        self._unsubs = [
            async_track_state_change_event(self.hass, self.entity_id, self._async_meter_changed),
            async_track_utc_time_change(self.hass, self._async_half_hour, minute=(0, 30), second=0),
            async_track_time_interval(self.hass, self._async_refresh, REFRESH_INTERVAL),
            self.coordinator.async_add_listener(self._async_refresh),
        ]
        self.ledger.observe(dt_util.utcnow().timestamp(), self._meter_now())
        self._async_refresh()

    async def async_stop(self) -> None:
        """Stop measuring and save now."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs = []
        await self._store.async_save(self._as_dict())

    @callback
    def async_add_listener(self, update: Callable[[], None]) -> Callable[[], None]:
        """Call `update` whenever the figures change; return the remover."""
        self._listeners.append(update)
        return lambda: self._listeners.remove(update)

    def figures(self, equivent: Equivent) -> Figures | None:
        """Return the figures of an Equivent, when known."""
        return self.results.get(int(equivent.start.timestamp()))

    def current(self) -> tuple[Equivent, Figures] | None:
        """Return the live Equivent with its figures, else the latest finished one."""
        data = self.coordinator.data
        equivent = data.live if data.live is not None else data.last
        if equivent is None or (figures := self.figures(equivent)) is None:
            return None
        return equivent, figures

    def is_bank_holiday(self, day: date) -> bool:
        """Whether a day is a bank holiday of the home's nation."""
        assert self._bank_holidays is not None
        return day in self._bank_holidays

    def compute(self, equivent: Equivent, end: datetime, now: datetime) -> Figures:
        """Compute an Equivent's figures over its slots up to `end`, as known at `now`."""
        slots = equivent_slots(equivent.start, end, self.tz)
        day = slots[0].date()
        data = self.coordinator.data
        others = (*data.history, *(() if data.live is None else (data.live,)))
        equivent_days = {
            moment.astimezone(self.tz).date()
            for other in others
            for moment in (other.start, other.end)
            if moment is not None
        }
        days = eligible_days(day, self.is_bank_holiday, equivent_days)
        return compute_figures(
            slots,
            days,
            wanted=days_wanted(day, self.is_bank_holiday),
            tz=self.tz,
            consumption=self.ledger.get,
            now=now,
            live=self.ledger.live(now.timestamp()),
        )

    @callback
    def _async_refresh(self, _now: datetime | None = None) -> None:
        """Recompute the figures of the live Equivent and of the recent finished ones."""
        data = self.coordinator.data
        now = dt_util.utcnow()
        horizon = now - timedelta(days=LOOKBACK_DAYS)
        changed = False
        if data.live is not None:
            end = data.expected_end or data.live.start + TYPICAL_DURATION
            changed |= self._set(data.live, self.compute(data.live, max(end, now), now))
        for equivent in data.history:
            key = int(equivent.start.timestamp())
            if key in self.final or equivent.end is None or equivent.start < horizon:
                continue
            slots = equivent_slots(equivent.start, equivent.end, self.tz)
            done = now >= slots[-1] + SLOT
            changed |= self._set(equivent, self.compute(equivent, equivent.end, now))
            if done:
                self.final.add(key)
        if changed:
            self._save()
            for update in list(self._listeners):
                update()

    def _set(self, equivent: Equivent, figures: Figures) -> bool:
        key = int(equivent.start.timestamp())
        if self.results.get(key) == figures:
            return False
        self.results[key] = figures
        return True

    @callback
    def _async_meter_changed(self, event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is None:
            return
        reset = meter_reset(event.data["old_state"], new)
        self.ledger.observe(new.last_updated_timestamp, meter_kwh(new), reset=reset)
        if self.coordinator.data.live is not None:
            self._async_refresh()

    @callback
    def _async_half_hour(self, now: datetime) -> None:
        self.ledger.boundary(now.timestamp(), self._meter_now())
        self.ledger.prune(now.timestamp())
        self._save()
        self._async_refresh()

    def _meter_now(self) -> float | None:
        return meter_kwh(self.hass.states.get(self.entity_id))

    async def _async_backfill(self) -> None:
        """Fill the ledger's missing half-hours of the last 60 days from the recorder."""
        if "recorder" not in self.hass.config.components:
            return
        end = dt_util.utcnow()
        start = end - timedelta(days=LOOKBACK_DAYS + 1)
        readings = await async_read_consumption(self.hass, self.entity_id, start, end)
        current = int(end.timestamp()) // 1800 * 1800
        added = sum(
            self.ledger.backfill(key, reading) for key, reading in readings.items() if key < current
        )
        LOGGER.debug("Backfilled %s half-hours of %s from the recorder", added, self.entity_id)
        if added:
            self._save()

    async def _async_load(self) -> None:
        stored = await self._store.async_load()
        if not stored:
            return
        try:
            if stored.get("meter", self.entity_id) == self.entity_id:
                # Another meter's readings would mix two totals: its ledger is dropped.
                self.ledger = MeterLedger.from_dict(stored["ledger"])
            self.results = {
                int(key): Figures.from_dict(value) for key, value in stored["results"].items()
            }
            self.final = {int(key) for key in stored["final"]}
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            LOGGER.warning("Ignoring unreadable saved meter data: %s", err)
            self.ledger, self.results, self.final = MeterLedger(), {}, set()

    def _save(self) -> None:
        self._store.async_delay_save(self._as_dict, SAVE_DELAY)

    def _as_dict(self) -> dict[str, Any]:
        kept = sorted(self.results)[-RESULTS_KEPT:]
        return {
            "meter": self.entity_id,
            "ledger": self.ledger.as_dict(),
            "results": {str(key): self.results[key].as_dict() for key in kept},
            "final": sorted(key for key in self.final if key in self.results),
        }
