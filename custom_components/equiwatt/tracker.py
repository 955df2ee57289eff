"""The one place that decides Equivent transitions, from webhooks and polls alike.

Pure logic: no Home Assistant, no I/O. Every Equivent is identified by its
start time; `started` and `ended` fire at most once each per Equivent, whatever
source reports the change first. The first API read after a (re)start is a
baseline: it brings the state up to date and fires nothing.

The command line's `TransitionDetector` (api/watch.py) makes the same
`Transition`s but is kept apart on purpose: here webhooks hold against the API,
provisional starts give way to the API's and what fired outlives a restart;
there one odd read ends nothing and the first read reports a live Equivent.
Their common step, comparing two reads' live Equivent, branches differently in
each: shared, it would take those branches as parameters and read worse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .api import Equivent, EquiventsSnapshot, Transition, TransitionKind
from .api.schedule import expected_end
from .const import LOGGER, WEBHOOK_GRACE
from .models import EquiwattData
from .tracker_state import Live, Override, Source, overlap, same_end
from .webhook_call import Intent

MAX_HISTORY = 1000
MAX_FIRED = 50


@dataclass(slots=True)
class Tracker:
    """Equivent state and history for one account."""

    grace: timedelta = WEBHOOK_GRACE
    live: Live | None = None
    history: dict[datetime, Equivent] = field(default_factory=dict)
    provisional_history: set[datetime] = field(default_factory=set)
    fired: dict[datetime, set[TransitionKind]] = field(default_factory=dict)
    override: Override | None = None
    last_webhook: datetime | None = None
    last_call: datetime | None = None  # the last webhook call that may be Equiwatt's
    last_source: Source | None = None
    baseline_done: bool = False
    # A `started` just after an end, which the API must confirm first (not saved).
    to_check: tuple[Intent, datetime] | None = None

    # Inputs

    def apply_snapshot(self, snapshot: EquiventsSnapshot, now: datetime) -> list[Transition]:
        """Take an API read; return the transitions to fire."""
        self._merge_history(snapshot.history)
        transitions: list[Transition] = []
        api_live = snapshot.live
        if self.to_check is not None and snapshot.fetched_at >= self.to_check[1]:
            self._settle_check(api_live)
        if self.override is not None and self.override.contradicted_by(api_live):
            # A read older than the webhook cannot dispute it; a newer one only after the grace.
            if now - self.override.at < self.grace or snapshot.fetched_at < self.override.at:
                return self._finish(transitions, Source.API)
            LOGGER.warning(
                "Equiwatt's API has said for %s that no Equivent is %s, contrary to a "
                "webhook; following the API",
                self.grace,
                "live" if self.override.active else "over",
            )
        self.override = None
        if api_live is None:
            if self.live is not None:
                transitions += self._end(self._finished_from_api(self.live, now))
        elif self.live is None:
            transitions += self._start(api_live)
        elif self.live.provisional:
            self._adopt(api_live)
        elif self.live.start == api_live.start:
            self.live.planned_end = api_live.end
        else:
            previous = self.history.get(self.live.start) or Equivent(
                self.live.start, api_live.start
            )
            transitions += self._end(previous)
            transitions += self._start(api_live)
        return self._finish(transitions, Source.API)

    def apply_webhook(
        self, intent: Intent, now: datetime, *, from_equiwatt: bool = True
    ) -> list[Transition]:
        """Take a webhook call; return the transitions to fire.

        A call that cannot be Equiwatt's (a browser's GET) shows as the last webhook
        but is no sign that Equiwatt is there (`last_call`).
        """
        self.last_webhook = now
        if from_equiwatt:
            self.last_call = now
        transitions: list[Transition] = []
        if intent is Intent.STARTED and self.live is None:
            if self._just_ended(now):
                # Back to back, or a late or repeated call: the API decides at once.
                self.to_check = (intent, now)
            else:
                transitions += self._start_from_webhook(now)
        elif intent is Intent.ENDED and self.live is not None:
            self.override = Override(False, now, self.live.start, self.live.provisional)
            # To the second, as the API gives times.
            equivent = Equivent(self.live.start, now.replace(microsecond=0))
            if self.live.provisional:
                self.provisional_history.add(equivent.start)
            transitions += self._end(equivent)
        if transitions:
            self.last_source = Source.WEBHOOK
        return transitions

    def apply_unchecked(self, now: datetime) -> list[Transition]:
        """Take the call waiting for a check as it stands: the API cannot be read."""
        if self.to_check is None:
            return []
        intent, at = self.to_check
        self.to_check = None
        if intent is not Intent.STARTED or self.live is not None:
            return []
        LOGGER.debug("Equiwatt cannot be read: taking a %s call unchecked", intent)
        self.last_source = Source.WEBHOOK
        return self._start_from_webhook(at)

    # Outputs

    def data(self) -> EquiwattData:
        """Return the state for the entities."""
        history = tuple(sorted(self.history.values(), key=lambda e: e.start, reverse=True))
        if self.live is None:
            return EquiwattData(None, None, history, self.last_webhook)
        live = Equivent(self.live.start, self.live.planned_end)
        return EquiwattData(live, self.expected_end(), history, self.last_webhook)

    def expected_end(self) -> datetime | None:
        """Return the planned end of the live Equivent, else its start plus a typical length."""
        if self.live is None:
            return None
        return expected_end(Equivent(self.live.start, self.live.planned_end), self.history.values())

    def holding(self, now: datetime) -> bool:
        """Whether a webhook's word still waits for the API to agree."""
        return self.override is not None and now - self.override.at < self.grace

    # Internals

    def _settle_check(self, api_live: Equivent | None) -> None:
        """Close a check with a read sent after the call; the read itself does the rest."""
        assert self.to_check is not None
        if api_live is not None and self.override is not None:
            if self.override.contradicted_by(api_live):
                return  # the API still shows the Equivent that ended: it lags
        if api_live is None:
            LOGGER.debug("A started call just after an end was late or repeated: ignored")
        self.to_check = None

    def _start_from_webhook(self, at: datetime) -> list[Transition]:
        """Start at a `started` call's arrival, its word holding against the API for a while."""
        self.override = Override(True, at)
        return self._start(Equivent(at), provisional=True)

    def _start(self, equivent: Equivent, *, provisional: bool = False) -> list[Transition]:
        self.history.pop(equivent.start, None)
        self.live = Live(equivent.start, equivent.end, provisional)
        return self._fire(TransitionKind.STARTED, equivent)

    def _end(self, equivent: Equivent) -> list[Transition]:
        self.live = None
        if equivent.end is not None:
            self.history[equivent.start] = equivent
        return self._fire(TransitionKind.ENDED, equivent)

    def _adopt(self, api_live: Equivent) -> None:
        """Replace a webhook's provisional start with the API's real one."""
        assert self.live is not None
        fired = self.fired.pop(self.live.start, set())
        self.fired.setdefault(api_live.start, set()).update(fired)
        self.live = Live(api_live.start, api_live.end)

    def _finished_from_api(self, live: Live, now: datetime) -> Equivent:
        """How the live Equivent ended, from the API's history when it has it."""
        if live.start in self.history:
            return self.history[live.start]
        if live.provisional:
            for equivent in self.history.values():
                if equivent.end is not None and equivent.start <= live.start <= equivent.end:
                    self.fired.setdefault(equivent.start, set()).update(
                        self.fired.pop(live.start, set())
                    )
                    return equivent
            # The API never knew it: a spoofed or mistaken webhook.
            return Equivent(live.start, None)
        return Equivent(live.start, now)

    def _merge_history(self, finished: tuple[Equivent, ...]) -> None:
        for equivent in finished:
            for start in list(self.provisional_history):
                guess = self.history.get(start)
                if guess is None or overlap(guess, equivent, self.grace):
                    self.history.pop(start, None)
                    self.provisional_history.discard(start)
            known = self.history.get(equivent.start)
            if not same_end(known, equivent):
                self.history[equivent.start] = equivent
        if len(self.history) > MAX_HISTORY:
            for start in sorted(self.history)[: len(self.history) - MAX_HISTORY]:
                del self.history[start]

    def _fire(self, kind: TransitionKind, equivent: Equivent) -> list[Transition]:
        done = self.fired.setdefault(equivent.start, set())
        if kind in done:
            return []
        done.add(kind)
        if len(self.fired) > MAX_FIRED:
            for start in sorted(self.fired)[: len(self.fired) - MAX_FIRED]:
                del self.fired[start]
        return [Transition(kind, equivent)]

    def _just_ended(self, now: datetime) -> bool:
        """Whether an Equivent ended within the grace period (a late or repeated `started`)."""
        if not self.history:
            return False
        latest = self.history[max(self.history)]
        return latest.end is not None and now - latest.end < self.grace

    def _finish(self, transitions: list[Transition], source: Source) -> list[Transition]:
        if transitions:
            self.last_source = source
        if not self.baseline_done:
            self.baseline_done = True
            return []
        return transitions
