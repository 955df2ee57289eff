"""The setback manager: follows the coordinator, saves before it writes, retries until done.

It only reads the coordinator: while an Equivent is live (and the Setback
switch is on) the chosen zones and plugs are set back, otherwise put back.
Every change is one pass of `_async_apply`, run one at a time; a pass saves the
memory before any write, so a restart or a failure never loses a zone.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER, TYPICAL_DURATION
from ..coordinator import EquiwattCoordinator
from ..rerun import Rerun
from ..storage import Part, entry_store
from .entities import async_track_entities, forget_removed, kinds, renamed_options, tado_overlay
from .memory import Memory, Status, load_memory
from .options import chosen_in
from .plan import begin, finish, mark_sent, observe, prune, timers_run_out
from .removal import async_put_back
from .repair import async_update_issue, issue_due
from .retries import Retries
from .settings import readable
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
        self.chosen, self.temperature = chosen_in(entry.options)
        self.memory = Memory()
        # Sent when the memory changes, and when the choice of entities does.
        self.signal = f"{DOMAIN}_{entry.entry_id}_setback"
        self.configured_signal = f"{DOMAIN}_{entry.entry_id}_setback_configured"
        self._store = entry_store(hass, entry.entry_id, Part.SETBACK)
        self._retries = Retries()
        self._contexts: deque[str] = deque(maxlen=CONTEXTS_KEPT)
        self._started = False
        self._passes = Rerun(hass, entry, self._async_apply, "equiwatt setback")
        self._unsubs: list[Callable[[], None]] = []
        self._unsub_entities: Callable[[], None] | None = None
        self._cancel_wake: Callable[[], None] | None = None

    @property
    def configured(self) -> bool:
        """Whether any zone or plug is chosen."""
        return bool(self.chosen)

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
        self.chosen, self.temperature = chosen_in(options)
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
            await async_put_back(self.hass, self.memory)
        await self._store.async_save(self.memory.as_dict())

    async def async_set_enabled(self, enabled: bool) -> None:
        """Turn the setback on or off; off during an Equivent puts everything back at once."""
        self.memory.enabled = enabled
        self._save()
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
        if self._started:
            self._passes.request()

    async def _async_apply(self) -> None:
        """One pass: decide, save, write what is due, note the outcome, plan the next pass.

        The memory is saved at once before a write, and lazily otherwise.
        """
        now = dt_util.utcnow()
        memory = self.memory
        forget_removed(self.hass, memory)
        chosen = kinds(self.hass, self.chosen)
        prune(memory, now, chosen)
        data = self.coordinator.data
        expected_end = now
        if data.live is None or not memory.enabled:
            finish(memory, now)
        else:
            finish(memory, now, set(memory.entries) - set(chosen))
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
        self._retries.forget(set(memory.with_status(Status.SETTING_BACK, Status.RESTORING)))
        to_set_back = self._retries.due(memory, Status.SETTING_BACK, now)
        to_restore = self._retries.due(memory, Status.RESTORING, now)
        seconds = timer_seconds(expected_end, now, MIN_TIMER)
        mark_sent(to_set_back, now, seconds)
        if to_set_back or to_restore:
            # Saved before anything is written: a restart then knows what to put back.
            await self._store.async_save(memory.as_dict())
            self._notify()
            context = Context()
            self._contexts.append(context.id)
            writes = [*setback_writes(to_set_back, seconds), *restore_writes(to_restore)]
            sent = {key: entry.status for key, entry in {**to_set_back, **to_restore}.items()}
            failed = await async_send(self.hass, writes, context)
            self._retries.note(memory, sent, failed, dt_util.utcnow())
        self._save()
        self._notify()
        self._plan_next_pass()

    def _plan_next_pass(self) -> None:
        """Wake for a retry, a repair issue that falls due, or a Tado timer an overrun outlives."""
        now = dt_util.utcnow()
        async_update_issue(self.hass, self.entry.entry_id, self.memory, now)
        moments = [self._retries.next_at(), issue_due(self.memory, now)]
        if self.coordinator.data.live is not None:
            moments.append(timers_run_out(self.memory))
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
        if (options := renamed_options(self.entry.options, old, new)) is not None:
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
