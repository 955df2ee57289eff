"""Benchmark fixtures: the test suite's, plus a results file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import mock_entry, sim_world, simulator  # noqa: F401 - fixtures
from tests.setback.conftest import home, tado_cloud  # noqa: F401 - fixtures

RESULTS = Path(__file__).resolve().parent.parent / "bench-results"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/equiwatt."""


def record(name: str, result: dict[str, Any]) -> None:
    """Write one benchmark's figures to bench-results/NAME.json and print them."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\n== {name}\n{json.dumps(result, indent=2)}")


def events_file() -> Path:
    """Return the schedule to replay: --events FILE, else the one built from the captured sample."""
    chosen = os.environ.get("EQUIWATT_BENCH_EVENTS")
    return Path(chosen) if chosen else Path(__file__).resolve().parent / "events-sample.json"
