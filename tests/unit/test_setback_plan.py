"""The setback's pure decisions: what is saved, what a state means, what is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from custom_components.equiwatt.setback.memory import Entry, Memory, Status, load_memory
from custom_components.equiwatt.setback.plan import begin, finish, observe, prune
from custom_components.equiwatt.setback.settings import Kind, Setting, setting_of
from homeassistant.core import State

NOW = datetime(2026, 11, 20, 17, 1, 30, tzinfo=UTC)
END = NOW + timedelta(seconds=3560)
HEATING = ["off", "auto", "heat"]
AIR_CONDITIONER = ["off", "auto", "heat", "cool", "heat_cool", "dry", "fan_only"]


def zone(mode: str, temperature: float | None = 20.0, **attributes: Any) -> State:
    """Return a climate state."""
    return State(
        "climate.zone",
        mode,
        {"hvac_modes": HEATING, "min_temp": 5.0, "temperature": temperature, **attributes},
    )


@pytest.mark.parametrize(
    ("kind", "state", "saved"),
    [
        (Kind.TADO, zone("auto"), Setting("auto")),
        (Kind.TADO, zone("heat", 21.0), Setting("heat", 21.0, overlay="MANUAL")),
        (Kind.TADO, zone("off"), None),
        # An air conditioner's schedule may be cooling: left alone.
        (Kind.TADO, zone("auto", hvac_modes=AIR_CONDITIONER), None),
        # Tado's own heat_cool has no target to set back.
        (Kind.TADO, zone("heat_cool", None, hvac_modes=AIR_CONDITIONER), None),
        (Kind.CLIMATE, zone("cool", 23.0, hvac_modes=AIR_CONDITIONER), None),
        (Kind.CLIMATE, zone("dry", None, hvac_modes=AIR_CONDITIONER), None),
        (
            Kind.CLIMATE,
            zone("heat_cool", None, target_temp_low=18.0, target_temp_high=24.0),
            Setting("heat_cool", low=18.0, high=24.0),
        ),
        (Kind.CLIMATE, zone("heat", None), None),
        (Kind.CLIMATE, zone("unavailable"), None),
        (Kind.SWITCH, State("switch.plug", "on"), Setting("on")),
        (Kind.SWITCH, State("switch.plug", "off"), None),
    ],
)
def test_what_is_saved(kind: Kind, state: State, saved: Setting | None) -> None:
    """Heat, auto (unless it may cool) and heat_cool are saved; the rest is left alone."""
    assert setting_of(kind, state, "MANUAL" if kind is Kind.TADO else None) == saved


def _begin(memory: Memory, states: dict[str, State], start: datetime = NOW) -> None:
    begin(
        memory,
        start=start,
        expected_end=start + timedelta(seconds=3560),
        now=start,
        chosen=dict.fromkeys(states, Kind.TADO),
        states=states.get,
        overlays=lambda _: "MANUAL",
        temperature=5.0,
    )


def test_our_own_setback_is_never_saved() -> None:
    """A zone that shows the setback (a stale state, a lost memory) is left alone."""
    memory = Memory()
    _begin(memory, {"climate.a": zone("heat", 5.0), "climate.b": zone("heat", 4.5)})
    assert memory.entries == {}


def test_back_to_back_keeps_the_first_memory() -> None:
    """The next Equivent reuses what was saved, whatever Home Assistant shows meanwhile."""
    memory = Memory()
    _begin(memory, {"climate.a": zone("heat", 21.0)})
    entry = memory.entries["climate.a"]
    entry.move(Status.SET_BACK, NOW)
    entry.sent, entry.timer_end = True, END
    finish(memory, END)
    assert entry.status is Status.RESTORING
    entry.move(Status.RESTORED, END)
    # Home Assistant still shows the setback: core's tado refreshes later.
    _begin(memory, {"climate.a": zone("heat", 5.0)}, start=END + timedelta(seconds=2))
    assert entry.status is Status.SETTING_BACK
    assert entry.saved == Setting("heat", 21.0, overlay="MANUAL")


def test_a_schedule_zone_whose_timer_ends_needs_no_write() -> None:
    """At the end, a Tado schedule zone whose timer runs out within minutes is left to Tado."""
    memory = Memory()
    _begin(memory, {"climate.a": zone("auto")})
    entry = memory.entries["climate.a"]
    entry.move(Status.SET_BACK, NOW)
    entry.sent, entry.timer_end = True, END
    finish(memory, END - timedelta(minutes=4))
    assert entry.status is Status.RESTORED
    entry.move(Status.SET_BACK, NOW)
    finish(memory, END - timedelta(minutes=20))
    assert entry.status is Status.RESTORING, "ended early: back to the schedule at once"


def test_a_change_by_hand_is_left_alone() -> None:
    """Once the setback showed, another setting is a change by hand; a timer running out is not."""
    entry = Entry(Kind.TADO, Setting("auto"), Setting("heat", 5.0), Status.SET_BACK, timer_end=END)
    assert not observe(entry, zone("auto"), NOW), "stale: not yet confirmed"
    assert observe(entry, zone("heat", 5.0), NOW)
    assert entry.confirmed
    assert not observe(entry, zone("unavailable"), NOW)
    assert not observe(entry, zone("auto"), END)
    assert entry.status is Status.SET_BACK, "Tado's timer ran out"
    assert observe(entry, zone("heat", 22.0), END)
    assert entry.status is Status.LEFT


def test_restored_entries_are_kept_while_home_assistant_shows_the_setback() -> None:
    """A restored entry is forgotten only once Home Assistant shows something else."""
    memory = Memory()
    entry = Entry(Kind.TADO, Setting("auto"), Setting("heat", 5.0), Status.RESTORED, since=NOW)
    memory.entries["climate.a"] = entry
    assert not prune(memory, NOW + timedelta(days=3), {"climate.a"})
    observe(entry, zone("auto"), NOW + timedelta(days=3))
    assert prune(memory, NOW + timedelta(days=3), {"climate.a"})
    assert memory.entries == {}


def test_unreadable_memory_is_dropped(caplog: pytest.LogCaptureFixture) -> None:
    """Saved memory that cannot be read gives an empty memory and a warning."""
    assert load_memory({"entries": {"climate.a": {"kind": "nonsense"}}}) == Memory()
    assert "unreadable" in caplog.text
    assert load_memory(None) == Memory()
    memory = Memory(entries={"climate.a": Entry(Kind.SWITCH, Setting("on"), Setting("off"))})
    assert load_memory(memory.as_dict()) == memory
