"""The simulated Equiwatt account: Equivents, tokens, faults, limits and logs."""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass, field, fields
import hashlib
import time
from typing import Any

from .clock import Clock

HISTORY_LENGTH = 10
RATE_INTERVAL = 1.0
RATE_WINDOW = 60.0
RATE_MAX = 10
LOG_LENGTH = 10_000


@dataclass
class SimEquivent:
    """An Equivent in the schedule; `end` is None until it is ended by hand."""

    start: float
    end: float | None = None


@dataclass
class Faults:
    """Switches that make the simulator misbehave like a real server might."""

    server_bug: bool = False  # live Equivent in previous_events with end_time null
    delay: float = 0.0  # seconds before answering
    status: int | None = None  # answer every request with this HTTP status
    html: bool = False  # error bodies are HTML pages from a proxy
    # "truncated", "not_json", "html", "empty", "oversized", "deep", "success_false",
    # "wrong_types"
    malformed: str | None = None
    time_format: str = "seconds"  # "seconds", "milliseconds", "string", "iso"
    retry_after: float | None = 30.0  # Retry-After on 429 (None: no header)
    remaining: int | None = None  # faults apply to this many requests, then stop
    webhooks: bool = True  # send webhooks at starts and ends
    webhook_copies: int = 1  # each webhook call is sent this many times (duplicates)
    webhook_delay: float = 0.0  # webhook calls go out this many seconds late
    api_lag: float = 0.0  # the API shows the world as it was this many seconds ago

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a partial update; unknown names raise KeyError."""
        names = {item.name for item in fields(self)}
        for name, value in changes.items():
            if name not in names:
                raise KeyError(name)
            setattr(self, name, value)


@dataclass
class LogEntry:
    """One request to the API, as the server saw it."""

    time: float  # simulated Unix time
    monotonic: float  # real monotonic time, for rate checks
    path: str
    token: str | None  # a short hash, never the token
    auth_ok: bool
    status: int


def _monotonic() -> float:
    """Read time.monotonic at call time, so that a test's frozen clock applies."""
    return time.monotonic()


def token_hint(token: str) -> str:
    """Return a short stable hash of a token, for logs."""
    return hashlib.sha256(token.encode()).hexdigest()[:8]


@dataclass
class World:
    """Everything the simulated server knows."""

    clock: Clock
    tokens: set[str] = field(default_factory=set)
    equivents: list[SimEquivent] = field(default_factory=list)
    faults: Faults = field(default_factory=Faults)
    webhook_targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: deque[LogEntry] = field(default_factory=lambda: deque(maxlen=LOG_LENGTH))
    webhook_log: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=1000))
    rate_clock: Clock = field(default=_monotonic)
    request_count: int = 0  # every request ever, beyond what the capped log keeps
    rate_rejections: int = 0  # requests refused for going over the limits (not injected 429s)
    _accepted: dict[str, deque[float]] = field(default_factory=dict)

    # Equivents

    def now(self) -> float:
        """Return the simulated Unix time."""
        return self.clock()

    def live(self, at: float | None = None) -> SimEquivent | None:
        """Return the Equivent in progress now (or at the time `at`), if any."""
        now = self.now() if at is None else at
        running = [e for e in self.equivents if e.start <= now and (e.end is None or e.end > now)]
        return max(running, key=lambda e: e.start) if running else None

    def finished(self, at: float | None = None) -> list[SimEquivent]:
        """Finished Equivents now (or at the time `at`), newest first."""
        now = self.now() if at is None else at
        done = [e for e in self.equivents if e.end is not None and e.end <= now]
        return sorted(done, key=lambda e: e.start, reverse=True)

    def start_now(self, duration: float | None = None) -> SimEquivent:
        """Start an Equivent now; with no duration it runs until `end_now`."""
        self.end_now()
        now = self.now()
        event = SimEquivent(now, None if duration is None else now + duration)
        self.equivents.append(event)
        return event

    def end_now(self) -> SimEquivent | None:
        """End the live Equivent now."""
        event = self.live()
        if event is not None:
            event.end = self.now()
        return event

    def schedule(self, start: float, end: float) -> None:
        """Add an Equivent to the schedule."""
        if end <= start:
            raise ValueError("an Equivent must end after it starts")
        self.equivents.append(SimEquivent(start, end))

    def transitions(self, since: float, until: float) -> list[tuple[float, str, float]]:
        """List (moment, trigger, start) of starts and ends in [since, until], in time order."""
        found = [(e.start, "started", e.start) for e in self.equivents if since <= e.start <= until]
        found += [
            (e.end, "ended", e.start)
            for e in self.equivents
            if e.end is not None and since <= e.end <= until
        ]
        return sorted(found)

    # Requests

    def check_rate(self, token: str) -> bool:
        """Whether a request of this token is within 1/s and 10/min; counts it if so."""
        now = self.rate_clock()
        accepted = self._accepted.setdefault(token, deque())
        while accepted and accepted[0] <= now - RATE_WINDOW:
            accepted.popleft()
        if (accepted and now - accepted[-1] < RATE_INTERVAL) or len(accepted) >= RATE_MAX:
            self.rate_rejections += 1
            return False
        accepted.append(now)
        return True

    def take_fault(self) -> bool:
        """Whether the faults apply to this request (counting down `remaining`)."""
        remaining = self.faults.remaining
        if remaining is None:
            return True
        if remaining <= 0:
            return False
        self.faults.remaining = remaining - 1
        return True

    def record(self, path: str, token: str | None, auth_ok: bool, status: int) -> None:
        """Add a request to the log."""
        hint = None if token is None else token_hint(token)
        self.request_count += 1
        self.log.append(LogEntry(self.now(), self.rate_clock(), path, hint, auth_ok, status))

    def rate_violations(self) -> list[str]:
        """Pairs of accepted calls of one token closer than the limits allow."""
        problems: list[str] = []
        by_token: dict[str | None, list[float]] = {}
        for entry in self.log:
            if entry.status != 429 and entry.auth_ok:
                by_token.setdefault(entry.token, []).append(entry.monotonic)
        for token, moments in by_token.items():
            for index in range(1, len(moments)):
                if moments[index] - moments[index - 1] < RATE_INTERVAL:
                    problems.append(
                        f"{token}: two calls {moments[index] - moments[index - 1]:.3f} s apart"
                    )
                if index >= RATE_MAX and moments[index] - moments[index - RATE_MAX] < RATE_WINDOW:
                    problems.append(f"{token}: {RATE_MAX + 1} calls within {RATE_WINDOW:.0f} s")
        return problems

    def state(self) -> dict[str, Any]:
        """Return a JSON-ready view for the control API."""
        live = self.live()
        return {
            "now": self.now(),
            "live": None if live is None else asdict(live),
            "equivents": [asdict(e) for e in sorted(self.equivents, key=lambda e: e.start)],
            "faults": asdict(self.faults),
            "webhooks": self.webhook_targets,
            "tokens": sorted(token_hint(t) for t in self.tokens),
        }
