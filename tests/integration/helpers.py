"""Helpers shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
import re
from typing import Any
from unittest.mock import patch

from custom_components.equiwatt.event import EquiventEvent
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

BINARY = "binary_sensor.equiwatt_equivent_active"
START = "sensor.equiwatt_equivent_start"
LAST_START = "sensor.equiwatt_last_equivent_start"
LAST_END = "sensor.equiwatt_last_equivent_end"
LAST_DURATION = "sensor.equiwatt_last_equivent_duration"
LAST_WEBHOOK = "sensor.equiwatt_last_webhook"
EVENT = "event.equiwatt_equivent"
CALENDAR = "calendar.equiwatt_equivents"
POLLED = (BINARY, START, LAST_START, LAST_END, LAST_DURATION, CALENDAR)


@contextmanager
def fired_events() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Record every event the Equivent event entity fires, in order."""
    fired: list[tuple[str, dict[str, Any]]] = []
    original = EquiventEvent._trigger_event

    def spy(self: EquiventEvent, event_type: str, attributes: dict[str, Any] | None = None) -> None:
        fired.append((event_type, dict(attributes or {})))
        original(self, event_type, attributes)

    with patch.object(EquiventEvent, "_trigger_event", spy):
        yield fired


def kinds(fired: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """List the event types fired, in order."""
    return [kind for kind, _ in fired]


async def calendar_events(hass: HomeAssistant, days: float) -> list[dict[str, Any]]:
    """Fetch the Equivents calendar's events of the last `days` days, through its service."""
    now = dt_util.utcnow()
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {"start_date_time": now - timedelta(days=days), "end_date_time": now},
        target={"entity_id": CALENDAR},
        blocking=True,
        return_response=True,
    )
    return list(response[CALENDAR]["events"])  # type: ignore[index]


async def translated(
    hass: HomeAssistant, key: str, placeholders: Mapping[str, str] | None = None
) -> str:
    """Resolve a translation key as the frontend does, placeholders filled in."""
    _, domain, category, _ = key.split(".", 3)
    strings = await async_get_translations(hass, "en", category, [domain])
    assert key in strings, f"no translation {key}"
    text = strings[key]
    for name, value in (placeholders or {}).items():
        text = text.replace(f"{{{name}}}", value)
    assert not re.search(r"\{\w+\}", text), f"a placeholder is left in {text!r}"
    return text


async def flow_text(
    hass: HomeAssistant, result: Mapping[str, Any], part: str = "", *, issue: str = ""
) -> str:
    """Return the text the frontend shows for a config, options or (with `issue`) repair flow.

    `part` picks a form's `title` instead of its `description`.
    """
    domain = result.get("translation_domain") or result["handler"]
    if issue:
        prefix = f"component.{domain}.issues.{issue}.fix_flow"
    elif (entry := hass.config_entries.async_get_entry(result["handler"])) is not None:
        prefix = f"component.{entry.domain}.options"
    else:
        prefix = f"component.{domain}.config"
    match result["type"]:
        case FlowResultType.ABORT:
            key = f"{prefix}.abort.{result['reason']}"
        case FlowResultType.CREATE_ENTRY:
            key = f"{prefix}.create_entry.{result['description']}"
        case _:
            key = f"{prefix}.step.{result['step_id']}.{part or 'description'}"
    return await translated(hass, key, result.get("description_placeholders"))


def assert_urls_told_apart(text: str, urls: Mapping[str, str]) -> None:
    """Each URL is a box of its own that copies whole; its label says how it ends; a test is offered.

    The boxes scroll, so the ending of a long URL is out of sight: the label carries it.
    """
    for kind in ("started", "ended"):
        url = urls[f"{kind}_url"]
        assert url.endswith(f"?event={kind}")
        assert f"the URL that ends in `?event={kind}`\n\n```\n{url}\n```" in text
    assert "`?event=test`" in text
    assert "**Last webhook** shows the call" in text
