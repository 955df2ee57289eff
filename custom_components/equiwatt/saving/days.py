"""Which half-hours an Equivent covers, and which earlier days make its baseline."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo

SLOT = timedelta(minutes=30)
SLOT_SECONDS = 1800
END_MARGIN = timedelta(minutes=5)
LOOKBACK_DAYS = 60
WEEKDAYS_WANTED = 10
SPECIAL_DAYS_WANTED = 4


def slot_start(moment: datetime, tz: tzinfo) -> datetime:
    """Return the start of the local half-hour that holds a moment."""
    local = moment.astimezone(tz)
    return local.replace(minute=local.minute - local.minute % 30, second=0, microsecond=0)


def slot_key(moment: datetime) -> int:
    """Return the key of a half-hour in the ledger: its start as a Unix time."""
    return int(moment.timestamp())


def equivent_slots(start: datetime, end: datetime, tz: tzinfo) -> list[datetime]:
    """Half-hours from the one holding the start to the one holding the end minus 5 minutes."""
    first = slot_start(start, tz)
    last = slot_start(max(end - END_MARGIN, start), tz)
    slots = []
    moment = first
    while moment <= last:
        slots.append(moment)
        moment = (moment.astimezone(UTC) + SLOT).astimezone(tz)
    return slots


def same_time_on(slot: datetime, day: date, on_day: date, tz: tzinfo) -> datetime:
    """Return the local half-hour at a slot's wall-clock time, moved from `on_day` to `day`."""
    shifted = slot.date() + (day - on_day)
    return datetime.combine(shifted, slot.time(), tz)


def is_special(day: date, bank_holidays: Callable[[date], bool]) -> bool:
    """Whether a day is a weekend day or a bank holiday."""
    return day.weekday() >= 5 or bank_holidays(day)


def eligible_days(
    day: date, bank_holidays: Callable[[date], bool], equivent_days: Collection[date]
) -> list[date]:
    """Return the latest earlier days of the same kind without an Equivent, newest first."""
    special = is_special(day, bank_holidays)
    wanted = SPECIAL_DAYS_WANTED if special else WEEKDAYS_WANTED
    found = [
        earlier
        for earlier in _earlier_days(day)
        if is_special(earlier, bank_holidays) == special and earlier not in equivent_days
    ]
    return found[:wanted]


def days_wanted(day: date, bank_holidays: Callable[[date], bool]) -> int:
    """How many eligible days the baseline of an Equivent on that day wants."""
    return SPECIAL_DAYS_WANTED if is_special(day, bank_holidays) else WEEKDAYS_WANTED


def _earlier_days(day: date) -> Iterator[date]:
    for back in range(1, LOOKBACK_DAYS + 1):
        yield day - timedelta(days=back)
