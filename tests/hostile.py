"""Hostile input for the fuzz targets: JSON text no well-behaved server would send.

Built as text, not through `json.dumps`, so that it can hold what `json.dumps`
never writes: duplicate keys, `NaN` and `Infinity` literals, numbers too big for
a float or for Python's integer parsing, nesting deeper than the decoder goes,
lone surrogates. `hostile_bytes` may then break the UTF-8 encoding itself.
"""

from __future__ import annotations

from collections.abc import Sequence
import json

from hypothesis import strategies as st

# Literals the json module reads (NaN, Infinity) or refuses (4,301+ digits).
ODD_NUMBERS = (
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "-1e999",
    "1e-999",
    "-0",
    "0.0",
    "9" * 400,  # an integer too large for a float
    "-" + "9" * 400,
    "9" * 4301,  # over Python's integer-parsing limit
    "1" + "0" * 17,
    '"1e999"',
    '"NaN"',
    '"\\ud800"',  # a lone surrogate
    '"9999-12-31T23:59:59-23:59"',  # a valid ISO time whose UTC lies past year 9999
    '"0001-01-01T00:00:00+23:59"',
)
# Wrong types, one of each.
WRONG_TYPES = ("null", "true", "false", "0", "-1", '""', "[]", "{}", '"x"', "[null]", '{"": {}}')
INVALID_UTF8 = (b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\x80", b"\xf4\x90\x80\x80")

plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def sizes(largest: int) -> st.SearchStrategy[int]:
    """Draw mostly small sizes, now and then a large one up to `largest` (cheaper than uniform)."""
    return st.integers(1, 100) | st.sampled_from(
        [n for n in (1_000, 5_000, 20_000, 65_536, largest) if n <= largest]
    )


def deep(max_depth: int) -> st.SearchStrategy[str]:
    """Nest arrays or objects up to `max_depth` deep, closed or left open."""
    return st.builds(
        lambda depth, opener, closed: (
            opener * depth + ("0" + ("]" if opener == "[" else "}") * depth if closed else "")
        ),
        sizes(max_depth),
        st.sampled_from(["[", '{"a":']),
        st.booleans(),
    )


def long_strings(max_length: int) -> st.SearchStrategy[str]:
    """Write JSON strings up to `max_length` characters long, of a word that may matter."""
    return st.builds(
        lambda word, length: json.dumps((word * length)[:length]),
        st.sampled_from(["x", "start", "end ", "\u00e9", "\U0001f600"]),
        sizes(max_length),
    )


def scalars(max_depth: int, max_length: int) -> st.SearchStrategy[str]:
    """Write one hostile JSON value."""
    return st.one_of(
        st.sampled_from(ODD_NUMBERS),
        st.sampled_from(WRONG_TYPES),
        plain.map(json.dumps),
        long_strings(max_length),
        deep(max_depth),
    )


def objects(keys: Sequence[str], values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Write JSON objects of the given keys (repeats allowed) and hostile values."""
    return st.lists(st.tuples(st.sampled_from(keys) | st.text(max_size=8), values), max_size=6).map(
        lambda pairs: "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in pairs) + "}"
    )


def break_utf8(text: str) -> st.SearchStrategy[bytes]:
    """Encode the text as UTF-8, possibly with an invalid sequence put somewhere in it."""
    raw = text.encode("utf-8", "surrogatepass")
    return st.one_of(
        st.just(raw),
        st.builds(
            lambda at, bad: raw[:at] + bad + raw[at:],
            st.integers(0, len(raw)),
            st.sampled_from(INVALID_UTF8),
        ),
    )


def hostile_bytes(texts: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """Encode hostile texts, sometimes breaking their UTF-8."""
    return texts.flatmap(break_utf8)


def equivents_bodies(
    max_depth: int = 200_000, max_length: int = 70_000
) -> st.SearchStrategy[bytes]:
    """Write bodies shaped like `GET /api/v3/equivents/`, hostile at every level."""
    value = scalars(max_depth, max_length)
    time = st.one_of(value, st.integers(-10, 2 * 10**12).map(str))
    event = objects(("start_time", "end_time"), time) | value
    events = st.lists(event, max_size=8).map(lambda items: "[" + ",".join(items) + "]") | value
    data = st.builds(
        lambda current, previous, extra: (
            f'{{"current_event":{current},"previous_events":{previous}{extra}}}'
        ),
        event | st.just("null"),
        events,
        st.sampled_from(["", ',"current_event":null', ',"previous_events":{}']),
    )
    envelope = st.builds(
        lambda success, msg, data, extra: (
            f'{{"success":{success},"msg":{msg},"data":{data}{extra}}}'
        ),
        st.sampled_from(["true", "true", "false", "null", '"true"', "1", "NaN"]) | value,
        st.just("null") | value,
        data | value,
        st.sampled_from(["", ',"success":false', ',"data":null']),
    )
    return hostile_bytes(st.one_of(envelope, value, objects(("success", "msg", "data"), value)))


def webhook_bodies(max_depth: int = 65_536, max_length: int = 60_000) -> st.SearchStrategy[bytes]:
    """Write webhook bodies (up to the 64 KiB the handler reads), hostile at every level."""
    value = scalars(max_depth, max_length)
    keyed = objects(("event", "trigger", "type", "Event", "TYPE"), value)
    form = st.lists(
        st.tuples(st.sampled_from(["event", "trigger", "x"]), st.text(max_size=30)), max_size=4
    ).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs))
    return hostile_bytes(st.one_of(keyed, value, form, st.text(max_size=200)))
