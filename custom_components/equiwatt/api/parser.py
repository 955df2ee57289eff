"""Tolerant parsing of the Equivents response.

Structural faults (not JSON, `success: false`, missing or wrongly typed
fields) raise `EquiwattInvalidResponseError`, so that the caller keeps its last
good data. Events that make no sense on their own (ending before they start,
starting in the future) are dropped with a warning in the snapshot.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
import math
from typing import Any

from .errors import EquiwattInvalidResponseError
from .models import Equivent, EquiventsSnapshot

# Unix times above this are taken as milliseconds (10^11 s is the year 5138).
MILLISECONDS_THRESHOLD = 10**11
# Clocks differ: a start up to this far ahead of ours is still accepted.
CLOCK_SKEW = timedelta(minutes=5)


class InvalidTimeError(ValueError):
    """A value that is not a usable point in time."""


def parse_time(value: object) -> datetime:
    """Read a time given as Unix seconds or milliseconds (number or string) or ISO 8601."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidTimeError(f"{type(value).__name__} is not a time")
    if isinstance(value, str):
        text = value.strip()
        try:
            seconds = float(text)
        except ValueError:
            return _parse_iso(text)
    else:
        try:
            seconds = float(value)
        except OverflowError:
            seconds = math.inf
    if not math.isfinite(seconds) or seconds <= 0:
        raise InvalidTimeError(f"{_brief(value)} is not a time")
    if seconds > MILLISECONDS_THRESHOLD:
        seconds /= 1000
    try:
        return datetime.fromtimestamp(round(seconds), UTC)
    except (OverflowError, OSError, ValueError) as err:
        raise InvalidTimeError(f"{_brief(value)} is out of range") from err


def _brief(value: object) -> str:
    """Show a JSON value in an error message, cut short (containers by their type only)."""
    if isinstance(value, list | dict):
        return f"a {type(value).__name__}"
    if isinstance(value, int) and value.bit_length() > 128:
        return "a huge number"
    shown = repr(value)
    return shown if len(shown) <= 40 else f"{shown[:37]}..."


def _parse_iso(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as err:
        raise InvalidTimeError(f"{_brief(text)} is not a time") from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC).replace(microsecond=0)
    except OverflowError as err:  # an offset that pushes the year out of range
        raise InvalidTimeError(f"{_brief(text)} is out of range") from err


def parse_equivents(body: bytes, fetched_at: datetime) -> EquiventsSnapshot:
    """Parse the body of `GET /api/v3/equivents/`."""
    payload = _decode(body)
    if not isinstance(payload, dict):
        raise EquiwattInvalidResponseError(f"expected a JSON object, got {type(payload).__name__}")
    success = payload.get("success", True)
    if success is not True:
        message = payload.get("msg")
        detail = f": {message[:200]}" if isinstance(message, str) and message else ""
        raise EquiwattInvalidResponseError(f"Equiwatt answered success={_brief(success)}{detail}")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise EquiwattInvalidResponseError("the response has no 'data' object")
    if "current_event" not in data and "previous_events" not in data:
        raise EquiwattInvalidResponseError(
            "'data' has neither 'current_event' nor 'previous_events'"
        )
    current = data.get("current_event")
    previous = data.get("previous_events") or []
    if current is not None and not isinstance(current, dict):
        raise EquiwattInvalidResponseError("'current_event' is not an object")
    if not isinstance(previous, list):
        raise EquiwattInvalidResponseError("'previous_events' is not a list")
    return _build_snapshot(current, previous, fetched_at)


def _decode(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise EquiwattInvalidResponseError("the response is not UTF-8 text") from err
    try:
        return json.loads(text)
    except RecursionError as err:
        raise EquiwattInvalidResponseError("the response is nested too deeply") from err
    except ValueError as err:
        head = text.lstrip()[:15].lower()
        if head.startswith(("<!doctype", "<html", "<")):
            raise EquiwattInvalidResponseError(
                "Equiwatt answered an HTML page instead of JSON"
            ) from err
        if not text.strip():
            raise EquiwattInvalidResponseError("the response is empty") from err
        raise EquiwattInvalidResponseError(f"the response is not valid JSON ({err})") from err


def _read_event(raw: object, where: str) -> tuple[datetime, datetime | None]:
    if not isinstance(raw, dict):
        raise EquiwattInvalidResponseError(f"{where} is not an object")
    if "start_time" not in raw:
        raise EquiwattInvalidResponseError(f"{where} has no 'start_time'")
    try:
        start = parse_time(raw["start_time"])
        end_raw = raw.get("end_time")
        end = None if end_raw is None else parse_time(end_raw)
    except InvalidTimeError as err:
        raise EquiwattInvalidResponseError(f"{where}: {err}") from err
    return start, end


def _build_snapshot(
    current: dict[str, Any] | None, previous: list[Any], fetched_at: datetime
) -> EquiventsSnapshot:
    warnings: list[str] = []
    latest_start = fetched_at + CLOCK_SKEW
    live: Equivent | None = None
    if current is not None:
        start, end = _read_event(current, "'current_event'")
        if start > latest_start:
            warnings.append(f"ignored a current Equivent that starts in the future ({start})")
        elif end is not None and end <= start:
            warnings.append(f"ignored a current Equivent that ends before it starts ({start})")
        else:
            live = Equivent(start, end)
    finished: dict[datetime, Equivent] = {}
    for index, raw in enumerate(previous):
        start, end = _read_event(raw, f"previous_events[{index}]")
        if start > latest_start:
            warnings.append(f"ignored an Equivent that starts in the future ({start})")
        elif end is not None and end <= start:
            warnings.append(f"ignored an Equivent that ends before it starts ({start})")
        elif end is None or end > fetched_at:
            # The live-event server bug: the live Equivent sits in the history
            # with no end (or an end still to come).
            if live is None or start > live.start:
                live = Equivent(start, end)
        elif start not in finished or (finished[start].end or start) < end:
            finished[start] = Equivent(start, end)
    if live is not None:
        finished.pop(live.start, None)
    history = tuple(sorted(finished.values(), key=lambda event: event.start, reverse=True))
    return EquiventsSnapshot(live, history, fetched_at, tuple(warnings))
