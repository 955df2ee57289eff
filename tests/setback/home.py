"""A household for the setback tests: core's tado over the stand-in, Equiwatt, the entry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.equiwatt.const import CONF_WEBHOOK_ID, DOMAIN
from custom_components.equiwatt.setback.const import (
    CONF_SETBACK_CLIMATES,
    CONF_SETBACK_SWITCHES,
    CONF_SETBACK_TEMPERATURE,
)
from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from tests.conftest import TOKEN, WEBHOOK_ID, Simulator
from tests.tado_cloud import HOME_ID, Logged, TadoCloud, Zone
from tests.timing import advance

PATH = f"/api/webhook/{WEBHOOK_ID}"
SETBACK_SWITCH = "switch.equiwatt_setback"
# An Equivent starts a minute and a half after the half hour, as they habitually do.
FIRST_START = datetime.fromisoformat("2026-11-20T17:01:30+00:00")
# Recent Equivents lasted 59 min 20 s: the integration expects this one to as well.
USUAL = timedelta(seconds=3560)
# Core's tado folds the refreshes asked for within 10 s; a phase is over after that.
PHASE = 25.0


def zone_entity(hass: HomeAssistant, zone: Zone) -> str:
    """Return the climate entity core's tado made for a zone.

    Its id depends on the Home Assistant version (2026.10 names it after the
    zone's area and device: `climate.study_study`), so it is looked up.
    """
    unique_id = f"{zone.kind} {zone.id} {HOME_ID}"
    entity_id = er.async_get(hass).async_get_entity_id("climate", "tado", unique_id)
    assert entity_id is not None, unique_id
    return entity_id


async def settle(hass: HomeAssistant) -> None:
    """Let every write finish: the setback's and core's tado's, over loopback."""
    for _ in range(3):
        await hass.async_block_till_done(wait_background_tasks=True)


async def set_up_tado(hass: HomeAssistant, *, polling: bool = True) -> MockConfigEntry:
    """Set up core's tado integration against the stand-in, as a user's is after sign-in.

    Without `polling` (the entry's "Enable polling for changes" turned off) core's
    tado reads Tado only after its own writes.
    """
    entry = MockConfigEntry(
        domain="tado",
        version=2,
        title="Home",
        unique_id="4711",
        data={"refresh_token": "tado-refresh-token"},
        options={"fallback": "TADO_DEFAULT"},
        pref_disable_polling=not polling,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def full_refreshes(requests: Iterable[Logged]) -> int:
    """How many of core's full refreshes the requests hold (each begins with /me)."""
    return sum(1 for logged in requests if logged.path == "/api/v2/me")


@dataclass
class Home:
    """The pieces of one household, and how the tests drive them."""

    hass: HomeAssistant
    freezer: FrozenDateTimeFactory
    cloud: TadoCloud
    simulator: Simulator
    client_factory: ClientSessionGenerator
    entry: MockConfigEntry | None = None
    tado_entry: MockConfigEntry | None = None
    marks: dict[str, datetime] = field(default_factory=dict)

    async def set_up(
        self,
        zones: Iterable[Zone] = (),
        *,
        climates: Iterable[str] = (),
        switches: Iterable[str] = (),
        temperature: float = 5.0,
        options: dict[str, Any] | None = None,
        start: datetime = FIRST_START,
        tado_polling: bool = True,
    ) -> None:
        """Set up core's tado with Tado's zones (if any), then Equiwatt setting them back.

        Equiwatt's history holds a week of Equivents that lasted the usual time,
        so the live one is expected to end after it too.
        """
        self.freezer.move_to(start - timedelta(minutes=5))
        for day in range(1, 8):
            begun = (start - timedelta(days=day)).timestamp()
            self.simulator.world.schedule(begun, begun + USUAL.total_seconds())
        for zone in zones:
            self.cloud.add_zone(zone)
        if self.cloud.zones:
            self.tado_entry = await set_up_tado(self.hass, polling=tado_polling)
        self.entry = MockConfigEntry(
            domain=DOMAIN,
            title="Equiwatt",
            data={CONF_API_TOKEN: TOKEN, CONF_WEBHOOK_ID: WEBHOOK_ID},
            unique_id="test-unique-id",
            entry_id="01JEQUIWATTTESTENTRY0000001",
            options={
                CONF_SETBACK_CLIMATES: [
                    *(zone_entity(self.hass, zone) for zone in self.cloud.zones.values()),
                    *climates,
                ],
                CONF_SETBACK_SWITCHES: list(switches),
                CONF_SETBACK_TEMPERATURE: temperature,
                **(options or {}),
            },
        )
        self.entry.add_to_hass(self.hass)
        assert await self.hass.config_entries.async_setup(self.entry.entry_id)
        await settle(self.hass)
        await self.advance_to(start)

    async def webhook(self, event: str) -> None:
        """Equiwatt calls the webhook."""
        client = await self.client_factory()
        await client.post(PATH, params={"event": event})
        await settle(self.hass)

    async def start(self, *, push: bool = True, name: str = "start") -> None:
        """Start an Equivent now; Equiwatt calls the webhook (unless `push` is off)."""
        self.simulator.world.start_now()
        self.marks[name] = dt_util.utcnow()
        if push:
            await self.webhook("started")

    async def end(self, *, push: bool = True, name: str = "end") -> None:
        """End the live Equivent now; Equiwatt calls the webhook (unless `push` is off)."""
        self.simulator.world.end_now()
        self.marks[name] = dt_util.utcnow()
        if push:
            await self.webhook("ended")

    def expected_end(self, name: str = "start") -> datetime:
        """When the Equivent started at the mark `name` is expected to end."""
        return self.marks[name] + USUAL

    async def advance(self, seconds: float, step: float = 5.0) -> None:
        """Move time on in steps, running polls, Tado's debounced refresh and retries."""
        await advance(self.hass, self.freezer, seconds, step, settle_with=settle)

    async def advance_to(self, moment: datetime, step: float = 60.0) -> None:
        """Move time on to a moment."""
        await self.advance((moment - dt_util.utcnow()).total_seconds(), step)

    def state(self, entity_id: str) -> State:
        """Return the state of an entity, which must exist."""
        state = self.hass.states.get(entity_id)
        assert state is not None, entity_id
        return state

    def phase(self, name: str) -> list[Logged]:
        """Tado's API requests in the phase that began at a mark."""
        since = self.marks[name]
        return self.cloud.requests_since(since, since + timedelta(seconds=PHASE))

    async def stop(self, *, tado_too: bool = False) -> None:
        """Home Assistant goes down: the entry (and core's tado) unload; Tado's cloud goes on."""
        assert self.entry is not None
        assert await self.hass.config_entries.async_unload(self.entry.entry_id)
        if tado_too:
            assert self.tado_entry is not None
            assert await self.hass.config_entries.async_unload(self.tado_entry.entry_id)
        await settle(self.hass)

    async def restart(self, *, tado_too: bool = False) -> None:
        """Home Assistant is back: core's tado reads Tado again, then Equiwatt sets up."""
        if tado_too:
            assert self.tado_entry is not None
            assert await self.hass.config_entries.async_setup(self.tado_entry.entry_id)
        assert self.entry is not None
        assert await self.hass.config_entries.async_setup(self.entry.entry_id)
        await settle(self.hass)
