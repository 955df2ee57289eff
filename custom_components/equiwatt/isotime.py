"""Optional moments to and from ISO 8601 text, as the integration's storage keeps them."""

from __future__ import annotations

from datetime import datetime


def iso(moment: datetime | None) -> str | None:
    """Return a moment as ISO 8601 text; None stays None."""
    return None if moment is None else moment.isoformat()


def from_iso(text: str | None) -> datetime | None:
    """Read what `iso` wrote; None stays None."""
    return None if text is None else datetime.fromisoformat(text)
