"""What the wheel holds, checked where scripts/test installed it in an empty environment."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
from pathlib import Path
import sys

import aioequiwatt
import pytest

pytestmark = pytest.mark.skipif(
    not os.environ.get("EQUIWATT_LIB_WHEEL"), reason="runs in scripts/test's wheel environment"
)


def test_running_from_the_installed_wheel() -> None:
    """`aioequiwatt` comes from the environment, with aiohttp its only requirement."""
    assert Path(aioequiwatt.__file__).is_relative_to(sys.prefix)
    assert importlib.util.find_spec("homeassistant") is None
    assert importlib.metadata.version("aioequiwatt") == aioequiwatt.__version__
    assert [r.split(">")[0] for r in importlib.metadata.requires("aioequiwatt") or []] == [
        "aiohttp"
    ]
    files = {str(f) for f in importlib.metadata.files("aioequiwatt") or []}
    assert "aioequiwatt/py.typed" in files
    assert "aioequiwatt/cli.py" in files
