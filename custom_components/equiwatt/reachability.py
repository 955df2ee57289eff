"""Whether Equiwatt's servers, on the internet, can reach a URL of this Home Assistant."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
import os
import socket
from urllib.parse import urlsplit

from .const import ALLOW_LOCAL_URL_ENV

# Names that only a home network (or this machine) resolves, and the names reserved
# for tests and examples (RFC 2606 and 6761; RFC 6762's private ones).
LOCAL_SUFFIXES = (
    *(".local", ".localhost", ".localdomain", ".internal", ".intranet", ".private", ".corp"),
    *(".lan", ".home", ".home.arpa", ".fritz.box", ".test", ".example", ".invalid"),
)
# NAT64's well-known prefix: the last 32 bits are an IPv4 address (RFC 6052).
NAT64 = ip_network("64:ff9b::/96")


def reachable_from_internet(url: str) -> bool:
    """Whether a URL can be reached from the internet.

    Loopback, private-range, link-local and multicast addresses (in any form,
    `127.1` and IPv6 with such an IPv4 inside too), and names such as
    `homeassistant.local`, `ha.fritz.box` or a bare `homeassistant`, cannot. With
    `EQUIWATT_ALLOW_LOCAL_URL=1` (scripts/develop and the end-to-end test, where the
    simulator on this machine plays Equiwatt) every URL counts as reachable.
    """
    if os.environ.get(ALLOW_LOCAL_URL_ENV) == "1":
        return True
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if (address := _address(host)) is not None:
        return _is_global(address)
    return "." in host and not f".{host}".endswith(LOCAL_SUFFIXES)


def _address(host: str) -> IPv4Address | IPv6Address | None:
    """Read a host as an IP address, in the short forms browsers take too (127.1, 2130706433)."""
    try:
        return ip_address(host)
    except ValueError:
        pass
    try:
        return IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _is_global(address: IPv4Address | IPv6Address) -> bool:
    """Whether an address is a public one that a single host holds (no multicast)."""
    if address.is_multicast:
        return False
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            return _is_global(address.ipv4_mapped)
        if address in NAT64:
            return _is_global(IPv4Address(int(address) & 0xFFFF_FFFF))
    return address.is_global
