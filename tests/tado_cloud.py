"""A local stand-in for Tado's cloud, for core's real `tado` integration and its python-tado.

It keeps what the setback's outcome depends on: each zone's smart schedule, its
overlay (manual, until the next time block, or a timer that Tado itself ends),
the daily request quota with Tado's rate-limit headers, and faults (unreachable,
429). Every request is logged with the time of the clock it is given, so tests
and benchmarks count what each phase costs. Nothing here comes from python-tado:
it is a reading of Tado's HTTP API as python-tado and core's `tado` use it.

`route_python_tado` sends python-tado's requests for my.tado.com and
login.tado.com to the stand-in over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch
from urllib.parse import urlsplit

from aiohttp import web
import requests
from requests.adapters import HTTPAdapter

HOME_ID = 4711
HOME_NAME = "Home"
ACCESS_TOKEN_SECONDS = 600
# Tado's free tier (no Auto-Assist subscription): 100 requests a day; 20,000 with one.
FREE_QUOTA = 100
AUTO_ASSIST_QUOTA = 20_000
HOSTS = {"my.tado.com": "/my", "login.tado.com": "/login"}
TOO_MANY = {"errors": [{"code": "tooManyRequests", "title": "Too many requests"}]}


@dataclass
class Zone:
    """A zone of the home: heating, or an air conditioner."""

    id: int
    name: str
    schedule: float  # the smart schedule's target, °C
    kind: str = "HEATING"  # or AIR_CONDITIONING
    inside: float = 19.5
    overlay: dict[str, Any] | None = None  # as Tado keeps it, with its expiry

    @property
    def serial(self) -> str:
        """The serial number of the zone's one device."""
        return f"VA{self.id:08d}"


@dataclass(frozen=True, slots=True)
class Logged:
    """One request the stand-in answered (or refused)."""

    at: datetime
    method: str
    path: str
    status: int


@dataclass
class TadoCloud:
    """Tado's cloud for one home, on a clock of the test's choosing."""

    clock: Callable[[], datetime]
    zones: dict[int, Zone] = field(default_factory=dict)
    quota: int = AUTO_ASSIST_QUOTA
    used: int = 0
    unreachable: bool = False
    rate_limited: bool = False
    log: list[Logged] = field(default_factory=list)
    logins: int = 0

    def add_zone(self, zone: Zone) -> Zone:
        """Add a zone (before core's tado is set up)."""
        self.zones[zone.id] = zone
        return zone

    # What the people in the home do, in the Tado app

    def set_manual(
        self, zone_id: int, celsius: float, termination: str = "MANUAL", seconds: int = 0
    ) -> None:
        """Put a zone on a manual heat setting, as the Tado app does.

        `termination`: MANUAL (until changed), NEXT_TIME_BLOCK, or TIMER for `seconds`.
        """
        zone = self.zones[zone_id]
        ends: dict[str, Any] = {"typeSkillBasedApp": termination}
        if termination == "TIMER":
            ends["durationInSeconds"] = seconds
        setting = {"type": zone.kind, "power": "ON", "temperature": _celsius(celsius)}
        zone.overlay = self._overlay(zone, setting, ends)

    def set_off(self, zone_id: int) -> None:
        """Switch a zone off until changed, as the Tado app does."""
        zone = self.zones[zone_id]
        zone.overlay = self._overlay(
            zone, {"type": zone.kind, "power": "OFF"}, {"typeSkillBasedApp": "MANUAL"}
        )

    def set_cooling(self, zone_id: int, celsius: float) -> None:
        """Set an air conditioner to cool until changed."""
        zone = self.zones[zone_id]
        setting = {
            "type": zone.kind,
            "power": "ON",
            "mode": "COOL",
            "temperature": _celsius(celsius),
        }
        zone.overlay = self._overlay(zone, setting, {"typeSkillBasedApp": "MANUAL"})

    def back_to_schedule(self, zone_id: int) -> None:
        """End a zone's overlay, as the Tado app's "Resume schedule"."""
        self.zones[zone_id].overlay = None

    # What the tests look at

    def setting(self, zone_id: int) -> tuple[str, float | None]:
        """Return what a zone does now: (overlay type or SCHEDULE, target), or ("OFF", None)."""
        zone = self.zones[zone_id]
        overlay = self._current_overlay(zone)
        if overlay is None:
            return "SCHEDULE", zone.schedule
        setting = overlay["setting"]
        if setting["power"] == "OFF":
            return "OFF", None
        return overlay["termination"]["type"], setting["temperature"]["celsius"]

    def timer_expiry(self, zone_id: int) -> datetime | None:
        """When a zone's timer overlay ends, if it has one."""
        overlay = self._current_overlay(self.zones[zone_id])
        if overlay is None or overlay["termination"]["type"] != "TIMER":
            return None
        return datetime.fromisoformat(overlay["termination"]["expiry"])

    def requests_since(self, since: datetime, until: datetime | None = None) -> list[Logged]:
        """Return the API requests (my.tado.com, which count against the quota) in a period."""
        return [
            logged
            for logged in self.log
            if logged.at >= since and (until is None or logged.at <= until)
        ]

    def writes_to(self, zone_id: int, since: datetime | None = None) -> list[str]:
        """Return the overlay writes a zone received: "PUT" (set) and "DELETE" (back to schedule)."""
        path = f"/api/v2/homes/{HOME_ID}/zones/{zone_id}/overlay"
        return [
            logged.method
            for logged in self.log
            if logged.path == path
            and logged.method in ("PUT", "DELETE")
            and logged.status < 400
            and (since is None or logged.at >= since)
        ]

    # The HTTP API

    def app(self) -> web.Application:
        """Return the aiohttp application that serves both hosts."""
        app = web.Application(middlewares=[self._faults])
        app.router.add_post("/login/oauth2/token", self._token)
        my = "/my/api/v2"
        home = f"{my}/homes/{HOME_ID}"
        routes = [
            ("GET", f"{my}/me", self._me),
            ("GET", f"{home}/", self._home),
            ("GET", f"{home}/zones", self._zones),
            ("GET", f"{home}/devices", self._devices),
            ("GET", f"{my}/devices/{{serial}}/temperatureOffset", self._offset),
            ("GET", f"{home}/zoneStates", self._zone_states),
            ("GET", f"{home}/zones/{{zone}}/state", self._zone_state),
            ("GET", f"{home}/zones/{{zone}}/defaultOverlay", self._default_overlay),
            ("GET", f"{home}/zones/{{zone}}/capabilities", self._capabilities),
            ("GET", f"{home}/zones/{{zone}}/control", self._control),
            ("GET", f"{home}/heatingCircuits", self._circuits),
            ("GET", f"{home}/weather", self._weather),
            ("GET", f"{home}/state", self._presence),
            ("PUT", f"{home}/zones/{{zone}}/overlay", self._put_overlay),
            ("DELETE", f"{home}/zones/{{zone}}/overlay", self._delete_overlay),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
        return app

    @web.middleware
    async def _faults(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        now = self.clock()
        if self.unreachable:
            # As if the connection dropped: python-tado sees a connection error.
            if request.transport is not None:
                request.transport.close()
            raise web.HTTPServiceUnavailable
        if request.path.startswith("/login/"):
            return await handler(request)
        path = request.path.removeprefix("/my")
        if self.rate_limited or self.used >= self.quota:
            self.log.append(Logged(now, request.method, path, 429))
            return web.json_response(TOO_MANY, status=429, headers=self._limit_headers())
        self.used += 1
        response = await handler(request)
        self.log.append(Logged(now, request.method, path, response.status))
        response.headers.update(self._limit_headers())
        return response

    def _limit_headers(self) -> dict[str, str]:
        remaining = max(self.quota - self.used, 0)
        return {
            "RateLimit-Policy": f'"perday";q={self.quota};w=86400',
            "RateLimit": f'"perday";r={remaining};t=43200',
        }

    async def _token(self, request: web.Request) -> web.Response:
        self.logins += 1
        return web.json_response(
            {
                "access_token": f"access-{self.logins}",
                "expires_in": ACCESS_TOKEN_SECONDS,
                "refresh_token": "tado-refresh-token",
                "token_type": "bearer",
            }
        )

    async def _me(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"id": "u1", "name": "Heat pump owner", "homes": [{"id": HOME_ID, "name": HOME_NAME}]}
        )

    async def _home(self, request: web.Request) -> web.Response:
        return web.json_response({"id": HOME_ID, "name": HOME_NAME, "generation": "PRE_LINE_X"})

    async def _zones(self, request: web.Request) -> web.Response:
        return web.json_response(
            [
                {
                    "id": zone.id,
                    "name": zone.name,
                    "type": zone.kind,
                    "devices": [self._device(zone)],
                }
                for zone in self.zones.values()
            ]
        )

    async def _devices(self, request: web.Request) -> web.Response:
        bridge = {
            "deviceType": "IB01",
            "serialNo": "IB0000000001",
            "shortSerialNo": "IB0000000001",
            "currentFwVersion": "118.1",
            "connectionState": {"value": True, "timestamp": _iso(self.clock())},
            "characteristics": {"capabilities": []},
        }
        return web.json_response([bridge, *(self._device(zone) for zone in self.zones.values())])

    def _device(self, zone: Zone) -> dict[str, Any]:
        return {
            "deviceType": "VA02" if zone.kind == "HEATING" else "WR02",
            "serialNo": zone.serial,
            "shortSerialNo": zone.serial,
            "currentFwVersion": "220.1",
            "connectionState": {"value": True, "timestamp": _iso(self.clock())},
            "characteristics": {"capabilities": ["INSIDE_TEMPERATURE_MEASUREMENT", "IDENTIFY"]},
            "batteryState": "NORMAL",
            "duties": ["ZONE_UI", "ZONE_DRIVER", "ZONE_LEADER"],
        }

    async def _offset(self, request: web.Request) -> web.Response:
        return web.json_response({"celsius": 0.0, "fahrenheit": 0.0})

    async def _zone_states(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"zoneStates": {str(zone.id): self._state(zone) for zone in self.zones.values()}}
        )

    async def _zone_state(self, request: web.Request) -> web.Response:
        return web.json_response(self._state(self._zone(request)))

    async def _default_overlay(self, request: web.Request) -> web.Response:
        self._zone(request)
        return web.json_response({"terminationCondition": {"type": "MANUAL"}})

    async def _capabilities(self, request: web.Request) -> web.Response:
        zone = self._zone(request)
        if zone.kind == "HEATING":
            return web.json_response(
                {"type": "HEATING", "temperatures": {"celsius": {"min": 5, "max": 25, "step": 0.1}}}
            )
        mode = {
            "temperatures": {"celsius": {"min": 16, "max": 30, "step": 1.0}},
            "fanLevel": ["LEVEL1", "LEVEL2", "LEVEL3", "AUTO"],
        }
        return web.json_response(
            {
                "type": "AIR_CONDITIONING",
                "COOL": mode,
                "HEAT": mode,
                "DRY": {"fanLevel": ["LEVEL1"]},
                "FAN": {"fanLevel": ["LEVEL1", "LEVEL2", "LEVEL3"]},
                "AUTO": {"fanLevel": ["AUTO"]},
            }
        )

    async def _control(self, request: web.Request) -> web.Response:
        self._zone(request)
        return web.json_response({"type": "HEATING", "heatingCircuit": None})

    async def _circuits(self, request: web.Request) -> web.Response:
        return web.json_response([])

    async def _weather(self, request: web.Request) -> web.Response:
        now = _iso(self.clock())
        return web.json_response(
            {
                "outsideTemperature": {"celsius": 6.0, "fahrenheit": 42.8, "timestamp": now},
                "solarIntensity": {"percentage": 0.0, "timestamp": now},
                "weatherState": {"value": "CLOUDY", "timestamp": now},
            }
        )

    async def _presence(self, request: web.Request) -> web.Response:
        return web.json_response({"presence": "HOME", "showHomePresenceSwitchButton": True})

    async def _put_overlay(self, request: web.Request) -> web.Response:
        zone = self._zone(request)
        body = await request.json()
        zone.overlay = self._overlay(zone, body["setting"], body["termination"])
        return web.json_response(self._public(zone.overlay))

    async def _delete_overlay(self, request: web.Request) -> web.Response:
        self._zone(request).overlay = None
        return web.Response(status=204)

    # The model

    def _zone(self, request: web.Request) -> Zone:
        try:
            return self.zones[int(request.match_info["zone"])]
        except (KeyError, ValueError) as err:
            raise web.HTTPNotFound from err

    def _overlay(
        self, zone: Zone, setting: dict[str, Any], termination: dict[str, Any]
    ) -> dict[str, Any]:
        now = self.clock()
        kind = termination.get("typeSkillBasedApp", termination.get("type", "MANUAL"))
        ends: datetime | None = None
        match kind:
            case "TIMER":
                ends = now + timedelta(seconds=float(termination["durationInSeconds"]))
                kept = {"type": "TIMER", "durationInSeconds": termination["durationInSeconds"]}
            case "NEXT_TIME_BLOCK" | "TADO_MODE":
                ends = _next_block(now)
                kept = {"type": "TADO_MODE"}
            case _:
                kept = {"type": "MANUAL"}
        kept["typeSkillBasedApp"] = kind
        if ends is not None:
            kept["expiry"] = kept["projectedExpiry"] = _iso(ends)
        setting = {"type": zone.kind, **setting}
        return {"type": "MANUAL", "setting": setting, "termination": kept}

    def _current_overlay(self, zone: Zone) -> dict[str, Any] | None:
        """Return a zone's overlay, unless Tado has ended it (its timer or time block ran out)."""
        if zone.overlay is not None and (expiry := zone.overlay["termination"].get("expiry")):
            if self.clock() >= datetime.fromisoformat(expiry):
                zone.overlay = None
        return zone.overlay

    def _public(self, overlay: dict[str, Any]) -> dict[str, Any]:
        termination = dict(overlay["termination"])
        if (expiry := termination.get("expiry")) is not None:
            left = datetime.fromisoformat(expiry) - self.clock()
            termination["remainingTimeInSeconds"] = max(int(left.total_seconds()), 0)
        return {**overlay, "termination": termination}

    def _state(self, zone: Zone) -> dict[str, Any]:
        now = _iso(self.clock())
        overlay = self._current_overlay(zone)
        if overlay is None:
            setting: dict[str, Any] = {"type": zone.kind, "power": "ON"}
            setting["temperature"] = _celsius(zone.schedule)
            if zone.kind != "HEATING":
                setting["mode"] = "AUTO"
        else:
            setting = overlay["setting"]
        heating = (
            setting.get("power") == "ON"
            and "temperature" in setting
            and setting["temperature"]["celsius"] > zone.inside
        )
        activity: dict[str, Any]
        if zone.kind == "HEATING":
            activity = {
                "heatingPower": {
                    "type": "PERCENTAGE",
                    "percentage": 40.0 if heating else 0.0,
                    "timestamp": now,
                }
            }
        else:
            power = "ON" if setting.get("power") == "ON" else "OFF"
            activity = {"acPower": {"type": "POWER", "value": power, "timestamp": now}}
        return {
            "tadoMode": "HOME",
            "geolocationOverride": False,
            "geolocationOverrideDisableTime": None,
            "preparation": None,
            "setting": setting,
            "overlayType": None if overlay is None else "MANUAL",
            "overlay": None if overlay is None else self._public(overlay),
            "openWindow": None,
            "nextScheduleChange": None,
            "nextTimeBlock": {"start": _iso(_next_block(self.clock()))},
            "link": {"state": "ONLINE"},
            "runningOfflineSchedule": False,
            "activityDataPoints": activity,
            "sensorDataPoints": {
                "insideTemperature": {
                    "celsius": zone.inside,
                    "fahrenheit": zone.inside * 9 / 5 + 32,
                    "timestamp": now,
                    "type": "TEMPERATURE",
                    "precision": {"celsius": 0.1, "fahrenheit": 0.1},
                },
                "humidity": {"type": "PERCENTAGE", "percentage": 48.0, "timestamp": now},
            },
        }


def _celsius(value: float) -> dict[str, float]:
    return {"celsius": value, "fahrenheit": round(value * 9 / 5 + 32, 1)}


def _next_block(now: datetime) -> datetime:
    """Return the schedule's next time block: it changes at 06:00 and 22:00 UTC."""
    for hour in (6, 22, 30):
        block = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(hours=hour)
        if block > now:
            return block
    raise AssertionError  # pragma: no cover


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _ToStandIn(HTTPAdapter):
    """Sends a request for Tado's hosts to the stand-in instead."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        parts = urlsplit(request.url or "")
        query = f"?{parts.query}" if parts.query else ""
        request.url = f"{self.base_url}{HOSTS[parts.hostname or '']}{parts.path}{query}"
        return super().send(request, **kwargs)


@contextmanager
def route_python_tado(base_url: str) -> Iterator[None]:
    """Send python-tado's requests (every `requests` session's) for Tado to the stand-in."""
    adapter = _ToStandIn(base_url)
    original = requests.Session.get_adapter

    def get_adapter(session: requests.Session, url: str) -> HTTPAdapter:
        if urlsplit(url).hostname in HOSTS:
            return adapter
        return original(session, url)  # type: ignore[return-value]

    with patch.object(requests.Session, "get_adapter", get_adapter):
        yield
    adapter.close()
