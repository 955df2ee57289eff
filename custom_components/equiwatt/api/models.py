"""Typed models of the Equiwatt Open API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Equivent:
    """One Equivent; times are aware UTC datetimes.

    For a live Equivent, `end` is the planned end when Equiwatt gives one.
    """

    start: datetime
    end: datetime | None = None

    @property
    def duration(self) -> timedelta | None:
        """The length of the Equivent, when its end is known."""
        return None if self.end is None else self.end - self.start

    def as_dict(self) -> dict[str, str | None]:
        """Return the times as ISO 8601 text, ready for JSON."""
        return {
            "start": self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class EquiventsSnapshot:
    """What one call to the Equivents endpoint said.

    `live` is the Equivent in progress, whichever shape the server used;
    `history` holds finished Equivents, newest first.
    """

    live: Equivent | None
    history: tuple[Equivent, ...]
    fetched_at: datetime
    warnings: tuple[str, ...] = ()


class TransitionKind(StrEnum):
    """Whether an Equivent started or ended."""

    STARTED = "started"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class Transition:
    """An Equivent started or ended; `equivent.end` is known for most ends."""

    kind: TransitionKind
    equivent: Equivent
