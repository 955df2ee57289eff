"""The coordinator: polls and webhooks feed it; it alone decides transitions.

Availability is core's: a failed read within 10 minutes of the last good read
(or webhook call) keeps the last data, and only a failure after that raises, so
`CoordinatorEntity.available` turns false once, and core logs it once when it
starts and once when it ends.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from typing import Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
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
from .const import CONF_PUSH, DEFAULT_PUSH, DOMAIN, LOGGER, SLOW_INTERVAL, STALE_AFTER
from .errors import update_error
from .models import EquiwattData
from .rerun import Rerun
from .storage import Part, entry_store
from .tracker import Tracker
from .tracker_state import Source
from .tracker_store import fingerprint, tracker_from_dict, tracker_to_dict
from .webhook_call import Intent

WEBHOOK_LOG_LENGTH = 10
SAVE_DELAY = 1.0  # seconds; writes are coalesced, and flushed when Home Assistant stops
# The rate limiter's calls are saved lazily: a pending save is flushed at stop.
RATE_SAVE_DELAY = 300.0


class EquiwattCoordinator(DataUpdateCoordinator[EquiwattData]):
    """Keeps one Equiwatt account's Equivent state."""

    config_entry: ConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, client: EquiwattClient) -> None:
        """Set up the coordinator; call `async_restore` before the first refresh."""
        self.schedule = PollSchedule(slow=SLOW_INTERVAL, phase=phase_for(entry.entry_id))
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
        self._store = entry_store(hass, entry.entry_id, Part.STATE)
        self._rate_store = entry_store(hass, entry.entry_id, Part.RATE_LIMIT)
        self._auth_failed = False
        self._logged_warnings: set[str] = set()
        # Whether the tracker holds state from a good read or a webhook (worth saving).
        self._state_known = False
        self._fresh_read_wanted = False
        # A webhook call is confirmed by a read sent after it; a burst folds into two.
        self._confirm = Rerun(hass, entry, self._async_fresh_read, "equiwatt confirmation")

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
            self.tracker = tracker_from_dict(stored)
        except (KeyError, TypeError, ValueError) as err:
            LOGGER.warning("Ignoring unreadable saved state: %s", err)
            return False
        self._state_known = True
        self.data = self.tracker.data()
        # The restored state counts as fresh for a while, as a good read would.
        self.last_good_read = dt_util.utcnow()
        return True

    @override
    async def async_shutdown(self) -> None:
        """Stop polling and save the state now."""
        await super().async_shutdown()
        await self._rate_store.async_save(self._recent_calls())
        if self._state_known:
            await self._store.async_save(tracker_to_dict(self.tracker))

    @property
    def last_call(self) -> datetime | None:
        """When Equiwatt (not a browser) last called the webhook."""
        return self.tracker.last_call

    @property
    def last_source(self) -> Source | None:
        """Who reported the latest change first."""
        return self.tracker.last_source

    @property
    def calls_in_window(self) -> int:
        """How many API calls went out in the rate limit's last minute, for every caller."""
        return self.client.gate.limiter.calls_in_window()

    @property
    def push_trusted(self) -> bool:
        """Whether the webhook reported the latest change first, so polling may relax."""
        return bool(self.config_entry.options.get(CONF_PUSH, DEFAULT_PUSH)) and (
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
            self._auth_failed = isinstance(err, EquiwattAuthError)
            if isinstance(err, EquiwattRateLimitedError) and not err.from_server:
                # Our own limiter declined to call (webhook bursts): try when it allows.
                self.update_interval = timedelta(seconds=err.retry_after + 1)
            if fresh and isinstance(err, EquiwattConnectionError | EquiwattRateLimitedError):
                # A back-to-back `started` waits for a check Equiwatt cannot give soon
                # (down, an error page, the rate limit): take the call as it stands.
                self._take_unchecked()
            if not self._auth_failed and (kept := self._keep_for_now(err)) is not None:
                return kept
            raise update_error(err) from err
        now = dt_util.utcnow()
        self.last_good_read = now
        self._state_known = True
        self._auth_failed = False
        for warning in snapshot.warnings:
            if warning not in self._logged_warnings:
                self._logged_warnings.add(warning)
                LOGGER.warning("The API sent odd data: %s", warning)
        before = fingerprint(self.tracker)
        self._dispatch(self.tracker.apply_snapshot(snapshot, now))
        after = fingerprint(self.tracker)
        if after != before:
            self._save()
        self._save_rate_limit()
        self._plan_next_poll()
        return after.data

    def _keep_for_now(self, err: EquiwattError) -> EquiwattData | None:
        """Return the last data while it is fresh enough (contract 6); the next try is due then."""
        fresh = max(
            (t for t in (self.last_good_read, self.tracker.last_call) if t is not None),
            default=None,
        )
        if self.data is None or fresh is None:
            return None
        left = fresh + STALE_AFTER - dt_util.utcnow()
        if left <= timedelta(0):
            return None
        LOGGER.debug("Could not read Equiwatt (%s); the last data holds for %s", err, left)
        if self.update_interval is None or self.update_interval > left:
            self.update_interval = left + timedelta(seconds=1)
        return self.data

    @callback
    def async_handle_webhook(
        self, intent: Intent, call: dict[str, Any], *, from_equiwatt: bool
    ) -> None:
        """Apply a webhook call at once (core's `async_set_updated_data`), then ask the API to confirm.

        The transitions, storage and the confirming read follow (a GET: not `from_equiwatt`).
        """
        now = dt_util.utcnow()
        transitions = self.tracker.apply_webhook(intent, now, from_equiwatt=from_equiwatt)
        if self._auth_failed:  # The token is rejected: no read will check the call.
            transitions += self.tracker.apply_unchecked(now)
        self._state_known = True
        self.webhook_calls.append({"time": now.isoformat(), "intent": intent.value, **call})
        if self._auth_failed or not (from_equiwatt or self.last_update_success):
            # No read follows, or a browser called during an outage (no sign of
            # Equiwatt): the webhook-fed entities follow, availability does not change.
            self.data = self.tracker.data()
            self.async_update_listeners()
        else:
            if not self.last_update_success:
                LOGGER.info("Equiwatt called the webhook: the entities are available again")
            self._plan_next_poll()
            self.async_set_updated_data(self.tracker.data())
        self._dispatch(transitions)
        self._save()
        if not self._auth_failed:
            self._confirm.request()

    @callback
    def _take_unchecked(self) -> None:
        """Apply a call that waits for a check the API cannot give."""
        if transitions := self.tracker.apply_unchecked(dt_util.utcnow()):
            self._dispatch(transitions)
            self.data = self.tracker.data()
            self._save()
            self.async_update_listeners()

    async def _async_fresh_read(self) -> None:
        """Read the API with a call sent after now (the client's gate keeps the limits)."""
        self._fresh_read_wanted = True
        await self.async_refresh()

    def _dispatch(self, transitions: list[Transition]) -> None:
        for transition in transitions:
            LOGGER.debug("Equivent %s: %s", transition.kind, transition.equivent)
            async_dispatcher_send(self.hass, self.transition_signal, transition)

    def _recent_calls(self) -> dict[str, Any]:
        return self.client.gate.limiter.recent_calls(dt_util.utcnow().timestamp())

    def _save(self) -> None:
        if self._state_known:
            self._store.async_delay_save(lambda: tracker_to_dict(self.tracker), SAVE_DELAY)

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
