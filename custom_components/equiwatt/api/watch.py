"""Watching for Equivents: each start and end, once, on the adaptive poll schedule.

`TransitionDetector` is pure: given successive snapshots it reports each
Equivent's start and end exactly once, an Equivent being identified by its
start time and live when `EquiventsSnapshot.live` says so (both shapes of the
server's answer). `watch_equivents` polls a client on a `PollSchedule` and
hands every transition to a callback; the client's rate-limit gate keeps it
within Equiwatt's limits whatever the schedule asks for.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from .client import EquiwattClient
from .errors import EquiwattAuthError, EquiwattError, EquiwattRateLimitedError
from .models import Equivent, EquiventsSnapshot, Transition, TransitionKind
from .schedule import PollSchedule, expected_end

# How many (kind, start) pairs are remembered, so that none fires twice.
FIRED_MEMORY: Final = 50


@dataclass(slots=True)
class TransitionDetector:
    """Turns successive snapshots into starts and ends, each at most once per Equivent.

    The first snapshot reports an Equivent already live as started, so that
    whoever acts on the transitions knows where things stand.
    """

    live: Equivent | None = None
    history: tuple[Equivent, ...] = ()
    _fired: deque[tuple[TransitionKind, datetime]] = field(
        default_factory=lambda: deque(maxlen=FIRED_MEMORY)
    )
    _missing: int = 0  # reads in a row that no longer show the live Equivent

    def update(self, snapshot: EquiventsSnapshot) -> list[Transition]:
        """Take a snapshot in; return what started or ended since the last one.

        A live Equivent that one read no longer shows, without listing it as
        finished, ends only if the next read agrees: one odd answer fires nothing.
        """
        transitions: list[Transition] = []
        before, now = self.live, snapshot.live
        if before is not None and now is None:
            listed = any(e.start == before.start for e in snapshot.history)
            self._missing += 1
            if not listed and self._missing < 2:
                self.history = snapshot.history
                return transitions
        self._missing = 0
        if before is not None and (now is None or now.start != before.start):
            finished = next((e for e in snapshot.history if e.start == before.start), before)
            self._fire(transitions, TransitionKind.ENDED, finished)
        if now is not None and (before is None or now.start != before.start):
            self._fire(transitions, TransitionKind.STARTED, now)
        self.live = now
        self.history = snapshot.history
        return transitions

    def expected_end(self) -> datetime | None:
        """When the live Equivent should end, for the schedule."""
        return None if self.live is None else expected_end(self.live, self.history)

    def _fire(
        self, transitions: list[Transition], kind: TransitionKind, equivent: Equivent
    ) -> None:
        if (kind, equivent.start) not in self._fired:
            self._fired.append((kind, equivent.start))
            transitions.append(Transition(kind, equivent))


def utcnow() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


async def watch_equivents(
    client: EquiwattClient,
    on_transition: Callable[[Transition], Awaitable[None]],
    *,
    schedule: PollSchedule | None = None,
    on_error: Callable[[EquiwattError], None] | None = None,
    on_read: Callable[[], None] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Poll until cancelled, awaiting `on_transition` for each start and end.

    A rejected token ends the watch (`EquiwattAuthError` is raised); any other
    error is passed to `on_error` and the watch goes on; `on_read` hears of
    every good read.
    """
    schedule = schedule or PollSchedule()
    detector = TransitionDetector()
    while True:
        delay: float | None = None
        try:
            snapshot = await client.get_equivents()
        except EquiwattAuthError:
            raise
        except EquiwattError as err:
            if on_error is not None:
                on_error(err)
            if isinstance(err, EquiwattRateLimitedError):
                delay = err.retry_after
        else:
            if on_read is not None:
                on_read()
            for transition in detector.update(snapshot):
                await on_transition(transition)
        if delay is None:
            delay = schedule.next_delay(clock(), expected_end=detector.expected_end())
        await asyncio.sleep(delay)
