"""The pieces of the tracker's state: who reported first, the live Equivent, a webhook's word."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .api import Equivent


class Source(StrEnum):
    """Who reported a change first."""

    API = "api"
    WEBHOOK = "webhook"


@dataclass(slots=True)
class Live:
    """The Equivent in progress as we know it."""

    start: datetime
    planned_end: datetime | None = None
    provisional: bool = False  # start is a webhook's arrival time


@dataclass(frozen=True, slots=True)
class Override:
    """A webhook's word, which holds against the API for the grace period.

    A `started` (active) holds against reads that show nothing live. An `ended`
    holds only against reads that still show *the Equivent it ended* live: one
    that started later is a new Equivent. `start` is the ended Equivent's start,
    a guess (the `started` call's arrival) when `provisional`.
    """

    active: bool
    at: datetime
    start: datetime | None = None
    provisional: bool = False

    def contradicted_by(self, api_live: Equivent | None) -> bool:
        """Whether an API read disputes this webhook's word about the same Equivent."""
        if self.active:
            return api_live is None
        if api_live is None:
            return False
        if self.start is None:
            return True
        # A guessed start is later than the real one: anything live that began
        # before the `ended` call is the Equivent it ended.
        return api_live.start <= (self.at if self.provisional else self.start)
