"""Webhook calls no Equiwatt server makes, shared by the webhook and end-to-end tests.

Each is (method, body, content type, the status the handler answers).
"""

from __future__ import annotations

HOSTILE_WEBHOOK_CALLS: tuple[tuple[str, bytes, str, int], ...] = (
    # Nested deeper than the JSON decoder goes, within the 64 KiB the handler reads.
    ("POST", b"[" * 65_536, "application/json", 200),
    ("POST", b'{"event": NaN, "event": Infinity, "type": 1e999}', "application/json", 200),
    ("PUT", b'{"event": "\xff\xfe", "trigger": "' + b"9" * 5000 + b'"}', "application/json", 200),
    ("POST", b"\xed\xa0\x80" * 1000, "text/plain", 200),
    ("POST", b"event=%ff%fe&type=" + b"x" * 60_000, "application/x-www-form-urlencoded", 200),
    ("POST", b"x" * (70 * 1024), "text/plain", 413),
)
