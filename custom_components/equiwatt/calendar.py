"""A calendar of every Equivent seen, kept beyond the API's short window."""

from __future__ import annotations

from datetime import datetime

from homeassistant.components.calendar import (
    CalendarEntity,
    CalendarEntityDescription,
    CalendarEvent,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import TYPICAL_DURATION, Equivent
from .coordinator import EquiwattConfigEntry
from .entity import EquiwattEntity

PARALLEL_UPDATES = 0
SUMMARY = "Equivent"

EQUIVENTS_CALENDAR = CalendarEntityDescription(key="equivents", translation_key="equivents")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EquiwattConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the Equivents calendar."""
    async_add_entities([EquiventsCalendar(entry.runtime_data, EQUIVENTS_CALENDAR)])


def _calendar_event(equivent: Equivent) -> CalendarEvent:
    end = equivent.end if equivent.end is not None else equivent.start + TYPICAL_DURATION
    return CalendarEvent(
        start=equivent.start,
        end=end,
        summary=SUMMARY,
        uid=f"equivent-{int(equivent.start.timestamp())}",
    )


class EquiventsCalendar(EquiwattEntity, CalendarEntity):
    """Past Equivents and the live one, with its expected end."""

    def _live_event(self) -> CalendarEvent | None:
        data = self.coordinator.data
        if data.live is None:
            return None
        end = data.expected_end
        if end is None or end <= dt_util.utcnow():
            end = dt_util.utcnow() + TYPICAL_DURATION / 12
        return _calendar_event(Equivent(data.live.start, end))

    @property
    def event(self) -> CalendarEvent | None:
        """The live Equivent (upcoming ones are not published by Equiwatt)."""
        return self._live_event()

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Equivents that overlap the range, oldest first."""
        events = [_calendar_event(e) for e in reversed(self.coordinator.data.history)]
        if (live := self._live_event()) is not None:
            events.append(live)
        return [
            e
            for e in events
            if e.start_datetime_local < end_date and e.end_datetime_local > start_date
        ]
