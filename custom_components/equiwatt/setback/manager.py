"""The setback manager: follows the coordinator, saves before it writes, retries until done.

It only reads the coordinator: while an Equivent is live (and the Setback
switch is on) the chosen zones and plugs are set back, otherwise put back.
Every change is one pass of `_async_apply`, run one at a time; a pass saves the
memory before any write, so a restart or a failure never loses a zone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_call_later, async_track_state_change_event
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_SETBACK_CLIMATES,
    CONF_SETBACK_SWITCHES,
    CONF_SETBACK_TEMPERATURE,
    DEFAULT_SETBACK_TEMPERATURE,
    DOMAIN,
    LOGGER,
    STORAGE_VERSION,
    TYPICAL_DURATION,
)
from ..coordinator import EquiwattConfigEntry
from .entities import kinds, tado_overlay
from .memory import Memory, Status, load_memory
from .plan import begin, finish, observe, prune
from .settings import Kind, readable
from .writes import async_send, restore_writes, setback_writes, timer_seconds

SAVE_DELAY = 1.0  # seconds, for what is not about to be written
# A Tado timer runs at least this long, even for an Equivent past its expected end.
MIN_TIMER = 300
# Failed writes are tried again after 30 s, 1, 2, 4, 8 minutes, then every 15.
RETRY_FIRST = 30.0
RETRY_MAX = 900.0
# Zones still not put back after this raise a repair issue.
REPAIR_AFTER = timedelta(minutes=10)


def setback_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Where an entry's setback memory is kept."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.setback")


def not_restored_issue_id(entry_id: str) -> str:
    """Return the id of the repair issue naming the zones not put back."""
    return f"setback_not_restored_{entry_id}"


class SetbackManager:
    """Sets the chosen zones and plugs back during Equivents, and puts them back."""

    def __init__(self, hass: HomeAssistant, entry: EquiwattConfigEntry) -> None:
        """Set up for the entities chosen in the entry's options; call `async_start` next."""
        self.hass = hass
        self.entry = entry
        self.chosen: list[str] = []
        self.temperature = DEFAULT_SETBACK_TEMPERATURE
        self._read_options(entry.options)
        self.memory = Memory()
        # Sent when the memory changes, and when the choice of entities does.
        self.signal = f"{DOMAIN}_{entry.entry_id}_setback"
        self.configured_signal = f"{DOMAIN}_{entry.entry_id}_setback_configured"
        self._store = setback_store(hass, entry.entry_id)
        self._unsub_states: Callable[[], None] | None = None
        self._started = False
        self._dirty = False
        self._task: asyncio.Task[None] | None = None
        self._failures = 0
        self._unsubs: list[Callable[[], None]] = []
        self._cancel_retry: Callable[[], None] | None = None

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
            self.entry.runtime_data.async_add_listener(self._async_schedule),
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
        if self._unsub_states is not None:
            self._unsub_states()
        self._unsub_states = async_track_state_change_event(
            self.hass, sorted({*self.chosen, *self.memory.entries}), self._async_state_changed
        )

    async def async_stop(self) -> None:
        """Stop following, and save the memory now."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs = []
        if self._unsub_states is not None:
            self._unsub_states()
            self._unsub_states = None
        self._cancel_retry_timer()
        await self._store.async_save(self.memory.as_dict())

    async def async_set_enabled(self, enabled: bool) -> None:
        """Turn the setback on or off; off during an Equivent puts everything back at once."""
        self.memory.enabled = enabled
        if not enabled:
            # Turned on again later in the same Equivent, it sets back afresh.
            self.memory.equivent = None
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
        """One pass: decide, save, write, note the outcome, plan a retry if need be."""
        now = dt_util.utcnow()
        memory = self.memory
        prune(memory, now)
        self._forget_removed()
        chosen = kinds(self.hass, self.chosen)
        finish(memory, now, set(memory.entries) - set(chosen))
        data = self.entry.runtime_data.data
        if data.live is not None and memory.enabled:
            expected_end = data.expected_end or data.live.start + TYPICAL_DURATION
            begin(
                memory,
                start=data.live.start,
                expected_end=expected_end,
                chosen=chosen,
                states=self.hass.states.get,
                overlays=partial(tado_overlay, self.hass),
                temperature=self.temperature,
            )
        else:
            expected_end = now
            finish(memory, now)
        to_set_back = memory.with_status(Status.SETTING_BACK)
        to_restore = memory.with_status(Status.RESTORING)
        seconds = timer_seconds(expected_end, now, MIN_TIMER)
        for entry in to_set_back.values():
            entry.sent = True
            if entry.kind is Kind.TADO:
                entry.timer_end = now + timedelta(seconds=seconds)
        # Saved before anything is written: a restart then knows what to put back.
        await self._store.async_save(memory.as_dict())
        self._notify()
        if not (to_set_back or to_restore):
            self._done()
            return
        failed = await async_send(
            self.hass, [*setback_writes(to_set_back, seconds), *restore_writes(to_restore)]
        )
        done = dt_util.utcnow()
        for key, entry in [*to_set_back.items(), *to_restore.items()]:
            if key in failed:
                continue
            if entry.status is Status.SETTING_BACK:
                entry.move(Status.SET_BACK, done)
            elif entry.status is Status.RESTORING:
                entry.move(Status.RESTORED, done)
        self._save()
        self._notify()
        if failed:
            self._retry_later()
        else:
            self._done()

    def _forget_removed(self) -> None:
        """Forget entities removed from Home Assistant: there is nothing left to put back."""
        registry = er.async_get(self.hass)
        for entity_id in list(self.memory.entries):
            if self.hass.states.get(entity_id) is None and registry.async_get(entity_id) is None:
                LOGGER.warning("%s no longer exists: the setback forgets it", entity_id)
                del self.memory.entries[entity_id]

    def _done(self) -> None:
        """Nothing waits to be written: no retry, no repair issue."""
        self._failures = 0
        self._cancel_retry_timer()
        self._update_issue()

    def _retry_later(self) -> None:
        """Try again with a growing delay; look again when a repair issue becomes due."""
        delay = min(RETRY_FIRST * 2**self._failures, RETRY_MAX)
        self._failures += 1
        if (due := self._issue_due()) is not None:
            delay = min(delay, max((due - dt_util.utcnow()).total_seconds(), 1.0))
        self._cancel_retry_timer()
        self._cancel_retry = async_call_later(self.hass, delay, self._async_schedule)
        self._update_issue()

    def _issue_due(self) -> datetime | None:
        """When the oldest zone still to put back is due in a repair issue, if not yet."""
        now = dt_util.utcnow()
        due = [
            entry.since + REPAIR_AFTER
            for entry in self.memory.with_status(Status.RESTORING).values()
            if entry.since is not None and entry.since + REPAIR_AFTER > now
        ]
        return min(due, default=None)

    def _cancel_retry_timer(self) -> None:
        if self._cancel_retry is not None:
            self._cancel_retry()
            self._cancel_retry = None

    def _update_issue(self) -> None:
        """Name the zones and plugs still not put back some minutes after the end."""
        now = dt_util.utcnow()
        late = sorted(
            key
            for key, entry in self.memory.with_status(Status.RESTORING).items()
            if entry.since is not None and now - entry.since >= REPAIR_AFTER
        )
        issue_id = not_restored_issue_id(self.entry.entry_id)
        if not late:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="setback_not_restored",
            translation_placeholders={"entities": ", ".join(self._name(key) for key in late)},
        )

    def _name(self, entity_id: str) -> str:
        state = self.hass.states.get(entity_id)
        return entity_id if state is None else f"{state.name} ({entity_id})"

    @callback
    def _async_state_changed(self, event: Event[EventStateChangedData]) -> None:
        """Read a chosen entity's new state: a change by hand, a confirmation, a return."""
        entity_id = event.data["entity_id"]
        if (entry := self.memory.entries.get(entity_id)) is None:
            return
        new: State | None = event.data["new_state"]
        if observe(entry, new, dt_util.utcnow()):
            if entry.status is Status.LEFT:
                LOGGER.info("%s was changed by hand during the setback: left as it is", entity_id)
            self._save()
            self._notify()
        old: State | None = event.data["old_state"]
        came_back = readable(new) and not readable(old)
        if came_back and entry.status in (Status.SETTING_BACK, Status.RESTORING):
            # Unavailable until now: what failed is tried again at once.
            self._async_schedule()

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


async def async_release(hass: HomeAssistant, entry_id: str) -> None:
    """Put back, once, what is still set back, then forget it all (the entry is removed)."""
    store = setback_store(hass, entry_id)
    memory = load_memory(await store.async_load())
    finish(memory, dt_util.utcnow())
    if to_restore := memory.with_status(Status.RESTORING):
        await async_send(hass, restore_writes(to_restore))
    ir.async_delete_issue(hass, DOMAIN, not_restored_issue_id(entry_id))
    await store.async_remove()
