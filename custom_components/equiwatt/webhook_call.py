"""What a webhook call says: started, ended, or a ping. Pure: no Home Assistant.

Not named `intent.py`: Home Assistant would take that for an Assist intent platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
import json
import re
from typing import Any
from urllib.parse import parse_qs


class Intent(StrEnum):
    """What a webhook call says."""

    STARTED = "started"
    ENDED = "ended"
    PING = "ping"


# Only the start of a plain-text intent is read for words.
MAX_INTENT_TEXT = 4096

INTENT_KEYS = ("event", "trigger", "type")
FORM_TYPE = "application/x-www-form-urlencoded"
END_WORDS = frozenset(
    {
        *("end", "ends", "ended", "ending"),
        *("finish", "finishes", "finished", "finishing"),
        *("stop", "stops", "stopped", "stopping"),
    }
)
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def intent_of(value: object) -> Intent:
    """Read an intent from one value.

    A word with `start` in it means started; `end`, `finish` or `stop` as a whole
    word (or its -s, -ed, -ing form) means ended, so `weekend`, `calendar` and
    `pending` are no end. Words are found in snake, kebab and camel case too.
    """
    if not isinstance(value, str):
        return Intent.PING
    words = {word.lower() for word in _WORD.findall(value[:MAX_INTENT_TEXT])}
    if any("start" in word for word in words):
        return Intent.STARTED
    if words & END_WORDS:
        return Intent.ENDED
    return Intent.PING


def _lookup(mapping: Mapping[str, Any]) -> tuple[bool, object]:
    """Find the first intent key in a mapping (keys in any case)."""
    lowered = {str(key).lower(): value for key, value in mapping.items()}
    for key in INTENT_KEYS:
        if key in lowered:
            return True, lowered[key]
    return False, None


def parse_intent(query: Mapping[str, str], body: bytes, content_type: str = "") -> Intent:
    """Read a webhook call's intent: query, then a JSON or form body, then plain text."""
    found, value = _lookup(query)
    if found:
        return intent_of(value)
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return Intent.PING
    try:
        payload = json.loads(text)
    except RecursionError:
        # Nested deeper than the decoder goes: nothing an Equiwatt call would send.
        return Intent.PING
    except ValueError:
        pass
    else:
        if isinstance(payload, dict):
            return intent_of(_lookup(payload)[1])
        return intent_of(payload)
    form = {key: values[0] for key, values in parse_qs(text, keep_blank_values=True).items()}
    found, value = _lookup(form)
    if found:
        return intent_of(value)
    if content_type == FORM_TYPE:
        return Intent.PING
    return intent_of(text)
