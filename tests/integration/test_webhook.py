"""Webhook push through Home Assistant's real webhook path: design.md items 2, 8 and 9."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from hypothesis import given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.equiwatt.webhook_call import Intent, parse_intent
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util
from tests.conftest import FUZZ_EXAMPLES, SLOW_POLL, TOKEN, WEBHOOK_ID, Simulator
from tests.hostile import webhook_bodies
from tests.hostile_calls import HOSTILE_WEBHOOK_CALLS
from tests.integration.conftest import advance, settle
from tests.integration.helpers import (
    BINARY,
    LAST_DURATION,
    LAST_END,
    LAST_WEBHOOK,
    START,
    fired_events,
    kinds,
)

PATH = f"/api/webhook/{WEBHOOK_ID}"

STARTED_FORMS: list[dict[str, Any]] = [
    {"params": {"event": "started"}},
    {"params": {"trigger": "Equivent started"}},
    {"params": {"type": "START"}},
    {"json": {"event": "started"}},
    {"json": {"Trigger": "equivent_start", "points": 12}},
    {"data": "event=started", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    {"data": "Equivent started!", "headers": {"Content-Type": "text/plain"}},
    {"data": '"started"', "headers": {"Content-Type": "application/json"}},
]
ENDED_FORMS: list[dict[str, Any]] = [
    {"params": {"event": "ended"}},
    {"params": {"type": "finish"}},
    {"json": {"type": "stop"}},
    {
        "data": "trigger=Equivent%20ended",
        "headers": {"Content-Type": "application/x-www-form-urlencoded"},
    },
    {"data": "The Equivent has finished", "headers": {"Content-Type": "text/plain"}},
]
PING_FORMS: list[dict[str, Any]] = [
    {},
    {"json": {"trigger": "demo"}},
    {"json": {"account": "{{customer_id}}", "note": "hello"}},
    {"json": [1, 2, 3]},
    {"data": "user=42&name=x", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    {"data": "hello there", "headers": {"Content-Type": "text/plain"}},
    {"params": {"event": "demo"}, "json": {"event": "started"}},
    # Nested deeper than the JSON decoder goes, within the 64 KiB the handler reads.
    {"data": "[" * 65_536, "headers": {"Content-Type": "application/json"}},
]


@pytest.mark.parametrize(
    ("query", "body", "content_type", "intent"),
    [
        ({"EVENT": "started"}, b"", "", Intent.STARTED),
        ({}, b'{"event": 5}', "application/json", Intent.PING),
        ({}, b"event=ended", "text/plain", Intent.ENDED),
        ({}, b"status=Equivent started", "text/plain", Intent.STARTED),
        ({}, b"\xff\xfe start", "application/octet-stream", Intent.STARTED),
        ({}, b"   ", "", Intent.PING),
        ({"event": "restarted"}, b"", "", Intent.STARTED),
        pytest.param({}, b"[" * 65_536, "application/json", Intent.PING, id="65536-deep"),
        ({}, b'{"event": NaN, "event": "ended"}', "application/json", Intent.ENDED),
    ],
)
def test_parse_intent(
    query: dict[str, str], body: bytes, content_type: str, intent: Intent
) -> None:
    """Intent parsing edge cases."""
    assert parse_intent(query, body, content_type) is intent


async def _ready(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Move past setup's API call, so that a confirming refresh really calls."""
    await advance(hass, freezer, 10)


@pytest.mark.parametrize("form", STARTED_FORMS)
async def test_started_in_every_form(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
    form: dict[str, Any],
) -> None:
    """Every accepted form of `started` turns the state on at once and fires once."""
    await _ready(hass, freezer)
    client = await hass_client_no_auth()
    calls = len(simulator.world.log)
    with fired_events() as fired:
        response = await client.post(PATH, **form)
        assert response.status == 200
        assert await response.text() == ""
        # The state changed before any API call was made.
        assert hass.states.get(BINARY).state == STATE_ON
        assert len(simulator.world.log) == calls
        await settle(hass)
    assert kinds(fired) == ["started"]
    assert hass.states.get(LAST_WEBHOOK).state == dt_util.utcnow().isoformat()


@pytest.mark.parametrize("form", ENDED_FORMS)
async def test_ended_in_every_form(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
    form: dict[str, Any],
) -> None:
    """Every accepted form of `ended` turns the state off at once and fires once."""
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    assert hass.states.get(BINARY).state == STATE_ON
    client = await hass_client_no_auth()
    simulator.world.end_now()
    with fired_events() as fired:
        response = (
            await client.put(PATH, **form) if "params" in form else await client.post(PATH, **form)
        )
        assert response.status == 200
        assert hass.states.get(BINARY).state == STATE_OFF
        await advance(hass, freezer, SLOW_POLL)
    assert kinds(fired) == ["ended"]
    assert hass.states.get(LAST_END).state != STATE_UNKNOWN


@pytest.mark.parametrize("form", PING_FORMS)
async def test_pings_change_no_state(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
    form: dict[str, Any],
) -> None:
    """A demo trigger, an empty body or unreadable variables only record the call and refresh."""
    await _ready(hass, freezer)
    client = await hass_client_no_auth()
    calls = len(simulator.world.log)
    with fired_events() as fired:
        assert (await client.post(PATH, **form)).status == 200
        await settle(hass)
    assert fired == []
    assert hass.states.get(BINARY).state == STATE_OFF
    assert hass.states.get(LAST_WEBHOOK).state == dt_util.utcnow().isoformat()
    assert len(simulator.world.log) == calls + 1, "a ping asks for a refresh"


async def test_api_confirms_the_real_start(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The webhook's arrival time is replaced by the API's start, without firing again."""
    await _ready(hass, freezer)
    event = simulator.world.start_now()
    client = await hass_client_no_auth()
    with fired_events() as fired:
        await client.post(PATH, params={"event": "started"})
        arrival = dt_util.utcnow()
        assert hass.states.get(START).state == arrival.isoformat()
        await settle(hass)
        await advance(hass, freezer, SLOW_POLL)
    assert hass.states.get(START).state == dt_util.utc_from_timestamp(int(event.start)).isoformat()
    assert kinds(fired) == ["started"]


async def test_spoofed_started_is_undone_after_grace(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A `started` the API never confirms holds for 5 minutes, then the API wins."""
    await _ready(hass, freezer)
    client = await hass_client_no_auth()
    with fired_events() as fired, caplog.at_level(logging.WARNING):
        await client.post(PATH, params={"event": "started"})
        await advance(hass, freezer, 4 * 60 + 30, step=2)
        assert hass.states.get(BINARY).state == STATE_ON
        await advance(hass, freezer, 3 * 60, step=2)
        assert hass.states.get(BINARY).state == STATE_OFF
    assert kinds(fired) == ["started", "ended"]
    assert "contrary to a webhook" in caplog.text
    assert hass.states.get(LAST_END).state == STATE_UNKNOWN, "no history for a spoof"


async def test_early_ended_holds_against_a_lagging_api(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """An `ended` holds while the API still says live; after the grace the API wins, firing nothing again."""
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    client = await hass_client_no_auth()
    with fired_events() as fired:
        await client.post(PATH, params={"event": "ended"})
        await advance(hass, freezer, 4 * 60, step=2)
        assert hass.states.get(BINARY).state == STATE_OFF
        await advance(hass, freezer, 3 * 60, step=2)
        assert hass.states.get(BINARY).state == STATE_ON
        simulator.world.end_now()
        await advance(hass, freezer, SLOW_POLL)
        assert hass.states.get(BINARY).state == STATE_OFF
    assert kinds(fired) == ["ended"]


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5, 6.0])
async def test_an_ended_call_the_api_confirms_writes_the_last_equivent_once(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
    delay: float,
) -> None:
    """The call comes seconds after the end: the API's end, seconds apart, changes nothing."""
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    written: list[str] = []
    async_track_state_change_event(
        hass,
        (LAST_END, LAST_DURATION),
        callback(lambda event: written.append(event.data["entity_id"])),
    )
    freezer.tick(0.4)
    ended = simulator.world.end_now()
    assert ended is not None and ended.end is not None
    freezer.tick(delay)
    client = await hass_client_no_auth()
    await client.post(PATH, params={"event": "ended"})
    await advance(hass, freezer, SLOW_POLL)
    assert sorted(written) == [LAST_DURATION, LAST_END]
    shown = dt_util.parse_datetime(hass.states.get(LAST_END).state)
    assert shown is not None
    assert abs(shown.timestamp() - ended.end) <= delay + 1
    assert float(hass.states.get(LAST_DURATION).state) == pytest.approx(
        (shown.timestamp() - int(ended.start)) / 60
    )


async def test_browsers_do_not_keep_stale_entities_available(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """GETs every 5 minutes while Equiwatt is down: no sign Equiwatt is there, so 10 minutes hold."""
    simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    simulator.world.faults.update({"status": 503})
    client = await hass_client_no_auth()
    for _ in range(3):
        await client.get(PATH)
        await advance(hass, freezer, 5 * 60, step=10)
    assert hass.states.get(BINARY).state == STATE_UNAVAILABLE
    assert hass.states.get(LAST_WEBHOOK).state != STATE_UNAVAILABLE
    seen: list[str] = []
    async_track_state_change_event(
        hass, BINARY, callback(lambda event: seen.append(event.data["new_state"].state))
    )
    await client.get(PATH)
    await advance(hass, freezer, 60, step=10)
    assert seen == [], "a browser's call does not bring the entities back for a moment"


async def test_equiwatt_calling_during_an_outage_brings_the_entities_back(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Equiwatt's own call is a sign of Equiwatt: its word shows at once, and the log says so."""
    simulator.world.faults.update({"status": 503})
    await advance(hass, freezer, 20 * 60, step=30)
    assert hass.states.get(BINARY).state == STATE_UNAVAILABLE
    client = await hass_client_no_auth()
    with caplog.at_level(logging.INFO, logger="custom_components.equiwatt"):
        await client.post(PATH, params={"event": "started"})
        await hass.async_block_till_done()
    assert hass.states.get(BINARY).state == STATE_ON
    assert "Equiwatt called the webhook: the entities are available again" in caplog.text
    await advance(hass, freezer, 60, step=10)


@pytest.mark.parametrize("webhook_first", [True, False])
async def test_one_event_each_whichever_source_is_first(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
    webhook_first: bool,
) -> None:
    """Webhook before poll or poll before webhook: `started` and `ended` fire once each."""
    client = await hass_client_no_auth()
    with fired_events() as fired:
        simulator.world.start_now()
        if webhook_first:
            await advance(hass, freezer, 5)
            await client.post(PATH, params={"event": "started"})
        await advance(hass, freezer, SLOW_POLL)
        await client.post(PATH, params={"event": "started"})
        await advance(hass, freezer, 600, step=5)
        simulator.world.end_now()
        if webhook_first:
            await client.post(PATH, params={"event": "ended"})
        await advance(hass, freezer, SLOW_POLL)
        await client.post(PATH, params={"event": "ended"})
        await client.post(PATH, params={"event": "started"})  # a late duplicate
        await advance(hass, freezer, 600, step=5)
    assert kinds(fired) == ["started", "ended"]
    assert hass.states.get(BINARY).state == STATE_OFF


async def test_storm_of_webhook_calls(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """50 calls in one second: limits hold, calls coalesce, the state is right."""
    await _ready(hass, freezer)
    simulator.world.start_now()
    client = await hass_client_no_auth()
    calls = len(simulator.world.log)
    with fired_events() as fired:
        responses = await asyncio.gather(
            *(
                client.post(PATH, params={"event": "started" if i % 3 else "ping"})
                for i in range(50)
            )
        )
        assert all(r.status == 200 for r in responses)
        await advance(hass, freezer, 60, step=0.5)
    assert kinds(fired) == ["started"]
    assert hass.states.get(BINARY).state == STATE_ON
    assert len(simulator.world.log) - calls <= 10
    assert simulator.world.rate_violations() == []
    assert all(entry.status == 200 for entry in simulator.world.log)


async def test_unknown_id_and_oversized(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Unknown ids change nothing; bodies over 64 KiB are refused unread."""
    client = await hass_client_no_auth()
    with fired_events() as fired:
        response = await client.post("/api/webhook/not-ours", params={"event": "started"})
        assert response.status == 200
        response = await client.post(PATH, params={"event": "started"}, data=b"x" * (64 * 1024 + 1))
        assert response.status == 200

        async def chunks() -> Any:
            for _ in range(80):
                yield b"y" * 1024

        response = await client.post(PATH, params={"event": "started"}, data=chunks())
        assert response.status == 200
        await settle(hass)
    assert fired == []
    assert hass.states.get(BINARY).state == STATE_OFF
    assert hass.states.get(LAST_WEBHOOK).state == STATE_UNKNOWN


@pytest.mark.parametrize("live", [False, True])
async def test_get_is_a_ping_whatever_its_query(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
    live: bool,
) -> None:
    """A browser opening a URL records Last webhook, changes no state, fires nothing, and logs no id.

    Home Assistant logs a method the webhook does not take at WARNING, with the id;
    GET is taken, so nothing above DEBUG names it.
    """
    if live:
        simulator.world.start_now()
    await advance(hass, freezer, SLOW_POLL)
    state = STATE_ON if live else STATE_OFF
    client = await hass_client_no_auth()
    calls = len(simulator.world.log)
    # Home Assistant's bootstrap keeps aiohttp's access log (every request's path) at WARNING.
    caplog.set_level(logging.WARNING, logger="aiohttp.access")
    with fired_events() as fired, caplog.at_level(logging.DEBUG):
        for query in ({"event": "started"}, {"event": "ended"}, {"type": "stop"}, {}):
            response = await client.get(PATH, params=query, data=b"event=started")
            assert response.status == 200
            assert await response.text() == ""
            assert hass.states.get(BINARY).state == state
        await settle(hass)
    assert fired == []
    assert hass.states.get(BINARY).state == state
    assert hass.states.get(LAST_WEBHOOK).state == dt_util.utcnow().isoformat()
    assert len(simulator.world.log) > calls, "a ping asks for a refresh"
    loud = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert [message for message in loud if WEBHOOK_ID in message] == []
    assert WEBHOOK_ID in caplog.text, "the check would see the id: core names it at DEBUG"


async def test_restart_between_start_and_end(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Started by webhook, restarted, ended by webhook: one event each, state restored."""
    client = await hass_client_no_auth()
    with fired_events() as fired:
        simulator.world.start_now()
        await advance(hass, freezer, 5)
        await client.post(PATH, params={"event": "started"})
        await advance(hass, freezer, SLOW_POLL)
        assert await hass.config_entries.async_unload(setup_entry.entry_id)
        await advance(hass, freezer, 120)
        assert await hass.config_entries.async_setup(setup_entry.entry_id)
        await hass.async_block_till_done()
        assert hass.states.get(BINARY).state == STATE_ON
        await advance(hass, freezer, SLOW_POLL)
        simulator.world.end_now()
        await client.post(PATH, params={"event": "ended"})
        await advance(hass, freezer, SLOW_POLL)
    assert kinds(fired) == ["started", "ended"]
    assert hass.states.get(BINARY).state == STATE_OFF


async def test_secrets_stay_out_of_the_log(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Neither the token nor the webhook id reach the log, hostile calls and faults included.

    Checked for every warning and error, Home Assistant's and ours, and for our lines at
    every level. (Home Assistant's webhook component itself names the id at DEBUG, and
    at WARNING for a method the webhook does not take: it takes POST, PUT and GET.)
    """
    client = await hass_client_no_auth()
    with caplog.at_level(logging.DEBUG):
        await client.post(PATH, params={"event": "started"})
        assert (await client.get(PATH, params={"event": "ended"})).status == 200
        for method, body, content_type, status in HOSTILE_WEBHOOK_CALLS:
            response = await client.request(
                method, PATH, data=body, headers={"Content-Type": content_type}
            )
            assert response.status == status
        simulator.world.faults.update({"status": 500})
        await advance(hass, freezer, 15 * 60, step=10)
        simulator.world.faults.update({"status": None, "malformed": "deep"})
        await advance(hass, freezer, SLOW_POLL)
        simulator.world.tokens.discard(TOKEN)
        simulator.world.faults.update({"malformed": None})
        await advance(hass, freezer, SLOW_POLL)
    ours = [r for r in caplog.records if r.name.startswith("custom_components")]
    assert [r for r in ours if r.levelno >= logging.WARNING], "the scenario warns"
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    for record in (*ours, *loud):
        text = record.getMessage() + (record.exc_text or "")
        assert TOKEN not in text, record.getMessage()
        assert WEBHOOK_ID not in text, record.getMessage()
    # (aiohttp's access log trips over the frozen clock: not ours.)
    ha_and_ours = ("homeassistant", "custom_components")
    assert not [r for r in loud if r.exc_info and r.name.startswith(ha_and_ours)], "no traceback"
    assert TOKEN not in caplog.text


text = st.text(max_size=40)
fuzz_query = st.dictionaries(
    st.sampled_from(["event", "Trigger", "TYPE", "x", "ev"]) | text, text, max_size=4
)
fuzz_body = st.one_of(
    st.binary(max_size=300),
    st.dictionaries(text, st.none() | st.booleans() | st.integers() | text, max_size=5).map(
        lambda d: json.dumps(d).encode()
    ),
    text.map(str.encode),
    webhook_bodies(),
)
fuzz_type = st.sampled_from(
    [
        "",
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ]
)


@pytest.mark.soak
@settings(max_examples=FUZZ_EXAMPLES, deadline=None)
@given(query=fuzz_query, body=fuzz_body, content_type=fuzz_type)
def test_fuzz_intent_parser(query: dict[str, str], body: bytes, content_type: str) -> None:
    """Whatever arrives, hostile or not, the parser answers one of the three intents, never raises."""
    intent = parse_intent(query, body, content_type)
    assert intent in (Intent.STARTED, Intent.ENDED, Intent.PING)
    if not query and not body.strip():
        assert intent is Intent.PING


async def test_polling_relaxes_while_push_works_and_tightens_after(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """After webhook-first transitions the half-hour windows are skipped; after a miss, back."""

    def calls_between(start: float, end: float) -> int:
        return sum(1 for entry in simulator.world.log if start <= entry.time < end)

    client = await hass_client_no_auth()
    await _ready(hass, freezer)
    simulator.world.start_now()
    await client.post(PATH, params={"event": "started"})
    await advance(hass, freezer, 300, step=5)
    simulator.world.end_now()
    await client.post(PATH, params={"event": "ended"})
    # 17:15 now; the 17:30 window (17:29:50 to 17:33) with push trusted.
    await advance(hass, freezer, 19 * 60, step=5)
    boundary = dt_util.utcnow().replace(minute=30, second=0).timestamp()
    assert calls_between(boundary - 10, boundary + 180) <= 2
    # An Equivent the webhook misses: the poll finds it first, and windows return.
    simulator.world.start_now(duration=600)
    await advance(hass, freezer, 30 * 60, step=5)
    next_boundary = boundary + 1800
    assert calls_between(next_boundary - 10, next_boundary + 180) >= 10
    assert simulator.world.rate_violations() == []
