"""Repair issues as the user meets them: the "no public URL" fix flow, and silent webhooks."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.equiwatt.const import CONF_PUSH, DOMAIN, WEBHOOK_GRACE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from tests.conftest import SLOW_POLL, WEBHOOK_ID, Simulator
from tests.integration.conftest import advance
from tests.integration.helpers import BINARY, assert_urls_told_apart, flow_text, translated

NO_URL_ISSUE = "no_public_url_01JEQUIWATTTESTENTRY0000001"
SILENT_ISSUE = "webhook_silent_01JEQUIWATTTESTENTRY0000001"
FIX = "/api/repairs/issues/fix"
EXTERNAL = "https://home.example.org"


class FixFlow:
    """A repair fix flow driven over Home Assistant's HTTP API, as the frontend does."""

    def __init__(self, hass: HomeAssistant, client: Any) -> None:
        """Use an admin's HTTP client."""
        self.hass = hass
        self.client = client
        self.flow_id = ""

    async def start(self, issue_id: str) -> dict[str, Any]:
        """Open the fix flow of an issue."""
        return await self._post(FIX, {"handler": DOMAIN, "issue_id": issue_id})

    async def send(self, user_input: dict[str, Any]) -> dict[str, Any]:
        """Submit the current step."""
        return await self._post(f"{FIX}/{self.flow_id}", user_input)

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(path, json=body)
        assert response.status == 200, await response.text()
        result: dict[str, Any] = await response.json()
        self.flow_id = result["flow_id"]
        return result

    async def text(self, result: dict[str, Any], part: str = "") -> str:
        """Return the text the repair dialog shows for a step."""
        return await flow_text(self.hass, result, part, issue="no_public_url")


@pytest.fixture
async def fix_flow(
    hass: HomeAssistant, setup_entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> FixFlow:
    """Load the repairs integration and return a driver for its fix flows."""
    assert await async_setup_component(hass, "repairs", {})
    return FixFlow(hass, await hass_client())


async def _open_no_url_menu(fix_flow: FixFlow) -> dict[str, Any]:
    issue = ir.async_get(fix_flow.hass).async_get_issue(DOMAIN, NO_URL_ISSUE)
    assert issue is not None
    assert issue.is_fixable
    result = await fix_flow.start(NO_URL_ISSUE)
    assert result["type"] == "menu"
    assert result["menu_options"] == ["external_url", "push_off"]
    assert "What would you like to do?" in await fix_flow.text(result)
    return result


async def test_fix_no_public_url_by_turning_push_off(
    hass: HomeAssistant, setup_entry: MockConfigEntry, fix_flow: FixFlow
) -> None:
    """The menu's "push off" turns the option off, and the issue goes."""
    await _open_no_url_menu(fix_flow)
    assert await translated(
        hass, "component.equiwatt.issues.no_public_url.fix_flow.step.init.menu_options.push_off"
    ) == ("Turn push off and rely on polling")
    result = await fix_flow.send({"next_step_id": "push_off"})
    assert await fix_flow.text(result, "title") == "Turn push off"
    assert "Equiwatt will only be polled" in await fix_flow.text(result)
    result = await fix_flow.send({})
    assert result["type"] == "create_entry"
    assert setup_entry.options[CONF_PUSH] is False
    assert ir.async_get(hass).async_get_issue(DOMAIN, NO_URL_ISSUE) is None
    assert hass.states.get(BINARY).state == "off"


async def test_fix_no_public_url_by_setting_an_external_url(
    hass: HomeAssistant, setup_entry: MockConfigEntry, fix_flow: FixFlow
) -> None:
    """The menu's "reachable" explains how, checks for a URL, then shows the two URLs."""
    await _open_no_url_menu(fix_flow)
    result = await fix_flow.send({"next_step_id": "external_url"})
    assert "[Settings → System → Network](/config/network)" in await fix_flow.text(result)
    for local in (None, "http://127.0.0.1:8123", "http://homeassistant.local:8123"):
        hass.config.external_url = local
        result = await fix_flow.send({})
        assert result["errors"] == {"base": "still_unreachable"}, local
    error = await translated(
        hass, "component.equiwatt.issues.no_public_url.fix_flow.error.still_unreachable"
    )
    assert error.startswith("Home Assistant still has no URL")
    assert "Equiwatt's servers cannot reach it" in error
    hass.config.external_url = EXTERNAL
    result = await fix_flow.send({})
    assert result["step_id"] == "urls"
    started = f"{EXTERNAL}/api/webhook/{WEBHOOK_ID}?event=started"
    assert result["description_placeholders"]["started_url"] == started
    text = await fix_flow.text(result)
    assert_urls_told_apart(text, result["description_placeholders"])
    assert "replacing any older ones" in text
    result = await fix_flow.send({})
    assert result["type"] == "create_entry"
    assert ir.async_get(hass).async_get_issue(DOMAIN, NO_URL_ISSUE) is None
    assert setup_entry.options.get(CONF_PUSH, True) is True


@pytest.mark.parametrize("step", ["external_url", "push_off"])
async def test_fix_flow_of_a_removed_entry_aborts(
    hass: HomeAssistant, setup_entry: MockConfigEntry, fix_flow: FixFlow, step: str
) -> None:
    """An entry removed while its fix flow is open ends the flow with a plain word."""
    await _open_no_url_menu(fix_flow)
    await fix_flow.send({"next_step_id": step})
    await hass.config_entries.async_remove(setup_entry.entry_id)
    await hass.async_block_till_done()
    result = await fix_flow.send({})
    assert result["type"] == "abort"
    assert await fix_flow.text(result) == (
        "The Equiwatt entry this issue was about no longer exists."
    )


def _silent_issue(hass: HomeAssistant) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, SILENT_ISSUE)


async def test_webhook_silence_raises_an_issue_until_a_call_arrives(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Webhooks came once; then polling alone finds an Equivent: the user is told, until a call."""
    client = await hass_client_no_auth()
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL, step=5)
    assert hass.states.get(BINARY).state == "on"
    await advance(hass, freezer, WEBHOOK_GRACE.total_seconds() + 5, step=5)
    assert _silent_issue(hass) is None, "never had a webhook call: nothing to miss"

    simulator.world.end_now()
    await advance(hass, freezer, SLOW_POLL, step=5)
    await client.post(f"/api/webhook/{WEBHOOK_ID}?event=demo")
    await advance(hass, freezer, WEBHOOK_GRACE.total_seconds() + 5, step=5)
    # Calls came before; now a start comes with none (only starts count: some
    # users save only the "started" URL).
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL, step=5)
    assert hass.states.get(BINARY).state == "on"
    assert _silent_issue(hass) is None, "the call may still be on its way"
    await advance(hass, freezer, WEBHOOK_GRACE.total_seconds(), step=5)
    issue = _silent_issue(hass)
    assert issue is not None
    assert issue.is_persistent
    assert not issue.is_fixable
    key = "component.equiwatt.issues.webhook_silent"
    assert await translated(hass, f"{key}.title") == "Equiwatt's webhook calls stopped arriving"
    assert "replace both URLs" in await translated(hass, f"{key}.description")

    # A reload (or restart) keeps it; the next call clears it.
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await advance(hass, freezer, 5)
    assert _silent_issue(hass) is not None
    await client.post(f"/api/webhook/{WEBHOOK_ID}?event=demo")
    await hass.async_block_till_done()
    assert _silent_issue(hass) is None


async def test_webhook_late_but_within_grace_raises_nothing(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A poll that beats the webhook by a little is no silence."""
    client = await hass_client_no_auth()
    await client.post(f"/api/webhook/{WEBHOOK_ID}?event=demo")
    await advance(hass, freezer, 5)
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL, step=5)
    assert hass.states.get(BINARY).state == "on"
    await client.post(f"/api/webhook/{WEBHOOK_ID}?event=started")
    await advance(hass, freezer, WEBHOOK_GRACE.total_seconds() + 5, step=5)
    assert _silent_issue(hass) is None


async def test_webhook_silence_ignored_with_push_off(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """With push turned off, polling alone is what the user asked for; an old issue goes."""
    client = await hass_client_no_auth()
    await client.post(f"/api/webhook/{WEBHOOK_ID}?event=demo")
    await advance(hass, freezer, WEBHOOK_GRACE.total_seconds() + 5, step=5)
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL, step=5)
    await advance(hass, freezer, WEBHOOK_GRACE.total_seconds() + 5, step=5)
    assert _silent_issue(hass) is not None
    hass.config_entries.async_update_entry(setup_entry, options={CONF_PUSH: False})
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await advance(hass, freezer, 5)
    assert _silent_issue(hass) is None
    simulator.world.end_now()
    await advance(hass, freezer, SLOW_POLL + WEBHOOK_GRACE.total_seconds(), step=5)
    assert hass.states.get(BINARY).state == "off"
    assert _silent_issue(hass) is None
