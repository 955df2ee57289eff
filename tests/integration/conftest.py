"""Fixtures for tests that run the integration in Home Assistant."""

from __future__ import annotations

import pytest

from tests.timing import advance, settle

__all__ = ["advance", "settle"]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/equiwatt."""
