"""The repair issue that names the zones and plugs not put back some minutes after the end."""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from ..const import DOMAIN
from .memory import Memory, Status

# Zones still not put back after this raise the issue.
REPAIR_AFTER = timedelta(minutes=10)


def not_restored_issue_id(entry_id: str) -> str:
    """Return the id of the repair issue naming the zones not put back."""
    return f"setback_not_restored_{entry_id}"


def issue_due(memory: Memory, now: datetime) -> datetime | None:
    """When the oldest zone still to put back becomes due in the issue, if not yet."""
    due = [
        entry.since + REPAIR_AFTER
        for entry in memory.with_status(Status.RESTORING).values()
        if entry.since is not None and entry.since + REPAIR_AFTER > now
    ]
    return min(due, default=None)


def async_update_issue(hass: HomeAssistant, entry_id: str, memory: Memory, now: datetime) -> None:
    """Raise the issue for what waits longer than `REPAIR_AFTER`; clear it when nothing does."""
    late = sorted(
        key
        for key, entry in memory.with_status(Status.RESTORING).items()
        if entry.since is not None and now - entry.since >= REPAIR_AFTER
    )
    issue_id = not_restored_issue_id(entry_id)
    if not late:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="setback_not_restored",
        translation_placeholders={"entities": ", ".join(_name(hass, key) for key in late)},
    )


def _name(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    return entity_id if state is None else f"{state.name} ({entity_id})"
