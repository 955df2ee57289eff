"""What the setback remembers of each zone and plug, kept in the integration's storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Self

from ..const import LOGGER
from ..isotime import from_iso, iso
from .settings import Kind, Setting


class Status(StrEnum):
    """Where a zone or plug stands in the setback."""

    SETTING_BACK = "setting_back"  # its setting is saved; the setback is still to write
    SET_BACK = "set_back"
    RESTORING = "restoring"  # its setting is still to write back
    RESTORED = "restored"  # kept a while: Home Assistant may still show our setback
    LEFT = "left"  # changed by hand during the Equivent: left as the user set it


@dataclass(slots=True)
class Entry:
    """One zone or plug the setback changed, or is about to."""

    kind: Kind
    saved: Setting  # what it was doing before the setback: what it gets back
    setback: Setting  # what the setback writes
    status: Status = Status.SETTING_BACK
    since: datetime | None = None  # when the status last changed
    sent: bool = False  # a setback write went out (it may have taken effect)
    timer_end: datetime | None = None  # Tado: when its timer hands it back to its schedule
    confirmed: bool = False  # Home Assistant has shown the setback
    fresh: bool = False  # restored, and Home Assistant has shown something else since

    def move(self, status: Status, now: datetime) -> None:
        """Change the status."""
        self.status, self.since = status, now

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready copy."""
        return {
            "kind": self.kind.value,
            "saved": self.saved.as_dict(),
            "setback": self.setback.as_dict(),
            "status": self.status.value,
            "since": iso(self.since),
            "sent": self.sent,
            "timer_end": iso(self.timer_end),
            "confirmed": self.confirmed,
            "fresh": self.fresh,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Read what `as_dict` wrote."""
        return cls(
            kind=Kind(data["kind"]),
            saved=Setting.from_dict(data["saved"]),
            setback=Setting.from_dict(data["setback"]),
            status=Status(data["status"]),
            since=from_iso(data.get("since")),
            sent=bool(data.get("sent")),
            timer_end=from_iso(data.get("timer_end")),
            confirmed=bool(data.get("confirmed")),
            fresh=bool(data.get("fresh")),
        )


@dataclass(slots=True)
class Memory:
    """The setback's whole state: whether it is on, the Equivent it handles, its entries."""

    enabled: bool = True
    equivent: datetime | None = None  # the start of the Equivent last set back
    considered: set[str] = field(default_factory=set)  # looked at for that Equivent
    entries: dict[str, Entry] = field(default_factory=dict)

    def with_status(self, *statuses: Status) -> dict[str, Entry]:
        """Return the entries in one of the statuses."""
        return {key: entry for key, entry in self.entries.items() if entry.status in statuses}

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready copy."""
        return {
            "enabled": self.enabled,
            "equivent": iso(self.equivent),
            "considered": sorted(self.considered),
            "entries": {key: entry.as_dict() for key, entry in sorted(self.entries.items())},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Read what `as_dict` wrote."""
        return cls(
            enabled=bool(data.get("enabled", True)),
            equivent=from_iso(data.get("equivent")),
            considered=set(data.get("considered", [])),
            entries={key: Entry.from_dict(value) for key, value in data["entries"].items()},
        )


def load_memory(stored: object) -> Memory:
    """Read saved memory; what cannot be read is dropped with a warning."""
    if not isinstance(stored, dict):
        return Memory()
    try:
        return Memory.from_dict(stored)
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        LOGGER.warning("Ignoring unreadable saved setback memory: %s", err)
        return Memory()
