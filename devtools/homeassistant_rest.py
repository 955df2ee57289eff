"""Drive a real Home Assistant over its REST API: onboarding, the Equiwatt flow, states.

Used by scripts/develop, the end-to-end test and the benchmarks; it is not part
of the integration.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import time
from typing import Any

import aiohttp

DEV_USER = "dev"
DEV_PASSWORD = "equiwatt"  # noqa: S105 - the documented login of the local development instance
CLIENT_ID_PATH = "/"
# Access tokens last 30 minutes: one is renewed with the refresh token this long before.
RENEW_BEFORE = 120.0


class HomeAssistantError(Exception):
    """Home Assistant answered something unexpected."""


@dataclass
class HomeAssistantRest:
    """A logged-in REST session with one Home Assistant."""

    session: aiohttp.ClientSession
    base_url: str
    token: str = ""
    refresh_token: str = ""
    expires_at: float = 0.0  # time.monotonic() when `token` expires

    @property
    def _client_id(self) -> str:
        return f"{self.base_url}{CLIENT_ID_PATH}"

    async def _headers(self) -> dict[str, str]:
        """Return the bearer header, with an access token renewed before it expires."""
        if self.refresh_token and time.monotonic() > self.expires_at - RENEW_BEFORE:
            await self._grant({"grant_type": "refresh_token", "refresh_token": self.refresh_token})
        return {"Authorization": f"Bearer {self.token}"}

    async def _grant(self, form: dict[str, str]) -> None:
        """Get an access token (and, with a code, the refresh token) from /auth/token."""
        async with self.session.post(
            f"{self.base_url}/auth/token", data={**form, "client_id": self._client_id}
        ) as response:
            tokens = await self._json(response)
        self.token = tokens["access_token"]
        self.refresh_token = tokens.get("refresh_token", self.refresh_token)
        self.expires_at = time.monotonic() + float(tokens["expires_in"])

    async def wait_until_up(self, timeout: float = 300) -> None:
        """Wait until Home Assistant answers HTTP."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                async with self.session.get(f"{self.base_url}/api/onboarding") as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
        raise HomeAssistantError(
            f"Home Assistant did not come up at {self.base_url} within {timeout:.0f} s"
        )

    async def wait_until_running(self, timeout: float = 300) -> None:
        """Wait until Home Assistant has started (its recorder writes only from then on)."""
        deadline = time.monotonic() + timeout
        while (await self.request("GET", "/api/config"))["state"] != "RUNNING":
            if time.monotonic() > deadline:
                raise HomeAssistantError(f"Home Assistant did not start within {timeout:.0f} s")
            await asyncio.sleep(0.5)

    async def login(self) -> None:
        """Onboard a fresh instance (user dev / equiwatt), or log in to an onboarded one."""
        client_id = self._client_id
        async with self.session.get(f"{self.base_url}/api/onboarding") as response:
            # Once onboarding is over, Home Assistant answers 404 here.
            done = response.status == 404
            steps = {} if done else {s["step"]: s["done"] for s in await self._json(response)}
        if not steps.get("user", True):
            async with self.session.post(
                f"{self.base_url}/api/onboarding/users",
                json={
                    "client_id": client_id,
                    "name": "Developer",
                    "username": DEV_USER,
                    "password": DEV_PASSWORD,
                    "language": "en",
                },
            ) as response:
                code = (await self._json(response))["auth_code"]
        else:
            code = await self._login_flow(client_id)
        await self._grant({"grant_type": "authorization_code", "code": code})
        for step, body in (
            ("core_config", {}),
            ("analytics", {}),
            ("integration", {"client_id": client_id, "redirect_uri": client_id}),
        ):
            if not steps.get(step, True):
                async with self.session.post(
                    f"{self.base_url}/api/onboarding/{step}",
                    json=body,
                    headers=await self._headers(),
                ) as response:
                    await self._json(response)

    async def _login_flow(self, client_id: str) -> str:
        async with self.session.post(
            f"{self.base_url}/auth/login_flow",
            json={
                "client_id": client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": client_id,
            },
        ) as response:
            flow = await self._json(response)
        async with self.session.post(
            f"{self.base_url}/auth/login_flow/{flow['flow_id']}",
            json={"client_id": client_id, "username": DEV_USER, "password": DEV_PASSWORD},
        ) as response:
            result = await self._json(response)
        if result.get("type") != "create_entry":
            raise HomeAssistantError(f"login as {DEV_USER} failed: {result.get('errors')}")
        return str(result["result"])

    async def request(self, method: str, path: str, body: Any = None) -> Any:
        """Call the REST API as the logged-in user."""
        async with self.session.request(
            method, f"{self.base_url}{path}", json=body, headers=await self._headers()
        ) as response:
            return await self._json(response)

    async def websocket(self, command: dict[str, Any]) -> Any:
        """Send one command over the websocket API as the logged-in user; return its result."""
        await self._headers()  # renews the access token if need be
        async with self.session.ws_connect(f"{self.base_url}/api/websocket") as socket:
            await socket.receive_json()  # auth_required
            await socket.send_json({"type": "auth", "access_token": self.token})
            if (await socket.receive_json()).get("type") != "auth_ok":
                raise HomeAssistantError("the websocket API refused the access token")
            await socket.send_json({"id": 1, **command})
            reply = await socket.receive_json()
        if not reply.get("success"):
            raise HomeAssistantError(f"{command['type']}: {reply.get('error')}")
        return reply.get("result")

    async def equiwatt_entries(self) -> list[dict[str, Any]]:
        """List the Equiwatt config entries."""
        entries = await self.request("GET", "/api/config/config_entries/entry?domain=equiwatt")
        return list(entries)

    async def add_equiwatt(self, token: str) -> dict[str, Any]:
        """Run the Equiwatt config flow with a token; return its final step."""
        flow = await self.request(
            "POST", "/api/config/config_entries/flow", {"handler": "equiwatt"}
        )
        if flow.get("type") != "form":
            raise HomeAssistantError(f"the Equiwatt flow did not start: {flow}")
        result: dict[str, Any] = await self.request(
            "POST", f"/api/config/config_entries/flow/{flow['flow_id']}", {"api_token": token}
        )
        if result.get("type") != "create_entry":
            raise HomeAssistantError(f"the Equiwatt flow did not create an entry: {result}")
        return result

    async def webhook_urls(self, entry_id: str) -> dict[str, str]:
        """Return the webhook URLs the options flow shows for an entry."""
        flow = await self.request(
            "POST", "/api/config/config_entries/options/flow", {"handler": entry_id}
        )
        await self.request("DELETE", f"/api/config/config_entries/options/flow/{flow['flow_id']}")
        return dict(flow.get("description_placeholders") or {})

    async def set_state(self, entity_id: str, state: str, attributes: dict[str, Any]) -> None:
        """Write an entity's state, as a device integration would."""
        await self.request(
            "POST", f"/api/states/{entity_id}", {"state": state, "attributes": attributes}
        )

    async def set_options(self, entry_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Run an entry's options flow with some fields changed; return its final step."""
        flow = await self.request(
            "POST", "/api/config/config_entries/options/flow", {"handler": entry_id}
        )
        result: dict[str, Any] = await self.request(
            "POST", f"/api/config/config_entries/options/flow/{flow['flow_id']}", changes
        )
        if result.get("type") != "create_entry":
            raise HomeAssistantError(f"the options flow did not save: {result}")
        return result

    async def state(self, entity_id: str) -> dict[str, Any] | None:
        """Return an entity's state, or None if there is none."""
        async with self.session.get(
            f"{self.base_url}/api/states/{entity_id}", headers=await self._headers()
        ) as response:
            if response.status == 404:
                return None
            return dict(await self._json(response))

    async def wait_for_state(self, entity_id: str, wanted: str, timeout: float) -> float:
        """Wait until an entity has a state; return how long it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            state = await self.state(entity_id)
            if state is not None and state["state"] == wanted:
                return time.monotonic() - started
            await asyncio.sleep(0.05)
        raise HomeAssistantError(f"{entity_id} did not become {wanted} within {timeout:.0f} s")

    @staticmethod
    async def _json(response: aiohttp.ClientResponse) -> Any:
        if response.status >= 400:
            raise HomeAssistantError(
                f"{response.method} {response.url.path}: HTTP {response.status} {await response.text()}"
            )
        return await response.json()
