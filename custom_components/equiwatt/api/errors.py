"""Errors raised by the Equiwatt client."""

from __future__ import annotations


class EquiwattError(Exception):
    """Base class for every error of the Equiwatt client."""


class EquiwattAuthError(EquiwattError):
    """The token was rejected (HTTP 401 or 403)."""


class EquiwattRateLimitedError(EquiwattError):
    """Equiwatt answered 429, or the local rate limiter would wait too long.

    `retry_after` is how long to wait, in seconds; `from_server` tells a real
    429 from the local limiter declining to send a call at all.
    """

    def __init__(self, message: str, retry_after: float, *, from_server: bool = False) -> None:
        """Keep the wait and where it came from."""
        super().__init__(message)
        self.retry_after = retry_after
        self.from_server = from_server


class EquiwattConnectionError(EquiwattError):
    """Equiwatt could not be reached, timed out, or answered a server error."""


class EquiwattInvalidResponseError(EquiwattError):
    """Equiwatt answered something that is not a valid Equivents response."""
