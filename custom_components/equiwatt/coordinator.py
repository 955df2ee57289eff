"""The coordinator: polls and webhooks feed it; it alone decides transitions."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, override

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    EquiwattAuthError,
    EquiwattClient,
    EquiwattConnectionError,
    EquiwattError,
    EquiwattRateLimitedError,
    Transition,
)
from .api.schedule import PollSchedule, phase_for
from .const import CONF_PUSH, DOMAIN, LOGGER, SLOW_INTERVAL, STALE_AFTER, STORAGE_VERSION
from .models import EquiwattData
from .tracker import Intent, Override, Source, Tracker

if TYPE_CHECKING:
    from .saving_manager import SavingManager
    from .setback.manager import SetbackManager

type EquiwattConfigEntry = ConfigEntry[EquiwattCoordinator]

STALE_CHECK_INTERVAL = timedelta(seconds=30)
WEBHOOK_LOG_LENGTH = 10
SAVE_DELAY = 1.0  # seconds; writes are coalesced, and flushed when Home Assistant stops
# The rate limiter's calls are saved lazily: a pending save is flushed at stop.
RATE_SAVE_DELAY = 300.0


class Fingerprint(NamedTuple):
    """What the saved state depends on."""

    data: EquiwattData
    override: Override | None
    last_source: Source | None
    fired: int


def installation_phase(entry_id: str) -> float:
    """Return a stable number in [0, 1) that spreads installations over the poll grid."""
    return phase_for(entry_id)


def rate_limit_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Where an entry's calls of the last minute are kept across a restart.

    Apart from the state, so that its lazy save never delays a state save.
    """
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.rate_limit")


def state_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Where an entry's Equivent state and history are saved."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}")


def update_error(err: EquiwattError) -> ConfigEntryAuthFailed | UpdateFailed:
    """Map a client error to a Home Assistant error."""
    if isinstance(err, EquiwattAuthError):
        return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="invalid_auth")
    if isinstance(err, EquiwattRateLimitedError):
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="rate_limited",
            translation_placeholders={"seconds": f"{err.retry_after:.0f}"},
            retry_after=err.retry_after,
        )
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key="update_failed",
        translation_placeholders={"error": str(err)},
    )


class EquiwattCoordinator(DataUpdateCoordinator[EquiwattData]):
    """Keeps one Equiwatt account's Equivent state."""

    config_entry: EquiwattConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: EquiwattConfigEntry, client: EquiwattClient
    ) -> None:
        """Set up the coordinator; call `async_restore` before the first refresh."""
        self.schedule = PollSchedule(slow=SLOW_INTERVAL, phase=installation_phase(entry.entry_id))
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=timedelta(seconds=self.schedule.fast),
            always_update=False,
        )
        self.client = client
        self.tracker = Tracker()
        self.webhook_calls: deque[dict[str, Any]] = deque(maxlen=WEBHOOK_LOG_LENGTH)
        self.transition_signal = f"{DOMAIN}_{entry.entry_id}_transition"
        self.last_good_read: datetime | None = None
        self.stale = False
        self._store = state_store(hass, entry.entry_id)
        self._rate_store = rate_limit_store(hass, entry.entry_id)
        self._auth_failed = False
        self._logged_warnings: set[str] = set()
        # Whether the tracker holds state from a good read or a webhook (worth saving).
        self._state_known = False
        self._fresh_read_wanted = False
        self._instant_listeners: list[Callable[[], None]] = []
        self._confirm_task: asyncio.Task[None] | None = None
        self._confirm_again = False
        # Set at setup when the user chose an energy meter; it only reads our data.
        self.saving: SavingManager | None = None
        # Set at setup; it only reads our data.
        self.setback: SetbackManager | None = None

    async def async_restore(self) -> bool:
        """Load what was saved before a restart; return whether it held Equivent state.

        The rate limiter always starts from the calls of the last minute, so a
        restart never spends the budget twice.
        """
        if isinstance(limits := await self._rate_store.async_load(), dict):
            self.client.gate.limiter.restore(limits, dt_util.utcnow().timestamp())
        stored = await self._store.async_load()
        if not isinstance(stored, dict) or "history" not in stored:
            return False
        try:
            self.tracker = Tracker.from_dict(stored)
        except (KeyError, TypeError, ValueError) as err:
            LOGGER.warning("Ignoring unreadable saved state: %s", err)
            return False
        self._state_known = True
        self.data = self.tracker.data()
        # The restored state counts as fresh for a while, as a good read would.
        self.last_good_read = dt_util.utcnow()
        return True

    @callback
    def async_start_stale_check(self) -> None:
        """Check every 30 s whether the polled entities must become unavailable."""
        self.config_entry.async_on_unload(
            async_track_time_interval(self.hass, self._async_check_stale, STALE_CHECK_INTERVAL)
        )

    @override
    async def async_shutdown(self) -> None:
        """Stop polling and save the state now."""
        await super().async_shutdown()
        await self._rate_store.async_save(self._recent_calls())
        if self._state_known:
            await self._store.async_save(self.tracker.as_dict())

    @callback
    def async_add_instant_listener(self, update: Callable[[], None]) -> Callable[[], None]:
        """Call `update` first when a webhook changes the state, before anything else."""
        self._instant_listeners.append(update)
        return lambda: self._instant_listeners.remove(update)

    @property
    def push_trusted(self) -> bool:
        """Whether the webhook reported the latest change first, so polling may relax."""
        return bool(self.config_entry.options.get(CONF_PUSH, True)) and (
            self.tracker.last_source is Source.WEBHOOK
        )

    @override
    async def _async_update_data(self) -> EquiwattData:
        """Read the API and reconcile it with what we know."""
        fresh, self._fresh_read_wanted = self._fresh_read_wanted, False
        try:
            snapshot = await self.client.get_equivents(fresh=fresh)
        except EquiwattError as err:
            self._plan_next_poll()
            self._save_rate_limit()
            if isinstance(err, EquiwattRateLimitedError) and not err.from_server:
                # Our own limiter declined to call (webhook bursts): not a fault,
                # unless there is nothing to show yet.
                self.update_interval = timedelta(seconds=err.retry_after + 1)
                if self.data is not None:
                    return self.data
            self._auth_failed = isinstance(err, EquiwattAuthError)
            if fresh and isinstance(err, EquiwattConnectionError) and self.data is not None:
                # A back-to-back `started` waits for a check Equiwatt cannot give
                # (down, or an error page): take the call as it stands.
                self._take_unchecked()
            raise update_error(err) from err
        now = dt_util.utcnow()
        self.last_good_read = now
        self._state_known = True
        self._auth_failed = False
        for warning in snapshot.warnings:
            if warning not in self._logged_warnings:
                self._logged_warnings.add(warning)
                LOGGER.warning("The API sent odd data: %s", warning)
        before = self._fingerprint()
        self._dispatch(self.tracker.apply_snapshot(snapshot, now))
        after = self._fingerprint()
        if after != before:
            self._save()
        self._save_rate_limit()
        self._plan_next_poll()
        self._async_check_stale()
        return after.data

    @callback
    def async_handle_webhook(self, intent: Intent, call: dict[str, Any]) -> None:
        """Apply a webhook call at once, then ask the API to confirm.

        The binary sensor is written first; the event entity, the other
        entities, storage and the confirming read follow on the next loop turn.
        """
        now = dt_util.utcnow()
        transitions = self.tracker.apply_webhook(intent, now)
        self._state_known = True
        if transitions and self.data is not None:
            self.data = self.tracker.data()
            self._update_stale()
            for update in self._instant_listeners:
                update()
        self.hass.loop.call_soon(self._async_after_webhook, intent, call, transitions, now)

    @callback
    def _async_after_webhook(
        self, intent: Intent, call: dict[str, Any], transitions: list[Transition], now: datetime
    ) -> None:
        """Do the part of a webhook call that can wait a moment."""
        if self.config_entry.state is not ConfigEntryState.LOADED:
            return
        self.webhook_calls.append({"time": now.isoformat(), "intent": intent.value, **call})
        self._dispatch(transitions)
        self._save()
        if self._auth_failed:
            # The token is rejected: no read, and polling stays stopped until reauth.
            self._take_unchecked()
            self.data = self.tracker.data()
            self.async_update_listeners()
            return
        self._plan_next_poll()
        self.async_set_updated_data(self.tracker.data())
        self._async_check_stale()
        self._async_confirm()

    @callback
    def _take_unchecked(self) -> None:
        """Apply a call that waits for a check the API cannot give."""
        if transitions := self.tracker.apply_unchecked(dt_util.utcnow()):
            self._dispatch(transitions)
            self.data = self.tracker.data()
            self._save()
            self.async_update_listeners()

    @callback
    def _async_confirm(self) -> None:
        """Ask the API to confirm a webhook call: one read sent after it, now.

        Reads run in one background task; calls that come meanwhile ask it for
        one more read, so a burst costs at most two (the client's gate keeps
        them within the limits).
        """
        self._confirm_again = True
        if self._confirm_task is None or self._confirm_task.done():
            self._confirm_task = self.config_entry.async_create_background_task(
                self.hass, self._async_confirm_reads(), "equiwatt webhook confirmation"
            )

    async def _async_confirm_reads(self) -> None:
        while self._confirm_again:
            self._confirm_again = False
            self._fresh_read_wanted = True
            await self.async_refresh()

    def _dispatch(self, transitions: list[Transition]) -> None:
        for transition in transitions:
            LOGGER.debug("Equivent %s: %s", transition.kind, transition.equivent)
            async_dispatcher_send(self.hass, self.transition_signal, transition)

    def _fingerprint(self) -> Fingerprint:
        """Return what a save would record, to compare before and after a poll."""
        tracker = self.tracker
        return Fingerprint(
            tracker.data(), tracker.override, tracker.last_source, len(tracker.fired)
        )

    def _recent_calls(self) -> dict[str, Any]:
        return self.client.gate.limiter.recent_calls(dt_util.utcnow().timestamp())

    def _save(self) -> None:
        if self._state_known:
            self._store.async_delay_save(self.tracker.as_dict, SAVE_DELAY)

    def _save_rate_limit(self) -> None:
        """Plan a lazy save of the limiter's calls; a pending one is flushed at stop."""
        self._rate_store.async_delay_save(self._recent_calls, RATE_SAVE_DELAY)

    def _plan_next_poll(self) -> None:
        now = dt_util.utcnow()
        delay = self.schedule.next_delay(
            now, expected_end=self.tracker.expected_end(), push_trusted=self.push_trusted
        )
        if self.tracker.holding(now):
            # A webhook's word waits for the API to agree: check it often.
            delay = min(delay, self.schedule.fast)
        self.update_interval = timedelta(seconds=delay)

    def _update_stale(self) -> bool:
        """Recompute whether the polled entities are stale; return whether that changed."""
        fresh = max(
            (t for t in (self.last_good_read, self.tracker.last_webhook) if t is not None),
            default=None,
        )
        stale = fresh is None or dt_util.utcnow() - fresh >= STALE_AFTER
        changed, self.stale = stale != self.stale, stale
        if changed and stale:
            LOGGER.warning(
                "No good read for %s; the polled entities are unavailable until one succeeds",
                STALE_AFTER,
            )
        elif changed:
            LOGGER.info("The API answers again; the entities are available")
        return changed

    @callback
    def _async_check_stale(self, _now: datetime | None = None) -> None:
        if self._update_stale():
            self.async_update_listeners()
