"""Constants of the Equiwatt integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

from .api import schedule

DOMAIN: Final = "equiwatt"
LOGGER = logging.getLogger(__package__)

CONF_WEBHOOK_ID: Final = "webhook_id"
CONF_CLOUDHOOK_URL: Final = "cloudhook_url"
CONF_PUSH: Final = "push"
DEFAULT_PUSH: Final = True  # push is wanted unless the options say otherwise
# "1": a URL on this machine or network counts as reachable from the internet. Only for
# scripts/develop and the end-to-end test, where the simulator on this machine plays Equiwatt.
ALLOW_LOCAL_URL_ENV: Final = "EQUIWATT_ALLOW_LOCAL_URL"
# An option of entries made before 0.2, dropped by their migration.
CONF_SLOW_INTERVAL: Final = "slow_interval"

# Seconds between polls away from the half hours. `scripts/bench polling`: 120 s
# keeps the average at about 62 calls an hour (the budget is 75) and finds an
# unusual Equivent within two minutes.
SLOW_INTERVAL: Final = 120.0

# A webhook transition holds against a contrary API read this long.
WEBHOOK_GRACE: Final = timedelta(minutes=5)
# Polled entities become unavailable after this long with no good read.
STALE_AFTER: Final = timedelta(minutes=10)
# Webhook bodies above this size are refused unread.
MAX_WEBHOOK_BODY: Final = 64 * 1024
# How long an Equivent usually lasts, when nothing better is known (the client's figure).
TYPICAL_DURATION: Final = schedule.TYPICAL_DURATION


# The saving per Equivent (options).
CONF_ENERGY_SENSOR: Final = "energy_sensor"
CONF_NATION: Final = "nation"
