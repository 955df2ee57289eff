"""An async client for the Equiwatt Open API; it imports nothing from Home Assistant.

The same files are the `aioequiwatt` library (with its command line, `cli.py`)
and the client inside the Equiwatt integration for Home Assistant.
"""

from .client import (
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    EquiwattClient,
    base_url_from_env,
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
from .models import Equivent, EquiventsSnapshot, Transition, TransitionKind
from .parser import parse_equivents, parse_time
from .rate_limit import MAX_CALLS, MIN_INTERVAL, WINDOW, RateLimiter, TokenGate
from .schedule import TYPICAL_DURATION, PollSchedule, expected_end, phase_for
from .watch import TransitionDetector, watch_equivents

__version__ = "0.2.0"

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "MAX_CALLS",
    "MIN_INTERVAL",
    "TYPICAL_DURATION",
    "WINDOW",
    "EquiwattAuthError",
    "EquiwattClient",
    "EquiwattConnectionError",
    "EquiwattError",
    "EquiwattInvalidResponseError",
    "EquiwattRateLimitedError",
    "Equivent",
    "EquiventsSnapshot",
    "PollSchedule",
    "RateLimiter",
    "TokenGate",
    "Transition",
    "TransitionDetector",
    "TransitionKind",
    "__version__",
    "base_url_from_env",
    "expected_end",
    "normalize_token",
    "parse_equivents",
    "parse_retry_after",
    "parse_time",
    "phase_for",
    "read_capped",
    "watch_equivents",
]
