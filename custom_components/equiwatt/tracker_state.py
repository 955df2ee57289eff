"""The pieces of the tracker's state (who reported first, the live Equivent, a webhook's word).

And how two Equivents compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .api import Equivent

# An API end this close to a webhook's is the same end.
SAME_END = timedelta(seconds=10)


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


def same_end(known: Equivent | None, equivent: Equivent) -> bool:
    """Whether the API's end is the one a webhook call gave, seconds apart.

    The end written at the `ended` call stays, so that the last Equivent's end and
    duration are written once, not corrected by a second or two moments later.
    """
    return (
        known is not None
        and known.end is not None
        and equivent.end is not None
        and abs(known.end - equivent.end) <= SAME_END
    )


def overlap(first: Equivent, second: Equivent, slack: timedelta) -> bool:
    """Whether two Equivents overlap, give or take `slack`."""
    first_end = first.end or first.start
    second_end = second.end or second.start
    return first.start - slack <= second_end and second.start - slack <= first_end
