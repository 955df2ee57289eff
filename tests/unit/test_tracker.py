"""The transition tracker, without Home Assistant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings, strategies as st

from custom_components.equiwatt.api import Equivent, EquiventsSnapshot, TransitionKind
from custom_components.equiwatt.tracker import Tracker
from custom_components.equiwatt.tracker_store import tracker_from_dict, tracker_to_dict
from custom_components.equiwatt.webhook_call import Intent

T0 = datetime(2026, 11, 20, 17, 1, 5, tzinfo=UTC)
MIN = timedelta(minutes=1)


def snap(live: Equivent | None = None, *history: Equivent, at: datetime = T0) -> EquiventsSnapshot:
    """Build an API snapshot."""
    return EquiventsSnapshot(live, tuple(history), at)


def ready() -> Tracker:
    """Return a tracker past its baseline read."""
    tracker = Tracker()
    assert tracker.apply_snapshot(snap(), T0 - 10 * MIN) == []
    return tracker


def test_baseline_is_silent() -> None:
    """The first read after a start fires nothing, live or not."""
    tracker = Tracker()
    assert tracker.apply_snapshot(snap(Equivent(T0)), T0) == []
    assert tracker.live is not None
    assert (
        tracker.apply_snapshot(snap(None, Equivent(T0, T0 + 60 * MIN)), T0 + 61 * MIN)[0].kind
        is TransitionKind.ENDED
    )


def test_poll_then_new_equivent_replaces_old() -> None:
    """If a new Equivent shows up before the old one's end was seen, the old ends and the new starts."""
    tracker = ready()
    tracker.apply_snapshot(snap(Equivent(T0)), T0)
    second = T0 + 3 * 60 * MIN
    transitions = tracker.apply_snapshot(snap(Equivent(second)), second + MIN)
    assert [t.kind for t in transitions] == [Intent.ENDED, Intent.STARTED]
    assert transitions[0].equivent == Equivent(T0, second)


def test_provisional_start_matched_in_history() -> None:
    """A webhook start the polls never saw live is matched to the API's finished record."""
    tracker = ready()
    tracker.apply_webhook(Intent.STARTED, T0 + timedelta(seconds=30))
    real = Equivent(T0, T0 + 59 * MIN)
    transitions = tracker.apply_snapshot(snap(None, real, at=T0 + 62 * MIN), T0 + 62 * MIN)
    assert [t.kind for t in transitions] == [Intent.ENDED]
    assert transitions[0].equivent == real
    assert tracker.data().history == (real,)


def test_webhook_history_replaced_by_api() -> None:
    """A webhook-only Equivent in history gives way to the API's record of it."""
    tracker = ready()
    tracker.apply_webhook(Intent.STARTED, T0 + MIN)
    tracker.apply_webhook(Intent.ENDED, T0 + 60 * MIN)
    assert tracker.data().history[0].start == T0 + MIN
    real = Equivent(T0, T0 + 59 * MIN)
    tracker.apply_snapshot(snap(None, real, at=T0 + 70 * MIN), T0 + 70 * MIN)
    assert tracker.data().history == (real,)


def test_expected_end() -> None:
    """Planned end, else the median of recent durations, else an hour."""
    tracker = ready()
    tracker.apply_snapshot(snap(Equivent(T0)), T0)
    assert tracker.expected_end() == T0 + 60 * MIN
    tracker = ready()
    tracker.apply_snapshot(snap(None, Equivent(T0 - 1440 * MIN, T0 - 1390 * MIN)), T0)
    tracker.apply_snapshot(snap(Equivent(T0, T0 + 45 * MIN)), T0 + MIN)
    assert tracker.expected_end() == T0 + 45 * MIN
    tracker.live.planned_end = None  # type: ignore[union-attr]
    assert tracker.expected_end() == T0 + 50 * MIN


def test_round_trip_through_storage() -> None:
    """What is saved restores to the same state, and the restored tracker reads a baseline."""
    tracker = ready()
    tracker.apply_snapshot(snap(None, Equivent(T0 - 1440 * MIN, T0 - 1380 * MIN)), T0)
    tracker.apply_webhook(Intent.STARTED, T0 + MIN)
    restored = tracker_from_dict(tracker_to_dict(tracker))
    assert restored.data() == tracker.data()
    assert restored.override == tracker.override
    assert restored.fired == tracker.fired
    assert restored.last_source == tracker.last_source
    assert not restored.baseline_done


events = st.lists(
    st.tuples(
        st.sampled_from(["poll", "webhook_started", "webhook_ended", "webhook_ping"]),
        st.integers(1, 600),
    ),
    max_size=60,
)


@settings(max_examples=400, deadline=None)
@given(steps=events, starts=st.lists(st.integers(0, 20), min_size=1, max_size=4, unique=True))
def test_exactly_once_in_any_mix(steps: list[tuple[str, int]], starts: list[int]) -> None:
    """For any mix and order of polls and webhooks, each Equivent fires each transition at most once."""
    equivents = [
        Equivent(T0 + k * 180 * MIN, T0 + k * 180 * MIN + 60 * MIN) for k in sorted(starts)
    ]

    def api_at(moment: datetime) -> EquiventsSnapshot:
        live = next((e for e in equivents if e.start <= moment < e.end), None)  # type: ignore[operator]
        done = tuple(e for e in reversed(equivents) if e.end <= moment)  # type: ignore[operator]
        return snap(None if live is None else Equivent(live.start), *done, at=moment)

    tracker = ready()
    now = T0 - 5 * MIN
    fired: list[tuple[Intent, datetime]] = []
    for action, seconds in steps:
        now += timedelta(seconds=seconds * 10)
        if action == "poll":
            fired += [(t.kind, t.equivent.start) for t in tracker.apply_snapshot(api_at(now), now)]
        else:
            intent = Intent(action.removeprefix("webhook_"))
            fired += [(t.kind, t.equivent.start) for t in tracker.apply_webhook(intent, now)]
    assert len(fired) == len(set(fired))
    for _ in range(2):
        now += 10 * MIN
        fired += [(t.kind, t.equivent.start) for t in tracker.apply_snapshot(api_at(now), now)]
    # Once polls settle, the state matches the API.
    assert (tracker.live is not None) == (api_at(now).live is not None)


def test_ended_holds_only_against_the_same_equivent() -> None:
    """After an `ended`, a read still showing that Equivent is overruled; a later one starts."""
    tracker = ready()
    first = Equivent(T0)
    tracker.apply_snapshot(snap(first), T0 + MIN)
    end = T0 + 60 * MIN
    assert [t.kind for t in tracker.apply_webhook(Intent.ENDED, end)] == [Intent.ENDED]
    # The API lags: the first is still live there. Overruled, nothing fires.
    assert tracker.apply_snapshot(snap(first, at=end), end + timedelta(seconds=1)) == []
    assert tracker.live is None
    assert tracker.holding(end + timedelta(seconds=1))
    # A `started` seconds later is checked, not trusted blindly.
    assert tracker.apply_webhook(Intent.STARTED, end + timedelta(seconds=20)) == []
    assert tracker.to_check is not None
    # The API shows the second Equivent: it starts at once, once.
    second = Equivent(end + timedelta(seconds=15))
    read_at = end + timedelta(seconds=21)
    transitions = tracker.apply_snapshot(snap(second, at=read_at), read_at)
    assert [(t.kind, t.equivent.start) for t in transitions] == [(Intent.STARTED, second.start)]
    assert tracker.to_check is None
    assert not tracker.holding(read_at)
    assert tracker.apply_snapshot(snap(second), end + timedelta(seconds=40)) == []


def test_override_with_its_equivent_survives_storage() -> None:
    """The saved override still tells the ended Equivent from a new one after a restart."""
    tracker = ready()
    tracker.apply_webhook(Intent.STARTED, T0)
    end = T0 + 60 * MIN
    tracker.apply_webhook(Intent.ENDED, end)
    restored = tracker_from_dict(tracker_to_dict(tracker))
    assert restored.override == tracker.override
    assert restored.override is not None
    assert restored.override.provisional
    # The real start of the ended one (before the guess) is still "the same Equivent".
    assert restored.override.contradicted_by(Equivent(T0 - timedelta(seconds=40)))
    assert not restored.override.contradicted_by(Equivent(end + timedelta(seconds=30)))


gaps = st.lists(st.integers(3, 120), min_size=1, max_size=4)
b2b_steps = st.lists(
    st.tuples(
        st.sampled_from(["poll", "webhook_started", "webhook_ended", "restart"]),
        st.integers(1, 90),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(gaps=gaps, lag=st.integers(0, 60), steps=b2b_steps)
def test_exactly_once_back_to_back_with_a_lagging_api(
    gaps: list[int], lag: int, steps: list[tuple[str, int]]
) -> None:
    """Back-to-back Equivents, an API that lags, webhooks in any order, restarts: once each."""
    equivents: list[Equivent] = []
    start = T0
    for gap in gaps:
        end = start + 59 * MIN
        equivents.append(Equivent(start, end))
        start = end + timedelta(seconds=gap)

    def api_at(moment: datetime) -> EquiventsSnapshot:
        seen = moment - timedelta(seconds=lag)
        live = next((e for e in equivents if e.start <= seen < e.end), None)  # type: ignore[operator]
        done = tuple(e for e in reversed(equivents) if e.end <= seen)  # type: ignore[operator]
        return snap(None if live is None else Equivent(live.start), *done, at=moment)

    tracker = ready()
    now = T0 - 2 * MIN
    fired: list[tuple[Intent, datetime]] = []
    for action, seconds in steps:
        now += timedelta(seconds=seconds * 20)
        if action == "poll":
            fired += [(t.kind, t.equivent.start) for t in tracker.apply_snapshot(api_at(now), now)]
        elif action == "restart":
            tracker = tracker_from_dict(tracker_to_dict(tracker))
            tracker.apply_snapshot(api_at(now), now)
        else:
            intent = Intent(action.removeprefix("webhook_"))
            fired += [(t.kind, t.equivent.start) for t in tracker.apply_webhook(intent, now)]
    assert len(fired) == len(set(fired)), fired
    for _ in range(3):
        now += 6 * MIN
        fired += [(t.kind, t.equivent.start) for t in tracker.apply_snapshot(api_at(now), now)]
    assert len(fired) == len(set(fired)), fired
    assert (tracker.live is not None) == (api_at(now).live is not None)
