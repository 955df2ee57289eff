"""The simulator's HTTP server: Equiwatt's API, a control API, and the webhook sender."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from dataclasses import asdict
from datetime import UTC, datetime
import json
import logging
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

from .meter import SimMeter
from .world import SimEquivent, World

LOGGER = logging.getLogger(__package__)
WORLD: web.AppKey[World] = web.AppKey("world", World)
API_PATH = "/api/v3/equivents/"
HTML_PAGE = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
WEBHOOK_TICK = 0.2


def _encode_time(world: World, moment: float | None) -> Any:
    if moment is None:
        return None
    seconds = int(moment)
    match world.faults.time_format:
        case "milliseconds":
            return seconds * 1000
        case "string":
            return str(seconds)
        case "iso":
            return datetime.fromtimestamp(seconds, UTC).isoformat()
    return seconds


def _event_json(world: World, event: SimEquivent, *, open_end: bool = False) -> dict[str, Any]:
    return {
        "start_time": _encode_time(world, event.start),
        "end_time": None if open_end else _encode_time(world, event.end),
    }


def equivents_body(world: World) -> dict[str, Any]:
    """Build the JSON body Equiwatt would send now (as of `api_lag` seconds ago)."""
    seen_at = world.now() - world.faults.api_lag
    live = world.live(seen_at)
    previous = [_event_json(world, e) for e in world.finished(seen_at)]
    current = None
    if live is not None and world.faults.server_bug:
        previous.insert(0, _event_json(world, live, open_end=True))
    elif live is not None:
        current = _event_json(world, live)
    return {
        "success": True,
        "msg": None,
        "data": {"current_event": current, "previous_events": previous[:10]},
    }


def _error(world: World, status: int, message: str) -> web.Response:
    if world.faults.html and status >= 500:
        return web.Response(status=status, text=HTML_PAGE, content_type="text/html")
    return web.json_response({"success": False, "msg": message, "data": None}, status=status)


def _too_many(world: World) -> web.Response:
    response = web.json_response({"success": False, "msg": "Too Many Attempts."}, status=429)
    if world.faults.retry_after is not None:
        response.headers["Retry-After"] = str(int(world.faults.retry_after))
    return response


def _malformed(world: World) -> web.Response:
    body = json.dumps(equivents_body(world))
    match world.faults.malformed:
        case "truncated":
            return web.Response(text=body[: len(body) // 2], content_type="application/json")
        case "not_json":
            return web.Response(text="Service temporarily degraded", content_type="text/plain")
        case "html":
            return web.Response(text=HTML_PAGE, content_type="text/html")
        case "empty":
            return web.Response(text="", content_type="application/json")
        case "oversized":
            return web.Response(
                text=" " * (2 * 1024 * 1024) + body, content_type="application/json"
            )
        case "deep":  # nested deeper than a JSON decoder goes
            return web.Response(text="[" * 200_000, content_type="application/json")
        case "success_false":
            return web.json_response(
                {"success": False, "msg": "Something went wrong", "data": None}
            )
        case _:  # "wrong_types"
            return web.json_response(
                {"success": True, "data": {"current_event": "yes", "previous_events": {}}}
            )


async def handle_equivents(request: web.Request) -> web.Response:
    """`GET /api/v3/equivents/` with bearer auth, rate limits and faults."""
    world = request.app[WORLD]
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or token not in world.tokens:
        world.record(request.path, token or None, False, 401)
        return web.json_response({"success": False, "msg": "Unauthenticated."}, status=401)
    if not world.check_rate(token):
        world.record(request.path, token, True, 429)
        return _too_many(world)
    faulty = world.take_fault()
    if faulty and world.faults.delay:
        await asyncio.sleep(world.faults.delay)
    if faulty and world.faults.status == 429:
        response = _too_many(world)
    elif faulty and world.faults.status is not None:
        response = _error(world, world.faults.status, "Server error")
    elif faulty and world.faults.malformed:
        response = _malformed(world)
    else:
        response = web.json_response(equivents_body(world))
    world.record(request.path, token, True, response.status)
    return response


# Control API


async def _json(request: web.Request) -> Any:
    if not request.can_read_body:
        return {}
    try:
        return await request.json()
    except ValueError as err:
        raise web.HTTPBadRequest(text=f"invalid JSON: {err}") from err


async def get_state(request: web.Request) -> web.Response:
    """Return the world as JSON."""
    return web.json_response(request.app[WORLD].state())


async def get_meter(request: web.Request) -> web.Response:
    """Return the simulated home's grid meter reading, in kWh."""
    return web.json_response({"kwh": request.app[METER].read()})


async def start_equivent(request: web.Request) -> web.Response:
    """Start an Equivent now (`{"duration": seconds}` optional)."""
    world = request.app[WORLD]
    body = await _json(request)
    event = world.start_now(body.get("duration"))
    await send_due_webhooks(request.app)
    return web.json_response(asdict(event))


async def end_equivent(request: web.Request) -> web.Response:
    """End the live Equivent now."""
    world = request.app[WORLD]
    event = world.end_now()
    await send_due_webhooks(request.app)
    return web.json_response(None if event is None else asdict(event))


async def put_schedule(request: web.Request) -> web.Response:
    """Replace the schedule: a list of `{"start_time", "end_time"}` in Unix seconds."""
    world = request.app[WORLD]
    body = await _json(request)
    try:
        events = [SimEquivent(float(e["start_time"]), float(e["end_time"])) for e in body]
    except (KeyError, TypeError, ValueError) as err:
        raise web.HTTPBadRequest(text=f"invalid schedule: {err}") from err
    world.equivents = events
    return web.json_response(world.state())


async def post_faults(request: web.Request) -> web.Response:
    """Change fault switches; `DELETE` resets them."""
    world = request.app[WORLD]
    if request.method == "DELETE":
        world.faults = type(world.faults)()
    else:
        try:
            world.faults.update(await _json(request))
        except KeyError as err:
            raise web.HTTPBadRequest(text=f"unknown fault {err}") from err
    return web.json_response(asdict(world.faults))


async def get_log(request: web.Request) -> web.Response:
    """Return the request log; `DELETE` clears it."""
    world = request.app[WORLD]
    if request.method == "DELETE":
        world.log.clear()
    return web.json_response(
        {"requests": [asdict(e) for e in world.log], "violations": world.rate_violations()}
    )


async def post_tokens(request: web.Request) -> web.Response:
    """`{"add": [...], "revoke": [...]}`."""
    world = request.app[WORLD]
    body = await _json(request)
    world.tokens |= set(body.get("add", []))
    world.tokens -= set(body.get("revoke", []))
    return web.json_response({"tokens": len(world.tokens)})


async def post_clock(request: web.Request) -> web.Response:
    """`{"advance": seconds}` or `{"set": unix}`, for a manual clock."""
    world = request.app[WORLD]
    body = await _json(request)
    clock: Any = world.clock
    if not hasattr(clock, "advance"):
        raise web.HTTPBadRequest(text="this simulator runs on the real clock")
    if "set" in body:
        clock.set(float(body["set"]))
    else:
        clock.advance(float(body.get("advance", 0)))
    await send_due_webhooks(request.app)
    return web.json_response({"now": world.now()})


async def post_webhooks(request: web.Request) -> web.Response:
    """Configure `{"started": {"url", "payload"}, "ended": {...}}`; GET reads the send log."""
    world = request.app[WORLD]
    if request.method == "POST":
        for trigger, target in (await _json(request)).items():
            if trigger not in ("started", "ended"):
                raise web.HTTPBadRequest(text=f"unknown trigger {trigger}")
            if target is None:
                world.webhook_targets.pop(trigger, None)
            else:
                world.webhook_targets[trigger] = {
                    "url": target["url"],
                    "payload": target.get("payload"),
                }
    return web.json_response({"targets": world.webhook_targets, "sent": list(world.webhook_log)})


async def post_demo(request: web.Request) -> web.Response:
    """Send a demo trigger, as the app's "send a demo trigger" button does.

    What Equiwatt's demo carries is unknown; the safe assumption is that it
    calls the saved URL, query string included, with the saved payload, exactly
    as a real trigger would: a demo to the "started" URL looks like a start.
    """
    world = request.app[WORLD]
    body = await _json(request)
    target = world.webhook_targets.get(body.get("trigger", "started"))
    if target is None:
        raise web.HTTPBadRequest(text="no webhook URL configured for that trigger")
    status = await _post(request.app, "demo", target["url"], target.get("payload"))
    return web.json_response({"status": status})


# Webhook sender

SESSION: web.AppKey[ClientSession] = web.AppKey("session", ClientSession)
SINCE: web.AppKey[float] = web.AppKey("since", float)
SENT: web.AppKey[set[tuple[str, float]]] = web.AppKey("sent", set)


async def _post(app: web.Application, trigger: str, url: str, payload: str | None) -> int | None:
    headers = {}
    if payload is not None:
        try:
            json.loads(payload)
            headers["Content-Type"] = "application/json"
        except ValueError:
            headers["Content-Type"] = "text/plain"
    status: int | None = None
    try:
        async with app[SESSION].post(url, data=payload or b"", headers=headers) as response:
            status = response.status
    except Exception as err:  # noqa: BLE001 - a sender reports every failure the same way
        LOGGER.warning("webhook %s to %s failed: %s", trigger, url, err)
    app[WORLD].webhook_log.append(
        {"time": app[WORLD].now(), "trigger": trigger, "url": url, "status": status}
    )
    return status


async def send_due_webhooks(app: web.Application) -> None:
    """POST the webhooks of every start and end since the server started, once each.

    With `webhook_delay` they go out late, with `webhook_copies` more than once.
    """
    world = app[WORLD]
    sent = app[SENT]
    due = [
        (trigger, start)
        for _moment, trigger, start in world.transitions(
            app[SINCE], world.now() - world.faults.webhook_delay
        )
        if (trigger, start) not in sent
    ]
    sent.update(due)
    if not world.faults.webhooks:
        return
    for trigger, _start in due:
        if (target := world.webhook_targets.get(trigger)) is None:
            continue
        for _ in range(max(world.faults.webhook_copies, 1)):
            await _post(app, trigger, target["url"], target.get("payload"))


async def _webhook_loop(app: web.Application) -> None:
    while True:
        await asyncio.sleep(WEBHOOK_TICK)
        await send_due_webhooks(app)


SEND_LOOP: web.AppKey[bool] = web.AppKey("send_loop", bool)
METER: web.AppKey[SimMeter] = web.AppKey("meter", SimMeter)


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    app[SESSION] = ClientSession(timeout=ClientTimeout(total=10))
    app[SINCE] = app[WORLD].now()
    app[SENT] = set()
    task = asyncio.create_task(_webhook_loop(app)) if app[SEND_LOOP] else None
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await app[SESSION].close()


def build_app(world: World, *, webhook_loop: bool = True) -> web.Application:
    """Build the simulator as an aiohttp application.

    With `webhook_loop=False` webhooks go out only when the control API moves
    the world (or a caller awaits `send_due_webhooks`), not every 0.2 s.
    """
    app = web.Application()
    app[WORLD] = world
    app[SEND_LOOP] = webhook_loop
    app[METER] = SimMeter(world)
    app.cleanup_ctx.append(_lifecycle)
    app.router.add_get(API_PATH, handle_equivents)
    app.router.add_get("/_sim/state", get_state)
    app.router.add_get("/_sim/meter", get_meter)
    app.router.add_post("/_sim/equivents/start", start_equivent)
    app.router.add_post("/_sim/equivents/end", end_equivent)
    app.router.add_put("/_sim/schedule", put_schedule)
    app.router.add_route("POST", "/_sim/faults", post_faults)
    app.router.add_route("DELETE", "/_sim/faults", post_faults)
    app.router.add_route("GET", "/_sim/log", get_log)
    app.router.add_route("DELETE", "/_sim/log", get_log)
    app.router.add_post("/_sim/tokens", post_tokens)
    app.router.add_post("/_sim/clock", post_clock)
    app.router.add_route("GET", "/_sim/webhooks", post_webhooks)
    app.router.add_route("POST", "/_sim/webhooks", post_webhooks)
    app.router.add_post("/_sim/webhooks/demo", post_demo)
    return app
