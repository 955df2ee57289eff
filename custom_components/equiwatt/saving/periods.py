"""The meter's use per statistics period, from the recorder's sums, never across a gap."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from .ledger import RESET_RATIO

# Sums closer than this are the same reading (kWh; the recorder stores floats).
SAME_SUM = 1e-9


class _Row(NamedTuple):
    start: int
    total: float
    state: float | None
    trusted: bool  # False for a drop that is no reset: no reference for the next period


def period_use(rows: Iterable[Mapping[str, Any]], period: int) -> dict[int, float]:
    """Return the use of each period that the rows (in time order) show on its own.

    The recorder writes a period's row when the meter had a number at any moment of
    it, none when it had none throughout, and a row's change counts from the previous
    *stored* row. So the row of the period in which the meter went unavailable holds
    part of its use, and the first row after the outage holds the rest. A period
    counts only when the periods just before it (or sums that agree across the gap:
    nothing was used) and just after it have rows; the last row, whose successor is
    unknown, does not. A drop of the sum is a meter reset when the meter's state fell
    below 90 % of the one before (the period counts from zero); any other drop is
    noise: that period and the next are left out.
    """
    use: dict[int, float] = {}
    before: _Row | None = None
    pending: tuple[int, float] | None = None  # the last row's use, until its successor shows
    for row in rows:
        if (total := row.get("sum")) is None:
            continue
        start, state = int(row["start"]), row.get("state")
        if pending is not None and pending[0] == start - period:
            use[pending[0]] = pending[1]
        pending = None
        change = 0.0 if before is None else total - before.total
        reset = before is not None and change < -SAME_SUM and _is_reset(state, before.state)
        if before is not None and before.trusted:
            adjacent = before.start == start - period
            if abs(change) <= SAME_SUM:
                pending = (start, 0.0)
            elif adjacent and change > 0:
                pending = (start, change)
            elif adjacent and reset and state is not None:
                pending = (start, max(float(state), 0.0))
        before = _Row(start, total, state, change >= -SAME_SUM or reset)
    return use


def _is_reset(state: float | None, before: float | None) -> bool:
    """Whether the meter's state fell as a meter reset does: to below 90 % of the last."""
    return state is not None and before is not None and state < before * RESET_RATIO
