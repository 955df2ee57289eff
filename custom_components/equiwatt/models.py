"""What the coordinator hands to the entities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .api import Equivent


@dataclass(frozen=True, slots=True)
class EquiwattData:
    """The Equivent state of one account, as the entities see it."""

    live: Equivent | None
    expected_end: datetime | None
    history: tuple[Equivent, ...]  # finished Equivents, newest first
    last_webhook: datetime | None

    @property
    def last(self) -> Equivent | None:
        """The latest finished Equivent."""
        return self.history[0] if self.history else None
