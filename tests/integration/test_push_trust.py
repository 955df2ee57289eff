"""Push users can trust: the cloud's relay, back-to-back Equivents, late calls, demos."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
import logging
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.equiwatt.const import CONF_CLOUDHOOK_URL, CONF_PUSH, DOMAIN, MAX_WEBHOOK_BODY
from custom_components.equiwatt.urls import webhook_urls
from custom_components.equiwatt.webhook_call import Intent, intent_of
from homeassistant.components import cloud, webhook
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util
from homeassistant.util.aiohttp import MockRequest
from tests.conftest import SLOW_POLL, TOKEN, WEBHOOK_ID, Simulator
from tests.integration.conftest import advance, settle
from tests.integration.helpers import BINARY, LAST_WEBHOOK, START, fired_events, kinds

PATH = f"/api/webhook/{WEBHOOK_ID}"


def cloud_request(
    body: str = "", query: str = "", headers: dict[str, str] | None = None, method: str = "POST"
) -> MockRequest:
    """Build the request Home Assistant Cloud relays, as `cloud/client.py` builds it."""
    return MockRequest(
        content=body.encode("utf-8"),
        headers=headers or {},
        method=method,
        query_string=query,
        mock_source="cloud",
    )


async def test_cloud_relayed_calls_start_and_end(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A cloudhook call reaches our handler as a MockRequest and changes the state."""
    with fired_events() as fired, caplog.at_level(logging.DEBUG):
        simulator.world.start_now()
        reply = await webhook.async_handle_webhook(
            hass, WEBHOOK_ID, cloud_request(query="event=started")
        )
        assert reply.status == 200
        assert hass.states.get(BINARY).state == STATE_ON
        await advance(hass, freezer, SLOW_POLL)
        simulator.world.end_now()
        reply = await webhook.async_handle_webhook(
            hass,
            WEBHOOK_ID,
            cloud_request('{"event": "ended"}', headers={"Content-Type": "application/json"}),
        )
        assert reply.status == 200
        assert hass.states.get(BINARY).state == STATE_OFF
        await advance(hass, freezer, SLOW_POLL)
        pinged_at = dt_util.utcnow()
        reply = await webhook.async_handle_webhook(
            hass, WEBHOOK_ID, cloud_request("hello", headers={"Content-Type": "text/plain"})
        )
        assert reply.status == 200
        await settle(hass)
    assert kinds(fired) == ["started", "ended"]
    assert hass.states.get(LAST_WEBHOOK).state == pinged_at.isoformat()
    assert "Error processing webhook" not in caplog.text
    assert WEBHOOK_ID not in "".join(r.getMessage() for r in caplog.records if r.levelno > 10)


async def test_cloud_relayed_get_is_a_ping(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The cloudhook URL opened in a browser: Last webhook only, whatever the query says."""
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    with fired_events() as fired, caplog.at_level(logging.DEBUG):
        for query in ("event=ended", "event=started", ""):
            reply = await webhook.async_handle_webhook(
                hass, WEBHOOK_ID, cloud_request("event=ended", query=query, method="GET")
            )
            assert reply.status == 200
            assert hass.states.get(BINARY).state == STATE_ON
        await settle(hass)
    assert fired == []
    assert hass.states.get(BINARY).state == STATE_ON
    assert hass.states.get(LAST_WEBHOOK).state == dt_util.utcnow().isoformat()
    assert not [
        r for r in caplog.records if r.levelno >= logging.INFO and WEBHOOK_ID in r.getMessage()
    ]


@pytest.mark.parametrize(
    "request_factory",
    [
        # Declared too big: refused unread.
        lambda: cloud_request("x", query="event=started", headers={"Content-Length": "70000"}),
        # Not declared: refused after reading 64 KiB + 1.
        lambda: cloud_request("event=started&" + "x" * MAX_WEBHOOK_BODY),
    ],
)
async def test_cloud_relayed_oversized_body_is_refused(
    hass: HomeAssistant, setup_entry: MockConfigEntry, request_factory: object
) -> None:
    """Bodies over 64 KiB are refused on the cloud path as on the direct one."""
    reply = await webhook.async_handle_webhook(hass, WEBHOOK_ID, request_factory())  # type: ignore[operator]
    assert reply.status == 200
    await settle(hass)
    assert hass.states.get(BINARY).state == STATE_OFF


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ("\x00\x01\x02" * 100, {"Content-Type": "application/octet-stream"}),
        ('{"event": {"nested": ["started"]}}', {"Content-Type": "application/json"}),
        ("event=%ZZ&&&=", {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}),
        ("1e999999", {"Content-Type": "application/json", "Content-Length": "not a number"}),
        ("\ud800" * 3, {}),
    ],
)
async def test_cloud_relayed_hostile_bodies_are_pings(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    body: str,
    headers: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Whatever the relay hands us, the handler answers 200 and changes no state."""
    request = MockRequest(
        content=body.encode("utf-8", errors="surrogatepass"),
        headers=headers,
        method="POST",
        query_string="",
        mock_source="cloud",
    )
    reply = await webhook.async_handle_webhook(hass, WEBHOOK_ID, request)
    assert reply.status == 200
    await settle(hass)
    assert hass.states.get(BINARY).state == STATE_OFF
    assert hass.states.get(LAST_WEBHOOK).state == dt_util.utcnow().isoformat()
    assert "Error processing webhook" not in caplog.text


@pytest.mark.parametrize(
    ("value", "intent"),
    [
        ("weekend", Intent.PING),
        ("calendar", Intent.PING),
        ("pending", Intent.PING),
        ("test", Intent.PING),
        ("backend-ready", Intent.PING),
        ("ended", Intent.ENDED),
        ("EQUIVENT_ENDED", Intent.ENDED),
        ("equiventFinished", Intent.ENDED),
        ("stopped", Intent.ENDED),
        ("Equivent started", Intent.STARTED),
        ("equiventStarted", Intent.STARTED),
    ],
)
def test_intent_words_are_whole_words(value: str, intent: Intent) -> None:
    """`end`, `finish` and `stop` count only as whole words (and their forms)."""
    assert intent_of(value) is intent


async def _live_then_polled(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: Simulator
) -> None:
    """Start an Equivent that the API reports, and let a poll see it."""
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    assert hass.states.get(BINARY).state == STATE_ON


async def test_back_to_back_while_the_api_lags(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The API still shows the first Equivent at `ended`; the second starts on its `started`."""
    world = simulator.world
    await _live_then_polled(hass, freezer, simulator)
    client = await hass_client_no_auth()
    with fired_events() as fired:
        # Equiwatt ends the first, but its API has not caught up yet.
        world.faults.update({"api_lag": 4})
        world.end_now()
        await client.post(PATH, params={"event": "ended"})
        assert hass.states.get(BINARY).state == STATE_OFF
        await settle(hass)
        assert hass.states.get(BINARY).state == STATE_OFF, "the lagging API is overruled"
        await advance(hass, freezer, 2)
        second = world.start_now()
        await advance(hass, freezer, 3)
        world.faults.update({"api_lag": 0})
        await client.post(PATH, params={"event": "started"})
        await settle(hass)
        await advance(hass, freezer, 1)
        assert hass.states.get(BINARY).state == STATE_ON
        assert hass.states.get(START).state == dt_util.utc_from_timestamp(second.start).isoformat()
        await advance(hass, freezer, SLOW_POLL)
    assert kinds(fired) == ["ended", "started"]


async def test_back_to_back_found_by_polling_alone(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """After an `ended` the API disputes, a new Equivent with no webhook is polled within 15 s."""
    world = simulator.world
    await _live_then_polled(hass, freezer, simulator)
    client = await hass_client_no_auth()
    with fired_events() as fired:
        world.faults.update({"api_lag": 30})
        world.end_now()
        await client.post(PATH, params={"event": "ended"})
        await advance(hass, freezer, 5)
        world.faults.update({"api_lag": 0})
        world.start_now()
        await advance(hass, freezer, 15)
        assert hass.states.get(BINARY).state == STATE_ON
    assert kinds(fired) == ["ended", "started"]


async def test_late_started_changes_nothing(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A `started` just after an end, with nothing live at the API, is checked and ignored."""
    world = simulator.world
    await _live_then_polled(hass, freezer, simulator)
    client = await hass_client_no_auth()
    with fired_events() as fired, caplog.at_level(logging.DEBUG):
        world.end_now()
        await client.post(PATH, params={"event": "ended"})
        await advance(hass, freezer, 20)
        calls = len(world.log)
        await client.post(PATH, params={"event": "started"})
        await settle(hass)
        await advance(hass, freezer, 2)
        assert len(world.log) == calls + 1, "checked with the API at once"
        assert hass.states.get(BINARY).state == STATE_OFF
        await advance(hass, freezer, 600, step=10)
    assert kinds(fired) == ["ended"]
    assert "late or repeated" in caplog.text


async def test_demo_flow_of_the_readme(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Save the URL with `?event=test`, press the demo: Last webhook changes, nothing else."""
    client = await hass_client_no_auth()
    hook = str(client.make_url(PATH))
    world = simulator.world
    world.webhook_targets["started"] = {"url": f"{hook}?event=test", "payload": None}
    with fired_events() as fired:
        async with client.session.post(
            f"{simulator.url}/_sim/webhooks/demo", json={"trigger": "started"}
        ) as reply:
            assert (await reply.json())["status"] == 200
        await settle(hass)
        assert hass.states.get(LAST_WEBHOOK).state == dt_util.utcnow().isoformat()
        assert hass.states.get(BINARY).state == STATE_OFF
        # Then `test` becomes `started`: a real start now turns the state on at once.
        world.webhook_targets["started"]["url"] = f"{hook}?event=started"
        world.start_now()
        await client.post(PATH, params={"event": "started"})
        assert hass.states.get(BINARY).state == STATE_ON
    assert kinds(fired) == ["started"]
    assert TOKEN not in str(world.webhook_log)


CLOUDHOOK = "https://hooks.nabu.casa/abc"


@pytest.fixture
def subscribed(hass: HomeAssistant) -> Iterator[dict[str, Any]]:
    """Home Assistant Cloud loaded, with a subscription and a connection that tests switch."""
    hass.config.components.add("cloud")
    state: dict[str, Any] = {"active": True, "connected": True, "create": CLOUDHOOK}

    async def _create(_hass: HomeAssistant, _webhook_id: str) -> str:
        if isinstance(state["create"], Exception):
            raise state["create"]
        return str(state["create"])

    with (
        patch(
            "homeassistant.components.cloud.async_active_subscription",
            side_effect=lambda _: state["active"],
        ),
        patch(
            "homeassistant.components.cloud.async_is_connected",
            side_effect=lambda _: state["connected"],
        ),
        patch("homeassistant.components.cloud.async_get_or_create_cloudhook", side_effect=_create),
    ):
        yield state


async def _set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def _issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"no_public_url_{entry.entry_id}")


async def test_cloud_error_at_set_up_never_fails_the_entry(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
    subscribed: dict[str, Any],
) -> None:
    """A cloud fault leaves the entry loaded, polling, with the repair issue; the hook comes later."""
    subscribed["create"] = TimeoutError()
    await _set_up(hass, mock_entry)
    assert mock_entry.state is ConfigEntryState.LOADED
    assert CONF_CLOUDHOOK_URL not in mock_entry.data
    assert _issue(hass, mock_entry) is not None
    subscribed["create"] = CLOUDHOOK
    async_dispatcher_send(
        hass, cloud.SIGNAL_CLOUD_CONNECTION_STATE, cloud.CloudConnectionState.CLOUD_CONNECTED
    )
    await hass.async_block_till_done()
    assert mock_entry.data[CONF_CLOUDHOOK_URL] == CLOUDHOOK
    assert _issue(hass, mock_entry) is None
    assert webhook_urls(hass, mock_entry.data) == {
        "started_url": f"{CLOUDHOOK}?event=started",
        "ended_url": f"{CLOUDHOOK}?event=ended",
    }


async def test_lapsed_subscription_or_deleted_hook_is_not_trusted(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
    subscribed: dict[str, Any],
) -> None:
    """The stored URL is shown only while the subscription is active and the hook exists."""
    await _set_up(hass, mock_entry)
    assert mock_entry.data[CONF_CLOUDHOOK_URL] == CLOUDHOOK
    assert _issue(hass, mock_entry) is None
    # The hook is deleted in the cloud's settings: its URL goes and the issue says so.
    async_dispatcher_send(hass, cloud._SIGNAL_CLOUDHOOKS_UPDATED, {})
    await hass.async_block_till_done()
    assert CONF_CLOUDHOOK_URL not in mock_entry.data
    assert _issue(hass, mock_entry) is not None
    # The next connection makes a new one.
    async_dispatcher_send(
        hass, cloud.SIGNAL_CLOUD_CONNECTION_STATE, cloud.CloudConnectionState.CLOUD_CONNECTED
    )
    await hass.async_block_till_done()
    assert mock_entry.data[CONF_CLOUDHOOK_URL] == CLOUDHOOK
    # The subscription lapses: the stored URL is not shown any more.
    subscribed["active"] = False
    assert webhook_urls(hass, mock_entry.data) is None
    result = await hass.config_entries.options.async_init(mock_entry.entry_id)
    assert result["description_placeholders"]["started_url"] != CLOUDHOOK + "?event=started"
    await hass.config_entries.options.async_configure(result["flow_id"], {CONF_PUSH: True})
    await hass.async_block_till_done()
    assert mock_entry.state is ConfigEntryState.LOADED
    assert _issue(hass, mock_entry) is not None


async def test_removal_cleans_up_whatever_the_cloud_does(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_entry: MockConfigEntry,
    subscribed: dict[str, Any],
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A failing cloud call at removal still deletes the saved history and the repair issue."""
    subscribed["create"] = TimeoutError()
    await _set_up(hass, mock_entry)
    hass.config_entries.async_update_entry(
        mock_entry, data={**mock_entry.data, CONF_CLOUDHOOK_URL: CLOUDHOOK}
    )
    await advance(hass, freezer, 5)
    assert await hass.config_entries.async_unload(mock_entry.entry_id)
    assert f"{DOMAIN}.{mock_entry.entry_id}" in hass_storage
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"no_public_url_{mock_entry.entry_id}",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="no_public_url",
    )
    with patch("homeassistant.components.cloud.async_delete_cloudhook", side_effect=TimeoutError):
        await hass.config_entries.async_remove(mock_entry.entry_id)
        await hass.async_block_till_done()
    assert f"{DOMAIN}.{mock_entry.entry_id}" not in hass_storage
    assert _issue(hass, mock_entry) is None


async def test_late_ended_after_a_back_to_back_start(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A repeat of the first Equivent's `ended` after the second began acts at once.

    As the contract says for every `ended`; the API puts the second back after the
    grace period, and nothing fires twice.
    """
    world = simulator.world
    await _live_then_polled(hass, freezer, simulator)
    client = await hass_client_no_auth()
    with fired_events() as fired:
        world.end_now()
        await client.post(PATH, params={"event": "ended"})
        await advance(hass, freezer, 3)
        world.start_now()
        await client.post(PATH, params={"event": "started"})
        await advance(hass, freezer, 2)
        assert hass.states.get(BINARY).state == STATE_ON
        await client.post(PATH, params={"event": "ended"})  # the first one's, again
        assert hass.states.get(BINARY).state == STATE_OFF
        await advance(hass, freezer, 330, step=5)
        assert hass.states.get(BINARY).state == STATE_ON
        world.end_now()
        await advance(hass, freezer, SLOW_POLL)
        assert hass.states.get(BINARY).state == STATE_OFF
    assert kinds(fired) == ["ended", "started", "ended"]


async def test_back_to_back_start_while_equiwatt_is_down(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A `started` just after an end that Equiwatt's API cannot check is taken as it stands."""
    world = simulator.world
    await _live_then_polled(hass, freezer, simulator)
    client = await hass_client_no_auth()
    with fired_events() as fired:
        world.end_now()
        await client.post(PATH, params={"event": "ended"})
        await advance(hass, freezer, 20)
        world.faults.update({"status": 502, "html": True})
        world.start_now()
        await client.post(PATH, params={"event": "started"})
        await advance(hass, freezer, 2)
        assert hass.states.get(BINARY).state == STATE_ON
    assert kinds(fired) == ["ended", "started"]


async def test_webhook_calls_while_the_token_is_rejected(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """While reauth is pending, webhook calls cost no API call and the state does not flap."""
    world = simulator.world
    world.tokens.clear()
    await advance(hass, freezer, SLOW_POLL)
    assert [f["context"]["source"] for f in hass.config_entries.flow.async_progress()] == ["reauth"]
    calls = len(world.log)
    client = await hass_client_no_auth()
    seen: list[str] = []
    for intent in ("test", "started", "test", "ended", "test"):
        await client.post(PATH, params={"event": intent})
        await advance(hass, freezer, 3)
        seen.append(hass.states.get(BINARY).state)
    assert len(world.log) == calls, "no call with a rejected token"
    assert seen == ["unavailable"] * 5
    # Calls are still recorded: Last webhook shows the latest, three seconds ago.
    last_call = dt_util.utcnow() - timedelta(seconds=3)
    assert hass.states.get(LAST_WEBHOOK).state == last_call.isoformat()
