"""`watch`: each start and end once, in time, and never over Equiwatt's limits."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
import shlex
from typing import Any

from aioequiwatt import (
    Equivent,
    EquiventsSnapshot,
    EquiwattClient,
    EquiwattError,
    EquiwattRateLimitedError,
    PollSchedule,
    Transition,
    TransitionDetector,
    TransitionKind,
    cli,
    watch_equivents,
)
import aiohttp
import pytest

from simulator import World
from tests.lib.conftest import TOKEN, LibSimulator, ShiftedClock, assert_within_limits

BOUNDARY = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)
FIRST = Equivent(BOUNDARY + timedelta(minutes=1))
SECOND = Equivent(BOUNDARY + timedelta(hours=1, minutes=1))


def snapshot(live: Equivent | None, *history: Equivent) -> EquiventsSnapshot:
    """Make a snapshot of a read."""
    return EquiventsSnapshot(live, history, BOUNDARY)


async def stop(task: asyncio.Task[Any]) -> None:
    """Cancel a task and wait for it to end."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def watch_for(
    url: str, seconds: float, *, max_wait: float = 10.0
) -> tuple[list[Transition], list[EquiwattError]]:
    """Watch with our token on a schedule that asks for a read every 50 ms; return what came."""
    transitions: list[Transition] = []
    errors: list[EquiwattError] = []

    async def collect(transition: Transition) -> None:
        transitions.append(transition)

    hammer = PollSchedule(slow=0.05, fast=0.05, min_gap=0.0)
    async with aiohttp.ClientSession() as session:
        client = EquiwattClient(session, TOKEN, base_url=url, max_wait=max_wait)
        task = asyncio.create_task(
            watch_equivents(client, collect, schedule=hammer, on_error=errors.append)
        )
        await asyncio.sleep(seconds)
        await stop(task)
    return transitions, errors


def kinds(transitions: list[Transition]) -> list[tuple[str, datetime, datetime | None]]:
    """Summarise transitions."""
    return [(t.kind, t.equivent.start, t.equivent.end) for t in transitions]


def test_detector_start_and_end() -> None:
    """A start, then its end with the end time from the history."""
    detector = TransitionDetector()
    assert detector.update(snapshot(None)) == []
    assert detector.expected_end() is None
    assert kinds(detector.update(snapshot(FIRST))) == [("started", FIRST.start, None)]
    assert detector.expected_end() == FIRST.start + timedelta(hours=1)
    assert detector.update(snapshot(FIRST)) == []
    finished = Equivent(FIRST.start, FIRST.start + timedelta(minutes=59))
    assert kinds(detector.update(snapshot(None, finished))) == [
        ("ended", FIRST.start, finished.end)
    ]


def test_detector_already_live_back_to_back_and_once() -> None:
    """Live at the first read is a start; back to back gives an end and a start; nothing twice."""
    detector = TransitionDetector()
    assert kinds(detector.update(snapshot(FIRST))) == [("started", FIRST.start, None)]
    assert kinds(detector.update(snapshot(SECOND))) == [
        ("ended", FIRST.start, None),
        ("started", SECOND.start, None),
    ]
    # One odd read that no longer shows it (nor lists it as finished) fires nothing.
    assert detector.update(snapshot(None)) == []
    assert detector.update(snapshot(SECOND)) == []
    # Two in a row end it; then the server flips back and forth: nothing fires twice.
    assert detector.update(snapshot(None)) == []
    assert detector.update(snapshot(None)) == [Transition(TransitionKind.ENDED, SECOND)]
    assert detector.update(snapshot(SECOND)) == []
    assert detector.update(snapshot(None)) == []
    assert detector.update(snapshot(None)) == []


def test_detector_expected_end_learns_from_history() -> None:
    """The expected end is the planned one, else the start plus the typical length."""
    detector = TransitionDetector()
    short = Equivent(BOUNDARY - timedelta(days=1), BOUNDARY - timedelta(days=1, minutes=-30))
    detector.update(snapshot(FIRST, short))
    assert detector.expected_end() == FIRST.start + timedelta(minutes=30)
    planned = Equivent(FIRST.start, FIRST.start + timedelta(minutes=45))
    detector.update(snapshot(planned, short))
    assert detector.expected_end() == planned.end


async def wait_for_lines(path: Path, count: int, timeout: float) -> list[str]:
    """Wait until a file has `count` lines."""
    async with asyncio.timeout(timeout):
        while not path.exists() or len(path.read_text().splitlines()) < count:
            await asyncio.sleep(0.05)
    return path.read_text().splitlines()


def reads_between(world: World, since: float, until: float) -> int:
    """How many reads the server answered between two moments of its clock."""
    return sum(1 for entry in world.log if since <= entry.time <= until and entry.status == 200)


async def test_watch_exec_reacts_at_once(
    lib_world: World, lib_sim: LibSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`watch --exec` runs the command at the start and at the end, each on the first read that shows it.

    The simulator and the watch share a clock that runs in real time from just before
    a half hour; the Equivent starts and ends a few seconds later, as Equivents do,
    and the server reports it live in its buggy shape (no `current_event`). How soon
    the schedule reads after a moment is its own property (tests/lib/test_schedule.py)
    and measured by `scripts/bench polling`; here the count of reads shows that the
    watch acts on the first one, whatever the machine's load.
    """
    clock = ShiftedClock(BOUNDARY + timedelta(seconds=57))
    lib_world.clock = clock
    lib_world.faults.server_bug = True
    start = (BOUNDARY + timedelta(seconds=60)).timestamp()
    lib_world.schedule(start, start + 6)
    log = tmp_path / "transitions.txt"
    command = (
        f'echo "$EQUIWATT_EVENT $EQUIWATT_START $EQUIWATT_END ${{EQUIWATT_TOKEN:-no-token}}"'
        f" >> {shlex.quote(str(log))}"
    )
    watch = asyncio.create_task(cli.run(["watch", "--exec", command], clock=clock.now))
    try:
        seen: list[float] = []
        for count in (1, 2):
            await wait_for_lines(log, count, 40)
            seen.append(clock())
    finally:
        await stop(watch)
    iso = datetime.fromtimestamp(start, UTC).isoformat()
    end_iso = datetime.fromtimestamp(start + 6, UTC).isoformat()
    assert log.read_text().splitlines() == [
        f"started {iso}  no-token",
        f"ended {iso} {end_iso} no-token",
    ]
    assert reads_between(lib_world, start, seen[0]) == 1
    assert reads_between(lib_world, start + 6, seen[1]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"started {iso} -", f"ended {iso} {end_iso}"]
    assert err == ""
    assert TOKEN not in out
    assert_within_limits(lib_world)


async def test_watch_warns_once_and_goes_on(
    lib_world: World, lib_sim: LibSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failing read is said once, in one line, and the watch goes on to report the start."""
    lib_world.start_now()
    lib_world.faults.update({"status": 503, "remaining": 1})
    outputs: list[str] = []
    warned: list[str] = []

    async def capture(transition: Transition) -> None:
        outputs.append(transition.kind)

    async with aiohttp.ClientSession() as session:
        # A fast schedule, so that the read after the failure comes at once.
        fast = PollSchedule(slow=1.0, fast=1.0, min_gap=0.0)
        task = asyncio.create_task(
            watch_equivents(
                EquiwattClient(session, TOKEN, base_url=lib_sim.url),
                capture,
                schedule=fast,
                on_error=lambda e: warned.append(str(e)),
            )
        )
        async with asyncio.timeout(10):
            while not outputs:
                await asyncio.sleep(0.05)
        await stop(task)
    assert warned == ["Equiwatt answered a server error (HTTP 503)"]
    assert outputs == ["started"]
    lib_world.faults.update({"status": 503, "remaining": None})
    await asyncio.sleep(1.2)  # past Equiwatt's spacing: the command's own gate reads at once
    watch = asyncio.create_task(cli.run(["watch"]))
    await asyncio.sleep(0.5)  # one read; the schedule's next is at least 2 s away
    await stop(watch)
    err = capsys.readouterr().err
    assert (
        err == "aioequiwatt: warning: Equiwatt answered a server error (HTTP 503); still watching\n"
    )


async def test_watch_json_lines(
    lib_world: World, lib_sim: LibSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """`watch --json`: one JSON object a line."""
    lib_world.start_now()
    watch = asyncio.create_task(cli.run(["watch", "--json"]))
    async with asyncio.timeout(10):
        while not (out := capsys.readouterr().out):
            await asyncio.sleep(0.05)
    await stop(watch)
    assert '"event": "started"' in out
    assert '"end": null' in out


async def test_watch_stops_on_rejected_token(
    lib_sim: LibSimulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rejected token ends the watch: exit 2, one line."""
    monkeypatch.setenv("EQUIWATT_TOKEN", "revoked-token")
    assert await cli.run(["watch", "--slow", "300"]) == 2
    assert capsys.readouterr().err == "aioequiwatt: error: Equiwatt rejected the token (HTTP 401)\n"


async def test_exec_failures_are_reported(
    lib_world: World, lib_sim: LibSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """A command that fails is reported in one line and the watch goes on."""
    lib_world.start_now()
    watch = asyncio.create_task(cli.run(["watch", "--exec", "exit 3"]))
    async with asyncio.timeout(10):
        while "exited" not in (err := capsys.readouterr().err):
            await asyncio.sleep(0.05)
    assert not watch.done()
    await stop(watch)
    assert err == "aioequiwatt: the --exec command exited with 3 (started)\n"


async def test_watch_never_exceeds_the_limits(lib_world: World, lib_sim: LibSimulator) -> None:
    """However often a schedule asks, the gate lets at most 1 call a second and 10 a minute through."""
    _, errors = await watch_for(lib_sim.url, 12.0)
    assert 8 <= len(lib_world.log) <= 10
    assert_within_limits(lib_world)
    assert all(isinstance(e, EquiwattRateLimitedError) and not e.from_server for e in errors)


async def test_watch_waits_as_long_as_the_gate_says(
    lib_world: World, lib_sim: LibSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client that may not wait is refused by the gate; the watch sleeps the time it names."""
    monkeypatch.setattr("aioequiwatt.rate_limit.REUSE_AGE", -1.0)  # no reuse of young results
    lib_world.start_now()
    transitions, errors = await watch_for(lib_sim.url, 2.5, max_wait=0.0)
    assert [t.kind for t in transitions] == ["started"]
    assert errors
    assert all(isinstance(e, EquiwattRateLimitedError) and not e.from_server for e in errors)
    assert all(0 < e.retry_after <= 1.1 for e in errors if isinstance(e, EquiwattRateLimitedError))
    assert 2 <= len(lib_world.log) <= 3  # 1.1 s apart: at 0, 1.1 and 2.2 s
