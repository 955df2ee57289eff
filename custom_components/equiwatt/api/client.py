"""The async client of the Equiwatt Open API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
import math
import os
import re
from typing import Final, Protocol

import aiohttp

from .errors import (
    EquiwattAuthError,
    EquiwattConnectionError,
    EquiwattInvalidResponseError,
    EquiwattRateLimitedError,
)
from .models import EquiventsSnapshot
from .parser import parse_equivents
from .rate_limit import TokenGate

DEFAULT_BASE_URL: Final = "https://app.equiwatt.com"
# Where the command line and the integration take another server from; the client never reads it.
BASE_URL_ENV: Final = "EQUIWATT_API_URL"
EQUIVENTS_PATH: Final = "/api/v3/equivents/"
MAX_BODY_BYTES: Final = 1024 * 1024
DEFAULT_RETRY_AFTER: Final = 60.0
MAX_RETRY_AFTER: Final = 3600.0

_BEARER = re.compile(r"^bearer(?:\s+|$)", re.IGNORECASE)


def base_url_from_env() -> str:
    """Return the server `EQUIWATT_API_URL` names now, else Equiwatt's own."""
    return os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL


def normalize_token(token: str) -> str:
    """Strip surrounding white space and any leading `Bearer ` (in any case)."""
    token = token.strip()
    while _BEARER.match(token):
        token = _BEARER.sub("", token, count=1).strip()
    return token


def parse_retry_after(value: str | None, now: datetime) -> float:
    """Seconds to wait after a 429: `Retry-After` in seconds or as a date, else 60."""
    if not value:
        return DEFAULT_RETRY_AFTER
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - now).total_seconds()
        except TypeError, ValueError:
            return DEFAULT_RETRY_AFTER
    if math.isnan(seconds):
        return DEFAULT_RETRY_AFTER
    return min(max(seconds, 1.0), MAX_RETRY_AFTER)


class ByteStream(Protocol):
    """A body to read: aiohttp's `StreamReader`, or anything with the same `read`."""

    async def read(self, n: int = -1, /) -> bytes:
        """Read up to `n` bytes; empty at the end."""
        ...


async def read_capped(stream: ByteStream, limit: int) -> bytes:
    """Read a body, stopping once it is past `limit` bytes (then it is longer than `limit`)."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit and (chunk := await stream.read(limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class EquiwattClient:
    """Reads Equivents with one token, within Equiwatt's rate limits.

    Every client of a token must share one `TokenGate` for the limits to hold
    across them: pass it as `gate`. Without one, the client keeps its own.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        gate: TokenGate | None = None,
        request_timeout: float = 20.0,
        max_wait: float = 10.0,
    ) -> None:
        """Prepare a client of `base_url` (Equiwatt's by default)."""
        self._session = session
        self._token = normalize_token(token)
        if not self._token:
            raise ValueError("the Equiwatt token is empty")
        self._base_url = base_url.rstrip("/")
        self._gate = gate
        self._request_timeout = request_timeout
        self._max_wait = max_wait

    @property
    def base_url(self) -> str:
        """The server this client talks to."""
        return self._base_url

    @property
    def gate(self) -> TokenGate:
        """The rate-limit gate of this client's calls: the one it was given, else its own."""
        if self._gate is None:
            # Made at first use: a gate binds to the running event loop.
            self._gate = TokenGate()
        return self._gate

    async def get_equivents(self, *, fresh: bool = False) -> EquiventsSnapshot:
        """Read the live Equivent and the recent ones.

        With `fresh`, the answer comes from a request sent after this call began
        (not one shared from earlier), still within the rate limits.
        """
        return await self.gate.run(self._fetch, self._max_wait, fresh=fresh)

    async def _fetch(self) -> EquiventsSnapshot:
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/json",
        }
        try:
            async with (
                asyncio.timeout(self._request_timeout),
                self._session.get(
                    self._base_url + EQUIVENTS_PATH, headers=headers, allow_redirects=False
                ) as response,
            ):
                body = await read_capped(response.content, MAX_BODY_BYTES)
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except TimeoutError as err:
            raise EquiwattConnectionError(
                f"Equiwatt did not answer within {self._request_timeout:.0f} s"
            ) from err
        except aiohttp.ClientError as err:
            raise EquiwattConnectionError(f"cannot reach Equiwatt ({type(err).__name__})") from err
        now = datetime.now(UTC)
        self._raise_for_status(status, retry_after, now)
        if len(body) > MAX_BODY_BYTES:
            raise EquiwattInvalidResponseError("the response is larger than 1 MiB")
        return parse_equivents(body, now)

    def _raise_for_status(self, status: int, retry_after: str | None, now: datetime) -> None:
        if status in (401, 403):
            raise EquiwattAuthError(f"Equiwatt rejected the token (HTTP {status})")
        if status == 429:
            wait = parse_retry_after(retry_after, now)
            self.gate.limiter.block(wait)
            raise EquiwattRateLimitedError(
                f"Equiwatt's rate limit was hit (HTTP 429); the next call may go in {wait:.0f} s",
                wait,
                from_server=True,
            )
        if status >= 500:
            raise EquiwattConnectionError(f"Equiwatt answered a server error (HTTP {status})")
        if status != 200:
            raise EquiwattInvalidResponseError(f"Equiwatt answered HTTP {status}")
