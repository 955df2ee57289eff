"""The bank holidays of the home's UK nation, which the baseline leaves out like weekends."""

from __future__ import annotations

from datetime import date
from functools import partial

import holidays

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

NATIONS = {"england_wales": "ENG", "scotland": "SCT", "northern_ireland": "NIR"}
DEFAULT_NATION = "england_wales"


class BankHolidays:
    """The bank holidays of one nation, from last year to next year."""

    def __init__(self, nation: str) -> None:
        """Choose the nation (an option's value); call `async_load` next."""
        self.subdivision = NATIONS.get(nation, NATIONS[DEFAULT_NATION])
        self._days: holidays.HolidayBase | None = None

    async def async_load(self, hass: HomeAssistant) -> None:
        """Load the days, in the executor: the package imports its countries lazily."""
        year = dt_util.now().year
        self._days = await hass.async_add_executor_job(
            partial(
                holidays.country_holidays,
                "GB",
                subdiv=self.subdivision,
                years=range(year - 1, year + 2),
            )
        )

    def __call__(self, day: date) -> bool:
        """Whether a day is a bank holiday of the nation."""
        assert self._days is not None
        return day in self._days
