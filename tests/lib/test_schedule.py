"""The adaptive poll schedule, without Home Assistant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aioequiwatt.schedule import PollSchedule
from hypothesis import given, settings, strategies as st

BOUNDARY = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)


def poll_times(
    schedule: PollSchedule, start: datetime, hours: float, **kwargs: object
) -> list[datetime]:
    """Simulate the poll times the schedule gives over a span."""
    times = []
    now = start
    end = start + timedelta(hours=hours)
    while now < end:
        now += timedelta(seconds=schedule.next_delay(now, **kwargs))  # type: ignore[arg-type]
        times.append(now)
    return times


def test_fast_after_boundaries_slow_between() -> None:
    """Every 12 s just after each half hour, every 120 s otherwise."""
    schedule = PollSchedule()
    assert schedule.next_delay(BOUNDARY + timedelta(seconds=30)) <= 12
    assert schedule.next_delay(BOUNDARY + timedelta(minutes=10)) > 60
    times = poll_times(schedule, BOUNDARY - timedelta(minutes=5), 1)
    window = [t for t in times if BOUNDARY <= t <= BOUNDARY + timedelta(seconds=180)]
    assert len(window) >= 14
    assert len(times) <= 75


def test_push_trusted_relaxes() -> None:
    """With push working, only the slow interval remains."""
    schedule = PollSchedule()
    relaxed = poll_times(schedule, BOUNDARY, 2, push_trusted=True)
    assert len(relaxed) <= 61
    assert min(b - a for a, b in zip(relaxed, relaxed[1:], strict=False)) >= timedelta(seconds=100)


def test_fast_near_expected_end() -> None:
    """Near the expected end of a live Equivent the schedule is fast, wherever that falls."""
    schedule = PollSchedule()
    end = BOUNDARY + timedelta(minutes=13)
    assert schedule.next_delay(end - timedelta(seconds=5), expected_end=end) <= 12
    assert schedule.next_delay(end - timedelta(seconds=5)) > 12


def test_phase_spreads_installations() -> None:
    """Different phases poll at different seconds."""
    now = BOUNDARY + timedelta(minutes=10)
    delays = {round(PollSchedule(phase=p / 10).next_delay(now), 3) for p in range(10)}
    assert len(delays) == 10


@settings(max_examples=300, deadline=None)
@given(
    offset=st.floats(0, 7 * 86400, allow_nan=False),
    phase=st.floats(0, 0.999),
    slow=st.integers(60, 900),
    push=st.booleans(),
    live=st.booleans(),
)
def test_delays_always_sane(offset: float, phase: float, slow: int, push: bool, live: bool) -> None:
    """Whatever the moment, the delay is at least the minimum gap and at most the slow interval."""
    schedule = PollSchedule(slow=slow, phase=phase)
    now = BOUNDARY + timedelta(seconds=offset)
    expected_end = now + timedelta(minutes=20) if live else None
    delay = schedule.next_delay(now, expected_end=expected_end, push_trusted=push)
    assert schedule.min_gap <= delay <= slow + schedule.min_gap
