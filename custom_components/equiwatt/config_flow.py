"""Config flow of the Equiwatt integration: one field, the token."""

from __future__ import annotations

import hashlib
from typing import Any, override

import voluptuous as vol

from homeassistant.components import webhook
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_API_TOKEN, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .api import EquiwattAuthError, EquiwattError, EquiwattRateLimitedError, normalize_token
from .client import async_create_client
from .cloudhook import async_create_cloudhook
from .const import CONF_CLOUDHOOK_URL, CONF_ENERGY_SENSOR, CONF_PUSH, DEFAULT_PUSH, DOMAIN, LOGGER
from .options import async_apply_options, needs_reload
from .saving.options import SAVING_FIELDS, async_suggested_options, meter_error
from .setback.options import setback_fields, setback_suggestions
from .urls import async_no_public_url_text, webhook_urls

TOKEN_SCHEMA = vol.Schema(
    {vol.Required(CONF_API_TOKEN): TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))}
)
OPTIONS_SCHEMA = vol.Schema({vol.Required(CONF_PUSH, default=DEFAULT_PUSH): BooleanSelector()})
# Without an explicit reason, Home Assistant ends these flows with its own generic text.
SUCCESS_REASONS = {"reauth_confirm": "reauth_successful", "reconfigure": "reconfigure_successful"}


def token_unique_id(token: str) -> str:
    """Return a unique id for a token that does not reveal it."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


async def async_check_token(hass: HomeAssistant, token: str) -> dict[str, str]:
    """Try the token against Equiwatt; return the form errors, if any."""
    if not token:
        return {CONF_API_TOKEN: "empty_token"}
    client = async_create_client(hass, token)
    try:
        await client.get_equivents()
    except EquiwattAuthError:
        return {"base": "invalid_auth"}
    except EquiwattRateLimitedError:
        return {"base": "rate_limited"}
    except EquiwattError as err:
        LOGGER.debug("Token check failed: %s", err)
        return {"base": "cannot_connect"}
    except Exception:  # noqa: BLE001 - the flow's last resort
        LOGGER.exception("Unexpected error while checking the token")
        return {"base": "unknown"}
    return {}


class EquiwattConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add an Equiwatt account."""

    VERSION = 1
    MINOR_VERSION = 2

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> EquiwattOptionsFlow:
        """Create the options flow."""
        return EquiwattOptionsFlow()

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the token."""
        errors: dict[str, str] = {}
        if user_input is not None:
            token = normalize_token(user_input[CONF_API_TOKEN])
            if token:
                await self.async_set_unique_id(token_unique_id(token))
                self._abort_if_unique_id_configured()
                self._async_abort_entries_match({CONF_API_TOKEN: token})
            if not (errors := await async_check_token(self.hass, token)):
                return await self._async_create(token)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(TOKEN_SCHEMA, user_input),
            errors=errors,
        )

    async def _async_create(self, token: str) -> ConfigFlowResult:
        webhook_id = webhook.async_generate_id()
        data: dict[str, Any] = {CONF_API_TOKEN: token, CONF_WEBHOOK_ID: webhook_id}
        if (cloudhook := await async_create_cloudhook(self.hass, webhook_id)) is not None:
            data[CONF_CLOUDHOOK_URL] = cloudhook
        urls = webhook_urls(self.hass, data)
        return self.async_create_entry(
            title="Equiwatt",
            data=data,
            description="push_ready" if urls else "no_public_url",
            description_placeholders=urls,
        )

    async def async_step_reauth(self, entry_data: dict[str, Any]) -> ConfigFlowResult:
        """Equiwatt rejected the token: ask for a new one."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Take the new token after a rejection."""
        return await self._async_replace_token(
            "reauth_confirm", self._get_reauth_entry(), user_input
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the token."""
        return await self._async_replace_token(
            "reconfigure", self._get_reconfigure_entry(), user_input
        )

    async def _async_replace_token(
        self, step_id: str, entry: ConfigEntry, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """Check and save a new token; end with our own success text, not core's."""
        errors: dict[str, str] = {}
        if user_input is not None:
            token = normalize_token(user_input[CONF_API_TOKEN])
            unique_id = token_unique_id(token)
            if any(
                other.unique_id == unique_id and other.entry_id != entry.entry_id
                for other in self._async_current_entries(include_ignore=False)
            ):
                return self.async_abort(reason="already_configured")
            if not (errors := await async_check_token(self.hass, token)):
                return self.async_update_reload_and_abort(
                    entry,
                    unique_id=unique_id,
                    data_updates={CONF_API_TOKEN: token},
                    reason=SUCCESS_REASONS[step_id],
                )
        return self.async_show_form(step_id=step_id, data_schema=TOKEN_SCHEMA, errors=errors)


class EquiwattOptionsFlow(OptionsFlowWithReload):
    """Push and saving options, and the webhook URLs for the Equiwatt app.

    It reloads the entry only for the options in `RELOAD_OPTIONS` (options.py).
    """

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the webhook URLs and the options."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if not (error := meter_error(self.hass, user_input.get(CONF_ENERGY_SENSOR))):
                # "No meter" is kept as a choice, so the dashboard's is not offered again.
                return self._async_save({CONF_ENERGY_SENSOR: None, **user_input})
            errors[CONF_ENERGY_SENSOR] = error
        options = dict(self.config_entry.options)
        suggested = {
            **setback_suggestions(options),
            **await async_suggested_options(self.hass, options),
        }
        urls = webhook_urls(self.hass, self.config_entry.data)
        if urls is None:
            # The boxes say so, in the words of the repair issue's title (translated).
            unreachable = await async_no_public_url_text(self.hass)
            urls = {"started_url": unreachable, "ended_url": unreachable}
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA.extend(SAVING_FIELDS).extend(
                    setback_fields(self.hass, self.config_entry.entry_id)
                ),
                user_input or suggested,
            ),
            errors=errors,
            description_placeholders=urls,
        )

    def _async_save(self, options: dict[str, Any]) -> ConfigFlowResult:
        """Save the options: core reloads the entry if one of them needs it; else they apply now."""
        entry = self.config_entry
        self.automatic_reload = needs_reload(entry.options, options)
        if not self.automatic_reload:
            # Saved here, so that the running entry takes them at once; core then finds
            # nothing new to save.
            self.hass.config_entries.async_update_entry(entry, options=options)
            async_apply_options(self.hass, entry)
        return self.async_create_entry(data=options)
