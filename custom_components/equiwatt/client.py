"""The integration's Equiwatt clients: the server of the moment, one rate-limit gate per token.

Every entry and every flow (config, reauth, reconfigure) makes its clients
here, so that all the calls of a token go through one `TokenGate` and stay
within Equiwatt's limits together (design contract 4).
"""

from __future__ import annotations

import hashlib

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from .api import EquiwattClient, TokenGate, base_url_from_env, normalize_token
from .const import DOMAIN

# One gate per server and token (keyed by a hash, so that no token is a key).
GATES: HassKey[dict[str, TokenGate]] = HassKey(f"{DOMAIN}_gates")


@callback
def async_get_gate(hass: HomeAssistant, base_url: str, token: str) -> TokenGate:
    """Return the gate that every client of this server and token shares."""
    key = hashlib.sha256(f"{base_url.rstrip('/')}\n{normalize_token(token)}".encode()).hexdigest()
    gates = hass.data.setdefault(GATES, {})
    if (gate := gates.get(key)) is None:
        gate = gates[key] = TokenGate(hass.loop)
    return gate


@callback
def async_create_client(hass: HomeAssistant, token: str) -> EquiwattClient:
    """Return a client of Equiwatt, or of `EQUIWATT_API_URL` as it is set now."""
    base_url = base_url_from_env()
    return EquiwattClient(
        async_get_clientsession(hass),
        token,
        base_url=base_url,
        gate=async_get_gate(hass, base_url, token),
    )
