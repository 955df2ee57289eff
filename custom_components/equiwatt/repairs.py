"""Fix flows of the Equiwatt repair issues."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from homeassistant.components.repairs import RepairsFlow
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult

from .const import CONF_PUSH
from .options import async_apply_options
from .runtime import EquiwattConfigEntry
from .urls import webhook_urls


class NoPublicUrlFlow(RepairsFlow):
    """No URL reaches Home Assistant: turn push off, or make it reachable and get the URLs."""

    def __init__(self, entry_id: str) -> None:
        """Remember the entry the issue is about."""
        self._entry_id = entry_id
        self._urls: dict[str, str] = {}

    def _entry(self) -> EquiwattConfigEntry | None:
        return self.hass.config_entries.async_get_entry(self._entry_id)

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> FlowResult:
        """Offer the two ways out."""
        return self.async_show_menu(step_id="init", menu_options=["external_url", "push_off"])

    async def async_step_external_url(self, user_input: dict[str, Any] | None = None) -> FlowResult:
        """Explain how to get a public URL; on submit, check that there is one now."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if (entry := self._entry()) is None:
                return self.async_abort(reason="entry_removed")
            if (urls := webhook_urls(self.hass, entry.data)) is not None:
                self._urls = urls
                return await self.async_step_urls()
            errors["base"] = "still_unreachable"
        return self.async_show_form(
            step_id="external_url", data_schema=vol.Schema({}), errors=errors
        )

    async def async_step_urls(self, user_input: dict[str, Any] | None = None) -> FlowResult:
        """Show the URLs to paste into the Equiwatt app; submitting clears the issue."""
        if user_input is not None:
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="urls", data_schema=vol.Schema({}), description_placeholders=self._urls
        )

    async def async_step_push_off(self, user_input: dict[str, Any] | None = None) -> FlowResult:
        """Turn the push option off; polling carries on alone."""
        if user_input is None:
            return self.async_show_form(step_id="push_off", data_schema=vol.Schema({}))
        if (entry := self._entry()) is None:
            return self.async_abort(reason="entry_removed")
        self.hass.config_entries.async_update_entry(
            entry, options={**entry.options, CONF_PUSH: False}
        )
        async_apply_options(self.hass, entry)
        return self.async_create_entry(data={})


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Create the fix flow of the one fixable issue, "no public URL"."""
    assert data is not None
    return NoPublicUrlFlow(str(data["entry_id"]))
