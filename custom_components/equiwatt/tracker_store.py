"""What the tracker keeps across a restart, as JSON-ready data (the state file's format)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from .api import Equivent, TransitionKind
from .isotime import from_iso, iso
from .models import EquiwattData
from .tracker import Tracker
from .tracker_state import Live, Override, Source


def tracker_to_dict(tracker: Tracker) -> dict[str, Any]:
    """Return a JSON-ready copy of what must outlive a restart."""
    live = tracker.live
    return {
        "live": None
        if live is None
        else {
            "start": live.start.isoformat(),
            "planned_end": iso(live.planned_end),
            "provisional": live.provisional,
        },
        "history": [[e.start.isoformat(), iso(e.end)] for e in tracker.data().history],
        "provisional_history": [s.isoformat() for s in sorted(tracker.provisional_history)],
        "fired": {s.isoformat(): sorted(k.value for k in v) for s, v in tracker.fired.items()},
        "override": None
        if tracker.override is None
        else {
            "active": tracker.override.active,
            "at": tracker.override.at.isoformat(),
            "start": iso(tracker.override.start),
            "provisional": tracker.override.provisional,
        },
        "last_webhook": iso(tracker.last_webhook),
        "last_call": iso(tracker.last_call),
        "last_source": tracker.last_source,
    }


def tracker_from_dict(stored: dict[str, Any]) -> Tracker:
    """Restore what `tracker_to_dict` saved; the next API read is a baseline."""
    tracker = Tracker()
    if (live := stored.get("live")) is not None:
        tracker.live = Live(
            datetime.fromisoformat(live["start"]),
            from_iso(live.get("planned_end")),
            bool(live.get("provisional")),
        )
    for start, end in stored.get("history", []):
        equivent = Equivent(datetime.fromisoformat(start), from_iso(end))
        tracker.history[equivent.start] = equivent
    tracker.provisional_history = {
        datetime.fromisoformat(s) for s in stored.get("provisional_history", [])
    }
    tracker.fired = {
        datetime.fromisoformat(s): {TransitionKind(k) for k in kinds}
        for s, kinds in stored.get("fired", {}).items()
    }
    if (override := stored.get("override")) is not None:
        tracker.override = Override(
            bool(override["active"]),
            datetime.fromisoformat(override["at"]),
            from_iso(override.get("start")),
            bool(override.get("provisional")),
        )
    tracker.last_webhook = from_iso(stored.get("last_webhook"))
    # Saved before browsers' calls were told apart: every call was Equiwatt's.
    tracker.last_call = from_iso(stored.get("last_call", stored.get("last_webhook")))
    if (source := stored.get("last_source")) is not None:
        tracker.last_source = Source(source)
    return tracker


class Fingerprint(NamedTuple):
    """What a save depends on, to tell whether a read changed anything worth saving."""

    data: EquiwattData
    override: Override | None
    last_source: Source | None
    fired: int


def fingerprint(tracker: Tracker) -> Fingerprint:
    """Return what a save of the tracker would record."""
    return Fingerprint(tracker.data(), tracker.override, tracker.last_source, len(tracker.fired))
