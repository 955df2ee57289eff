"""The setback manager: follows the coordinator, saves before it writes, retries until done.

It only reads the coordinator: while an Equivent is live (and the Setback
switch is on) the chosen zones and plugs are set back, otherwise put back.
Every change is one pass of `_async_apply`, run one at a time; a pass saves the
memory before any write, so a restart or a failure never loses a zone.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_SETBACK_CLIMATES,
    CONF_SETBACK_SWITCHES,
    CONF_SETBACK_TEMPERATURE,
    DEFAULT_SETBACK_TEMPERATURE,
    DOMAIN,
    LOGGER,
    TYPICAL_DURATION,
)
from ..coordinator import EquiwattCoordinator
from ..storage import Part, entry_store
from .entities import async_track_entities, kinds, tado_overlay
from .memory import Memory, Status, load_memory
from .plan import OVERRUN, begin, finish, observe, prune
from .repair import async_update_issue, issue_due
from .retries import Retries
from .settings import Kind, readable
from .writes import async_send, restore_writes, setback_writes, timer_seconds

SAVE_DELAY = 1.0  # seconds, for what is not about to be written
# A Tado timer runs at least this long (an Equivent past its expected end: 15 more minutes).
MIN_TIMER = 900
# The contexts of the latest writes: a state they brought is the setback's own.
CONTEXTS_KEPT = 16


class SetbackManager:
    """Sets the chosen zones and plugs back during Equivents, and puts them back."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, coordinator: EquiwattCoordinator
    ) -> None:
        """Set up for the entities chosen in the entry's options; call `async_start` next."""
        self.hass = hass
        self.entry = entry
        self.coordinator = coordinator
        self.chosen: list[str] = []
        self.temperature = DEFAULT_SETBACK_TEMPERATURE
        self._read_options(entry.options)
        self.memory = Memory()
        # Sent when the memory changes, and when the choice of entities does.
        self.signal = f"{DOMAIN}_{entry.entry_id}_setback"
        self.configured_signal = f"{DOMAIN}_{entry.entry_id}_setback_configured"
        self._store = entry_store(hass, entry.entry_id, Part.SETBACK)
        self._retries = Retries()
        self._contexts: deque[str] = deque(maxlen=CONTEXTS_KEPT)
        self._started = False
        self._dirty = False
        self._task: asyncio.Task[None] | None = None
        self._unsubs: list[Callable[[], None]] = []
        self._unsub_entities: Callable[[], None] | None = None
        self._cancel_wake: Callable[[], None] | None = None

    @property
    def configured(self) -> bool:
        """Whether any zone or plug is chosen."""
        return bool(self.chosen)

    def _read_options(self, options: Mapping[str, Any]) -> None:
        self.chosen = [
            *options.get(CONF_SETBACK_CLIMATES, []),
            *options.get(CONF_SETBACK_SWITCHES, []),
        ]
        self.temperature = float(options.get(CONF_SETBACK_TEMPERATURE, DEFAULT_SETBACK_TEMPERATURE))

    async def async_start(self) -> None:
        """Load the memory and follow the coordinator and the entities, once Home Assistant runs."""
        self.memory = load_memory(await self._store.async_load())
        self._unsubs = [
            self.coordinator.async_add_listener(self._async_schedule),
            async_at_started(self.hass, self._async_hass_started),
        ]
        self._follow_entities()

    @callback
    def async_configure(self, options: Mapping[str, Any]) -> None:
        """Take new options at once: entities no longer chosen are put back, new ones set back.

        A new setback temperature applies from the next Equivent on.
        """
        was_configured = self.configured
        self._read_options(options)
        self._follow_entities()
        if self.configured != was_configured:
            async_dispatcher_send(self.hass, self.configured_signal)
        self._async_schedule()

    def _follow_entities(self) -> None:
        if self._unsub_entities is not None:
            self._unsub_entities()
        self._unsub_entities = async_track_entities(
            self.hass,
            sorted({*self.chosen, *self.memory.entries}),
            self._async_state_changed,
            self._async_renamed,
        )

    async def async_stop(self) -> None:
        """Stop following and save the memory now; disabled, put everything back first."""
        for unsub in [*self._unsubs, self._unsub_entities, self._cancel_wake]:
            if unsub is not None:
                unsub()
        self._unsubs, self._unsub_entities, self._cancel_wake = [], None, None
        if self.entry.disabled_by is not None:
            # Disabled by the user: nothing would put the zones back until enabled again.
            finish(self.memory, dt_util.utcnow())
            if to_restore := self.memory.with_status(Status.RESTORING):
                failed = await async_send(self.hass, restore_writes(to_restore))
                for key, entry in to_restore.items():
                    if key not in failed:
                        entry.move(Status.RESTORED, dt_util.utcnow())
        await self._store.async_save(self.memory.as_dict())

    async def async_set_enabled(self, enabled: bool) -> None:
        """Turn the setback on or off; off during an Equivent puts everything back at once."""
        self.memory.enabled = enabled
        await self._store.async_save(self.memory.as_dict())
        self._notify()
        self._async_schedule()

    @callback
    def _async_hass_started(self, _hass: HomeAssistant) -> None:
        """Act once every integration is loaded: the zones' states are real then.

        What changed while the setback was not running (Home Assistant down,
        the entry reloaded) is read first: a zone changed by hand stays so.
        """
        self._started = True
        now = dt_util.utcnow()
        for entity_id, entry in self.memory.entries.items():
            observe(entry, self.hass.states.get(entity_id), now)
        self._async_schedule()

    @callback
    def _async_schedule(self, *_: Any) -> None:
        """Run a pass soon; passes run one at a time, and one more covers what came meanwhile."""
        if not self._started:
            return
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = self.entry.async_create_background_task(
                self.hass, self._async_run(), "equiwatt setback"
            )

    async def _async_run(self) -> None:
        while self._dirty:
            self._dirty = False
            await self._async_apply()

    async def _async_apply(self) -> None:
        """One pass: decide, save, write what is due, note the outcome, plan the next pass."""
        now = dt_util.utcnow()
        memory = self.memory
        self._forget_removed()
        chosen = kinds(self.hass, self.chosen)
        prune(memory, now, chosen)
        finish(memory, now, set(memory.entries) - set(chosen))
        data = self.coordinator.data
        expected_end = now
        if data.live is not None and memory.enabled:
            expected_end = data.expected_end or data.live.start + TYPICAL_DURATION
            begin(
                memory,
                start=data.live.start,
                expected_end=expected_end,
                now=now,
                chosen=chosen,
                states=self.hass.states.get,
                overlays=partial(tado_overlay, self.hass),
                temperature=self.temperature,
            )
        else:
            finish(memory, now)
        self._retries.forget(set(memory.with_status(Status.SETTING_BACK, Status.RESTORING)))
        to_set_back = self._due(Status.SETTING_BACK, now)
        to_restore = self._due(Status.RESTORING, now)
        seconds = timer_seconds(expected_end, now, MIN_TIMER)
        for entry in to_set_back.values():
            entry.sent = True
            if entry.kind is Kind.TADO:
                entry.timer_end = now + timedelta(seconds=seconds)
        # Saved before anything is written: a restart then knows what to put back.
        await self._store.async_save(memory.as_dict())
        self._notify()
        if to_set_back or to_restore:
            context = Context()
            self._contexts.append(context.id)
            writes = [*setback_writes(to_set_back, seconds), *restore_writes(to_restore)]
            sent = {key: entry.status for key, entry in {**to_set_back, **to_restore}.items()}
            failed = await async_send(self.hass, writes, context)
            self._note_outcome(sent, failed)
            self._save()
            self._notify()
        self._plan_next_pass()

    def _due(self, status: Status, now: datetime) -> dict[str, Any]:
        return {
            key: entry
            for key, entry in self.memory.with_status(status).items()
            if self._retries.due(key, status, now)
        }

    def _note_outcome(self, sent: Mapping[str, Status], failed: Mapping[str, str]) -> None:
        """Move what went through on; log the first failure of each write, and its recovery.

        An entry that changed meanwhile (changed by hand, say) keeps its new status.
        """
        done = dt_util.utcnow()
        for key, status in sent.items():
            if key in failed:
                if self._retries.failed(key, status, done):
                    LOGGER.warning("Could not write %s (will try again): %s", key, failed[key])
                continue
            if self._retries.succeeded(key):
                LOGGER.info("%s written after all", key)
            if (entry := self.memory.entries.get(key)) is None or entry.status is not status:
                continue
            entry.move(Status.SET_BACK if status is Status.SETTING_BACK else Status.RESTORED, done)

    def _plan_next_pass(self) -> None:
        """Wake for a retry, a repair issue that falls due, or a Tado timer an overrun outlives."""
        now = dt_util.utcnow()
        async_update_issue(self.hass, self.entry.entry_id, self.memory, now)
        moments = [self._retries.next_at(), issue_due(self.memory, now)]
        if self.coordinator.data.live is not None:
            moments += [
                entry.timer_end + OVERRUN
                for entry in self.memory.with_status(Status.SET_BACK).values()
                if entry.timer_end is not None
            ]
        if self._cancel_wake is not None:
            self._cancel_wake()
            self._cancel_wake = None
        if wake := min((moment for moment in moments if moment is not None), default=None):
            self._cancel_wake = async_track_point_in_utc_time(
                self.hass, self._async_wake, max(wake, now + timedelta(seconds=1))
            )

    @callback
    def _async_wake(self, _now: datetime) -> None:
        self._cancel_wake = None
        self._async_schedule()

    def _forget_removed(self) -> None:
        """Forget entities removed from Home Assistant: there is nothing left to put back."""
        registry = er.async_get(self.hass)
        for entity_id in list(self.memory.entries):
            if self.hass.states.get(entity_id) is None and registry.async_get(entity_id) is None:
                LOGGER.warning("%s no longer exists: the setback forgets it", entity_id)
                del self.memory.entries[entity_id]

    @callback
    def _async_state_changed(self, event: Event[EventStateChangedData]) -> None:
        """Read a chosen entity's new state: a change by hand, a confirmation, a return."""
        entity_id = event.data["entity_id"]
        new, old = event.data["new_state"], event.data["old_state"]
        entry = self.memory.entries.get(entity_id)
        if entry is not None and observe(
            entry, new, dt_util.utcnow(), ours=event.context.id in self._contexts
        ):
            if entry.status is Status.LEFT:
                LOGGER.info("%s was changed by hand during the setback: left as it is", entity_id)
            self._save()
            self._notify()
            async_update_issue(self.hass, self.entry.entry_id, self.memory, dt_util.utcnow())
        if readable(new) and not readable(old):
            # Unavailable until now (or not yet read for this Equivent): try it at once.
            self._retries.now_ready(entity_id)
            self._async_schedule()

    @callback
    def _async_renamed(self, old: str, new: str) -> None:
        """Follow an entity renamed in Home Assistant: in the memory and in the options."""
        if (entry := self.memory.entries.pop(old, None)) is not None:
            self.memory.entries[new] = entry
            self._save()
        options = dict(self.entry.options)
        for key in (CONF_SETBACK_CLIMATES, CONF_SETBACK_SWITCHES):
            options[key] = [new if chosen == old else chosen for chosen in options.get(key, [])]
        if options != dict(self.entry.options):
            self.hass.config_entries.async_update_entry(self.entry, options=options)
        self.async_configure(self.entry.options)

    def _save(self) -> None:
        self._store.async_delay_save(self.memory.as_dict, SAVE_DELAY)

    def _notify(self) -> None:
        async_dispatcher_send(self.hass, self.signal)

    def as_dict(self) -> dict[str, Any]:
        """Return the memory, for diagnostics."""
        return self.memory.as_dict()

    def entities(self, *statuses: Status) -> list[str]:
        """Return the entities in one of the statuses."""
        return sorted(self.memory.with_status(*statuses))
