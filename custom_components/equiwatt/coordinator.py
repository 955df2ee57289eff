"""The coordinator: polls and webhooks feed it; it alone decides transitions."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
import hashlib
from typing import Any, NamedTuple, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import EquiwattAuthError, EquiwattClient, EquiwattError, EquiwattRateLimitedError
from .const import (
    CONF_PUSH,
    CONF_SLOW_INTERVAL,
    DEFAULT_SLOW_INTERVAL,
    DOMAIN,
    LOGGER,
    STALE_AFTER,
    STORAGE_VERSION,
)
from .models import EquiwattData
from .schedule import PollSchedule
from .tracker import Intent, Override, Source, Tracker, Transition

type EquiwattConfigEntry = ConfigEntry[EquiwattCoordinator]

STALE_CHECK_INTERVAL = timedelta(seconds=30)
WEBHOOK_LOG_LENGTH = 10
SAVE_DELAY = 1.0  # seconds; writes are coalesced, and flushed when Home Assistant stops


class Fingerprint(NamedTuple):
    """What the saved state depends on."""

    data: EquiwattData
    override: Override | None
    last_source: Source | None
    fired: int


def installation_phase(entry_id: str) -> float:
    """Return a stable number in [0, 1) that spreads installations over the poll grid."""
    return int(hashlib.sha256(entry_id.encode()).hexdigest()[:8], 16) / 2**32


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
        self.schedule = PollSchedule(
            slow=float(entry.options.get(CONF_SLOW_INTERVAL, DEFAULT_SLOW_INTERVAL)),
            phase=installation_phase(entry.entry_id),
        )
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
        self._logged_warnings: set[str] = set()

    async def async_restore(self) -> bool:
        """Load the state saved before a restart; return whether there was any."""
        stored = await self._store.async_load()
        if not stored:
            return False
        try:
            self.tracker = Tracker.from_dict(stored)
        except (KeyError, TypeError, ValueError) as err:
            LOGGER.warning("Ignoring unreadable saved Equiwatt state: %s", err)
            return False
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
        await self._store.async_save(self.tracker.as_dict())

    @property
    def push_trusted(self) -> bool:
        """Whether the webhook reported the latest change first, so polling may relax."""
        return bool(self.config_entry.options.get(CONF_PUSH, True)) and (
            self.tracker.last_source is Source.WEBHOOK
        )

    @override
    async def _async_update_data(self) -> EquiwattData:
        """Read the API and reconcile it with what we know."""
        try:
            snapshot = await self.client.get_equivents()
        except EquiwattError as err:
            self._plan_next_poll()
            if isinstance(err, EquiwattRateLimitedError) and not err.from_server:
                # Our own limiter declined to call (webhook bursts): not a fault.
                self.update_interval = timedelta(seconds=err.retry_after + 1)
                return self.data
            raise update_error(err) from err
        now = dt_util.utcnow()
        self.last_good_read = now
        for warning in snapshot.warnings:
            if warning not in self._logged_warnings:
                self._logged_warnings.add(warning)
                LOGGER.warning("The API sent odd data: %s", warning)
        before = self._fingerprint()
        self._dispatch(self.tracker.apply_snapshot(snapshot, now))
        after = self._fingerprint()
        if after != before:
            self._save()
        self._plan_next_poll()
        self._async_check_stale()
        return after.data

    @callback
    def async_handle_webhook(self, intent: Intent, call: dict[str, Any]) -> None:
        """Apply a webhook call at once, then ask the API to confirm."""
        now = dt_util.utcnow()
        self.webhook_calls.append({"time": now.isoformat(), "intent": intent.value, **call})
        self._dispatch(self.tracker.apply_webhook(intent, now))
        self._save()
        self._plan_next_poll()
        self.async_set_updated_data(self.tracker.data())
        self._async_check_stale()
        self.config_entry.async_create_background_task(
            self.hass, self.async_request_refresh(), "equiwatt webhook confirmation"
        )

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

    def _save(self) -> None:
        self._store.async_delay_save(self.tracker.as_dict, SAVE_DELAY)

    def _plan_next_poll(self) -> None:
        delay = self.schedule.next_delay(
            dt_util.utcnow(),
            expected_end=self.tracker.expected_end(),
            push_trusted=self.push_trusted,
        )
        self.update_interval = timedelta(seconds=delay)

    @callback
    def _async_check_stale(self, _now: datetime | None = None) -> None:
        fresh = max(
            (t for t in (self.last_good_read, self.tracker.last_webhook) if t is not None),
            default=None,
        )
        stale = fresh is None or dt_util.utcnow() - fresh >= STALE_AFTER
        if stale == self.stale:
            return
        self.stale = stale
        if stale:
            LOGGER.warning(
                "No good read from the API for %s; the polled entities are unavailable "
                "until one succeeds",
                STALE_AFTER,
            )
        else:
            LOGGER.info("The API answers again; the polled entities are available")
        self.async_update_listeners()
