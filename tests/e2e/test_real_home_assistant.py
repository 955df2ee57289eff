"""A real `hass` process with the integration, driven over HTTP, against the simulator."""

from __future__ import annotations

import asyncio
from pathlib import Path
import socket
import time

import pytest

from devtools.stack import DEV_TOKEN, Stack, running_stack
from tests.hostile_calls import HOSTILE_WEBHOOK_CALLS

BINARY = "binary_sensor.equiwatt_equivent_active"
ENTITIES = (
    BINARY,
    "sensor.equiwatt_equivent_start",
    "sensor.equiwatt_last_equivent_start",
    "sensor.equiwatt_last_equivent_end",
    "sensor.equiwatt_last_equivent_duration",
    "sensor.equiwatt_last_webhook",
    "event.equiwatt_equivent",
    "calendar.equiwatt_equivents",
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

# What Home Assistant writes when an integration uses an API it is retiring.
DEPRECATION_MARKS = ("deprecated", "will stop working", "detected that custom integration")


async def send_hostile_webhook_calls(stack: Stack) -> None:
    """Call the webhook with bodies no Equiwatt server sends; each is answered, none breaks it."""
    url = stack.webhook_urls["started_url"].split("?")[0]
    for method, body, content_type, status in HOSTILE_WEBHOOK_CALLS:
        async with stack.rest.session.request(
            method, url, data=body, headers={"Content-Type": content_type}
        ) as response:
            assert response.status == status, body[:20]
            assert await response.read() == b""


async def open_in_a_browser(stack: Stack) -> None:
    """GET the "started" URL, as a user testing it does: Last webhook moves, nothing else."""
    last_webhook = "sensor.equiwatt_last_webhook"
    before = (await stack.rest.state(last_webhook))["state"]
    await asyncio.sleep(1.1)  # the sensor shows the time to the second
    async with stack.rest.session.get(stack.webhook_urls["started_url"]) as response:
        assert response.status == 200
    async with asyncio.timeout(10):
        while (await stack.rest.state(last_webhook))["state"] == before:
            await asyncio.sleep(0.1)
    assert (await stack.rest.state(BINARY))["state"] == "off"


ZONE = "climate.simulated_living_room"  # core's generic thermostat, heating to 20 °C
PLUG = "switch.simulated_plug"  # a command-line switch that runs nothing


async def zone_and_plug(stack: Stack) -> tuple[float, str]:
    """Return the zone's target and the plug's state."""
    zone, plug = await stack.rest.state(ZONE), await stack.rest.state(PLUG)
    assert zone is not None
    assert plug is not None
    return float(zone["attributes"]["temperature"]), str(plug["state"])


async def wait_for_home(stack: Stack, wanted: tuple[float, str]) -> None:
    """Wait until the zone and the plug are as wanted."""
    async with asyncio.timeout(15):
        while await zone_and_plug(stack) != wanted:
            await asyncio.sleep(0.1)


async def setback_in_a_real_home_assistant(stack: Stack) -> None:
    """Choose the setback in the options, then an Equivent: set back, and exactly back."""
    await stack.rest.request("POST", "/api/services/switch/turn_on", {"entity_id": PLUG})
    await stack.rest.set_options(
        stack.entry_id, {"push": True, "setback_climates": [ZONE], "setback_switches": [PLUG]}
    )
    await stack.rest.wait_for_state("switch.equiwatt_setback", "on", timeout=15)
    assert await zone_and_plug(stack) == (20.0, "on")
    await asyncio.sleep(2)  # Equiwatt's times are whole seconds
    stack.world.start_now()
    await wait_for_home(stack, (7.0, "off"))  # the thermostat's minimum: the setback is 5 °C
    stack.world.end_now()
    await wait_for_home(stack, (20.0, "on"))
    await stack.rest.wait_for_state(BINARY, "off", timeout=15)


def free_port() -> int:
    """Find a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_push_then_polling_in_a_real_home_assistant(
    socket_enabled: None, tmp_path: Path
) -> None:
    """Config flow over REST, entities, webhook push on and off, then polling alone."""
    async with running_stack(tmp_path / "config", free_port(), 0) as stack:
        rest = stack.rest
        for entity_id in ENTITIES:
            assert await rest.state(entity_id) is not None, entity_id
        assert (await rest.state(BINARY))["state"] == "off"
        assert stack.webhook_urls["started_url"].endswith("?event=started")
        # The 30-minute access token is renewed before it expires (scripts/develop runs for hours).
        # (Its text may come out the same within one second: the new expiry tells.)
        rest.expires_at = expired = time.monotonic()
        assert (await rest.state(BINARY))["state"] == "off"
        assert rest.expires_at > expired + 60, "renewed for its full 30 minutes"

        # Push: the simulator starts an Equivent and calls the webhook.
        stack.world.start_now()
        await rest.wait_for_state(BINARY, "on", timeout=15)
        assert (await rest.state("sensor.equiwatt_last_webhook"))["state"] != "unknown"
        assert (await rest.state("event.equiwatt_equivent"))["attributes"][
            "event_type"
        ] == "started"
        stack.world.end_now()
        await rest.wait_for_state(BINARY, "off", timeout=15)
        assert [s["status"] for s in stack.world.webhook_log] == [200, 200]
        await setback_in_a_real_home_assistant(stack)

        # Hostile calls are answered and change no state.
        await send_hostile_webhook_calls(stack)
        assert (await rest.state(BINARY))["state"] == "off"
        await open_in_a_browser(stack)
        webhook_id = stack.webhook_urls["started_url"].split("/api/webhook/")[1].split("?")[0]

        # Polling alone: webhooks off; away from the half hours a poll comes every 120 s.
        flow = await rest.request(
            "POST", "/api/config/config_entries/options/flow", {"handler": stack.entry_id}
        )
        result = await rest.request(
            "POST",
            f"/api/config/config_entries/options/flow/{flow['flow_id']}",
            {"push": False},
        )
        assert result["type"] == "create_entry"
        stack.world.faults.webhooks = False
        # Equiwatt's times are whole seconds: a new Equivent in the same second as
        # the last `ended` call could not be told from the one it ended.
        await asyncio.sleep(2)
        stack.world.start_now()
        await rest.wait_for_state(BINARY, "on", timeout=130)
        stack.world.end_now()
        await rest.wait_for_state(BINARY, "off", timeout=130)
        assert len(stack.world.webhook_log) == 4, "no webhook was sent while switched off"
        assert stack.world.rate_violations() == []
        assert all(entry.status == 200 for entry in stack.world.log)
        assert stack.process.returncode is None, "Home Assistant did not restart itself"
    log = (tmp_path / "config" / "home-assistant.log").read_text(encoding="utf-8")
    ours = [line for line in log.splitlines() if "custom_components.equiwatt" in line]
    assert ours, "our debug lines are in the log"
    assert not [line for line in ours if " ERROR " in line]
    deprecations = [
        line
        for line in log.lower().splitlines()
        if "equiwatt" in line and any(mark in line for mark in DEPRECATION_MARKS)
    ]
    assert deprecations == []
    # The log holds Home Assistant's warnings and errors and all of ours, down to debug.
    output = log + (tmp_path / "config" / "hass.log").read_text(encoding="utf-8")
    assert DEV_TOKEN not in output
    assert webhook_id not in output
