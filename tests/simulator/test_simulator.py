"""The simulator's own behaviour: API, limits, control API, webhook sender, CLI."""

from __future__ import annotations

from collections.abc import AsyncIterator
import json
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from simulator import ManualClock, World
from simulator.__main__ import build_world, parse_args
from simulator.server import equivents_body
from tests.conftest import TOKEN, start_simulator

T0 = 1_790_000_000.0


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncIterator[tuple[World, str, aiohttp.ClientSession]]:
    """Run a simulator on a manual clock, with a session to talk to it."""
    world = World(clock=ManualClock(T0), tokens={TOKEN})
    runner, url = await start_simulator(world, webhook_loop=False)
    async with aiohttp.ClientSession() as session:
        yield world, url, session
    await runner.cleanup()


@pytest.fixture
async def receiver(socket_enabled: None) -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """Run a server that records the webhook calls it receives."""
    calls: list[dict[str, Any]] = []

    async def record(request: web.Request) -> web.Response:
        calls.append(
            {
                "query": dict(request.query),
                "body": await request.text(),
                "type": request.content_type,
            }
        )
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", record)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook", calls
    await runner.cleanup()


async def _get(session: aiohttp.ClientSession, url: str, token: str = TOKEN) -> tuple[int, Any]:
    async with session.get(
        f"{url}/api/v3/equivents/", headers={"Authorization": f"Bearer {token}"}
    ) as response:
        return response.status, await response.text()


def test_body_shapes() -> None:
    """The live Equivent is current_event, or (server bug) an open previous event."""
    world = World(clock=ManualClock(T0), tokens={TOKEN})
    world.schedule(T0 - 7200, T0 - 3600)
    world.start_now()
    body = equivents_body(world)
    assert body["data"]["current_event"] == {"start_time": int(T0), "end_time": None}
    assert body["data"]["previous_events"] == [
        {"start_time": int(T0 - 7200), "end_time": int(T0 - 3600)}
    ]
    world.faults.server_bug = True
    buggy = equivents_body(world)
    assert buggy["data"]["current_event"] is None
    assert buggy["data"]["previous_events"][0] == {"start_time": int(T0), "end_time": None}


async def test_auth_and_rate_limits(sim: tuple[World, str, aiohttp.ClientSession]) -> None:
    """Wrong tokens get 401; a second call within 1 s gets 429 and is logged."""
    world, url, session = sim
    assert (await _get(session, url, "wrong"))[0] == 401
    assert (await _get(session, url))[0] == 200
    status, _ = await _get(session, url)
    assert status == 429
    assert world.rate_rejections == 1
    assert [(e.auth_ok, e.status) for e in world.log] == [(False, 401), (True, 200), (True, 429)]
    assert all(TOKEN not in str(e) for e in world.log)


async def test_control_api(sim: tuple[World, str, aiohttp.ClientSession]) -> None:
    """Start, end, schedule, faults, tokens, clock and log, over HTTP."""
    world, url, session = sim
    async with session.post(f"{url}/_sim/equivents/start", json={"duration": 600}) as r:
        assert (await r.json())["end"] == T0 + 600
    async with session.post(f"{url}/_sim/clock", json={"advance": 60}) as r:
        assert (await r.json())["now"] == T0 + 60
    async with session.get(f"{url}/_sim/state") as r:
        state = await r.json()
    assert state["live"]["start"] == T0
    async with session.post(f"{url}/_sim/equivents/end") as r:
        assert (await r.json())["end"] == T0 + 60
    schedule = [{"start_time": T0 + 3600, "end_time": T0 + 7200}]
    async with session.put(f"{url}/_sim/schedule", json=schedule) as r:
        assert len((await r.json())["equivents"]) == 1
    async with session.put(f"{url}/_sim/schedule", json=[{"start_time": "x"}]) as r:
        assert r.status == 400
    async with session.post(f"{url}/_sim/faults", json={"status": 503, "html": True}) as r:
        assert (await r.json())["status"] == 503
    status, text = await _get(session, url)
    assert status == 503
    assert text.startswith("<!DOCTYPE html>")
    async with session.post(f"{url}/_sim/faults", json={"nonsense": 1}) as r:
        assert r.status == 400
    async with session.delete(f"{url}/_sim/faults") as r:
        assert (await r.json())["status"] is None
    async with session.post(f"{url}/_sim/tokens", json={"revoke": [TOKEN], "add": ["t2"]}) as r:
        assert (await r.json())["tokens"] == 1
    async with session.get(f"{url}/_sim/log") as r:
        log = await r.json()
    assert [e["status"] for e in log["requests"]] == [503]
    assert log["violations"] == []
    async with session.delete(f"{url}/_sim/log") as r:
        assert (await r.json())["requests"] == []
    async with session.post(f"{url}/_sim/clock", json={"set": T0 + 5400}) as r:
        assert (await r.json())["now"] == T0 + 5400
    assert world.live() is not None


@pytest.mark.parametrize(
    ("malformed", "check"),
    [
        ("truncated", lambda s, t: s == 200 and not t.endswith("}")),
        ("not_json", lambda s, t: t == "Service temporarily degraded"),
        ("success_false", lambda s, t: json.loads(t)["success"] is False),
        ("wrong_types", lambda s, t: json.loads(t)["data"]["current_event"] == "yes"),
    ],
)
async def test_malformed_fault_counts_down(
    sim: tuple[World, str, aiohttp.ClientSession], malformed: str, check: Any
) -> None:
    """A fault with `remaining` applies that many times, then the API is healthy again."""
    world, url, session = sim
    world.faults.update({"malformed": malformed, "remaining": 1})
    assert check(*await _get(session, url))
    world.clock.advance(2)  # type: ignore[attr-defined]
    world.rate_clock = lambda: 1e9
    status, text = await _get(session, url)
    assert status == 200
    assert json.loads(text)["success"] is True


async def test_webhook_sender_and_demo(
    sim: tuple[World, str, aiohttp.ClientSession], receiver: tuple[str, list[dict[str, Any]]]
) -> None:
    """Starts and ends POST to the configured URLs with the payload; so does the demo."""
    world, url, session = sim
    hook, calls = receiver
    targets = {
        "started": {"url": f"{hook}?event=started", "payload": '{"note": "hi"}'},
        "ended": {"url": f"{hook}?event=ended", "payload": "ended!"},
    }
    async with session.post(f"{url}/_sim/webhooks", json=targets) as r:
        assert set((await r.json())["targets"]) == {"started", "ended"}
    async with session.post(f"{url}/_sim/equivents/start") as r:
        assert r.status == 200
    async with session.post(f"{url}/_sim/clock", json={"advance": 3600}) as r:
        assert r.status == 200
    async with session.post(f"{url}/_sim/equivents/end") as r:
        assert r.status == 200
    assert calls == [
        {"query": {"event": "started"}, "body": '{"note": "hi"}', "type": "application/json"},
        {"query": {"event": "ended"}, "body": "ended!", "type": "text/plain"},
    ]
    world.faults.webhooks = False
    world.start_now()
    async with session.post(f"{url}/_sim/clock", json={"advance": 10}) as r:
        assert r.status == 200
    assert len(calls) == 2, "no webhook while switched off"
    async with session.post(f"{url}/_sim/webhooks/demo", json={"trigger": "started"}) as r:
        assert (await r.json())["status"] == 200
    # A demo calls the saved URL as a real trigger would: query and payload included.
    assert calls[-1] == {
        "query": {"event": "started"},
        "body": '{"note": "hi"}',
        "type": "application/json",
    }
    async with session.post(f"{url}/_sim/webhooks", json={"other": {}}) as r:
        assert r.status == 400
    async with session.post(f"{url}/_sim/webhooks", json={"started": None}) as r:
        assert "started" not in (await r.json())["targets"]
    async with session.get(f"{url}/_sim/webhooks") as r:
        assert [s["trigger"] for s in (await r.json())["sent"]] == ["started", "ended", "demo"]


async def test_late_duplicated_webhooks_and_a_lagging_api(
    sim: tuple[World, str, aiohttp.ClientSession], receiver: tuple[str, list[dict[str, Any]]]
) -> None:
    """Webhook calls can go out late and twice; the API can show the world as it was."""
    world, url, session = sim
    hook, calls = receiver
    world.faults.update({"webhook_copies": 2, "webhook_delay": 30, "api_lag": 60})
    async with session.post(
        f"{url}/_sim/webhooks", json={"started": {"url": f"{hook}?event=started"}}
    ) as r:
        assert r.status == 200
    async with session.post(f"{url}/_sim/equivents/start") as r:
        assert r.status == 200
    assert calls == [], "not yet: the calls are 30 s late"
    async with session.post(f"{url}/_sim/clock", json={"advance": 31}) as r:
        assert r.status == 200
    assert [c["query"] for c in calls] == [{"event": "started"}] * 2
    assert equivents_body(world)["data"]["current_event"] is None, "the API lags 60 s"
    async with session.post(f"{url}/_sim/clock", json={"advance": 30}) as r:
        assert r.status == 200
    assert len(calls) == 2, "each call went out twice, once"
    assert equivents_body(world)["data"]["current_event"] is not None


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--help documents the control API; a schedule file and flags build the world."""
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    help_text = capsys.readouterr().out
    assert "/_sim/equivents/start" in help_text
    assert "--webhook-started" in help_text
    schedule = tmp_path / "events.json"
    schedule.write_text(json.dumps([{"start_time": T0, "end_time": T0 + 3600}]), encoding="utf-8")
    world = build_world(
        parse_args(
            [
                "--token",
                "a",
                "--token",
                "b",
                "--schedule",
                str(schedule),
                "--server-bug",
                "--webhook-started",
                "http://x/h?event=started",
                "--manual-clock",
                str(T0 + 60),
            ]
        )
    )
    assert world.tokens == {"a", "b"}
    assert world.faults.server_bug
    assert world.live() is not None
    assert world.webhook_targets["started"]["url"] == "http://x/h?event=started"
