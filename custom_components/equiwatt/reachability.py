"""Whether Equiwatt's servers, on the internet, can reach a URL of this Home Assistant."""

from __future__ import annotations

from ipaddress import ip_address
import os
from urllib.parse import urlsplit

from .const import ALLOW_LOCAL_URL_ENV

# Names that only a home network (or this machine) resolves.
LOCAL_SUFFIXES = (".local", ".localhost", ".internal", ".lan", ".home", ".home.arpa")


def reachable_from_internet(url: str) -> bool:
    """Whether a URL can be reached from the internet.

    Loopback, private-range and link-local addresses, and names such as
    `homeassistant.local` or a bare `homeassistant`, cannot. With
    `EQUIWATT_ALLOW_LOCAL_URL=1` (scripts/develop and the end-to-end test, where the
    simulator on this machine plays Equiwatt) every URL counts as reachable.
    """
    if os.environ.get(ALLOW_LOCAL_URL_ENV) == "1":
        return True
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    try:
        return ip_address(host).is_global
    except ValueError:
        pass
    return "." in host and not host.endswith(LOCAL_SUFFIXES)
