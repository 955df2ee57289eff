"""The saving's pure parts: slots, eligible days, the ledger, the figures and their words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fnmatch import fnmatch
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from custom_components.equiwatt.calendar import saving_text
from custom_components.equiwatt.saving.days import eligible_days, equivent_slots, same_time_on
from custom_components.equiwatt.saving.figures import Figures, Reading, compute_figures
from custom_components.equiwatt.saving.ledger import MeterLedger
from custom_components.equiwatt.saving.periods import period_use
from custom_components.equiwatt.storage import Part, store_key
from devtools.home import SAVING_FILES

LONDON = ZoneInfo("Europe/London")
STRINGS = Path(__file__).resolve().parents[2] / "custom_components" / "equiwatt" / "strings.json"
CHRISTMAS_2026 = {date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)}


def at(text: str) -> datetime:
    """Parse an ISO time."""
    return datetime.fromisoformat(text)


def ts(text: str) -> float:
    """Parse an ISO time as a Unix time."""
    return at(text).timestamp()


def test_slots_from_the_start_to_the_end_minus_five_minutes() -> None:
    """17:01:07-18:01:02 covers 17:00 and 17:30; 17:01-18:20 adds 18:00."""
    slots = equivent_slots(at("2027-01-06T17:01:07+00:00"), at("2027-01-06T18:01:02+00:00"), LONDON)
    assert [s.strftime("%H:%M") for s in slots] == ["17:00", "17:30"]
    slots = equivent_slots(at("2027-01-06T17:01:07+00:00"), at("2027-01-06T18:20:00+00:00"), LONDON)
    assert [s.strftime("%H:%M") for s in slots] == ["17:00", "17:30", "18:00"]


def test_a_slot_keeps_its_wall_clock_time_across_the_clock_change() -> None:
    """17:00 on the Monday after the change (GMT) is 16:00 UTC on the Friday before (BST)."""
    slot = equivent_slots(at("2026-10-26T17:01:00+00:00"), at("2026-10-26T18:01:00+00:00"), LONDON)[
        0
    ]
    before = same_time_on(slot, date(2026, 10, 23), date(2026, 10, 26), LONDON)
    assert before.astimezone(UTC) == at("2026-10-23T16:00:00+00:00")


def test_weekday_eligible_days_skip_weekends_bank_holidays_and_equivent_days() -> None:
    """Ten weekdays back from 6 January 2027, without Christmas and two Equivent days."""
    days = eligible_days(
        date(2027, 1, 6), CHRISTMAS_2026.__contains__, {date(2027, 1, 4), date(2026, 12, 22)}
    )
    assert days == [
        date(2027, 1, 5),
        date(2026, 12, 31),
        date(2026, 12, 30),
        date(2026, 12, 29),
        date(2026, 12, 24),
        date(2026, 12, 23),
        date(2026, 12, 21),
        date(2026, 12, 18),
        date(2026, 12, 17),
        date(2026, 12, 16),
    ]


def test_weekend_eligible_days_are_four_weekend_days_or_bank_holidays() -> None:
    """A Sunday Equivent compares with Saturday, New Year's Day, Boxing Day's substitute, Sunday."""
    days = eligible_days(date(2027, 1, 3), CHRISTMAS_2026.__contains__, set())
    assert days == [date(2027, 1, 2), date(2027, 1, 1), date(2026, 12, 28), date(2026, 12, 27)]


def test_eligible_days_look_back_at_most_60_days() -> None:
    """With Equivents on the last 55 days, only one weekend day is left within 60 days."""
    busy = {date(2027, 1, 9) - timedelta(days=back) for back in range(1, 56)}
    assert eligible_days(date(2027, 1, 9), lambda _day: False, busy) == [date(2026, 11, 14)]


def test_ledger_measures_half_hours_between_boundaries() -> None:
    """Readings between two boundaries add up; a dip is noise, a big drop a reset."""
    ledger = MeterLedger()
    ledger.boundary(ts("2027-01-06T17:00:00+00:00"), 100.0)
    ledger.observe(ts("2027-01-06T17:10:00+00:00"), 100.4)
    ledger.observe(ts("2027-01-06T17:11:00+00:00"), 100.39)  # noise: ignored
    ledger.observe(ts("2027-01-06T17:20:00+00:00"), 100.5)
    assert ledger.live(ts("2027-01-06T17:25:00+00:00")) == Reading(pytest.approx(0.5))
    ledger.observe(ts("2027-01-06T17:31:00+00:00"), 0.2)  # reset: 0.2 since
    ledger.boundary(ts("2027-01-06T17:30:00+00:00"), 0.2)  # late tick: already rolled over
    ledger.boundary(ts("2027-01-06T18:00:00+00:00"), 0.3)
    start = int(ts("2027-01-06T17:00:00+00:00"))
    assert ledger.get(start) == Reading(pytest.approx(0.5))
    assert ledger.get(start + 1800) == Reading(pytest.approx(0.3))
    assert ledger.live(ts("2027-01-06T18:10:00+00:00")) == Reading(0.0)


def test_ledger_leaves_out_half_hours_with_a_gap() -> None:
    """An unavailable meter, or a reading after a skipped half-hour, records nothing."""
    ledger = MeterLedger()
    ledger.boundary(ts("2027-01-06T17:00:00+00:00"), 100.0)
    ledger.observe(ts("2027-01-06T17:10:00+00:00"), None)
    ledger.observe(ts("2027-01-06T17:20:00+00:00"), 100.5)
    ledger.boundary(ts("2027-01-06T17:30:00+00:00"), 100.6)
    ledger.observe(ts("2027-01-06T18:40:00+00:00"), 101.0)  # no 18:00 tick: a gap
    ledger.boundary(ts("2027-01-06T19:00:00+00:00"), 101.2)
    ledger.boundary(ts("2027-01-06T19:30:00+00:00"), None)
    start = int(ts("2027-01-06T17:00:00+00:00"))
    assert [ledger.get(start + n * 1800) for n in range(5)] == [None] * 5
    assert ledger.live(ts("2027-01-06T19:40:00+00:00")) is None


def test_ledger_round_trips_prunes_and_never_overwrites_with_backfill() -> None:
    """Storage keeps everything; backfill fills only holes; old half-hours go."""
    ledger = MeterLedger()
    ledger.boundary(ts("2027-01-06T17:00:00+00:00"), 100.0)
    ledger.boundary(ts("2027-01-06T17:30:00+00:00"), 100.5)
    start = int(ts("2027-01-06T17:00:00+00:00"))
    assert not ledger.backfill(start, Reading(9.0))
    assert ledger.backfill(start - 1800, Reading(0.7, approximate=True))
    assert MeterLedger.from_dict(ledger.as_dict()) == ledger
    ledger.resume(ts("2027-01-06T18:10:00+00:00"), after_stop=False)
    assert ledger.current is None
    ledger.prune(ts("2027-03-20T00:00:00+00:00"))
    assert ledger.slots == {}


def test_backfill_never_fills_a_half_hour_the_ledger_saw_unreadable() -> None:
    """The meter unavailable from 17:10 to 18:40: the recorder's rows of 17:00 to 18:30 are partial."""
    ledger = MeterLedger()
    ledger.boundary(ts("2027-01-06T17:00:00+00:00"), 100.0)
    ledger.observe(ts("2027-01-06T17:10:00+00:00"), None)
    for tick in ("17:30", "18:00", "18:30"):
        ledger.boundary(ts(f"2027-01-06T{tick}:00+00:00"), None)
    ledger.observe(ts("2027-01-06T18:40:00+00:00"), 101.0)
    ledger.boundary(ts("2027-01-06T19:00:00+00:00"), 101.25)
    ledger.boundary(ts("2027-01-06T19:30:00+00:00"), 101.5)
    start = int(ts("2027-01-06T17:00:00+00:00"))
    saw_unreadable = [start + n * 1800 for n in range(4)]
    restored = MeterLedger.from_dict(ledger.as_dict())
    assert restored == ledger
    assert [restored.backfill(key, Reading(0.5)) for key in saw_unreadable] == [False] * 4
    assert restored.get(start + 4 * 1800) == Reading(0.25)
    restored.prune(ts("2027-03-20T00:00:00+00:00"))
    assert restored.unreadable == set()


def test_a_stop_leaves_its_half_hours_unreadable() -> None:
    """Stopped at 17:28 and started at 19:10: the recorder gives 17:30 to 18:30 no use, 19:00 all."""
    ledger = MeterLedger()
    ledger.boundary(ts("2027-01-06T17:00:00+00:00"), 100.0)
    ledger.observe(ts("2027-01-06T17:20:00+00:00"), 100.3)
    reloaded = MeterLedger.from_dict(ledger.as_dict())
    reloaded.resume(ts("2027-01-06T19:10:00+00:00"), after_stop=False)
    assert (reloaded.current, reloaded.unreadable) == (None, set())
    ledger.resume(ts("2027-01-06T19:10:00+00:00"), after_stop=True)
    start = int(ts("2027-01-06T17:00:00+00:00"))
    assert ledger.unreadable == {start + n * 1800 for n in range(5)}
    assert not ledger.backfill(start + 1800, Reading(0.0))
    assert ledger.current is None


def test_figures_with_a_missing_day_and_a_live_half_hour() -> None:
    """Means over the days with data, usage so far, and pace against the pro-rated baseline."""
    slots = equivent_slots(at("2027-01-06T17:01:07+00:00"), at("2027-01-06T18:01:02+00:00"), LONDON)
    days = [date(2027, 1, 5), date(2027, 1, 4)]
    jan5 = int(ts("2027-01-05T17:00:00+00:00"))
    jan4 = int(ts("2027-01-04T17:00:00+00:00"))
    jan6 = int(ts("2027-01-06T17:00:00+00:00"))
    data = {jan5: Reading(0.6), jan5 + 1800: Reading(0.4), jan4: Reading(1.0), jan6: Reading(0.3)}
    figures = compute_figures(
        slots,
        days,
        wanted=2,
        tz=LONDON,
        consumption=data.get,
        now=at("2027-01-06T17:45:00+00:00"),
        live=Reading(0.1),
    )
    # 17:00: (0.6 + 1.0) / 2 = 0.8; 17:30: 0.4 (one day); usage 0.3 + 0.1.
    assert figures.baseline == pytest.approx(1.2)
    assert figures.usage == pytest.approx(0.4)
    assert figures.days_used == 1
    assert figures.incomplete
    assert figures.pace == pytest.approx(100 * 0.4 / (0.8 + 0.4 / 2))
    assert figures.saving == pytest.approx(0.8)
    assert figures.saving_percent == pytest.approx(100 * 0.8 / 1.2)
    assert Figures.from_dict(figures.as_dict()) == figures


def test_figures_never_invent_a_reading() -> None:
    """A slot with no data on any day leaves the baseline unknown; a usage gap, the usage."""
    slots = equivent_slots(at("2027-01-06T17:01:07+00:00"), at("2027-01-06T18:01:02+00:00"), LONDON)
    figures = compute_figures(
        slots,
        [date(2027, 1, 5)],
        wanted=10,
        tz=LONDON,
        consumption={}.get,
        now=at("2027-01-06T18:30:00+00:00"),
    )
    assert (figures.baseline, figures.usage, figures.saving, figures.pace) == (None,) * 4
    assert figures.saving_percent is None
    assert figures.incomplete


def rows(*sums: tuple[int, float | None]) -> list[dict[str, float | None]]:
    """Hourly statistics rows as the recorder returns them, from (hour, sum); the state is the sum."""
    return [{"start": 3600.0 * hour, "sum": total, "state": total} for hour, total in sums]


def test_period_use_leaves_out_the_hours_on_either_side_of_a_missing_one() -> None:
    """The row before a missing hour holds part of its hour, the row after it the gap's use too."""
    use = period_use(rows((0, 10.0), (1, 10.5), (3, 11.4), (4, 11.6), (5, 11.7)), 3600)
    assert use == {4 * 3600: pytest.approx(0.2)}


def test_period_use_leaves_out_the_last_row() -> None:
    """Nothing shows yet that the meter was readable to the end of the last row's period."""
    use = period_use(rows((0, 10.0), (1, 10.5), (2, 10.6)), 3600)
    assert use == {3600: pytest.approx(0.5)}


def test_period_use_after_a_gap_with_agreeing_sums_is_zero() -> None:
    """Nothing used across a gap: the hour after it used nothing either."""
    assert period_use(rows((0, 10.0), (3, 10.0), (4, 10.2), (5, 10.3)), 3600) == {
        3 * 3600: 0.0,
        4 * 3600: pytest.approx(0.2),
    }


def test_period_use_rejects_a_dip_and_the_hour_after_it() -> None:
    """A small drop is noise, no reading: its hour and the next, measured from it, are left out."""
    use = period_use(rows((0, 10.0), (1, 10.5), (2, 10.4), (3, 10.9), (4, 11.0), (5, 11.1)), 3600)
    assert use == {3600: pytest.approx(0.5), 4 * 3600: pytest.approx(0.1)}


def test_period_use_counts_a_reset_from_zero() -> None:
    """A meter back near zero (its state below 90 % of the last) counts from zero."""
    use = period_use(rows((0, 500.0), (1, 500.5), (2, 0.3), (3, 0.7), (4, 0.8)), 3600)
    assert use == {
        3600: pytest.approx(0.5),
        2 * 3600: pytest.approx(0.3),
        3 * 3600: pytest.approx(0.4),
    }
    # After a gap, a reset says nothing of its own hour either.
    assert period_use(rows((0, 500.0), (2, 0.3), (3, 0.4), (4, 0.5)), 3600) == {
        3 * 3600: pytest.approx(0.1)
    }


def test_period_use_skips_rows_without_a_sum() -> None:
    """A row with no sum is no reading: the rows on either side of it are not adjacent to one."""
    use = period_use(rows((0, 1.0), (1, None), (2, 1.5), (3, 1.75), (4, 2.0)), 3600)
    assert use == {3 * 3600: pytest.approx(0.25)}


def figures_of(
    baseline: float, usage: float, *, days_used: int = 10, approximate: bool = False
) -> Figures:
    """Figures of a finished Equivent whose baseline wants 10 days."""
    return Figures(baseline, usage, days_used, 10, approximate=approximate, usage_complete=True)


@pytest.mark.parametrize(
    ("figures", "text"),
    [
        (
            figures_of(1.2, 0.4),
            "Used 0.40 kWh of a 1.20 kWh baseline: saved 0.80 kWh, 67 %.",
        ),
        (
            figures_of(1.2, 1.5, days_used=9),
            (
                "Used 1.50 kWh of a 1.20 kWh baseline: saved -0.30 kWh, -25 %"
                " (baseline from 9 of 10 days)."
            ),
        ),
        (
            figures_of(2.0, 0.5, approximate=True),
            (
                "Used 0.50 kWh of a 2.00 kWh baseline: saved 1.50 kWh, 75 %"
                " (approximate, from hourly statistics)."
            ),
        ),
        (
            figures_of(2.0, 0.5, days_used=3, approximate=True),
            (
                "Used 0.50 kWh of a 2.00 kWh baseline: saved 1.50 kWh, 75 %"
                " (baseline from 3 of 10 days; approximate, from hourly statistics)."
            ),
        ),
        (figures_of(0.0, 0.1), "Used 0.10 kWh of a 0.00 kWh baseline: saved -0.10 kWh."),
        (
            figures_of(0.0, 0.1, approximate=True),
            (
                "Used 0.10 kWh of a 0.00 kWh baseline: saved -0.10 kWh"
                " (approximate, from hourly statistics)."
            ),
        ),
    ],
)
def test_saving_in_words(figures: Figures, text: str) -> None:
    """The English translation says each saving as the calendar always has."""
    words = json.loads(STRINGS.read_text(encoding="utf-8"))["common"]
    assert saving_text(words, figures) == text


def test_no_words_without_a_usage_and_a_baseline() -> None:
    """Without a usage or a baseline there is no saving to describe."""
    words = json.loads(STRINGS.read_text(encoding="utf-8"))["common"]
    gap = Figures(None, 0.4, 10, 10, approximate=False, usage_complete=True)
    assert [saving_text(words, figures) for figures in (None, gap)] == [None, None]


def test_scripts_develop_removes_the_saving_files_alone() -> None:
    """A new run starts the saving's ledger afresh and keeps every other part's file."""
    removed = [fnmatch(store_key("01JENTRY", part), SAVING_FILES) for part in Part]
    assert removed == [part is Part.SAVING for part in Part]
