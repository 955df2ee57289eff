"""The setback's decisions: what to save, to set back and to put back, and what a state means.

Pure: it changes the memory and reads states it is given; the manager writes.
Every decision at an Equivent's end comes from the memory, never from a state
that may be stale (core's `tado` polls every 30 minutes or less often).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta

from homeassistant.components.climate.const import HVACMode
from homeassistant.core import State

from .memory import Entry, Memory, Status
from .settings import Kind, Setting, readable, setback_of, setting_of, shown, shows, shows_setback

# A Tado timer that ends this close to an Equivent's end is left to end by itself.
NO_WRITE_WINDOW = timedelta(minutes=5)
# Equivents this close together are one (a webhook's guessed start, then the API's).
SAME_EQUIVENT = timedelta(minutes=30)
# A restored entry outlives Home Assistant showing our setback, and at least this.
KEEP_RESTORED = timedelta(minutes=5)
# What is done is forgotten after this, once Home Assistant shows it (or it is unchosen).
KEEP_AT_MOST = timedelta(days=1)
# Tado may end a timer a little before its end: its state then reads auto.
TIMER_SLACK = timedelta(minutes=1)
# A Tado timer that ran out this long ago, with the Equivent still on, is set again
# (sooner, an end would need no write: the timer ran out "within minutes").
OVERRUN = NO_WRITE_WINDOW

type States = Callable[[str], State | None]
type Overlays = Callable[[str], str | None]
# The chosen entities and how each is set back.
type Chosen = Mapping[str, Kind]


def begin(
    memory: Memory,
    *,
    start: datetime,
    expected_end: datetime,
    now: datetime,
    chosen: Chosen,
    states: States,
    overlays: Overlays,
    temperature: float,
) -> None:
    """Set back for the live Equivent: save new entries, mark what is to write.

    A zone already in the memory (back to back, a failed restore, a restart)
    keeps its saved setting; only zones new to this Equivent are read, and a
    state that shows our own setback is never taken for a zone's setting. A
    zone that already heats to no more than the setback is left alone; one
    that cannot be read yet is looked at again once it can.
    """
    if memory.equivent is None or abs(start - memory.equivent) > SAME_EQUIVENT:
        memory.equivent = start
        memory.considered = set()
        for key in memory.with_status(Status.LEFT):
            del memory.entries[key]
    for entity_id, kind in chosen.items():
        if (entry := memory.entries.get(entity_id)) is not None:
            _again(entry, expected_end, now)
            continue
        state = states(entity_id)
        if entity_id in memory.considered or not readable(state):
            continue
        memory.considered.add(entity_id)
        saved = setting_of(kind, state, overlays(entity_id) if kind is Kind.TADO else None)
        if state is None or saved is None:
            continue
        setback = setback_of(kind, saved, state, temperature)
        if not (shows_setback(kind, state, setback) or _no_warmer(saved, setback)):
            memory.entries[entity_id] = Entry(kind, saved, setback)


def mark_sent(entries: Mapping[str, Entry], now: datetime, timer_seconds: int) -> None:
    """Note that the setback of these entries goes out now (Tado's with a timer)."""
    for entry in entries.values():
        entry.sent = True
        if entry.kind is Kind.TADO:
            entry.timer_end = now + timedelta(seconds=timer_seconds)


def _no_warmer(saved: Setting, setback: Setting) -> bool:
    """Whether a zone already heats to no more than the setback: it is left as it is."""
    return (
        saved.temperature is not None
        and setback.temperature is not None
        and saved.temperature <= setback.temperature
    )


def _again(entry: Entry, expected_end: datetime, now: datetime) -> None:
    """Set an entry back again when it needs it: after a restore, or a Tado timer too short.

    A Tado timer is set again when it ends well before the expected end (a new
    Equivent back to back, a later planned end), or when it has run out while
    the Equivent overruns.
    """
    match entry.status:
        case Status.RESTORING | Status.RESTORED:
            entry.status, entry.confirmed, entry.fresh = Status.SETTING_BACK, False, False
        case Status.SET_BACK if entry.kind is Kind.TADO and (
            entry.timer_end is None
            or entry.timer_end < expected_end - NO_WRITE_WINDOW
            or entry.timer_end + OVERRUN <= now
        ):
            entry.status = Status.SETTING_BACK


def finish(memory: Memory, now: datetime, keys: Collection[str] | None = None) -> None:
    """Put back every entry (or those in `keys`): mark what is to write.

    A Tado zone that followed its schedule, and whose timer ends within minutes,
    needs no write: Tado ends the timer itself. With every entry finished, the
    next live Equivent is a new one (whatever came before: a demo, a false start).
    """
    if keys is None:
        memory.equivent = None
        memory.considered = set()
    for key, entry in memory.entries.items():
        if keys is not None and key not in keys:
            continue
        if entry.status in (Status.SETTING_BACK, Status.SET_BACK) and not entry.sent:
            entry.move(Status.RESTORED, now)
        elif entry.status in (Status.SETTING_BACK, Status.SET_BACK, Status.RESTORING):
            done = timer_does_it(entry, now)
            if done or entry.status is not Status.RESTORING:
                entry.move(Status.RESTORED if done else Status.RESTORING, now)


def timer_does_it(entry: Entry, now: datetime) -> bool:
    """Whether a Tado zone's own timer hands it back to its schedule within minutes."""
    return (
        entry.kind is Kind.TADO
        and entry.saved.mode == HVACMode.AUTO
        and entry.timer_end is not None
        and entry.timer_end <= now + NO_WRITE_WINDOW
    )


def observe(entry: Entry, state: State | None, now: datetime, *, ours: bool = False) -> bool:
    """Read what a new state of an entry's entity means; return whether the entry changed.

    Our setback showing confirms it; so does the state our own write brought
    (`ours`), which becomes the setback (a thermostat rounds or clamps what it
    is given). Once confirmed, anything else (but a Tado timer that ran out) is
    a change by hand: the entity is left as the user set it. A state showing
    neither the setback nor the saved setting is one too.
    """
    if state is None or not readable(state):
        return False
    before = (entry.status, entry.confirmed, entry.fresh, entry.setback)
    if ours and entry.status in (Status.SETTING_BACK, Status.SET_BACK):
        entry.setback = shown(entry.kind, state, entry.setback)
    at_setback = shows_setback(entry.kind, state, entry.setback)
    timer_over = _timer_ran_out(entry, state, now)
    match entry.status:
        case Status.SETTING_BACK | Status.SET_BACK if at_setback:
            entry.confirmed = True
        case Status.SETTING_BACK | Status.SET_BACK if not timer_over and (
            entry.confirmed or not shows(state, entry.saved)
        ):
            entry.move(Status.LEFT, now)
        case Status.RESTORING if shows(state, entry.saved):
            entry.move(Status.RESTORED, now)
            entry.fresh = True
        case Status.RESTORING if not (at_setback or timer_over):
            entry.move(Status.LEFT, now)
        case Status.RESTORED if not at_setback:
            entry.fresh = True
    return (entry.status, entry.confirmed, entry.fresh, entry.setback) != before


def _timer_ran_out(entry: Entry, state: State, now: datetime) -> bool:
    return (
        entry.kind is Kind.TADO
        and state.state == HVACMode.AUTO
        and entry.timer_end is not None
        and now >= entry.timer_end - TIMER_SLACK
    )


def prune(memory: Memory, now: datetime, chosen: Collection[str]) -> bool:
    """Forget what is done and no longer needed; return whether anything was forgotten.

    A restored zone is kept while Home Assistant may still show our setback (a
    Tado zone whose timer ended by itself shows it until core's tado polls,
    which may be never): a later Equivent then still knows its real setting.
    """
    done = [key for key, entry in memory.entries.items() if _done(entry, now, key in chosen)]
    for key in done:
        del memory.entries[key]
    return bool(done)


def _done(entry: Entry, now: datetime, chosen: bool) -> bool:
    if entry.status not in (Status.RESTORED, Status.LEFT) or entry.since is None:
        return entry.status in (Status.RESTORED, Status.LEFT)
    age = now - entry.since
    if entry.status is Status.LEFT or not chosen:
        return age >= KEEP_AT_MOST
    return entry.fresh and age >= KEEP_RESTORED


def timers_run_out(memory: Memory) -> datetime | None:
    """When the first Tado timer set back runs out past `OVERRUN` (to set it again if live)."""
    ends = [
        entry.timer_end + OVERRUN
        for entry in memory.with_status(Status.SET_BACK).values()
        if entry.timer_end is not None
    ]
    return min(ends, default=None)
