"""A calendar of every Equivent seen, kept beyond the API's short window.

Its words are the translations' `common` strings, in Home Assistant's language
(English where a translation lacks one), loaded as the calendar is added and
again when the language changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, override

from homeassistant.components.calendar import (
    CalendarEntity,
    CalendarEntityDescription,
    CalendarEvent,
)
from homeassistant.const import EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import translation
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import Equivent
from .const import DOMAIN, TYPICAL_DURATION
from .coordinator import EquiwattCoordinator
from .entity import EquiwattEntity
from .runtime import EquiwattConfigEntry
from .saving.coordinator import SavingCoordinator
from .saving.figures import Figures

PARALLEL_UPDATES = 0
COMMON = f"component.{DOMAIN}.common."
# The sentence of a saving, by whether it has a percentage and a note.
SAVING_SENTENCES = {
    (False, False): "saving",
    (True, False): "saving_percent",
    (False, True): "saving_noted",
    (True, True): "saving_percent_noted",
}
# The note, by whether the baseline is incomplete and whether it is approximate.
NOTES = {
    (True, False): "note_incomplete",
    (False, True): "note_approximate",
    (True, True): "note_incomplete_approximate",
}

EQUIVENTS_CALENDAR = CalendarEntityDescription(key="equivents", translation_key="equivents")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EquiwattConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the Equivents calendar."""
    runtime = entry.runtime_data
    async_add_entities([EquiventsCalendar(runtime.coordinator, runtime.saving, EQUIVENTS_CALENDAR)])


@callback
def _language_changed(data: Mapping[str, Any]) -> bool:
    """Whether a change of Home Assistant's configuration sets its language."""
    return "language" in data


def word(words: Mapping[str, str], key: str, **placeholders: Any) -> str:
    """Return a `common` string with its placeholders filled in (the key if it is missing)."""
    return words.get(key, key).format(**placeholders)


def saving_text(words: Mapping[str, str], figures: Figures | None) -> str | None:
    """Describe an Equivent's saving, when its figures allow it."""
    if figures is None or figures.usage is None or figures.baseline is None:
        return None
    percent = figures.saving_percent
    note = NOTES.get((figures.incomplete, figures.approximate))
    placeholders = {
        "usage": f"{figures.usage:.2f}",
        "baseline": f"{figures.baseline:.2f}",
        "saving": f"{figures.saving:.2f}",
        "percent": "" if percent is None else f"{percent:.0f}",
        "note": ""
        if note is None
        else word(words, note, days_used=figures.days_used, days_wanted=figures.days_wanted),
    }
    return word(words, SAVING_SENTENCES[percent is not None, note is not None], **placeholders)


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
        self._words: dict[str, str] = {}

    @override
    async def async_added_to_hass(self) -> None:
        """Load the words before the first state, and again when the language changes."""
        await super().async_added_to_hass()
        await self._async_load_words()
        self.async_on_remove(
            self.hass.bus.async_listen(
                EVENT_CORE_CONFIG_UPDATE,
                self._async_language_changed,
                event_filter=_language_changed,
            )
        )

    async def _async_load_words(self) -> None:
        translations = await translation.async_get_translations(
            self.hass, self.hass.config.language, "common", {DOMAIN}
        )
        self._words = {key.removeprefix(COMMON): text for key, text in translations.items()}

    async def _async_language_changed(self, _event: Event[Any]) -> None:
        await self._async_load_words()
        self.async_write_ha_state()

    def _figures(self, equivent: Equivent) -> Figures | None:
        saving = self.saving
        return None if saving is None else saving.data.of(equivent)

    def _calendar_event(self, equivent: Equivent, description: str) -> CalendarEvent:
        end = equivent.end if equivent.end is not None else equivent.start + TYPICAL_DURATION
        return CalendarEvent(
            start=equivent.start,
            end=end,
            summary=word(self._words, "equivent"),
            description=description,
            uid=f"equivent-{int(equivent.start.timestamp())}",
        )

    def _finished_event(self, equivent: Equivent) -> CalendarEvent:
        text = saving_text(self._words, self._figures(equivent))
        return self._calendar_event(equivent, text or word(self._words, "equivent_finished"))

    def _live_event(self) -> CalendarEvent | None:
        data = self.coordinator.data
        if data.live is None:
            return None
        end = data.expected_end
        if end is None or end <= dt_util.utcnow():
            end = dt_util.utcnow() + TYPICAL_DURATION / 12
        planned = data.live.end is not None
        description = word(
            self._words, "equivent_live_planned" if planned else "equivent_live_estimated"
        )
        if (text := saving_text(self._words, self._figures(data.live))) is not None:
            description = word(
                self._words, "equivent_live_so_far", description=description, saving=text
            )
        return self._calendar_event(Equivent(data.live.start, end), description)

    @property
    @override
    def event(self) -> CalendarEvent | None:
        """The live Equivent (upcoming ones are not published by Equiwatt)."""
        return self._live_event()

    @override
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
