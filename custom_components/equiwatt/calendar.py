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

from .api import Equivent
from .const import TYPICAL_DURATION
from .coordinator import EquiwattCoordinator
from .entity import EquiwattEntity
from .runtime import EquiwattConfigEntry
from .saving.coordinator import SavingCoordinator
from .saving.figures import Figures

PARALLEL_UPDATES = 0
SUMMARY = "Equivent"
FINISHED = "An Equiwatt Equivent: a time to use less electricity."
LIVE_PLANNED = "An Equiwatt Equivent, in progress; Equiwatt gave its planned end."
LIVE_ESTIMATED = "An Equiwatt Equivent, in progress; its end is an estimate."

EQUIVENTS_CALENDAR = CalendarEntityDescription(key="equivents", translation_key="equivents")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EquiwattConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the Equivents calendar."""
    runtime = entry.runtime_data
    async_add_entities([EquiventsCalendar(runtime.coordinator, runtime.saving, EQUIVENTS_CALENDAR)])


def _calendar_event(equivent: Equivent, description: str) -> CalendarEvent:
    end = equivent.end if equivent.end is not None else equivent.start + TYPICAL_DURATION
    return CalendarEvent(
        start=equivent.start,
        end=end,
        summary=SUMMARY,
        description=description,
        uid=f"equivent-{int(equivent.start.timestamp())}",
    )


def saving_text(figures: Figures | None) -> str | None:
    """Describe an Equivent's saving, when its figures allow it."""
    if figures is None or figures.usage is None or figures.baseline is None:
        return None
    text = (
        f"Used {figures.usage:.2f} kWh of a {figures.baseline:.2f} kWh baseline: "
        f"saved {figures.saving:.2f} kWh"
    )
    if (percent := figures.saving_percent) is not None:
        text += f", {percent:.0f} %"
    notes = [
        note
        for note, applies in (
            (
                f"baseline from {figures.days_used} of {figures.days_wanted} days",
                figures.incomplete,
            ),
            ("approximate, from hourly statistics", figures.approximate),
        )
        if applies
    ]
    return text + (f" ({'; '.join(notes)})" if notes else "") + "."


class EquiventsCalendar(EquiwattEntity, CalendarEntity):
    """Past Equivents and the live one, with its expected end."""

    def __init__(
        self,
        coordinator: EquiwattCoordinator,
        saving: SavingCoordinator | None,
        description: CalendarEntityDescription,
    ) -> None:
        """Show the coordinator's Equivents, with the saving's figures when there are any."""
        super().__init__(coordinator, description)
        self.saving = saving

    def _figures(self, equivent: Equivent) -> Figures | None:
        saving = self.saving
        return None if saving is None else saving.data.of(equivent)

    def _finished_event(self, equivent: Equivent) -> CalendarEvent:
        text = saving_text(self._figures(equivent))
        return _calendar_event(equivent, text or FINISHED)

    def _live_event(self) -> CalendarEvent | None:
        data = self.coordinator.data
        if data.live is None:
            return None
        end = data.expected_end
        if end is None or end <= dt_util.utcnow():
            end = dt_util.utcnow() + TYPICAL_DURATION / 12
        description = LIVE_PLANNED if data.live.end is not None else LIVE_ESTIMATED
        if (text := saving_text(self._figures(data.live))) is not None:
            description = f"{description} So far: {text}"
        return _calendar_event(Equivent(data.live.start, end), description)

    @property
    def event(self) -> CalendarEvent | None:
        """The live Equivent (upcoming ones are not published by Equiwatt)."""
        return self._live_event()

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Equivents that overlap the range, oldest first."""
        events = [self._finished_event(e) for e in reversed(self.coordinator.data.history)]
        if (live := self._live_event()) is not None:
            events.append(live)
        return [
            e
            for e in events
            if e.start_datetime_local < end_date and e.end_datetime_local > start_date
        ]
