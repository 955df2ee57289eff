"""Which Internet URLs Equiwatt's servers can reach."""

from __future__ import annotations

import pytest

from custom_components.equiwatt.const import ALLOW_LOCAL_URL_ENV
from custom_components.equiwatt.reachability import reachable_from_internet
from devtools.stack import ALLOW_LOCAL_URL

LOCAL = [
    "http://127.0.0.1:8123",
    "http://localhost:8123",
    "http://[::1]:8123",
    "http://192.168.1.20:8123",
    "http://10.0.0.5",
    "https://172.20.1.1",
    "http://169.254.10.10:8123",
    "http://100.101.102.103:8123",  # carrier-grade NAT, as Tailscale uses
    "http://[fd00::1]:8123",
    "http://homeassistant.local:8123",
    "http://homeassistant:8123",
    "https://ha.home.arpa",
    "https://ha.lan",
    "https://ha.internal.",
    # IPv4 in the short forms inet_aton reads, as a browser does
    "http://127.1:8123",
    "http://2130706433:8123",
    "http://0x7f000001",
    "http://0177.0.0.1",
    "http://10.1",
    # names of home routers and networks, and names reserved for tests and examples
    "http://ha.localdomain",
    "http://fritz.box",
    "http://homeassistant.fritz.box:8123",
    "http://ha.corp",
    "http://ha.intranet",
    "http://ha.private",
    "http://ha.test",
    "http://ha.example",
    "http://ha.invalid",
    "http://foo.localhost.",
    "http://HOMEASSISTANT.LOCAL",
    # multicast, and IPv6 with a private IPv4 inside
    "http://224.0.0.1",
    "http://[ff02::1]",
    "http://[::ffff:192.168.1.2]:8123",
    "http://[64:ff9b::c0a8:102]:8123",
    "http://[64:ff9b::7f00:1]",
    "http://0.0.0.0:8123",
    "http://[::]:8123",
]
PUBLIC = [
    "https://home.example.org",
    "https://myhome.duckdns.org:8123",
    "https://abc123.ui.nabu.casa",
    "https://81.2.69.160",
    "https://[2a00:1450:4009:81f::200e]",
    "https://[64:ff9b::5102:45a0]",  # NAT64 of 81.2.69.160
    "https://[::ffff:81.2.69.160]",
    "https://1.1.1.1.nip.io",
    "https://my-ha.tail1234.ts.net",  # Tailscale Funnel
]


@pytest.mark.parametrize("url", LOCAL)
def test_local_addresses_are_not_reachable(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback, private ranges and home-network names cannot be reached from the internet."""
    monkeypatch.delenv(ALLOW_LOCAL_URL_ENV, raising=False)
    assert not reachable_from_internet(url)


@pytest.mark.parametrize("url", PUBLIC)
def test_public_addresses_are_reachable(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Public names and addresses count."""
    monkeypatch.delenv(ALLOW_LOCAL_URL_ENV, raising=False)
    assert reachable_from_internet(url)


def test_the_development_switch_allows_local_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    """scripts/develop and the end-to-end test: the simulator on this machine plays Equiwatt."""
    assert ALLOW_LOCAL_URL == ALLOW_LOCAL_URL_ENV, "devtools sets the integration's switch"
    monkeypatch.setenv(ALLOW_LOCAL_URL_ENV, "1")
    assert all(reachable_from_internet(url) for url in LOCAL)
    monkeypatch.setenv(ALLOW_LOCAL_URL_ENV, "0")
    assert not reachable_from_internet(LOCAL[0])
