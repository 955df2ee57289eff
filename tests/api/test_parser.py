"""Tolerant parsing of the Equivents response (design.md item 7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.equiwatt.api import EquiwattInvalidResponseError, parse_equivents, parse_time
from tests.conftest import FUZZ_EXAMPLES
from tests.hostile import equivents_bodies, plain

NOW = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)
T0 = int(datetime(2026, 11, 20, 16, 1, 2, tzinfo=UTC).timestamp())
SAMPLE = (
    '{"success":true,"msg":null,"data":{"current_event":null,"previous_events":['
    '{"start_time":1670601661,"end_time":null},'
    '{"start_time":1670403676,"end_time":1670407262}]}}'
)


def body(current: Any = None, previous: Any = (), **top: Any) -> bytes:
    """Build a response body."""
    payload = {
        "success": True,
        "msg": None,
        "data": {"current_event": current, "previous_events": list(previous)},
    }
    payload.update(top)
    return json.dumps(payload).encode()


def test_sample_verbatim() -> None:
    """The captured sample: the open-ended previous event is live."""
    snapshot = parse_equivents(SAMPLE.encode(), datetime(2022, 12, 9, 16, 30, tzinfo=UTC))
    assert snapshot.live is not None
    assert snapshot.live.start == datetime(2022, 12, 9, 16, 1, 1, tzinfo=UTC)
    assert len(snapshot.history) == 1


@pytest.mark.parametrize(
    "value",
    [
        T0,
        float(T0),
        str(T0),
        f" {T0} ",
        T0 * 1000,
        str(T0 * 1000),
        "2026-11-20T16:01:02Z",
        "2026-11-20T16:01:02+00:00",
        "2026-11-20T16:01:02",
        "2026-11-20T17:01:02+01:00",
    ],
)
def test_time_formats(value: object) -> None:
    """Seconds, milliseconds, numeric strings and ISO all read the same."""
    assert parse_time(value) == datetime.fromtimestamp(T0, UTC)


@pytest.mark.parametrize("value", [None, True, [], {}, "", "soon", -5, 0, float("nan"), 1e300])
def test_bad_times(value: object) -> None:
    """What is not a time is refused."""
    with pytest.raises(ValueError):
        parse_time(value)


def test_both_live_shapes_agree() -> None:
    """current_event and the server bug give the same live Equivent."""
    finished = {"start_time": T0 - 86400, "end_time": T0 - 86400 + 3600}
    fixed = parse_equivents(body({"start_time": T0}, [finished]), NOW)
    buggy = parse_equivents(body(None, [{"start_time": T0, "end_time": None}, finished]), NOW)
    assert fixed.live == buggy.live
    assert fixed.history == buggy.history


def test_planned_end_and_duplicates() -> None:
    """A planned end is kept; the live one and duplicates are not repeated in history."""
    planned = T0 + 3600
    snapshot = parse_equivents(
        body(
            {"start_time": T0, "end_time": planned},
            [
                {"start_time": T0, "end_time": None},
                {"start_time": T0 - 7200, "end_time": T0 - 3600},
                {"start_time": T0 - 7200, "end_time": T0 - 3600},
            ],
        ),
        NOW,
    )
    assert snapshot.live is not None
    assert snapshot.live.end == datetime.fromtimestamp(planned, UTC)
    assert len(snapshot.history) == 1


@pytest.mark.parametrize(
    ("event", "warning"),
    [
        ({"start_time": T0, "end_time": T0 - 60}, "ends before it starts"),
        ({"start_time": int(NOW.timestamp()) + 3600, "end_time": None}, "in the future"),
    ],
)
def test_odd_events_dropped_with_warning(event: dict[str, Any], warning: str) -> None:
    """Events that end before they start or lie in the future are dropped, with a warning."""
    good = {"start_time": T0 - 86400, "end_time": T0 - 86400 + 3600}
    snapshot = parse_equivents(body(None, [event, good]), NOW)
    assert snapshot.live is None
    assert len(snapshot.history) == 1
    assert warning in snapshot.warnings[0]
    as_current = parse_equivents(body(event, [good]), NOW)
    assert as_current.live is None
    assert warning in as_current.warnings[0]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<!DOCTYPE html><html>502</html>", "HTML"),
        (b"", "empty"),
        (b"\xff\xfe", "UTF-8"),
        (b"[1, 2]", "JSON object"),
        (b'{"success": false, "msg": "Token expired"}', "Token expired"),
        (b'{"success": "yes", "data": {}}', "success"),
        (b'{"success": true}', "no 'data'"),
        (b'{"success": true, "data": {}}', "neither"),
        (b'{"data": {"current_event": 5}}', "not an object"),
        (b'{"data": {"previous_events": "none"}}', "not a list"),
        (b'{"data": {"previous_events": [7]}}', r"previous_events\[0\] is not an object"),
        (b'{"data": {"previous_events": [{"end_time": 1}]}}', "no 'start_time'"),
        (b'{"data": {"current_event": {"start_time": "later"}}}', "not a time"),
        pytest.param(b"[" * 200_000, "nested too deeply", id="200000-deep"),
        pytest.param(
            b'{"data": {"current_event": ' + b"[" * 200_000, "nested too deeply", id="deep-inside"
        ),
        pytest.param(
            b'{"data": {"current_event": {"start_time": ' + b"9" * 400 + b"}}}",
            "huge number",
            id="too-big-for-a-float",
        ),
        (b'{"data": {"current_event": {"start_time": "9999-12-31T23:59:59-23:59"}}}', "range"),
        (b'{"data": {"current_event": {"start_time": NaN}}}', "nan is not a time"),
        pytest.param(
            b'{"data": {"current_event": {"start_time": "' + b"7" * 5000 + b'"}}}',
            r"7\.\.\. is not a time$",
            id="long-number-cut-short",
        ),
        (b'{"success": [[[[]]]], "msg": {"a": 1}}', "success=a list$"),
    ],
)
def test_invalid_responses(raw: bytes, message: str) -> None:
    """Each structural fault is an error that says what was wrong."""
    with pytest.raises(EquiwattInvalidResponseError, match=message):
        parse_equivents(raw, NOW)


times = st.one_of(
    st.integers(-10, 2 * 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=25),
    st.none(),
    st.booleans(),
)
events = st.fixed_dictionaries({"start_time": times}, optional={"end_time": times})
shaped = st.builds(
    lambda current, previous, success: json.dumps(
        {
            "success": success,
            "msg": None,
            "data": {"current_event": current, "previous_events": previous},
        }
    ).encode(),
    st.none() | events | plain,
    st.lists(events | plain, max_size=12) | plain,
    st.sampled_from([True, True, False, None, "true"]),
)


@pytest.mark.soak
@settings(max_examples=FUZZ_EXAMPLES, deadline=None)
@given(
    raw=st.binary(max_size=200)
    | plain.map(lambda v: json.dumps(v).encode())
    | shaped
    | equivents_bodies()
)
def test_fuzz_parser_raises_only_its_own_error(raw: bytes) -> None:
    """Whatever arrives, hostile or not, the parser returns a sane snapshot or its own error."""
    try:
        snapshot = parse_equivents(raw, NOW)
    except EquiwattInvalidResponseError:
        return
    starts = [e.start for e in snapshot.history]
    assert starts == sorted(starts, reverse=True)
    assert len(set(starts)) == len(starts)
    for equivent in snapshot.history:
        assert equivent.end is not None
        assert equivent.start < equivent.end <= NOW
    if snapshot.live is not None:
        assert snapshot.live.start <= NOW + timedelta(minutes=5)
        assert snapshot.live.start not in starts
