"""The client against the simulator, over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
import logging
from typing import Any
from unittest.mock import patch

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.equiwatt.api import (
    DEFAULT_BASE_URL,
    EquiwattAuthError,
    EquiwattClient,
    EquiwattConnectionError,
    EquiwattInvalidResponseError,
    EquiwattRateLimitedError,
    TokenGate,
    normalize_token,
    parse_retry_after,
)
from simulator import ManualClock, World
from simulator.world import SimEquivent
from tests.conftest import TOKEN, Simulator, start_simulator

# The beta user's capture (shared/docs/equiwatt-open-api.md), as (start, end).
SAMPLE = [
    (1670601661, None),
    (1670403676, 1670407262),
    (1669744866, 1669748462),
    (1669402864, 1669406462),
    (1668792669, 1668796262),
    (1668711667, 1668715262),
    (1668531667, 1668535262),
    (1668193334, 1668196863),
    (1667934067, 1667937662),
    (1667590266, 1667593862),
]
SAMPLE_LIVE_START = datetime(2022, 12, 9, 16, 1, 1, tzinfo=UTC)


@pytest.fixture
async def session(socket_enabled: None) -> aiohttp.ClientSession:
    """Give a plain aiohttp session, as a library user would have."""
    async with aiohttp.ClientSession() as session:
        yield session


type Connect = Callable[..., EquiwattClient]


@pytest.fixture
def connect(simulator: Simulator, session: aiohttp.ClientSession) -> Connect:
    """Make clients of the simulator: `connect(token=TOKEN, **keywords)`."""

    def connect(token: str = TOKEN, **keywords: Any) -> EquiwattClient:
        return EquiwattClient(session, token, base_url=simulator.url, **keywords)

    return connect


@pytest.fixture
async def sample_sim(socket_enabled: None) -> Simulator:
    """Run the simulator replaying the captured sample at capture time, with the server bug."""
    world = World(clock=ManualClock(1670601661 + 900), tokens={TOKEN})
    world.equivents = [SimEquivent(start, end) for start, end in SAMPLE]
    world.faults.server_bug = True
    runner, url = await start_simulator(world)
    yield Simulator(world, url)
    await runner.cleanup()


async def test_captured_sample(sample_sim: Simulator, session: aiohttp.ClientSession) -> None:
    """The capture's live Equivent (the server bug's shape) is live; the rest is history."""
    client = EquiwattClient(session, TOKEN, base_url=sample_sim.url)
    snapshot = await client.get_equivents()
    assert snapshot.live is not None
    assert snapshot.live.start == SAMPLE_LIVE_START
    assert snapshot.live.end is None
    assert [int(e.start.timestamp()) for e in snapshot.history] == [s for s, _ in SAMPLE[1:]]
    assert snapshot.history[0].end == datetime.fromtimestamp(1670407262, UTC)
    assert snapshot.warnings == ()


@pytest.mark.parametrize("server_bug", [False, True])
@pytest.mark.parametrize("time_format", ["seconds", "milliseconds", "string", "iso"])
async def test_shapes_and_time_formats_agree(
    sample_sim: Simulator, session: aiohttp.ClientSession, server_bug: bool, time_format: str
) -> None:
    """Both live shapes and every time encoding give the same snapshot."""
    sample_sim.world.faults.server_bug = server_bug
    sample_sim.world.faults.time_format = time_format
    snapshot = await EquiwattClient(session, TOKEN, base_url=sample_sim.url).get_equivents()
    assert snapshot.live is not None
    assert snapshot.live.start == SAMPLE_LIVE_START
    assert len(snapshot.history) == 9


async def test_base_url_is_a_parameter(
    session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server is Equiwatt's unless one is given; the environment is not the client's to read."""
    monkeypatch.setenv("EQUIWATT_API_URL", "http://127.0.0.1:9")
    assert EquiwattClient(session, TOKEN).base_url == DEFAULT_BASE_URL
    assert EquiwattClient(session, TOKEN, base_url="http://x/").base_url == "http://x"


async def test_clients_given_one_gate_share_it(simulator: Simulator, connect: Connect) -> None:
    """Clients given one gate share its calls; a client without one has a gate of its own."""
    gate = TokenGate()
    first, second = connect(gate=gate), connect(gate=gate)
    assert first.gate is gate
    assert second.gate is gate
    await first.get_equivents()
    await second.get_equivents()
    assert gate.limiter.calls_in_window() == 1, "the second shared the first's young result"
    assert len(simulator.world.log) == 1
    alone = connect()
    assert alone.gate is not gate
    assert alone.gate is alone.gate
    assert alone.gate.limiter.calls_in_window() == 0


async def test_bearer_prefix_and_whitespace(simulator: Simulator, connect: Connect) -> None:
    """A pasted `Bearer ` (even twice) and white space are stripped."""
    assert normalize_token(f"  Bearer {TOKEN}\n") == TOKEN
    assert normalize_token(f"bearer BEARER  {TOKEN}") == TOKEN
    assert normalize_token("  Bearer  ") == ""
    client = connect(f" BEARER {TOKEN} ")
    snapshot = await client.get_equivents()
    assert snapshot.live is None
    with pytest.raises(ValueError, match="empty"):
        connect(" Bearer ")


@pytest.mark.parametrize("revoke", [False, True])
async def test_rejected_token(
    simulator: Simulator,
    connect: Connect,
    revoke: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A wrong or revoked token raises the auth error, whose text hides the token."""
    token = TOKEN if revoke else "not-the-token-123"
    if revoke:
        simulator.world.tokens.discard(TOKEN)
    with pytest.raises(EquiwattAuthError) as caught:
        await connect(token).get_equivents()
    assert "401" in str(caught.value)
    assert token not in str(caught.value)
    assert token not in caplog.text


@pytest.mark.parametrize(("header", "expected"), [(30.0, 30.0), (None, 60.0)])
async def test_429_backs_off(
    simulator: Simulator,
    connect: Connect,
    header: float | None,
    expected: float,
) -> None:
    """429 gives its Retry-After (else 60 s), and the limiter then holds every caller."""
    simulator.world.faults.update({"status": 429, "retry_after": header, "remaining": 1})
    gate = TokenGate()
    with pytest.raises(EquiwattRateLimitedError) as caught:
        await connect(gate=gate).get_equivents()
    assert caught.value.retry_after == expected
    assert caught.value.from_server
    calls = len(simulator.world.log)
    with pytest.raises(EquiwattRateLimitedError) as again:
        await connect(gate=gate).get_equivents()
    assert again.value.retry_after > expected - 5
    assert not again.value.from_server
    assert len(simulator.world.log) == calls, "no request may go out while backing off"


def test_retry_after_formats() -> None:
    """Retry-After in seconds or as an HTTP date; nonsense falls back to 60 s."""
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Thu, 01 Jan 2026 12:01:30 GMT", now) == 90
    assert parse_retry_after("soon", now) == 60
    assert parse_retry_after("nan", now) == 60
    assert parse_retry_after("0", now) == 1
    assert parse_retry_after("999999", now) == 3600


@pytest.mark.parametrize("html", [False, True])
@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors(
    simulator: Simulator, connect: Connect, status: int, html: bool
) -> None:
    """5xx, with a JSON or a proxy's HTML body, is a connection error naming the status."""
    simulator.world.faults.update({"status": status, "html": html})
    with pytest.raises(EquiwattConnectionError, match=str(status)):
        await connect().get_equivents()


async def test_unexpected_status(simulator: Simulator, connect: Connect) -> None:
    """A 4xx other than auth and rate limit is an invalid response."""
    simulator.world.faults.update({"status": 404})
    with pytest.raises(EquiwattInvalidResponseError, match="404"):
        await connect().get_equivents()


async def test_timeout(simulator: Simulator, connect: Connect) -> None:
    """A slow server is a connection error after the request timeout."""
    simulator.world.faults.update({"delay": 2.0})
    client = connect(request_timeout=0.3)
    with pytest.raises(EquiwattConnectionError, match="did not answer"):
        await client.get_equivents()


async def test_unreachable(session: aiohttp.ClientSession) -> None:
    """A closed port is a connection error."""
    client = EquiwattClient(session, TOKEN, base_url="http://127.0.0.1:9")
    with pytest.raises(EquiwattConnectionError, match="cannot reach"):
        await client.get_equivents()


@pytest.mark.parametrize(
    ("malformed", "message"),
    [
        ("truncated", "not valid JSON"),
        ("not_json", "not valid JSON"),
        ("html", "HTML page"),
        ("empty", "empty"),
        ("oversized", "larger than 1 MiB"),
        ("success_false", "Something went wrong"),
        ("wrong_types", "not an object"),
    ],
)
async def test_malformed_bodies(
    simulator: Simulator, connect: Connect, malformed: str, message: str
) -> None:
    """Every malformed body is an invalid-response error that says what was wrong."""
    simulator.world.faults.update({"malformed": malformed})
    with pytest.raises(EquiwattInvalidResponseError, match=message):
        await connect().get_equivents()


async def test_burst_is_coalesced_within_limits(
    simulator: Simulator, connect: Connect, freezer: FrozenDateTimeFactory
) -> None:
    """20 concurrent callers: 100 requests at once, then every 2 s for 2 minutes.

    Upstream: at most 10 calls in any 60 s, none closer than 1 s, no 429; every
    caller gets data, or at once the local rate-limited error once the minute's
    budget is spent.
    """
    simulator.world.start_now()
    gate = TokenGate()
    clients = [connect(gate=gate) for _ in range(20)]
    answers = 0
    declined = 0
    local: list[bool] = []

    async def round_of_requests(per_client: int) -> None:
        nonlocal answers

        async def caller(client: EquiwattClient) -> None:
            nonlocal answers, declined
            for _ in range(per_client):
                try:
                    snapshot = await client.get_equivents()
                except EquiwattRateLimitedError as err:
                    local.append(not err.from_server)
                    declined += 1
                else:
                    assert snapshot.live is not None
                answers += 1

        # Time is frozen: keep it moving while a caller waits its turn.
        done = asyncio.gather(*(caller(client) for client in clients))
        while not done.done():
            for _ in range(50):
                await asyncio.sleep(0)
            if not done.done():
                freezer.tick(timedelta(seconds=0.25))
        await done

    await round_of_requests(5)
    assert answers == 100
    assert len(simulator.world.log) == 1
    for _ in range(60):
        freezer.tick(timedelta(seconds=2))
        await round_of_requests(1)
    log = list(simulator.world.log)
    assert answers == 100 + 60 * 20
    assert declined < answers / 2
    assert all(local), "declined calls come from the local limiter, not from a 429"
    assert all(entry.status == 200 for entry in log)
    assert simulator.world.rate_violations() == []
    times = [entry.monotonic for entry in log]
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 1.0
    assert max(sum(1 for t in times if start <= t < start + 60) for start in times) <= 10
    logging.getLogger(__name__).warning(
        "1300 requests: %d upstream calls, %d declined locally", len(log), declined
    )


async def test_young_result_is_reused(simulator: Simulator, connect: Connect) -> None:
    """A caller that would have to wait gets a result younger than 5 s instead."""
    gate = TokenGate()
    first = await connect(gate=gate).get_equivents()
    second = await connect(gate=gate).get_equivents()
    assert second is first
    assert len(simulator.world.log) == 1


async def test_waiting_too_long_raises_instead(simulator: Simulator, connect: Connect) -> None:
    """A caller that would wait past max_wait, with nothing young to reuse, gets the error at once."""
    client = connect(max_wait=0.1)
    await client.get_equivents()
    with (
        patch("custom_components.equiwatt.api.rate_limit.REUSE_AGE", -1.0),
        pytest.raises(EquiwattRateLimitedError) as caught,
    ):
        await client.get_equivents()
    assert 0.5 < caught.value.retry_after <= 1.1
    assert not caught.value.from_server
    assert len(simulator.world.log) == 1
