"""A simulated week of random Equivents and faults, through Home Assistant.

The real coordinator polls the simulator over real HTTP and webhooks arrive
over Home Assistant's real webhook path; the frozen clock jumps to the next
due timer, so the week replays in about a minute. Faults: timeouts, 5xx, HTML,
malformed JSON, 429 with and without Retry-After, a revoked token then a new
one, webhook storms, duplicated, reordered and missing webhook calls, and
restarts (one mid-Equivent, one across a whole Equivent).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
import logging
import random
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.equiwatt.const import DOMAIN
from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from simulator import World
from simulator.world import SimEquivent
from tests.conftest import TOKEN, WEBHOOK_ID, Simulator, start_simulator
from tests.integration.helpers import BINARY, LAST_START, fired_events
from tests.timing import jump, seconds_to_next_timer, settle

pytestmark = [pytest.mark.soak, pytest.mark.timeout(900)]

SEED = 2026
DAY = 86400.0
WEEK_START = dt_util.parse_datetime("2026-11-02T00:00:00+00:00")
NEW_TOKEN = "eqw-rotated-token-5a1e"
FAULTS: list[dict[str, Any]] = [
    {"status": 500},
    {"status": 503, "html": True},
    {"malformed": "truncated"},
    {"malformed": "not_json"},
    {"malformed": "html"},
    {"malformed": "success_false"},
    {"delay": 30.0},
    {"status": 429, "retry_after": 120},
    {"status": 429, "retry_after": None},
]


@dataclass
class Plan:
    """What happens when, in Unix seconds."""

    equivents: list[SimEquivent]
    faults: list[tuple[float, dict[str, Any]]]
    webhook_calls: list[tuple[float, str, int]]  # time, intent, copies
    downtimes: list[tuple[float, float]]
    token_outage: tuple[float, float]
    actions: list[tuple[float, str, Any]] = field(default_factory=list)


def make_plan(rng: random.Random) -> Plan:
    """Plan a week: about one Equivent a day, mostly half-hour aligned, with faults between."""
    start = WEEK_START.timestamp() + 3600
    equivents: list[SimEquivent] = []
    for day in range(7):
        if rng.random() < 0.75:
            boundary = start + day * DAY + rng.randrange(8, 40) * 1800
            begin = boundary + rng.uniform(60, 130)
            length = rng.uniform(3500, 3600)
        else:
            begin = start + day * DAY + rng.uniform(4 * 3600, 20 * 3600)
            length = rng.uniform(1800, 5400)
        equivents.append(SimEquivent(round(begin), round(begin + length)))
    webhook_calls: list[tuple[float, str, int]] = []
    for index, event in enumerate(equivents):
        kind = index % 4
        assert event.end is not None
        if kind == 0:  # a storm of duplicates at the start, one call at the end
            webhook_calls += [(event.start + 1, "started", 30), (event.end + 1, "ended", 1)]
        elif kind == 1:  # end first, then a late duplicate start (reordered)
            webhook_calls += [(event.start + 2, "started", 1), (event.end + 1, "ended", 2)]
            webhook_calls += [(event.end + 20, "started", 1)]
        elif kind == 2:  # no webhook at all: polling alone
            pass
        else:  # start missed, end arrives twice
            webhook_calls += [(event.end + 1, "ended", 1), (event.end + 3, "ended", 1)]
    faults = [
        (
            start + hour * 3600 + rng.uniform(0, 3000),
            {**rng.choice(FAULTS), "remaining": rng.randint(1, 4)},
        )
        for hour in range(0, 7 * 24, 5)
    ]
    # Day 6's Equivent has a back-to-back follower 20 s after it ends, while the
    # API lags 15 s behind the webhook; both transitions come by webhook, the
    # follower's `started` twice.
    last = equivents[6]
    assert last.end is not None
    follower = SimEquivent(last.end + 20, last.end + 20 + round(rng.uniform(3500, 3600)))
    equivents.append(follower)
    assert follower.end is not None
    webhook_calls += [
        (last.end + 1, "ended", 1),
        (follower.start + 1, "started", 2),
        (follower.end + 1, "ended", 1),
    ]
    faults += [(last.end - 30, {"api_lag": 15}), (follower.start + 600, {"api_lag": 0})]
    # Demo triggers to a `?event=test` URL, now and then: pings, never transitions.
    webhook_calls += [(start + rng.uniform(0, 7 * DAY), "test", 1) for _ in range(6)]
    # Restart mid-Equivent (day 2), and a downtime across the whole Equivent of day 4.
    mid = equivents[2]
    whole = equivents[4]
    assert mid.end is not None and whole.end is not None
    downtimes = [
        (mid.start + 600, mid.start + 900),
        (whole.start - 1800, whole.end + 1800),
    ]
    # The token is revoked in the quiet hours after day 5's Equivent, and replaced.
    quiet = equivents[5].end + 3 * 3600  # type: ignore[operator]
    return Plan(equivents, faults, webhook_calls, downtimes, (quiet, quiet + 3600))


@pytest.fixture
async def soak_simulator(
    sim_world: World, socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Simulator]:
    """Run the simulator without its 0.2 s webhook loop (the driver sends the calls)."""
    runner, url = await start_simulator(sim_world, webhook_loop=False)
    monkeypatch.setenv("EQUIWATT_API_URL", url)
    yield Simulator(sim_world, url)
    await runner.cleanup()


async def test_a_week_of_faults(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    soak_simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Limits hold, each Equivent fires once, nothing fires for downtime, the state ends right."""
    rng = random.Random(SEED)
    plan = make_plan(rng)
    world = soak_simulator.world
    world.equivents = plan.equivents
    freezer.move_to(WEEK_START)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Equiwatt",
        data={CONF_API_TOKEN: TOKEN, "webhook_id": WEBHOOK_ID},
        unique_id="soak",
    )
    entry.add_to_hass(hass)
    timeline: list[tuple[float, str, Any]] = [(t, "fault", f) for t, f in plan.faults]
    timeline += [(t, "webhook", (intent, copies)) for t, intent, copies in plan.webhook_calls]
    for down, up in plan.downtimes:
        timeline += [(down, "stop", None), (up, "start", None)]
    timeline += [(plan.token_outage[0], "revoke", None), (plan.token_outage[1], "new_token", None)]
    timeline.sort(key=lambda item: item[0])
    end_of_week = WEEK_START.timestamp() + 7 * DAY + 2 * 3600
    up = True
    fired_at: list[tuple[float, str, str]] = []

    with caplog.at_level(logging.INFO), fired_events() as fired:
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        client = await hass_client_no_auth()

        def now() -> float:
            return dt_util.utcnow().timestamp()

        while now() < end_of_week:
            due = timeline[0][0] if timeline else end_of_week
            await jump(hass, freezer, min(seconds_to_next_timer(hass) + 0.001, due - now()))
            seen = len(fired_at)
            while timeline and timeline[0][0] <= now():
                _, action, value = timeline.pop(0)
                if action == "fault":
                    world.faults.update(value)
                elif action == "webhook" and up:
                    intent, copies = value
                    replies = await asyncio.gather(
                        *(
                            client.post(f"/api/webhook/{WEBHOOK_ID}", params={"event": intent})
                            for _ in range(copies)
                        )
                    )
                    assert all(reply.status == 200 for reply in replies)
                elif action == "stop":
                    assert await hass.config_entries.async_unload(entry.entry_id)
                    up = False
                elif action == "start":
                    world.faults = type(world.faults)()
                    assert await hass.config_entries.async_setup(entry.entry_id)
                    up = True
                elif action == "revoke":
                    world.tokens = {NEW_TOKEN}
                elif action == "new_token":
                    [flow] = [
                        f
                        for f in hass.config_entries.flow.async_progress()
                        if f["context"]["source"] == "reauth"
                    ]
                    result = await hass.config_entries.flow.async_configure(
                        flow["flow_id"], {CONF_API_TOKEN: NEW_TOKEN}
                    )
                    assert result["reason"] == "reauth_successful"
                await settle(hass)
            fired_at += [(now(), kind, attrs["start"]) for kind, attrs in fired[seen:]]

    # Rate limits: never exceeded, never refused.
    assert world.rate_violations() == []
    assert world.rate_rejections == 0
    # Each Equivent fired `started` and `ended` exactly once, or not at all when
    # Home Assistant was down through it; nothing else fired.
    down_through = [
        e
        for e in plan.equivents
        if any(d <= e.start and e.end <= u for d, u in plan.downtimes)  # type: ignore[operator]
    ]
    for event in plan.equivents:
        assert event.end is not None
        # Events belong to the Equivent whose time holds their start (a webhook's
        # provisional start is its arrival, a second or so late).
        mine = [
            kind
            for _, kind, begun in fired_at
            if event.start - 60 <= dt_util.parse_datetime(begun).timestamp() < event.end  # type: ignore[union-attr]
        ]
        expected = [] if event in down_through else ["started", "ended"]
        if event is plan.equivents[2]:
            expected = ["started", "ended"]  # restarted in the middle: no repeat
        assert mine == expected, (event, mine)
    assert len(fired_at) == 2 * (len(plan.equivents) - len(down_through))
    # The state is right once the faults stop.
    assert hass.states.get(BINARY).state == "off"
    last = max(plan.equivents, key=lambda e: e.start)
    assert hass.states.get(LAST_START).state == dt_util.utc_from_timestamp(last.start).isoformat()
    # No unhandled exception of ours, and the token never in the log.
    ours = [r for r in caplog.records if r.name.startswith("custom_components")]
    assert not [
        r
        for r in ours
        if r.exc_info or r.levelno >= logging.ERROR and "Traceback" in r.getMessage()
    ]
    assert "Unexpected error" not in caplog.text
    assert "Task exception was never retrieved" not in caplog.text
    assert TOKEN not in caplog.text
    assert NEW_TOKEN not in caplog.text
    logging.getLogger(__name__).warning(
        "soak: %d API calls, %d events fired, %d Equivents (%d while down)",
        world.request_count,
        len(fired_at),
        len(plan.equivents),
        len(down_through),
    )
