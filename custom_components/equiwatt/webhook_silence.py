"""A repair issue when Equiwatt's webhook calls stop arriving for an entry that had them.

Typically the integration was removed and added again: the new entry has a new
webhook id, and the URLs saved in the Equiwatt app lead nowhere.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .api import Transition, TransitionKind
from .const import CONF_PUSH, DEFAULT_PUSH, DOMAIN, WEBHOOK_GRACE
from .isotime import iso
from .runtime import EquiwattConfigEntry
from .tracker_state import Source

LAST_WEBHOOK = "last_webhook"


def silence_issue_id(entry: EquiwattConfigEntry) -> str:
    """Return the id of the entry's "webhook calls stopped arriving" issue."""
    return f"webhook_silent_{entry.entry_id}"


@callback
def async_clear_silence_unless_push(hass: HomeAssistant, entry: EquiwattConfigEntry) -> None:
    """Delete the silence issue when push is off: no webhook calls are expected then."""
    if not entry.options.get(CONF_PUSH, DEFAULT_PUSH):
        ir.async_delete_issue(hass, DOMAIN, silence_issue_id(entry))


class WebhookSilenceWatch:
    """Raise the issue when polling alone finds a transition; clear it when a call arrives."""

    def __init__(self, hass: HomeAssistant, entry: EquiwattConfigEntry) -> None:
        """Watch one entry's coordinator."""
        self._hass = hass
        self._entry = entry
        self._cancel_check: CALLBACK_TYPE | None = None

    @property
    def _push_wanted(self) -> bool:
        return bool(self._entry.options.get(CONF_PUSH, DEFAULT_PUSH))

    @callback
    def async_start(self) -> None:
        """Listen to the coordinator until the entry unloads."""
        coordinator = self._entry.runtime_data.coordinator
        async_clear_silence_unless_push(self._hass, self._entry)
        self._entry.async_on_unload(
            async_dispatcher_connect(
                self._hass, coordinator.transition_signal, self._async_transition
            )
        )
        self._entry.async_on_unload(coordinator.async_add_listener(self._async_updated))
        self._entry.async_on_unload(self._async_cancel_check)
        self._async_updated()

    @callback
    def _async_transition(self, transition: Transition) -> None:
        """Wait for the webhook call after a start polling found, if calls came before.

        Only starts count: some users save only the "started" URL. A call that came
        shortly before (a `started` the API was asked to confirm) counts as delivered.
        """
        coordinator = self._entry.runtime_data.coordinator
        since = coordinator.last_call
        if coordinator.last_source is not Source.API or since is None:
            return
        if not self._push_wanted or transition.kind is not TransitionKind.STARTED:
            return
        if dt_util.utcnow() - since < WEBHOOK_GRACE:
            return
        self._async_cancel_check()
        self._cancel_check = async_call_later(
            self._hass, WEBHOOK_GRACE, partial(self._async_check, since)
        )

    @callback
    def _async_check(self, since: datetime, _now: datetime) -> None:
        """Raise the issue unless a webhook call arrived since the transition."""
        self._cancel_check = None
        if self._entry.runtime_data.coordinator.last_call != since or not self._push_wanted:
            return
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            silence_issue_id(self._entry),
            is_fixable=False,
            is_persistent=True,
            severity=ir.IssueSeverity.WARNING,
            translation_key="webhook_silent",
            data={LAST_WEBHOOK: iso(since)},
        )

    @callback
    def _async_updated(self) -> None:
        """Clear the issue once a webhook call newer than the one it was raised after arrives."""
        issue_id = silence_issue_id(self._entry)
        issue = ir.async_get(self._hass).async_get_issue(DOMAIN, issue_id)
        if issue is None or issue.data is None:
            return
        last_webhook = iso(self._entry.runtime_data.coordinator.last_call)
        if last_webhook != issue.data.get(LAST_WEBHOOK):
            ir.async_delete_issue(self._hass, DOMAIN, issue_id)

    @callback
    def _async_cancel_check(self) -> None:
        if self._cancel_check is not None:
            self._cancel_check()
            self._cancel_check = None
