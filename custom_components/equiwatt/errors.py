"""How the client's errors read in Home Assistant: translated, and with what they mean."""

from __future__ import annotations

from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import UpdateFailed

from .api import EquiwattAuthError, EquiwattError, EquiwattRateLimitedError
from .const import DOMAIN


def update_error(err: EquiwattError) -> ConfigEntryAuthFailed | UpdateFailed:
    """Map a client error to a Home Assistant error."""
    if isinstance(err, EquiwattAuthError):
        return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="invalid_auth")
    if isinstance(err, EquiwattRateLimitedError):
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="rate_limited",
            translation_placeholders={"seconds": f"{err.retry_after:.0f}"},
            retry_after=err.retry_after,
        )
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key="update_failed",
        translation_placeholders={"error": str(err)},
    )
