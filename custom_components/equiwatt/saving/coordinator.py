"""The saving's coordinator: the meter and the Equiwatt coordinator feed it the figures.

It reads the Equiwatt coordinator's data and never changes it, and it calls no
API: a refresh only computes, so it never fails and the saving's sensors stay
available while Equiwatt cannot be read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CoreState, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event, async_track_utc_time_change
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..api import Equivent
from ..const import DOMAIN, LOGGER, TYPICAL_DURATION
from ..coordinator import EquiwattCoordinator
from .bank_holidays import BankHolidays
from .days import LOOKBACK_DAYS, SLOT, days_wanted, eligible_days, equivent_slots
from .figures import Figures, compute_figures
from .meter import meter_kwh, meter_reset
from .recorder import async_backfill
from .store import SavingState, SavingStore

# A live Equivent's figures move with the clock too (its pace, its half-hour so far).
REFRESH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class SavingData:
    """The figures of each Equivent, and the Equivent the sensors show."""

    figures: Mapping[int, Figures]  # by the Equivent's start, a Unix time
    current: Equivent | None  # the live Equivent, else the latest finished one
    live: bool

    def of(self, equivent: Equivent) -> Figures | None:
        """Return the figures of an Equivent, when known."""
        return self.figures.get(int(equivent.start.timestamp()))

    def shown(self) -> tuple[Equivent, Figures] | None:
        """Return the Equivent the sensors show with its figures, when it has any."""
        if self.current is None or (figures := self.of(self.current)) is None:
            return None
        return self.current, figures


class SavingCoordinator(DataUpdateCoordinator[SavingData]):
    """Measures the home's meter and keeps the figures of each Equivent."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        equiwatt: EquiwattCoordinator,
        meter: str,
        nation: str,
    ) -> None:
        """Set up for one meter; the first refresh loads and backfills its ledger."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} saving",
            update_interval=REFRESH_INTERVAL,
            always_update=False,
        )
        self.equiwatt = equiwatt
        self.meter = meter
        self.bank_holidays = BankHolidays(nation)
        self.state = SavingState()
        self.tz = dt_util.get_default_time_zone()
        self._store = SavingStore(hass, entry.entry_id, meter)
        self._unsubs: list[Callable[[], None]] = []

    @override
    async def _async_setup(self) -> None:
        """Load the ledger, backfill it from the recorder and start measuring."""
        await self.bank_holidays.async_load(self.hass)
        self.state = await self._store.async_load()
        # Set up while Home Assistant starts: the ledger was stopped with it.
        after_stop = self.hass.state is not CoreState.running
        self.state.ledger.resume(dt_util.utcnow().timestamp(), after_stop=after_stop)
        if await async_backfill(self.hass, self.meter, self.state.ledger):
            self._store.async_delay_save(self.state)
        self._unsubs = [
            async_track_state_change_event(self.hass, self.meter, self._async_meter_changed),
            async_track_utc_time_change(self.hass, self._async_half_hour, minute=(0, 30), second=0),
            self.equiwatt.async_add_listener(self._async_update),
        ]
        self.state.ledger.observe(dt_util.utcnow().timestamp(), self._meter_now())

    @override
    async def _async_update_data(self) -> SavingData:
        """Recompute the figures."""
        return self._compute()

    @override
    async def async_shutdown(self) -> None:
        """Stop measuring and, once started, save now."""
        await super().async_shutdown()
        for unsub in self._unsubs:
            unsub()
        self._unsubs = []
        if self.data is not None:
            await self._store.async_save(self.state)

    def _equivent_days(self) -> set[date]:
        """Return the local days that any known Equivent touched (not eligible for baselines)."""
        data = self.equiwatt.data
        others = (*data.history, *(() if data.live is None else (data.live,)))
        return {
            moment.astimezone(self.tz).date()
            for other in others
            for moment in (other.start, other.end)
            if moment is not None
        }

    def _figures(self, slots: list[datetime], equivent_days: set[date], now: datetime) -> Figures:
        """Compute an Equivent's figures over its slots, as known at `now`."""
        day = slots[0].date()
        ledger = self.state.ledger
        return compute_figures(
            slots,
            eligible_days(day, self.bank_holidays, equivent_days),
            wanted=days_wanted(day, self.bank_holidays),
            tz=self.tz,
            consumption=ledger.get,
            now=now,
            live=ledger.live(now.timestamp()),
        )

    def _compute(self) -> SavingData:
        """Recompute the figures of the live Equivent and of the recent finished ones."""
        data = self.equiwatt.data
        now = dt_util.utcnow()
        horizon = now - timedelta(days=LOOKBACK_DAYS)
        changed = False
        equivent_days = self._equivent_days()
        if data.live is not None:
            end = max(data.expected_end or data.live.start + TYPICAL_DURATION, now)
            slots = equivent_slots(data.live.start, end, self.tz)
            changed |= self._set(data.live, self._figures(slots, equivent_days, now))
        for equivent in data.history:
            key = int(equivent.start.timestamp())
            if key in self.state.final or equivent.end is None or equivent.start < horizon:
                continue
            slots = equivent_slots(equivent.start, equivent.end, self.tz)
            done = now >= slots[-1] + SLOT
            changed |= self._set(equivent, self._figures(slots, equivent_days, now))
            if done:
                self.state.final.add(key)
        if changed:
            self._store.async_delay_save(self.state)
        current = data.live if data.live is not None else data.last
        return SavingData(dict(self.state.results), current, live=data.live is not None)

    def _set(self, equivent: Equivent, figures: Figures) -> bool:
        key = int(equivent.start.timestamp())
        if self.state.results.get(key) == figures:
            return False
        self.state.results[key] = figures
        return True

    @callback
    def _async_update(self) -> None:
        """Recompute now, and tell the sensors when what they read has changed."""
        if (data := self._compute()) != self.data:
            self.async_set_updated_data(data)

    @callback
    def _async_meter_changed(self, event: Event[EventStateChangedData]) -> None:
        if (new := event.data["new_state"]) is None:  # the meter's entity was removed
            self.state.ledger.observe(event.time_fired_timestamp, None)
            return
        reset = meter_reset(event.data["old_state"], new)
        self.state.ledger.observe(new.last_updated_timestamp, meter_kwh(new), reset=reset)
        if self.equiwatt.data.live is not None:
            self._async_update()

    @callback
    def _async_half_hour(self, now: datetime) -> None:
        self.state.ledger.boundary(now.timestamp(), self._meter_now())
        self.state.ledger.prune(now.timestamp())
        self._store.async_delay_save(self.state)
        self._async_update()

    def _meter_now(self) -> float | None:
        return meter_kwh(self.hass.states.get(self.meter))
