"""An async client for the Equiwatt Open API; it imports nothing from Home Assistant."""

from .client import (
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    EquiwattClient,
    normalize_token,
    parse_retry_after,
    read_capped,
)
from .errors import (
    EquiwattAuthError,
    EquiwattConnectionError,
    EquiwattError,
    EquiwattInvalidResponseError,
    EquiwattRateLimitedError,
)
from .models import Equivent, EquiventsSnapshot
from .parser import parse_equivents, parse_time

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "EquiwattAuthError",
    "EquiwattClient",
    "EquiwattConnectionError",
    "EquiwattError",
    "EquiwattInvalidResponseError",
    "EquiwattRateLimitedError",
    "Equivent",
    "EquiventsSnapshot",
    "normalize_token",
    "parse_equivents",
    "parse_retry_after",
    "parse_time",
    "read_capped",
]
