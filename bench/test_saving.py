"""Cost of the saving per Equivent: a meter reading, a baseline, and the storage after 60 days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
import statistics
import time
from zoneinfo import ZoneInfo

import holidays

from bench.conftest import record
from custom_components.equiwatt.saving.days import days_wanted, eligible_days, equivent_slots
from custom_components.equiwatt.saving.figures import compute_figures
from custom_components.equiwatt.saving.ledger import MeterLedger, slot_of
from homeassistant.helpers.json import prepare_save_json
from simulator import ManualClock, World
from simulator.meter import SimMeter

LONDON = ZoneInfo("Europe/London")
DAYS = 60
READING_INTERVAL = 10  # seconds, like a consumer access device
EQUIVENT_HOUR = 17
BASELINE_RUNS = 2000


def _equivent(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, EQUIVENT_HOUR, 1, 7, tzinfo=LONDON)
    return start, start + timedelta(seconds=3595)


def test_saving_cost() -> None:
    """Feed 60 days of 10-second readings, with one Equivent a week, then time a baseline."""
    first = date(2026, 11, 2)
    clock = ManualClock(datetime(2026, 11, 2, tzinfo=LONDON).timestamp())
    world = World(clock=clock)
    equivent_days = [first + timedelta(days=n) for n in range(3, DAYS, 7)]
    for day in equivent_days:
        start, end = _equivent(day)
        world.schedule(start.timestamp(), end.timestamp())
    meter = SimMeter(world)
    series = []
    for _ in range(DAYS * 86_400 // READING_INTERVAL):
        clock.advance(READING_INTERVAL)
        series.append((clock.now, meter.read()))
    readings = len(series)
    ledger = MeterLedger()
    started = time.perf_counter()
    for now, value in series:
        if now % 1800 == 0:
            ledger.boundary(now, value)
        else:
            ledger.observe(now, value)
    feed_s = time.perf_counter() - started
    bank_holidays = holidays.country_holidays("GB", subdiv="ENG", years=(2026, 2027))
    day = first + timedelta(days=DAYS)
    start, end = _equivent(day)
    slots = equivent_slots(start, end, LONDON)
    now = end + timedelta(hours=1)
    timings = []
    for _ in range(BASELINE_RUNS):
        began = time.perf_counter()
        days = eligible_days(day, bank_holidays.__contains__, set(equivent_days))
        figures = compute_figures(
            slots,
            days,
            wanted=days_wanted(day, bank_holidays.__contains__),
            tz=LONDON,
            consumption=ledger.get,
            now=now,
        )
        timings.append(time.perf_counter() - began)
    assert figures.baseline is not None
    assert figures.days_used == figures.days_wanted
    results = {}
    for equivent_day in equivent_days:
        eq_start, eq_end = _equivent(equivent_day)
        eq_slots = equivent_slots(eq_start, eq_end, LONDON)
        eq_figures = compute_figures(
            eq_slots,
            eligible_days(equivent_day, bank_holidays.__contains__, set(equivent_days)),
            wanted=10,
            tz=LONDON,
            consumption=ledger.get,
            now=eq_end + timedelta(hours=1),
        )
        results[str(int(eq_start.timestamp()))] = eq_figures.as_dict()
    stored = {
        "version": 1,
        "minor_version": 1,
        "key": "equiwatt.ENTRY.saving",
        "data": {"ledger": ledger.as_dict(), "results": results, "final": sorted(results)},
    }
    _mode, payload = prepare_save_json(stored)
    size = len(payload.encode() if isinstance(payload, str) else payload)
    record(
        "saving",
        {
            "days": DAYS,
            "meter_readings": readings,
            "reading_us": round(feed_s / readings * 1e6, 2),
            "baseline_us_p50": round(statistics.median(timings) * 1e6, 1),
            "baseline_us_max": round(max(timings) * 1e6, 1),
            # What each costs against the time it serves: the 1-minute refresh of the
            # figures, and the interval between two meter readings.
            "baseline_share_of_refresh": float(f"{statistics.median(timings) / 60:.2g}"),
            "reading_share_of_interval": float(f"{feed_s / readings / READING_INTERVAL:.2g}"),
            "baseline_kwh": round(figures.baseline, 3),
            "ledger_slots": len(ledger.slots),
            "equivents": len(results),
            "storage_bytes": size,
            "storage_bytes_per_day": round(size / DAYS),
            "last_slot": datetime.fromtimestamp(slot_of(clock.now), UTC).isoformat(),
        },
    )
