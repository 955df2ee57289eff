"""The config, reauth, reconfigure and options flows."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.equiwatt.config_flow import token_unique_id
from custom_components.equiwatt.const import (
    CONF_CLOUDHOOK_URL,
    CONF_ENERGY_SENSOR,
    CONF_NATION,
    CONF_PUSH,
    CONF_SLOW_INTERVAL,
    CONF_WEBHOOK_ID,
    DOMAIN,
    SLOW_INTERVAL,
)
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.event import async_track_state_change_event
from tests.conftest import SLOW_POLL, TOKEN, Simulator
from tests.integration.conftest import advance
from tests.integration.helpers import BINARY, LAST_WEBHOOK, assert_urls_told_apart, flow_text

EXTERNAL = "https://home.example.org"


async def _user_flow(hass: HomeAssistant, token: str) -> dict:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: token}
    )


async def test_user_flow_with_public_url(hass: HomeAssistant, simulator: Simulator) -> None:
    """A pasted `Bearer` token is normalised, checked live, and the two URLs are shown."""
    hass.config.external_url = EXTERNAL
    result = await _user_flow(hass, f"  Bearer {TOKEN} ")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Equiwatt"
    data = result["data"]
    assert data[CONF_API_TOKEN] == TOKEN
    webhook_id = data[CONF_WEBHOOK_ID]
    assert len(webhook_id) >= 32
    assert result["description"] == "push_ready"
    assert result["description_placeholders"] == {
        "started_url": f"{EXTERNAL}/api/webhook/{webhook_id}?event=started",
        "ended_url": f"{EXTERNAL}/api/webhook/{webhook_id}?event=ended",
    }
    text = await flow_text(hass, result)
    assert_urls_told_apart(text, result["description_placeholders"])
    assert "replace both" in text
    assert "Unknown" in text, "the dialog says what reads Unknown until the first Equivent"
    entry = result["result"]
    assert entry.unique_id == token_unique_id(TOKEN)
    assert TOKEN not in entry.unique_id
    await hass.async_block_till_done()
    assert len(simulator.world.log) == 1, "the entry's first refresh reuses the flow's check"


@pytest.mark.parametrize(
    "external", [None, "http://127.0.0.1:8123", "http://192.168.1.20:8123", "http://ha.local"]
)
async def test_user_flow_without_public_url(
    hass: HomeAssistant, simulator: Simulator, external: str | None
) -> None:
    """Without a URL the internet can reach (none, or one at home), push will not work."""
    hass.config.external_url = external
    result = await _user_flow(hass, TOKEN)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "no_public_url"
    assert result["description_placeholders"] is None
    text = await flow_text(hass, result)
    assert "Instant push will not work yet" in text
    assert "192.168.… or homeassistant.local) does not count" in text


async def test_user_flow_creates_cloudhook(hass: HomeAssistant, simulator: Simulator) -> None:
    """With Home Assistant Cloud, a cloudhook is created and shown instead."""
    hass.config.components.add("cloud")
    with (
        patch("homeassistant.components.cloud.async_active_subscription", return_value=True),
        patch("homeassistant.components.cloud.async_is_connected", return_value=True),
        patch(
            "homeassistant.components.cloud.async_get_or_create_cloudhook",
            return_value="https://hooks.nabu.casa/abc",
        ) as create,
    ):
        result = await _user_flow(hass, TOKEN)
        await hass.async_block_till_done()
    # Made by the flow, then found again (not made twice) when the entry sets up.
    assert {call.args[1] for call in create.await_args_list} == {result["data"][CONF_WEBHOOK_ID]}
    assert result["data"][CONF_CLOUDHOOK_URL] == "https://hooks.nabu.casa/abc"
    assert result["description_placeholders"]["started_url"] == (
        "https://hooks.nabu.casa/abc?event=started"
    )


@pytest.mark.parametrize(
    ("token", "fault", "errors"),
    [
        ("   ", None, {CONF_API_TOKEN: "empty_token"}),
        ("Bearer ", None, {CONF_API_TOKEN: "empty_token"}),
        ("wrong-token", None, {"base": "invalid_auth"}),
        (TOKEN, {"status": 503}, {"base": "cannot_connect"}),
        (TOKEN, {"malformed": "html"}, {"base": "cannot_connect"}),
        (TOKEN, {"status": 429}, {"base": "rate_limited"}),
    ],
    # Named, so that the token never shows in a test's id.
    ids=["blank", "bearer-only", "wrong-token", "unreachable", "html", "rate-limited"],
)
async def test_user_flow_errors_then_recovers(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    token: str,
    fault: dict | None,
    errors: dict[str, str],
) -> None:
    """Each failure shows its error on the form and loses nothing; a good token then works."""
    if fault:
        simulator.world.faults.update({**fault, "remaining": 1})
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: token}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    freezer.tick(120)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: TOKEN}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_user_flow_unexpected_error(hass: HomeAssistant, simulator: Simulator) -> None:
    """An unexpected error is `unknown`, logged, and the form stays."""
    with patch(
        "custom_components.equiwatt.client.EquiwattClient.get_equivents",
        side_effect=RuntimeError("boom"),
    ):
        result = await _user_flow(hass, TOKEN)
    assert result["errors"] == {"base": "unknown"}


async def test_same_token_in_another_entry_aborts(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """An entry holding the token aborts the flow even under another unique id."""
    MockConfigEntry(domain=DOMAIN, unique_id="other", data={CONF_API_TOKEN: TOKEN}).add_to_hass(
        hass
    )
    result = await _user_flow(hass, f" {TOKEN}")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_same_token_twice_aborts(
    hass: HomeAssistant, simulator: Simulator, mock_entry: MockConfigEntry
) -> None:
    """The same token (however pasted) cannot be added twice."""
    mock_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_entry, unique_id=token_unique_id(TOKEN))
    result = await _user_flow(hass, f"bearer {TOKEN}")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(simulator.world.log) == 0


async def test_reauth(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A rejected token leads to reauth; a wrong one is refused; a good one reloads the entry."""
    simulator.world.tokens = {"rotated-token-999"}
    await advance(hass, freezer, SLOW_POLL)
    [flow] = hass.config_entries.flow.async_progress()
    assert flow["step_id"] == "reauth_confirm"
    assert hass.states.get(BINARY).state == "unavailable", "a rejected token shows"
    assert hass.states.get(LAST_WEBHOOK).state == "unknown", "the webhook-fed sensor stays"
    result = await hass.config_entries.flow.async_configure(flow["flow_id"])
    # The card's button for a reauth flow says "Reconfigure"; the dialog's title matches it.
    assert await flow_text(hass, result, "title") == "Reconfigure Equiwatt"
    assert "no longer accepts the saved token" in await flow_text(hass, result)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: TOKEN}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    await advance(hass, freezer, 5)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "Bearer rotated-token-999"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert await flow_text(hass, result) == "Re-authentication was successful"
    assert setup_entry.data[CONF_API_TOKEN] == "rotated-token-999"
    assert setup_entry.unique_id == token_unique_id("rotated-token-999")
    await hass.async_block_till_done()
    assert hass.states.get(BINARY).state == "off"


async def test_reconfigure_and_its_duplicate_check(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Reconfigure changes the token, keeping the webhook; another entry's token aborts."""
    other = MockConfigEntry(domain=DOMAIN, unique_id=token_unique_id("taken-token"), data={})
    other.add_to_hass(hass)
    webhook_id = setup_entry.data[CONF_WEBHOOK_ID]
    result = await setup_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    aborted = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "taken-token"}
    )
    assert aborted["reason"] == "already_configured"
    simulator.world.tokens.add("new-token-777")
    await advance(hass, freezer, 5)
    result = await setup_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "new-token-777"}
    )
    assert await flow_text(hass, result) == (
        "The new token works and is saved. The webhook URLs in the Equiwatt app stay valid."
    )
    assert setup_entry.data == {CONF_API_TOKEN: "new-token-777", CONF_WEBHOOK_ID: webhook_id}
    await hass.async_block_till_done()


@pytest.mark.parametrize("external", [True, False])
async def test_options_flow(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    external: bool,
) -> None:
    """Options show the URLs (or why there are none) and save; push applies without a reload."""
    if external:
        hass.config.external_url = EXTERNAL
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    assert result["step_id"] == "init", "one step, one form"
    text = await flow_text(hass, result)
    if external:
        assert_urls_told_apart(text, result["description_placeholders"])
    else:
        assert text.count("```\nEquiwatt's webhook cannot reach Home Assistant\n```") == 2
        assert "no URL reaches this Home Assistant" in text
    await advance(hass, freezer, 5)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PUSH: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    # "No meter" is saved as a choice, so the Energy dashboard's is not offered again.
    assert setup_entry.options == {CONF_ENERGY_SENSOR: None, CONF_PUSH: False}
    assert setup_entry.runtime_data.coordinator.push_trusted is False


@pytest.mark.parametrize(
    ("changes", "reloaded"),
    [
        ({CONF_PUSH: False}, False),
        ({}, False),
        ({CONF_NATION: "scotland"}, True),
        ({CONF_ENERGY_SENSOR: "sensor.grid_import"}, True),
    ],
)
async def test_options_reload_only_for_the_options_that_need_it(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    changes: dict[str, Any],
    reloaded: bool,
) -> None:
    """Mid-Equivent, push applies at once and no entity flaps; the meter and the nation reload."""
    hass.states.async_set(
        "sensor.grid_import", "1.0", {"device_class": "energy", "state_class": "total_increasing"}
    )
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    coordinator = setup_entry.runtime_data.coordinator
    seen: list[str] = []
    async_track_state_change_event(
        hass, BINARY, callback(lambda event: seen.append(event.data["new_state"].state))
    )
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], changes)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert setup_entry.options == {CONF_ENERGY_SENSOR: None, CONF_PUSH: True, **changes}
    assert (setup_entry.runtime_data.coordinator is not coordinator) is reloaded
    assert seen == (["unavailable", "on"] if reloaded else [])
    assert hass.states.get(BINARY).state == "on"


async def test_entry_with_the_old_poll_interval_option_is_migrated(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    """An entry made before the schedule became ours loses the option and keeps working."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Equiwatt",
        data={CONF_API_TOKEN: TOKEN, CONF_WEBHOOK_ID: "old-hook"},
        options={CONF_SLOW_INTERVAL: 600, CONF_PUSH: False},
        version=1,
        minor_version=1,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 2)
    assert entry.options == {CONF_PUSH: False}
    assert entry.runtime_data.coordinator.schedule.slow == SLOW_INTERVAL
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_INTERVAL + 5)
    assert hass.states.get(BINARY).state == "on"


async def test_entry_from_a_newer_version_is_not_loaded(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A downgrade leaves an entry it cannot read alone."""
    entry = MockConfigEntry(
        domain=DOMAIN, data={CONF_API_TOKEN: TOKEN, CONF_WEBHOOK_ID: "new-hook"}, version=2
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR


async def test_re_add_shows_new_urls_to_replace_the_old(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Removing and adding the account again gives new URLs, and the dialog says to replace them."""
    hass.config.external_url = EXTERNAL
    first = await _user_flow(hass, TOKEN)
    await hass.async_block_till_done()
    await hass.config_entries.async_remove(first["result"].entry_id)
    await hass.async_block_till_done()
    again = await _user_flow(hass, TOKEN)
    assert again["type"] is FlowResultType.CREATE_ENTRY
    old, new = first["description_placeholders"], again["description_placeholders"]
    assert old["started_url"] != new["started_url"]
    text = await flow_text(hass, again)
    assert f"```\n{new['started_url']}\n```" in text
    assert "**These URLs are new.** If the app still holds URLs from an earlier setup, " in text
    assert "replace both: the old ones no longer reach Home Assistant." in text
    await hass.async_block_till_done()
